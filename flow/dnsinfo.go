package flow

import (
	"encoding/binary"

	"github.com/flowscope/flowscope/flow/dnsmeta"
)

// DNSInfo is what a DNS flow asked and was answered (its first query and
// the first response to carry answers).
type DNSInfo struct {
	Query   string   `json:"query"`
	QType   string   `json:"qtype"`
	RCode   string   `json:"rcode"`
	Answers []string `json:"answers"` // addresses and names, as answered
}

// dnsMaxAnswers bounds the answers a record keeps.
const dnsMaxAnswers = 8

// dnsMaxFails stops parsing a port-53 flow whose payloads are not DNS.
const dnsMaxFails = 4

// dnsCacheSize bounds the address → name cache.
const dnsCacheSize = 1 << 16

// dnsMessage returns the DNS message a packet carries, if its flow is DNS:
// port 53 (or the detectors said dns) over UDP, or a whole length-prefixed
// message over TCP.
func dnsMessage(p *Packet, isDNS bool) []byte {
	if len(p.Payload) == 0 || !(isDNS || p.Key.SrcPort == 53 || p.Key.DstPort == 53) {
		return nil
	}
	b := p.Payload
	if p.Key.Proto == ProtoTCP {
		if len(b) < 2 || int(binary.BigEndian.Uint16(b)) != len(b)-2 {
			return nil
		}
		b = b[2:]
	}
	return b
}

// DNSAnswers returns the DNS response a packet to or from port 53 carries,
// when it answers with addresses: what names the servers of later flows
// (Table.NoteAnswers). It is read where frames are decoded, in frame order,
// so that a flow is named by exactly the answers that came before it, on
// whichever worker its flow table runs.
func DNSAnswers(p *Packet) *dnsmeta.Message {
	if !p.L4 || p.Key.Proto != ProtoTCP && p.Key.Proto != ProtoUDP {
		return nil
	}
	b := dnsMessage(p, false)
	if len(b) < 12 || b[2]&0x80 == 0 || b[6]|b[7] == 0 {
		return nil // not a response, or no answer records
	}
	m, _ := dnsmeta.Parse(b)
	if m == nil || !m.Response {
		return nil
	}
	for i := range m.Answers {
		if m.Answers[i].Addr.IsValid() {
			return m
		}
	}
	return nil
}

// NoteAnswers adds a DNS response's address → name pairs to the cache that
// names the servers of flows that begin after it.
func (t *Table) NoteAnswers(m *dnsmeta.Message) {
	if t.cfg.FlowsOnly {
		return
	}
	if t.dns == nil {
		t.dns = dnsmeta.NewCache(dnsCacheSize)
	}
	t.dns.Add(m)
}

// noteDNS parses a flow's DNS message: the flow keeps its first question
// and answers.
func (a *app) noteDNS(b []byte) {
	m, err := dnsmeta.Parse(b)
	if m == nil || (err != nil && len(m.Questions) == 0) {
		a.dnsFails++
		return
	}
	if a.dns == nil {
		a.dns = &DNSInfo{}
	}
	d := a.dns
	if d.Query == "" && len(m.Questions) > 0 {
		d.Query, d.QType = m.Questions[0].Name, m.Questions[0].Type
	}
	if m.Response && (d.RCode == "" || len(d.Answers) == 0 && len(m.Answers) > 0) {
		// The first response, or a later one that has the answers the
		// first (an empty or failed reply to a retry) lacked.
		d.RCode = m.RCode
		d.Answers = d.Answers[:0]
		for _, a := range m.Answers {
			if len(d.Answers) == dnsMaxAnswers {
				break
			}
			switch {
			case a.Addr.IsValid():
				d.Answers = append(d.Answers, a.Addr.String())
			case a.Target != "":
				d.Answers = append(d.Answers, a.Target)
			}
		}
	}
}
