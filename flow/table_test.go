package flow

import (
	"math"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"
)

func key4(src string, sport uint16, dst string, dport uint16, proto uint8) Key {
	k := Key{SrcPort: sport, DstPort: dport, Proto: proto}
	k.Src = netip.MustParseAddr(src).As16()
	k.Dst = netip.MustParseAddr(dst).As16()
	return k
}

func keyAny(src string, sport uint16, dst string, dport uint16, proto uint8) Key {
	a, b := netip.MustParseAddr(src), netip.MustParseAddr(dst)
	k := Key{SrcPort: sport, DstPort: dport, Proto: proto, V6: a.Is6()}
	k.Src, k.Dst = a.As16(), b.As16()
	return k
}

func TestCommunityIDSpecBaseline(t *testing.T) {
	// Vectors from the corelight community-id-spec baseline (seed 0); the
	// ports of ICMP cases are the spec's port equivalents.
	cases := []struct {
		proto        uint8
		saddr, daddr string
		sport, dport uint16
		want         string
	}{
		{58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
		{58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
		{58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "1:zavyT/cezQr1fmImYCwYnMXbgck="},
		{58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ="},
		{58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, "1:hLZd0XGWojozrvxqE0dWB1iM6R0="},
		{58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="},
		{58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="},
		{58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0="},
		{58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "1:pkvHqCL88/tg1k4cPigmZXUtL00="},
		{1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
		{1, "192.168.0.1", "192.168.0.89", 0, 8, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
		{1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM="},
		{6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
		{6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
		{132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
		{132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
		{6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
		{6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
		{17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
		{17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
		{46, "10.1.12.1", "10.1.12.2", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
		{46, "10.1.12.2", "10.1.12.1", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
	}
	for _, c := range cases {
		if got := CommunityID(keyAny(c.saddr, c.sport, c.daddr, c.dport, c.proto)); got != c.want {
			t.Errorf("%d %s:%d -> %s:%d: got %s, want %s", c.proto, c.saddr, c.sport, c.daddr, c.dport, got, c.want)
		}
	}
}

// pkt describes one test packet: from the client (c) or the server.
type pkt struct {
	fromClient bool
	flags      uint8
	payload    int
	seq        uint32
	at         time.Duration
}

var (
	cli = "10.0.0.1"
	srv = "10.0.0.2"
)

func tcpPacket(p pkt) *Packet {
	k := key4(cli, 40000, srv, 80, ProtoTCP)
	if !p.fromClient {
		k = k.Reverse()
	}
	return &Packet{Key: k, IPLen: 40 + p.payload, PayloadLen: p.payload, TCPFlags: p.flags, Seq: p.seq, Window: 1000, L4: true, Parent: -1}
}

func runTable(t *testing.T, cfg Config, pkts []*Packet, times []time.Duration) []Record {
	t.Helper()
	var recs []Record
	tb := NewTable(cfg, func(r *Record) { recs = append(recs, *r) })
	base := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano()
	for i, p := range pkts {
		tb.Update(p, base+int64(times[i]), uint64(i+1), 0, p.IPLen+14, 0)
	}
	tb.Flush()
	return recs
}

const (
	S  = FlagSYN
	A  = FlagACK
	F  = FlagFIN
	R  = FlagRST
	SA = FlagSYN | FlagACK
	FA = FlagFIN | FlagACK
	RA = FlagRST | FlagACK
	PA = FlagPSH | FlagACK
)

func TestConnStates(t *testing.T) {
	c, s := true, false
	cases := []struct {
		name    string
		pkts    []pkt
		state   string
		history string
		dirBy   string
		end     string
	}{
		{"S0", []pkt{{c, S, 0, 100, 0}}, "S0", "S", "syn", "eof"},
		{"S0 retransmitted SYN", []pkt{{c, S, 0, 100, 0}, {c, S, 0, 100, time.Second}}, "S0", "S", "syn", "eof"},
		{"REJ", []pkt{{c, S, 0, 100, 0}, {s, RA, 0, 0, 1}}, "REJ", "Sr", "syn", "rst"},
		{"S1", []pkt{{c, S, 0, 100, 0}, {s, SA, 0, 500, 1}, {c, A, 0, 101, 2}, {c, PA, 10, 101, 3}, {s, A, 0, 501, 4}}, "S1", "ShADa", "syn", "eof"},
		{"SF", []pkt{{c, S, 0, 100, 0}, {s, SA, 0, 500, 1}, {c, A, 0, 101, 2}, {c, PA, 10, 101, 3}, {s, PA, 20, 501, 4},
			{c, FA, 0, 111, 5}, {s, FA, 0, 521, 6}, {c, A, 0, 112, 7}}, "SF", "ShADdFf", "syn", "fin"},
		{"S2", []pkt{{c, S, 0, 100, 0}, {s, SA, 0, 500, 1}, {c, A, 0, 101, 2}, {c, FA, 0, 101, 3}}, "S2", "ShAF", "syn", "eof"},
		{"S3", []pkt{{c, S, 0, 100, 0}, {s, SA, 0, 500, 1}, {c, A, 0, 101, 2}, {s, FA, 0, 501, 3}}, "S3", "ShAf", "syn", "eof"},
		{"RSTO", []pkt{{c, S, 0, 100, 0}, {s, SA, 0, 500, 1}, {c, A, 0, 101, 2}, {c, PA, 5, 101, 3}, {c, R, 0, 106, 4}}, "RSTO", "ShADR", "syn", "rst"},
		{"RSTR", []pkt{{c, S, 0, 100, 0}, {s, SA, 0, 500, 1}, {c, A, 0, 101, 2}, {s, R, 0, 501, 3}}, "RSTR", "ShAr", "syn", "rst"},
		{"RSTOS0", []pkt{{c, S, 0, 100, 0}, {c, R, 0, 101, 1}}, "RSTOS0", "SR", "syn", "rst"},
		{"RSTRH", []pkt{{s, SA, 0, 500, 0}, {s, R, 0, 501, 1}}, "RSTRH", "^hr", "syn", "rst"},
		{"SH", []pkt{{c, S, 0, 100, 0}, {c, F, 0, 101, 1}}, "SH", "SF", "syn", "eof"},
		{"SHR", []pkt{{s, SA, 0, 500, 0}, {s, FA, 0, 501, 1}}, "SHR", "^hf", "syn", "eof"},
		{"OTH midstream", []pkt{{c, PA, 10, 1000, 0}, {s, A, 0, 5000, 1}}, "OTH", "Da", "port", "eof"},
		{"retransmission", []pkt{{c, S, 0, 100, 0}, {s, SA, 0, 500, 1}, {c, A, 0, 101, 2}, {c, PA, 10, 101, 3}, {c, PA, 10, 101, time.Second}}, "S1", "ShADT", "syn", "eof"},
		{"reordering is not retransmission", []pkt{{c, S, 0, 100, 0}, {s, SA, 0, 500, 1}, {c, A, 0, 101, 2}, {c, PA, 10, 111, 3}, {c, PA, 10, 101, 4}}, "S1", "ShAD", "syn", "eof"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ps []*Packet
			var ts []time.Duration
			for _, p := range tc.pkts {
				ps = append(ps, tcpPacket(p))
				ts = append(ts, p.at)
			}
			recs := runTable(t, DefaultConfig(), ps, ts)
			if len(recs) != 1 {
				t.Fatalf("got %d records, want 1", len(recs))
			}
			r := recs[0]
			if r.ConnState != tc.state || r.History != tc.history || r.DirectionBy != tc.dirBy || r.EndReason != tc.end {
				t.Errorf("got state %s history %q dir %s end %s; want %s %q %s %s",
					r.ConnState, r.History, r.DirectionBy, r.EndReason, tc.state, tc.history, tc.dirBy, tc.end)
			}
			if r.Client.IP.String() != cli || r.Client.Port != 40000 || r.Server.Port != 80 {
				t.Errorf("client/server = %v:%d / %v:%d", r.Client.IP, r.Client.Port, r.Server.IP, r.Server.Port)
			}
		})
	}
}

func TestCountsPerDirection(t *testing.T) {
	ps := []*Packet{tcpPacket(pkt{true, S, 0, 1, 0}), tcpPacket(pkt{false, SA, 0, 9, 0}), tcpPacket(pkt{true, PA, 100, 2, 0})}
	recs := runTable(t, DefaultConfig(), ps, []time.Duration{0, time.Millisecond, 2 * time.Millisecond})
	r := recs[0]
	if r.Client.Packets != 2 || r.Client.Bytes != 180 || r.Client.PayloadBytes != 100 || r.Client.FrameBytes != 208 {
		t.Errorf("client side %+v", r.Client)
	}
	if r.Server.Packets != 1 || r.Server.Bytes != 40 || r.Server.PayloadBytes != 0 || r.Server.TCPFlags != "SA" {
		t.Errorf("server side %+v", r.Server)
	}
	if r.Duration() != 2*time.Millisecond || r.Client.TCPFlags != "SPA" {
		t.Errorf("duration %v flags %s", r.Duration(), r.Client.TCPFlags)
	}
	if want := CommunityID(key4(cli, 40000, srv, 80, ProtoTCP)); r.CommunityID != want {
		t.Errorf("community id %s, want %s", r.CommunityID, want)
	}
}

func udp(src string, sport uint16, dst string, dport uint16, n int) *Packet {
	return &Packet{Key: key4(src, sport, dst, dport, ProtoUDP), IPLen: 28 + n, PayloadLen: n, L4: true, Parent: -1}
}

func TestDirectionAndUDPState(t *testing.T) {
	cases := []struct {
		name         string
		pkts         []*Packet
		client       string
		cport        uint16
		state, dirBy string
		history      string
	}{
		{"query first", []*Packet{udp(cli, 5353, srv, 53, 30), udp(srv, 53, cli, 5353, 60)}, cli, 5353, "SF", "port", "Dd"},
		{"response first", []*Packet{udp(srv, 53, cli, 40000, 60)}, cli, 40000, "SHR", "port", "^d"},
		{"both ephemeral", []*Packet{udp(srv, 50000, cli, 40000, 10)}, srv, 50000, "S0", "first-packet", "D"},
		{"empty datagram", []*Packet{udp(cli, 40000, srv, 123, 0)}, cli, 40000, "S0", "port", ""},
		// An NFS reply seen first, to a client on a privileged port (the
		// Linux client binds 665-1023): nfs's 2049 names the server.
		{"nfs reply first, privileged client", []*Packet{udp(srv, 2049, cli, 800, 100)}, cli, 800, "SHR", "port", "^d"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := make([]time.Duration, len(tc.pkts))
			recs := runTable(t, DefaultConfig(), tc.pkts, ts)
			r := recs[0]
			if r.Client.IP.String() != tc.client || r.Client.Port != tc.cport || r.ConnState != tc.state || r.DirectionBy != tc.dirBy || r.History != tc.history {
				t.Errorf("got client %v:%d state %s dir %s history %q", r.Client.IP, r.Client.Port, r.ConnState, r.DirectionBy, r.History)
			}
		})
	}
}

func TestICMPEcho(t *testing.T) {
	req := &Packet{Key: key4(cli, 8, srv, 0, ProtoICMP), IPLen: 84, PayloadLen: 56, L4: true, Parent: -1}
	req.Key.ID = 7
	rep := &Packet{Key: key4(srv, 0, cli, 8, ProtoICMP), IPLen: 84, PayloadLen: 56, L4: true, Parent: -1}
	rep.Key.ID = 7
	recs := runTable(t, DefaultConfig(), []*Packet{rep, req, rep}, []time.Duration{0, 1, 2})
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	if r.Client.IP.String() != cli || r.Client.Port != 8 || r.Server.Port != 0 || r.ConnState != "OTH" || r.DirectionBy != "icmp" || r.ICMPID != 7 {
		t.Errorf("%+v", r)
	}
	if r.Client.Packets != 1 || r.Server.Packets != 2 || r.Proto != "icmp" {
		t.Errorf("packets %d/%d proto %s", r.Client.Packets, r.Server.Packets, r.Proto)
	}
}

func TestTimeoutsAndEviction(t *testing.T) {
	cfg := DefaultConfig()
	cfg.UDPIdle = 10 * time.Second
	cfg.Active = time.Minute
	a := func(n int) *Packet { return udp(cli, 40000+uint16(n), srv, 53, 10) }
	t.Run("idle", func(t *testing.T) {
		recs := runTable(t, cfg, []*Packet{a(0), a(1), a(0)}, []time.Duration{0, 5 * time.Second, 11 * time.Second})
		// flow 0 is idle 11 s at its second packet: ended, then a new one begins.
		got := []string{}
		for _, r := range recs {
			got = append(got, r.EndReason)
		}
		if len(recs) != 3 || recs[0].EndReason != "idle" || recs[0].Client.Packets != 1 || recs[2].ID != FlowID(3, 0) {
			t.Errorf("reasons %v", got)
		}
	})
	t.Run("active", func(t *testing.T) {
		var ps []*Packet
		var ts []time.Duration
		for i := 0; i < 15; i++ {
			ps = append(ps, a(0))
			ts = append(ts, time.Duration(i)*5*time.Second)
		}
		recs := runTable(t, cfg, ps, ts)
		if len(recs) != 2 || recs[0].EndReason != "active" || recs[0].Client.Packets != 12 || recs[1].Client.Packets != 3 || recs[1].EndReason != "eof" {
			t.Errorf("%d records: %+v", len(recs), recs)
		}
	})
	t.Run("evicted", func(t *testing.T) {
		c := cfg
		c.MaxFlows = 2
		recs := runTable(t, c, []*Packet{a(0), a(1), a(2), a(1)}, []time.Duration{0, 1, 2, 3})
		if len(recs) != 3 || recs[0].EndReason != "evicted" || recs[0].Client.Port != 40000 {
			t.Errorf("%+v", recs)
		}
	})
	t.Run("port reuse after close", func(t *testing.T) {
		ps := []*Packet{
			tcpPacket(pkt{true, S, 0, 1, 0}), tcpPacket(pkt{false, SA, 0, 9, 0}), tcpPacket(pkt{true, R, 0, 2, 0}),
			tcpPacket(pkt{true, S, 0, 500, 0}),
		}
		recs := runTable(t, cfg, ps, []time.Duration{0, 1, 2, 3})
		if len(recs) != 2 || recs[0].EndReason != "rst" || recs[1].ConnState != "S0" {
			t.Errorf("%+v", recs)
		}
	})
	t.Run("close delay runs from the close", func(t *testing.T) {
		// Data the peer sends after a RST stays in the flow for the close
		// delay (5 s), not for ever.
		ps := []*Packet{
			tcpPacket(pkt{true, S, 0, 1, 0}), tcpPacket(pkt{false, SA, 0, 9, 0}), tcpPacket(pkt{true, R, 0, 2, 0}),
			tcpPacket(pkt{false, PA, 10, 10, 0}), tcpPacket(pkt{false, PA, 10, 20, 0}), tcpPacket(pkt{false, PA, 10, 30, 0}),
		}
		recs := runTable(t, cfg, ps, []time.Duration{0, 1, 2, 2 * time.Second, 4 * time.Second, 6 * time.Second})
		if len(recs) != 2 || recs[0].EndReason != "rst" || recs[0].Server.Packets != 3 || recs[1].Server.Packets != 1 {
			t.Errorf("%+v", recs)
		}
	})
	t.Run("close delay", func(t *testing.T) {
		ps := []*Packet{
			tcpPacket(pkt{true, S, 0, 1, 0}), tcpPacket(pkt{false, SA, 0, 9, 0}), tcpPacket(pkt{true, FA, 0, 2, 0}),
			tcpPacket(pkt{false, FA, 0, 10, 0}), tcpPacket(pkt{true, A, 0, 3, 0}), udp(cli, 1, srv, 2, 0),
		}
		recs := runTable(t, cfg, ps, []time.Duration{0, 1, 2, 3, 4, 10 * time.Second})
		if len(recs) != 2 || recs[0].EndReason != "fin" || recs[0].Client.Packets != 3 || recs[0].ConnState != "SF" {
			t.Errorf("%+v", recs)
		}
	})
}

func BenchmarkTableUpdate(b *testing.B) {
	tb := NewTable(DefaultConfig(), nil)
	pkts := make([]Packet, 4096)
	for i := range pkts {
		pkts[i] = *udp(cli, uint16(1024+i), srv, 53, 40)
		if i%2 == 1 {
			pkts[i].Key = pkts[i-1].Key.Reverse()
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tb.Update(&pkts[i&4095], int64(i), uint64(i), 0, 100, 0)
	}
}

func TestFeatures(t *testing.T) {
	c, s := true, false
	ms := time.Millisecond
	pk := []pkt{
		{c, S, 0, 100, 0}, {s, SA, 0, 500, 20 * ms}, {c, A, 0, 101, 30 * ms},
		{c, PA, 100, 101, 40 * ms}, {c, PA, 100, 301, 41 * ms}, {c, PA, 100, 201, 42 * ms}, // 201 overtaken: out of order
		{s, A, 0, 501, 60 * ms}, {c, PA, 100, 101, 3 * time.Second}, // resent after a silence: retransmission, idle period
	}
	var ps []*Packet
	var ts []time.Duration
	for _, p := range pk {
		ps = append(ps, tcpPacket(p))
		ts = append(ts, p.at)
	}
	recs := runTable(t, DefaultConfig(), ps, ts)
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	f := recs[0].Features
	near := func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
	checks := []struct {
		name string
		ok   bool
	}{
		{"rtt client 20ms", near(f.RTTClient, 0.020)},
		{"rtt server 10ms", near(f.RTTServer, 0.010)},
		{"client sizes", f.Client.Sizes.N == 6 && f.Client.Sizes.Min == 40 && f.Client.Sizes.Max == 140 && near(f.Client.Sizes.Mean, (40+40+4*140)/6.0)},
		{"client empty/data", f.Client.EmptyPackets == 2 && f.Client.DataPackets == 4},
		{"server iat", f.Server.IAT.N == 1 && near(f.Server.IAT.Mean, 0.040)},
		{"out of order", f.Client.OutOfOrder == 1},
		{"retransmission", f.Client.Retransmissions == 1},
		{"active periods and idle", f.ActivePeriods == 2 && near(f.IdleTime, 2.94)},
		{"splt", len(f.SPLTLengths) == 8 && f.SPLTDirs == "csccccsc" && f.SPLTLengths[3] == 140 && near(f.SPLTGaps[1], 0.020)},
		{"rates", near(f.Client.PacketsPerSec, 6/3.0)},
	}
	for _, ck := range checks {
		if !ck.ok {
			t.Errorf("%s: %+v", ck.name, f)
		}
	}
	// The running sums agree with the two-pass mean and standard
	// deviation, for values near zero, far from it, and a first value far
	// from the rest (the shift is the first value).
	for _, xs := range [][]int64{
		{40, 40, 140, 140, 140, 140},
		{1_000_000_000_007, 1_000_000_000_003, 1_000_000_000_011},
		{3_600_000_000_000, 10, 12, 9, 11},
		{7},
	} {
		var m moments
		sum := 0.0
		for _, x := range xs {
			m.add(x)
			sum += float64(x)
		}
		mean, ss := sum/float64(len(xs)), 0.0
		for _, x := range xs {
			ss += (float64(x) - mean) * (float64(x) - mean)
		}
		d := m.dist(1)
		close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*max(1, math.Abs(b)) }
		if d.N != uint64(len(xs)) || !close(d.Mean, mean) || !close(d.Std, math.Sqrt(ss/float64(len(xs)))) ||
			d.Min != float64(slices.Min(xs)) || d.Max != float64(slices.Max(xs)) {
			t.Errorf("moments of %v: %+v, want mean %v std %v", xs, d, mean, math.Sqrt(ss/float64(len(xs))))
		}
	}
	// The table of increments agrees with the formula, for inputs shorter
	// and longer than what it covers.
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 96, 200, 255, 300} {
		for _, alphabet := range []int{1, 2, 16, 256} {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(rng.IntN(alphabet))
			}
			var counts [256]int
			m := min(n, entropyBytes)
			for _, c := range b[:m] {
				counts[c]++
			}
			want := 0.0
			for _, c := range counts {
				if c > 0 {
					p := float64(c) / float64(m)
					want -= p * math.Log2(p)
				}
			}
			if got := entropy(b); math.Abs(got-want) > 1e-12 {
				t.Errorf("entropy of %d bytes from %d values: %v, want %v", n, alphabet, got, want)
			}
		}
	}
	if e := entropy([]byte("aaaa")); e != 0 {
		t.Errorf("entropy of a constant: %v", e)
	}
	if e := entropy([]byte{0, 1, 2, 3, 4, 5, 6, 7}); !near(e, 3) {
		t.Errorf("entropy of 8 distinct bytes: %v", e)
	}
}

func BenchmarkEntropy(b *testing.B) {
	p := make([]byte, entropyBytes)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range p {
		p[i] = byte(rng.IntN(256))
	}
	for i := 0; i < b.N; i++ {
		entropy(p)
	}
}
