package flow

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/flowscope/flowscope/flow/ports"
	"github.com/flowscope/flowscope/flow/service"
)

// emitRecord builds the flow's Record and hands it to the table's emit.
func (t *Table) emitRecord(e *entry, why EndReason, at int64) {
	t.stats.flows++
	t.stats.reasons[why]++
	// An active-timeout split keeps identifying: the connection goes on.
	if e.app != nil && e.app.svc != nil && why != EndActive {
		t.finishSvc(e)
	}
	if t.emit == nil {
		return
	}
	// One Record serves every emit (the callback must not keep it): a
	// new one per flow cost a 700-byte allocation each.
	t.rec = t.record(e, why)
	t.rec.End = at
	if a := e.app; a != nil && why == EndActive {
		// The record that continues it must not raise the same findings.
		if a.out == nil {
			a.out = &carried{}
		}
		if t.rec.Service != "" && t.rec.ServiceConfidence != service.Low.String() {
			a.out.verdict = t.rec.Service
		}
		if o := t.rec.OtherSide; o != nil {
			a.out.other = o.OtherService
		}
	}
	t.emit(&t.rec)
	t.rec = Record{} // what it points to is the receiver's now
}

// Snapshot calls fn with a record of every open flow as it stands, end
// reason "open", without ending or changing any of them.
func (t *Table) Snapshot(fn func(*Record)) {
	for _, s := range t.index.slots {
		if s.idx != 0 {
			r := t.record(t.entries.at(s.idx-1), EndOpen)
			fn(&r)
		}
	}
}

// record builds the flow's Record; it changes nothing in the entry.
func (t *Table) record(e *entry, why EndReason) Record {
	c := int(e.clientSide)
	srv := 1 - c
	addr := [2][16]byte{e.key.Src, e.key.Dst}
	port := [2]uint16{e.key.SrcPort, e.key.DstPort}
	oriented := Key{Src: addr[c], Dst: addr[srv], SrcPort: port[c], DstPort: port[srv], ID: e.key.ID, Proto: e.key.Proto, V6: e.key.V6}

	r := Record{
		ID:           e.id,
		Proto:        ProtoName(e.key.Proto),
		IPProto:      e.key.Proto,
		IPVersion:    4,
		Client:       sideRecord(&e.side[c], oriented.SrcAddr(), oriented.SrcPort),
		Server:       sideRecord(&e.side[srv], oriented.DstAddr(), oriented.DstPort),
		FirstSeen:    time.Unix(0, e.first).UTC(),
		LastSeen:     time.Unix(0, e.last).UTC(),
		CommunityID:  CommunityID(oriented),
		DirectionBy:  e.dirBy.String(),
		EndReason:    why.String(),
		ICMPID:       e.key.ID,
		VLAN:         e.vlan,
		Tunnel:       e.tunnel.String(),
		TunnelParent: e.parent,
		Fragments:    e.fragments,
		FirstFrame:   e.firstFrame,
	}
	if e.key.V6 {
		r.IPVersion = 6
	}
	r.History = e.hist.render(c, c != int(e.firstSide))
	if e.endReason == EndFIN || e.endReason == EndRST {
		r.Closed = time.Unix(0, e.touched).UTC() // a closing flow's touched is its close
	}
	var sr svcResult
	if e.app != nil {
		sr = e.svcView(&t.svcScratch)
	}
	if sr.res.Confidence > service.None {
		tr := service.UDP
		if e.key.Proto == ProtoTCP {
			tr = service.TCP
		}
		// mDNS and LLMNR are DNS messages told apart by where they go.
		r.Service = service.Refine(sr.res.Service, tr, r.Client.IP, r.Server.IP, r.Client.Port, r.Server.Port)
		r.ServiceConfidence = sr.res.Confidence.String()
		r.ServiceDetector = sr.res.Detector
		r.Evidence = sr.res.Evidence
		r.EvidenceDir = "server"
		if sr.evSide == c {
			r.EvidenceDir = "client"
		}
		r.EvidenceFrame = sr.frame
		if o := sr.other; o != nil {
			dir := "server"
			if r.EvidenceDir == "server" {
				dir = "client"
			}
			r.OtherSide = &OtherSide{OtherService: o.Service, OtherConfidence: o.Confidence.String(),
				OtherDetector: o.Detector, OtherEvidence: o.Evidence, OtherDir: dir}
		}
	}
	r.ClientFromSYN = sr.fromSYN[c]
	if a := e.app; a != nil && a.out != nil && e.continues != 0 {
		// A verdict that changed since (a guess withdrawn) raises its own.
		r.EarlierVerdict = a.out.verdict != "" && a.out.verdict == r.Service
		r.EarlierOtherSide = r.OtherSide != nil && a.out.other == r.OtherSide.OtherService
	}
	r.TLS, r.SSH, r.HTTP = sr.tls, sr.ssh, sr.http
	switch {
	case r.TLS != nil:
		r.ServerName = r.TLS.SNI
	case r.HTTP != nil:
		r.ServerName = hostName(r.HTTP.Host)
	}
	if e.app != nil {
		if r.ServerName == "" {
			r.ServerName = e.app.dnsName
		}
		r.DNS = e.app.dns
	}
	if r.Service == "" {
		// Counter-evidence, only needed when nothing was recognised.
		r.ClientPrefix = string(sr.prefix[c][:sr.prefixLen[c]])
		r.ServerPrefix = string(sr.prefix[srv][:sr.prefixLen[srv]])
	}
	r.Continues = e.continues
	if e.app != nil {
		f := e.features(c, r.Duration().Seconds())
		r.Features = &f
	}
	if pp, ok := ports.ProtoOf(e.key.Proto); ok {
		r.PortService = ports.Name(pp, r.Server.Port)
		r.PortClass = ports.Class(r.Server.Port)
	}
	switch e.key.Proto {
	case ProtoTCP:
		r.ConnState = connStateTCP(e.side[c].tcp, e.side[srv].tcp, e.side[c].payload, e.side[srv].payload, r.History)
	case ProtoUDP:
		r.ConnState = connStateUDP(e.side[c].packets > 0, e.side[srv].packets > 0)
	default:
		r.ConnState = "OTH"
	}
	return r
}

// connStateUDP is Zeek's conn_state for UDP: SF when both sides sent.
func connStateUDP(orig, resp bool) string {
	switch {
	case orig && resp:
		return "SF"
	case orig:
		return "S0"
	case resp:
		return "SHR"
	}
	return "OTH"
}

func sideRecord(s *sideState, ip netip.Addr, port uint16) Side {
	return Side{
		IP:           ip,
		Port:         port,
		Packets:      s.packets,
		Bytes:        s.bytes,
		PayloadBytes: s.payload,
		FrameBytes:   s.frameBytes,
		TCPFlags:     FlagString(s.flags),
	}
}

// FlagString renders TCP flags in tcpdump's order, FSRPAUEC.
func FlagString(f uint8) string { return flagStrings[f] }

// flagStrings holds every flag combination, so records share the strings.
var flagStrings = func() (t [256]string) {
	const letters = "FSRPAUEC"
	for f := range t {
		var b []byte
		for i := 0; i < 8; i++ {
			if f&(1<<i) != 0 {
				b = append(b, letters[i])
			}
		}
		t[f] = string(b)
	}
	return t
}()

var protoNames = map[uint8]string{
	1: "icmp", 2: "igmp", 4: "ipip", 6: "tcp", 17: "udp", 41: "ipv6", 47: "gre",
	50: "esp", 51: "ah", 58: "icmp6", 89: "ospf", 103: "pim", 112: "vrrp", 132: "sctp",
}

// ProtoName names an IP protocol the way the output spells it ("tcp", "ip-N").
func ProtoName(p uint8) string {
	if n, ok := protoNames[p]; ok {
		return n
	}
	return "ip-" + strconv.Itoa(int(p))
}

// features builds the record's volume and timing features; c is the
// client's canonical side.
func (e *entry) features(c int, dur float64) Features {
	st := &e.app.stats
	side := func(i int) SideFeatures {
		d, s := &st.dir[i], &e.side[i]
		f := SideFeatures{
			Sizes: d.size.dist(1), IAT: d.iat.dist(1e9),
			DataPackets: s.packets - min(d.empty, s.packets), EmptyPackets: d.empty,
			Retransmissions: uint64(s.retrans), OutOfOrder: uint64(s.outOfOrder), ZeroWindow: uint64(s.zeroWin),
			PayloadEntropy: st.entropy[i],
		}
		if dur > 0 {
			f.BytesPerSec = float64(s.bytes) / dur
			f.PacketsPerSec = float64(s.packets) / dur
		}
		return f
	}
	f := Features{
		Client: side(c), Server: side(1 - c),
		ActivePeriods: st.active, IdleTime: float64(st.idle) / 1e9,
		RTTClient: float64(st.dir[c].rttSample) / 1e9, RTTServer: float64(st.dir[1-c].rttSample) / 1e9,
	}
	if len(st.splt) > 0 {
		f.SPLTLengths = make([]uint16, len(st.splt))
		f.SPLTGaps = make([]float64, len(st.splt))
		dirs := make([]byte, len(st.splt))
		for i, it := range st.splt {
			f.SPLTLengths[i] = it.size
			f.SPLTGaps[i] = float64(it.gap) / 1e9
			dirs[i] = 's'
			if int(it.side) == c {
				dirs[i] = 'c'
			}
		}
		f.SPLTDirs = string(dirs)
	}
	return f
}
