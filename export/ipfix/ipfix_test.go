package ipfix

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowscope/flowscope/flow"
)

// unhex reads hex with spaces and comments (from # to the end of a line).
func unhex(t *testing.T, s string) []byte {
	t.Helper()
	var clean strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		clean.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(clean.String())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	t0 = time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC) // 1714564800123 ms = 0x18f34069e7b
	t1 = t0.Add(2500 * time.Millisecond)                      // 1714564802623 ms = 0x18f3406a83f
)

func TestAppendRecord(t *testing.T) {
	tests := []struct {
		name string
		rec  flow.Record
		want string
	}{
		{"ipv4 tcp", flow.Record{
			ID: 42, IPProto: 6, IPVersion: 4, FirstSeen: t0, LastSeen: t1, EndReason: "fin", VLAN: 100, Service: "tls",
			Client: flow.Side{IP: netip.MustParseAddr("192.0.2.1"), Port: 51000, Packets: 10, Bytes: 1200, TCPFlags: "FSPA"},
			Server: flow.Side{IP: netip.MustParseAddr("198.51.100.2"), Port: 443, Packets: 8, Bytes: 9000, TCPFlags: "FSRPA"},
		}, `
			0100                # template 256
			000000000000002a    # flowId 42
			c0000201 c6336402   # sourceIPv4Address, destinationIPv4Address
			c738 01bb           # ports 51000, 443
			06                  # protocolIdentifier
			0000018f34069e7b    # flowStartMilliseconds 1714564800123
			0000018f3406a83f    # flowEndMilliseconds 1714564802623
			00000000000004b0 000000000000000a  # octets, packets (client)
			0000000000002328 0000000000000008  # reverse octets, packets (server)
			001f                # reverse tcpControlBits FSRPA
			001b                # tcpControlBits FSPA
			03                  # flowEndReason: end of flow detected
			01                  # biflowDirection: initiator
			0064                # vlanId 100
			03 746c73           # applicationName "tls"
		`},
		{"ipv6 udp, no service", flow.Record{
			ID: 7, IPProto: 17, IPVersion: 6, FirstSeen: t0, LastSeen: t0, EndReason: "idle",
			Client: flow.Side{IP: netip.MustParseAddr("2001:db8::1"), Port: 5353, Packets: 1, Bytes: 80},
			Server: flow.Side{IP: netip.MustParseAddr("2001:db8::53"), Port: 53},
		}, `
			0101                # template 257
			0000000000000007
			20010db8000000000000000000000001   # sourceIPv6Address
			20010db8000000000000000000000053   # destinationIPv6Address
			14e9 0035
			11
			0000018f34069e7b 0000018f34069e7b
			0000000000000050 0000000000000001
			0000000000000000 0000000000000000
			0000 0000
			01 01 0000
			00                  # applicationName ""
		`},
		{"evicted, unknown flags ignored", flow.Record{
			ID: 1, IPProto: 6, EndReason: "evicted",
			Client: flow.Side{IP: netip.MustParseAddr("10.0.0.1"), TCPFlags: "SAUEC?"},
			Server: flow.Side{IP: netip.MustParseAddr("::ffff:10.0.0.2")},
		}, `
			0100 0000000000000001 0a000001 0a000002 0000 0000 06
			0000000000000000 0000000000000000
			0000000000000000 0000000000000000 0000000000000000 0000000000000000
			0000 00f2 05 01 0000 00
		`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendRecord(nil, &tt.rec)
			if want := unhex(t, tt.want); !bytes.Equal(got, want) {
				t.Errorf("got  %x\nwant %x", got, want)
			}
		})
	}
}

func TestAppendRecordAllocs(t *testing.T) {
	r := &flow.Record{Client: flow.Side{IP: netip.MustParseAddr("192.0.2.1")}, Server: flow.Side{IP: netip.MustParseAddr("192.0.2.2")}, Service: "dns"}
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { buf = AppendRecord(buf[:0], r) }); n != 0 {
		t.Errorf("%v allocations per record, want 0", n)
	}
}

func TestEndReason(t *testing.T) {
	for in, want := range map[string]uint8{"idle": 1, "active": 2, "fin": 3, "rst": 3, "eof": 4, "evicted": 5, "open": 0} {
		if got := EndReason(in); got != want {
			t.Errorf("EndReason(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"udp://127.0.0.1:4739", "udp://127.0.0.1:4739", ""},
		{"tcp://127.0.0.1:9995", "tcp://127.0.0.1:9995", ""},
		{"udp://[::1]:2055", "udp://[::1]:2055", ""},
		{"udp://127.0.0.1", "udp://127.0.0.1:4739", ""},
		{"udp://localhost:4739/", "", ""},
		{"http://127.0.0.1:4739", "", "scheme"},
		{"127.0.0.1:4739", "", "want udp://"},
		{"udp://127.0.0.1:0", "", "port"},
		{"udp://127.0.0.1:99999", "", "port"},
		{"udp://127.0.0.1:x", "", "want"},
		{"udp://127.0.0.1:4739/path", "", "nothing else"},
		{"udp://127.0.0.1:4739?a=b", "", "nothing else"},
		{"udp://:4739", "", "nothing else"},
		{"udp://no-such-host.invalid:4739", "", "no-such-host"},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.in)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseURL(%q): error %v, want one with %q", tt.in, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("ParseURL(%q): %v", tt.in, err)
		case tt.err == "" && tt.want != "" && got.String() != tt.want:
			t.Errorf("ParseURL(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// message is a received message, cut into its sets.
type message struct {
	length, seq, domain uint32
	export              uint32
	sets                []set
}

type set struct {
	id      uint16
	records int // data records (0 for template sets)
	body    []byte
	flowIDs []uint64 // flowId of each flow record
}

// parseMessage reads a message as a collector would, knowing the record
// layouts: 256 (77 bytes) and 257 (101) end in a one-byte-length
// applicationName.
func parseMessage(t *testing.T, b []byte) message {
	t.Helper()
	if len(b) < headerLen || binary.BigEndian.Uint16(b) != 10 || int(binary.BigEndian.Uint16(b[2:])) != len(b) {
		t.Fatalf("bad message header %x (len %d)", b[:min(len(b), 16)], len(b))
	}
	m := message{length: uint32(len(b)), export: binary.BigEndian.Uint32(b[4:]), seq: binary.BigEndian.Uint32(b[8:]), domain: binary.BigEndian.Uint32(b[12:])}
	for p := headerLen; p < len(b); {
		id, n := binary.BigEndian.Uint16(b[p:]), int(binary.BigEndian.Uint16(b[p+2:]))
		if n < setHeaderLen || p+n > len(b) {
			t.Fatalf("bad set length %d at %d", n, p)
		}
		s := set{id: id, body: b[p+4 : p+n]}
		for q := 0; id >= 256 && q < len(s.body); s.records++ {
			if id != TemplateStats && q+8 <= len(s.body) {
				s.flowIDs = append(s.flowIDs, binary.BigEndian.Uint64(s.body[q:]))
			}
			switch id {
			case TemplateIPv4:
				q += 77 + 1 + int(s.body[q+77])
			case TemplateIPv6:
				q += 101 + 1 + int(s.body[q+101])
			case TemplateStats:
				q += 36
			default:
				t.Fatalf("unknown set %d", id)
			}
			if q > len(s.body) {
				t.Fatalf("set %d: record beyond the set", id)
			}
		}
		m.sets = append(m.sets, s)
		p += n
	}
	return m
}

func (m message) has(id uint16) bool {
	for _, s := range m.sets {
		if s.id == id {
			return true
		}
	}
	return false
}

// flowIDs lists the flowId of each flow record of the messages, in order.
func flowIDs(ms []message) []uint64 {
	var ids []uint64
	for _, m := range ms {
		for _, s := range m.sets {
			ids = append(ids, s.flowIDs...)
		}
	}
	return ids
}

func (m message) records(id uint16) int {
	n := 0
	for _, s := range m.sets {
		if s.id == id {
			n += s.records
		}
	}
	return n
}

// udpCollector is a loopback UDP socket the tests read messages from.
func udpCollector(t *testing.T) (*net.UDPConn, *Target) {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	tg, err := ParseURL("udp://" + c.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	return c, tg
}

func readMessages(t *testing.T, c *net.UDPConn) []message {
	t.Helper()
	var ms []message
	buf := make([]byte, 65536)
	for {
		_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := c.Read(buf)
		if err != nil {
			return ms
		}
		ms = append(ms, parseMessage(t, append([]byte(nil), buf[:n]...)))
	}
}

// templatesHex is the template set and the options template set, byte
// for byte (RFC 7011 3.4.1 and 3.4.2; reverse fields per RFC 5103).
const templatesHex = `
	0002 00b4                         # template set, 180 bytes
	0100 0012                         # template 256, 18 fields
	  0094 0008  0008 0004  000c 0004  0007 0002  000b 0002  0004 0001
	  0098 0008  0099 0008  0001 0008  0002 0008
	  8001 0008 00007279  8002 0008 00007279   # reverse octets, packets, PEN 29305
	  8006 0002 00007279  0006 0002            # reverse tcpControlBits, tcpControlBits
	  0088 0001  00ef 0001  003a 0002  0060 ffff
	0101 0012                         # template 257: IPv6 addresses (27, 28)
	  0094 0008  001b 0010  001c 0010  0007 0002  000b 0002  0004 0001
	  0098 0008  0099 0008  0001 0008  0002 0008
	  8001 0008 00007279  8002 0008 00007279
	  8006 0002 00007279  0006 0002
	  0088 0001  00ef 0001  003a 0002  0060 ffff
	0003 001e                         # options template set, 30 bytes
	0102 0005 0001                    # template 258, 5 fields, 1 scope
	  0095 0004                       # scope: observationDomainId
	  0029 0008  002a 0008  0028 0008  00a6 0008
`

// TestMessageBytes checks a whole first message byte for byte: header,
// templates, the statistics record and one IPv4 and one IPv6 record.
func TestMessageBytes(t *testing.T) {
	c, tg := udpCollector(t)
	now := time.Unix(1714564900, 0)
	e, err := Dial(tg, Config{Domain: 9, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	v4 := flow.Record{ID: 1, IPProto: 17, FirstSeen: t0, LastSeen: t0, EndReason: "eof", Service: "dns",
		Client: flow.Side{IP: netip.MustParseAddr("192.0.2.1"), Port: 1000, Packets: 1, Bytes: 60},
		Server: flow.Side{IP: netip.MustParseAddr("192.0.2.2"), Port: 53, Packets: 1, Bytes: 90}}
	v6 := v4
	v6.ID, v6.Service = 2, ""
	v6.Client.IP, v6.Server.IP = netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
	for _, r := range []*flow.Record{&v4, &v6} {
		if err := e.WriteRecord(AppendRecord(nil, r)); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65536)
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, `
		000a 01c9                         # version 10, 457 bytes
		6632 2f24                         # export time 1714564900
		00000000                          # sequence: no data record before
		00000009                          # observation domain 9
	`+templatesHex+`
		0102 0028                         # statistics (options data) set, 40 bytes
		  00000009 0000000000000000 0000000000000000 0000000000000000 0000000000000000
		0100 0055                         # IPv4 data set, 85 bytes
		  0000000000000001 c0000201 c0000202 03e8 0035 11
		  0000018f34069e7b 0000018f34069e7b
		  000000000000003c 0000000000000001 000000000000005a 0000000000000001
		  0000 0000 04 01 0000 03 646e73
		0101 006a                         # IPv6 data set, 106 bytes
		  0000000000000002 20010db8000000000000000000000001 20010db8000000000000000000000002
		  03e8 0035 11
		  0000018f34069e7b 0000018f34069e7b
		  000000000000003c 0000000000000001 000000000000005a 0000000000000001
		  0000 0000 04 01 0000 00
	`)
	if got := buf[:n]; !bytes.Equal(got, want) {
		t.Errorf("first message:\n got %x\nwant %x", got, want)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	ms := readMessages(t, c)
	if len(ms) != 1 || ms[0].seq != 3 || ms[0].records(TemplateStats) != 1 || len(ms[0].sets) != 1 {
		t.Fatalf("after Close: %+v, want one message with sequence 3 and only the statistics", ms)
	}
	st := ms[0].sets[0].body
	if got := [4]uint64{binary.BigEndian.Uint64(st[4:]), binary.BigEndian.Uint64(st[12:]), binary.BigEndian.Uint64(st[20:]), binary.BigEndian.Uint64(st[28:])}; got != [4]uint64{1, 2, 457, 0} {
		t.Errorf("last statistics: messages, flows, octets, not sent = %v, want [1 2 457 0]", got)
	}
}

func rec(i int) *flow.Record {
	return &flow.Record{ID: uint64(i), IPProto: 6, Service: strings.Repeat("x", i%20),
		Client: flow.Side{IP: netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})},
		Server: flow.Side{IP: netip.MustParseAddr("2001:db8::1")}}
}

// TestSplitAndSequence sends many records through small messages: none is
// larger than the limit, every record arrives once, and each message's
// sequence number counts the data records sent before it.
func TestSplitAndSequence(t *testing.T) {
	for _, limit := range []int{512, 1400} {
		c, tg := udpCollector(t)
		e, err := Dial(tg, Config{MaxMessage: limit, RefreshMessages: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		const n = 300
		for i := range n {
			r := rec(i)
			if i%3 == 0 {
				r.Client.IP = netip.MustParseAddr("2001:db8::9") // mix both templates
			}
			if err := e.WriteRecord(AppendRecord(nil, r)); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		ms := readMessages(t, c)
		seq, flows := uint32(0), 0
		for i, m := range ms {
			if int(m.length) > limit {
				t.Errorf("limit %d: message %d is %d bytes", limit, i, m.length)
			}
			if m.seq != seq {
				t.Errorf("limit %d: message %d: sequence %d, want %d", limit, i, m.seq, seq)
			}
			nf := m.records(TemplateIPv4) + m.records(TemplateIPv6)
			seq += uint32(nf + m.records(TemplateStats))
			flows += nf
			if i < len(ms)-2 && int(m.length)+setHeaderLen+78+20 <= limit {
				t.Errorf("limit %d: message %d (%d bytes) left room for another record", limit, i, m.length)
			}
		}
		if flows != n {
			t.Errorf("limit %d: %d flow records arrived, want %d", limit, flows, n)
		}
		if s := e.Stats(); s.Records != n || s.Messages != uint64(len(ms)) {
			t.Errorf("limit %d: stats %+v, want %d records in %d messages", limit, s, n, len(ms))
		}
	}
}

// TestTemplateRefresh: on UDP the templates and statistics go in the first
// message and again after RefreshMessages messages or Refresh of time.
func TestTemplateRefresh(t *testing.T) {
	c, tg := udpCollector(t)
	now := time.Unix(1000, 0)
	e, err := Dial(tg, Config{RefreshMessages: 3, Refresh: time.Minute, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	send := func() {
		if err := e.WriteRecord(AppendRecord(nil, rec(1))); err != nil {
			t.Fatal(err)
		}
		_ = e.Flush()
	}
	for range 7 {
		send()
	}
	now = now.Add(61 * time.Second) // the 8th message is due by time, not count
	send()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	ms := readMessages(t, c)
	var got []bool
	for i, m := range ms {
		last := i == len(ms)-1 // Close's: the statistics alone
		if m.has(setTemplate) != m.has(setOptionsTemplate) || !last && m.has(setTemplate) != m.has(TemplateStats) {
			t.Errorf("templates, options template and statistics not together: %+v", m.sets)
		}
		got = append(got, m.has(setTemplate))
	}
	// Messages 0, 3, 6 by count; 7 because a minute passed; the last (Close's) not.
	want := []bool{true, false, false, true, false, false, true, true, false}
	if len(got) != len(want) {
		t.Fatalf("%d messages, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d: templates %v, want %v", i, got[i], want[i])
		}
	}
}

// TestUDPSendErrors: with nothing listening, the kernel's port unreachable
// makes sends fail; they are counted, not returned.
func TestUDPSendErrors(t *testing.T) {
	c, tg := udpCollector(t)
	c.Close()
	e, err := Dial(tg, Config{})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if err := e.WriteRecord(AppendRecord(nil, rec(1))); err != nil {
			t.Fatal(err)
		}
		_ = e.Flush()
		time.Sleep(10 * time.Millisecond) // the ICMP error arrives
	}
	if err := e.Close(); err != nil {
		t.Fatalf("Close on UDP: %v (errors are counted instead)", err)
	}
	if s := e.Stats(); s.SendErrors == 0 || s.NotSent == 0 || s.NotSent+s.Records != 5 || e.FirstError() == nil {
		t.Errorf("stats %+v, first error %v: want send errors counted", s, e.FirstError())
	}
}

// tcpSessions accepts TCP sessions and hands over each one's messages.
func tcpSessions(t *testing.T) (net.Listener, *Target, chan []message) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	tg, err := ParseURL("tcp://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return ln, tg, make(chan []message, 4)
}

func readSession(t *testing.T, conn net.Conn, max int) []message {
	var ms []message
	for len(ms) < max {
		hdr := make([]byte, 4)
		if _, err := io.ReadFull(conn, hdr); err != nil {
			break
		}
		b := make([]byte, binary.BigEndian.Uint16(hdr[2:]))
		copy(b, hdr)
		if _, err := io.ReadFull(conn, b[4:]); err != nil {
			break
		}
		ms = append(ms, parseMessage(t, b))
	}
	return ms
}

// TestTCPReconnect: the templates go once per session; when the collector
// closes the session, the exporter opens a new one before it sends again
// (losing nothing), which starts with the templates and numbers its
// records from 0 again.
func TestTCPReconnect(t *testing.T) {
	ln, tg, sessions := tcpSessions(t)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		sessions <- readSession(t, conn, 2) // then drop it
		conn.Close()
		conn, err = ln.Accept()
		if err != nil {
			return
		}
		sessions <- readSession(t, conn, 1000)
		conn.Close()
	}()
	e, err := Dial(tg, Config{RefreshMessages: 1})
	if err != nil {
		t.Fatal(err)
	}
	send := func() {
		if err := e.WriteRecord(AppendRecord(nil, rec(1))); err != nil {
			t.Fatal(err)
		}
		_ = e.Flush()
	}
	send()
	send()
	first := <-sessions
	waitPeerClosed(t, e) // the collector's close reached the exporter
	if len(first) != 2 || !first[0].has(setTemplate) || first[1].has(setTemplate) || first[1].seq != 2 {
		t.Fatalf("first session: %+v, want templates in the first message only (RefreshMessages is for UDP)", first)
	}
	// The collector closed the session: the next message goes to a new
	// one, and nothing is lost.
	for range 3 {
		send()
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	second := <-sessions
	if s := e.Stats(); s.Reconnects != 1 || s.NotSent != 0 || s.Records != 5 || len(second) != 5 {
		t.Fatalf("stats %+v, second session %d messages; want 1 reconnect, 5 records sent, 5 messages (3 flows, hello, Close's)", s, len(second))
	}
	if !second[0].has(setTemplate) || second[0].seq != 0 {
		t.Errorf("second session's first message: sequence %d, templates %v; want 0 and the templates", second[0].seq, second[0].has(setTemplate))
	}
	seq := uint32(0)
	for i, m := range second {
		if m.seq != seq {
			t.Errorf("second session, message %d: sequence %d, want %d", i, m.seq, seq)
		}
		seq += uint32(m.records(TemplateIPv4) + m.records(TemplateIPv6) + m.records(TemplateStats))
		if i > 0 && m.has(setTemplate) {
			t.Errorf("second session, message %d: templates again", i)
		}
	}
}

// TestTCPUnreachable: no collector listening is an error at once.
func TestTCPUnreachable(t *testing.T) {
	ln, tg, _ := tcpSessions(t)
	ln.Close()
	if _, err := Dial(tg, Config{}); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("Dial to a closed port: %v, want connection refused", err)
	}
}

// TestTCPCollectorGone: when the collector is gone for good, messages are
// lost and counted without holding the sender, and Close says so.
func TestTCPCollectorGone(t *testing.T) {
	ln, tg, sessions := tcpSessions(t)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		ln.Close()
		sessions <- readSession(t, conn, 1)
		conn.Close()
	}()
	// A fixed clock: after the first refused dial, no other is due.
	now := time.Unix(1000, 0)
	e, err := Dial(tg, Config{CloseWait: 300 * time.Millisecond, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	send := func() {
		if err := e.WriteRecord(AppendRecord(nil, rec(1))); err != nil {
			t.Fatal(err)
		}
		_ = e.Flush()
	}
	send()
	<-sessions
	waitPeerClosed(t, e)
	start := time.Now()
	for range 3 {
		send()
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("3 sends to a gone collector took %v", d)
	}
	// Kept for a collector that comes back, not lost yet.
	if s := e.Stats(); s.NotSent != 0 || s.Delayed != 3 || s.SendErrors != 0 {
		t.Errorf("stats %+v before Close; want 3 messages in the backlog, none lost", s)
	}
	err = e.Close()
	// The three flows' messages and Close's statistics are lost.
	if s := e.Stats(); s.NotSent != 3 || s.Records != 1 || s.SendErrors != 4 || err == nil || !strings.Contains(err.Error(), "3 flow records were not exported") {
		t.Errorf("stats %+v, Close: %v; want 3 records lost and said", s, err)
	}
}

// BenchmarkExport is the writer's share per record: AppendRecord (the
// workers' share) and WriteRecord, sending to a loopback UDP socket.
func BenchmarkExport(b *testing.B) {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	go func() {
		buf := make([]byte, 65536)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}()
	tg, err := ParseURL("udp://" + c.LocalAddr().String())
	if err != nil {
		b.Fatal(err)
	}
	e, err := Dial(tg, Config{})
	if err != nil {
		b.Fatal(err)
	}
	r := rec(7)
	r.Server.IP = netip.MustParseAddr("10.9.8.7")
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendRecord(buf[:0], r)
		if err := e.WriteRecord(buf); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	_ = e.Close()
}

// A run without flows still sends the templates before its statistics
// record: a data record without its template is undecodable.
func TestCloseWithoutFlows(t *testing.T) {
	c, tg := udpCollector(t)
	e, err := Dial(tg, Config{Domain: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	ms := readMessages(t, c)
	if len(ms) != 1 || ms[0].records(TemplateStats) != 1 || !ms[0].has(2) || !ms[0].has(3) { // 2, 3: template and options template sets
		t.Fatalf("messages %+v, want one with the statistics and their template", ms)
	}
}

// waitPeerClosed waits until the exporter can see that the collector
// closed its session (the FIN crosses loopback on its own time): a message
// written before would vanish, as from any TCP exporter.
func waitPeerClosed(t *testing.T, e *Exporter) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); !e.peerClosed(); time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("the collector's close never reached the exporter")
		}
	}
}

// stoppableCollector is a TCP collector that goes away (its session and
// its listening socket closed: dials are refused) and comes back on the
// same port, as a collector that restarts.
type stoppableCollector struct {
	t        *testing.T
	addr     string
	ln       net.Listener
	sessions chan []message
}

func newStoppableCollector(t *testing.T) (*stoppableCollector, *Target) {
	ln, tg, sessions := tcpSessions(t)
	return &stoppableCollector{t: t, addr: ln.Addr().String(), ln: ln, sessions: sessions}, tg
}

// serve accepts one session and hands over its messages: after n of them
// it goes away (listener first, so that no new session gets in); with
// n < 0 it reads until the exporter closes the session.
func (c *stoppableCollector) serve(n int) {
	ln := c.ln
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			c.sessions <- nil
			return
		}
		if n < 0 {
			n = 1 << 30
		}
		ms := readSession(c.t, conn, n)
		if n < 1<<30 {
			ln.Close()
		}
		conn.Close()
		c.sessions <- ms
	}()
}

// restart listens again on the same port; false when another socket took
// the port meanwhile.
func (c *stoppableCollector) restart() bool {
	c.t.Helper()
	ln, err := net.Listen("tcp", c.addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return false
	}
	if err != nil {
		c.t.Fatalf("listening again on %s: %v", c.addr, err)
	}
	c.t.Cleanup(func() { ln.Close() })
	c.ln = ln
	return true
}

// checkSession checks a TCP session's messages: templates first, and
// each message's sequence number counts the data records before it in
// the session.
func checkSession(t *testing.T, name string, ms []message) {
	t.Helper()
	if len(ms) == 0 || !ms[0].has(setTemplate) {
		t.Errorf("%s: %d messages, want the templates first", name, len(ms))
	}
	seq := uint32(0)
	for i, m := range ms {
		if m.seq != seq {
			t.Errorf("%s, message %d: sequence %d, want %d", name, i, m.seq, seq)
		}
		seq += uint32(m.records(TemplateIPv4) + m.records(TemplateIPv6) + m.records(TemplateStats))
	}
}

func ids(from, to int) []uint64 {
	var s []uint64
	for i := from; i < to; i++ {
		s = append(s, uint64(i))
	}
	return s
}

// TestTCPBacklog: the collector goes away after two messages and comes
// back only after five more were sent: they wait in the backlog, go on
// the new session before the next message with its sequence numbers, and
// every record arrives once, in order. The clock is the test's: no dial
// is due again until the test moves it, so nothing depends on timing.
func TestTCPBacklog(t *testing.T) {
	tests := []struct {
		name    string
		backlog int // in one-record messages; 0: the default
		down    int // messages sent while the collector is away
		after   int // sent once it is back, before Close
		lost    int // the oldest of them, dropped
		// wall: the clock is the wall clock and is not moved: at Close
		// the next dial is not due yet (a second after the refused one),
		// so only Close's last chance sends the backlog.
		wall bool
	}{
		{"all kept", 0, 5, 2, 0, false},
		{"back by Close", 0, 5, 0, 0, false},
		{"back by Close, dial not due", 0, 5, 0, 0, true},
		{"full: the oldest dropped", 3, 6, 2, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The collector comes back on its port; should another socket
			// take it meanwhile (tests run in parallel), the scenario runs
			// again on a new port.
			scenario := func() bool {
				c, tg := newStoppableCollector(t)
				c.serve(2)
				now := time.Unix(1000, 0)
				cfg := Config{CloseWait: time.Minute, Now: func() time.Time { return now }}
				if tt.wall {
					cfg.Now = time.Now
				}
				if tt.backlog > 0 {
					cfg.Backlog = tt.backlog * msgLen(1)
				}
				e, err := Dial(tg, cfg)
				if err != nil {
					t.Fatal(err)
				}
				next := 0
				send := func() {
					if err := e.WriteRecord(AppendRecord(nil, fixedRec(next))); err != nil {
						t.Fatal(err)
					}
					next++
					_ = e.Flush()
				}
				send()
				send()
				first := <-c.sessions
				waitPeerClosed(t, e)
				for range tt.down {
					send()
				}
				// The port is closed: wait until the exporter knows its dial
				// was refused (then, the clock fixed, no other is due).
				for end := time.Now().Add(30 * time.Second); e.dialErr == nil; time.Sleep(time.Millisecond) {
					if time.Now().After(end) {
						t.Fatal("the dial to a closed port never failed")
					}
					_ = e.Flush()
				}
				s := e.Stats()
				if s.NotSent != uint64(tt.lost) || s.SendErrors != uint64(tt.lost) || s.Delayed != uint64(tt.down) || s.Records != 2 {
					t.Errorf("while away: stats %+v; want %d delayed, %d lost", s, tt.down, tt.lost)
				}
				if tt.lost > 0 && (e.FirstError() == nil || !strings.Contains(e.FirstError().Error(), "backlog full")) {
					t.Errorf("first error %v, want the backlog full", e.FirstError())
				}
				if !c.restart() {
					return false // e is left: its session will not come back
				}
				c.serve(-1)
				now = now.Add(2 * time.Second) // the next dial is due
				for range tt.after {
					send()
				}
				if err := e.Close(); (err == nil) != (tt.lost == 0) {
					t.Errorf("Close: %v", err)
				}
				if e.Stats().Reconnects == 0 {
					c.ln.Close() // no session came: do not wait for one
				}
				second := <-c.sessions
				checkSession(t, "first session", first)
				checkSession(t, "second session", second)
				if got := flowIDs(first); !slices.Equal(got, ids(0, 2)) {
					t.Errorf("first session: flows %v", got)
				}
				want := ids(2+tt.lost, next)
				if got := flowIDs(second); !slices.Equal(got, want) {
					t.Errorf("second session: flows %v, want %v", got, want)
				}
				// A message kept its export time: when it was made.
				for i, m := range second {
					if f := flowIDs([]message{m}); !tt.wall && len(f) == 1 && (f[0] < uint64(2+tt.down)) != (m.export == 1000) {
						t.Errorf("second session, message %d (flow %d): export time %d", i, f[0], m.export)
					}
				}
				if s := e.Stats(); s.Reconnects != 1 || s.NotSent != uint64(tt.lost) || s.Records != uint64(next-tt.lost) {
					t.Errorf("stats %+v; want 1 reconnect, %d records sent, %d lost", s, next-tt.lost, tt.lost)
				}
				return true
			}
			for try := 1; !scenario(); try++ {
				if try == 3 {
					t.Fatal("the collector's port was taken while it was away, three times")
				}
				t.Log("the collector's port was taken while it was away: again")
			}
		})
	}
}

// fixedRec is a flow record of the same size whatever i.
func fixedRec(i int) *flow.Record {
	r := rec(i)
	r.Service = ""
	return r
}

// msgLen is the length of a message of n fixedRec records.
func msgLen(n int) int {
	return headerLen + setHeaderLen + n*(len(AppendRecord(nil, fixedRec(0)))-2)
}
