package flow

import (
	"testing"
)

func synData(seq uint32, s string) *Packet {
	return &Packet{Key: Key{Proto: ProtoTCP}, Seq: seq, TCPFlags: FlagSYN, Payload: []byte(s), PayloadLen: len(s), L4: true}
}

func TestSvcReassembly(t *testing.T) {
	seg := func(seq uint32, s string) *Packet {
		return &Packet{Key: Key{Proto: ProtoTCP}, Seq: seq, Payload: []byte(s), PayloadLen: len(s), L4: true}
	}
	cases := []struct {
		name string
		syn  bool // a SYN with seq 99 came first: data starts at 100
		segs []*Packet
		want string
	}{
		{"in order", true, []*Packet{seg(100, "GET "), seg(104, "/ HTTP/1.1")}, "GET / HTTP/1.1"},
		{"out of order", true, []*Packet{seg(104, "/ HTTP/1.1"), seg(100, "GET ")}, "GET / HTTP/1.1"},
		{"three pieces reversed", true, []*Packet{seg(108, "CD"), seg(104, "89AB"), seg(100, "4567")}, "456789ABCD"},
		{"gap stays open", true, []*Packet{seg(100, "ab"), seg(110, "zz")}, "ab"},
		{"retransmission overlaps", true, []*Packet{seg(100, "abcd"), seg(102, "cdef")}, "abcdef"},
		{"mid-stream: first seen is the base", false, []*Packet{seg(5000, "SSH-2.0"), seg(5007, "-x")}, "SSH-2.0-x"},
		{"data before the base is cut", true, []*Packet{seg(98, "xxAB"), seg(102, "CD")}, "ABCD"},
		{"old retransmission ignored", true, []*Packet{seg(100, "ab"), seg(90, "old")}, "ab"},
		{"sequence wrap", false, []*Packet{seg(0xfffffffe, "ab"), seg(0, "cd")}, "abcd"},
		{"data on the SYN (fast open)", true, []*Packet{synData(99, "\x16\x03\x01"), seg(103, "xy")}, "\x16\x03\x01xy"},
		{"data on the SYN, SYN not noted first", false, []*Packet{synData(99, "GET "), seg(104, "/")}, "GET /"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sv := &svcState{firstSide: -1}
			if tc.syn {
				sv.noteSYN(0, 99)
			}
			for _, p := range tc.segs {
				sv.add(0, p)
			}
			if got := string(sv.dir[0].buf[:sv.dir[0].have]); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSvcBounds(t *testing.T) {
	sv := &svcState{firstSide: -1}
	sv.noteSYN(0, 0)
	big := make([]byte, 3*svcBufSize)
	for i := range big {
		big[i] = 'x'
	}
	sv.add(0, &Packet{Key: Key{Proto: ProtoTCP}, Seq: 1, Payload: big, L4: true})
	if sv.dir[0].have != svcBufSize {
		t.Errorf("have %d, want the buffer size %d", sv.dir[0].have, svcBufSize)
	}
	// UDP keeps the first svcMaxDatagrams datagrams, each apart, and
	// every side stops after svcMaxPackets payload packets.
	u := &svcState{firstSide: -1}
	for i := 0; i < svcMaxPackets+3; i++ {
		u.add(1, &Packet{Key: Key{Proto: ProtoUDP}, Payload: []byte{byte('a' + i), byte('a' + i)}, L4: true})
	}
	var a [svcMaxDatagrams][]byte
	got := u.dir[1].datagrams(&a)
	if len(got) != svcMaxDatagrams || string(got[0]) != "aa" || string(got[svcMaxDatagrams-1]) != "dd" ||
		u.dir[1].pkts != svcMaxPackets || u.firstSide != 1 {
		t.Errorf("udp: %q after %d packets, first side %d", got, u.dir[1].pkts, u.firstSide)
	}
	// Datagrams past the buffer's room are cut, then no more are kept.
	v := &svcState{firstSide: -1}
	for range 3 {
		v.add(0, &Packet{Key: Key{Proto: ProtoUDP}, Payload: big[:svcBufSize/2+100], L4: true})
	}
	if got := v.dir[0].datagrams(&a); len(got) != 2 || len(got[1]) != svcBufSize/2-100 || v.dir[0].have != svcBufSize {
		t.Errorf("udp, large datagrams: %d kept, have %d", len(got), v.dir[0].have)
	}
}

// TestSvcBufGrowth: a side's buffer starts at the smallest class that
// holds its bytes and moves up a class only when more bytes need it,
// carrying out-of-order pieces along; a recycled buffer's old contents
// never show.
func TestSvcBufGrowth(t *testing.T) {
	stream := make([]byte, svcBufSize+200)
	for i := range stream {
		stream[i] = byte(i*13 + i>>8)
	}
	seg := func(off, n int) *Packet {
		return &Packet{Key: Key{Proto: ProtoTCP}, Seq: uint32(100 + off), Payload: stream[off : off+n], PayloadLen: n, L4: true}
	}
	type step struct {
		off, n  int
		have    int // contiguous bytes after the segment
		bufSize int
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"in order", []step{{0, 200, 200, 256}, {200, 200, 400, 512}, {400, 100, 500, 512}, {500, 1000, 1500, 2048}, {1500, 2600, svcBufSize, svcBufSize}}},
		{"a piece ahead first", []step{{1000, 100, 0, 2048}, {0, 1000, 1100, 2048}}},
		{"pieces ahead carried to a larger class", []step{{300, 100, 0, 512}, {600, 100, 0, 1024}, {0, 300, 400, 1024}, {400, 200, 700, 1024}}},
		{"a piece past the end", []step{{4000, 200, 0, svcBufSize}, {0, 4000, svcBufSize, svcBufSize}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tb := &Table{}
			// Dirty every class first, as recycled buffers would be.
			for c := 0; c < svcClasses; c++ {
				b := getSvcBuf(c)
				for i := range b {
					b[i] = 0xee
				}
				putSvcBuf(b)
			}
			sv := tb.newSvc()
			sv.noteSYN(0, 99)
			for _, st := range tc.steps {
				sv.add(0, seg(st.off, st.n))
				d := &sv.dir[0]
				if d.have != st.have || len(d.buf) != st.bufSize {
					t.Fatalf("after [%d,+%d): have %d in a buffer of %d, want %d in %d", st.off, st.n, d.have, len(d.buf), st.have, st.bufSize)
				}
				if string(d.buf[:d.have]) != string(stream[:d.have]) {
					t.Fatalf("after [%d,+%d): the prefix differs from the stream", st.off, st.n)
				}
			}
			if sv.dir[1].buf != nil {
				t.Errorf("the silent side has a buffer of %d", len(sv.dir[1].buf))
			}
			e := &entry{app: &app{svc: sv}}
			tb.finishSvc(e)
			if e.app.svc != nil || sv.dir[0].buf != nil || len(tb.svcFree) != 1 {
				t.Errorf("finish kept the state or its buffer")
			}
			if got := e.app.svcRes.prefix[0][:e.app.svcRes.prefixLen[0]]; string(got) != string(stream[:len(got)]) {
				t.Errorf("kept prefix %x", got)
			}
		})
	}
}

func TestSvcClass(t *testing.T) {
	for _, c := range []struct{ n, size int }{{1, 256}, {256, 256}, {257, 512}, {1024, 1024}, {1200, 2048}, {2049, 4096}, {svcBufSize, svcBufSize}} {
		if got := svcMinBuf << svcClass(c.n); got != c.size {
			t.Errorf("%d bytes: class of %d, want %d", c.n, got, c.size)
		}
		if b := getSvcBuf(svcClass(c.n)); len(b) != c.size || cap(b) != c.size {
			t.Errorf("%d bytes: buffer len %d cap %d, want %d", c.n, len(b), cap(b), c.size)
		}
	}
}

// TestSvcOtherSide: a flow whose client sends an HTTP request and whose
// server answers with an SSH banner is ssh, and its record names the
// client's http too; a flow whose sides agree names one service.
func TestSvcOtherSide(t *testing.T) {
	get := []byte("GET / HTTP/1.1\r\nHost: example.org\r\n\r\n")
	banner := []byte("SSH-2.0-OpenSSH_9.6\r\n")
	cases := []struct {
		name                 string
		client, server       []byte
		service, other, side string
	}{
		{"http answered by ssh", get, banner, "ssh", "http", "client"},
		{"ssh on both sides", []byte("SSH-2.0-PuTTY_0.80\r\n"), banner, "ssh", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var recs []*Record
			tb := NewTable(DefaultConfig(), func(r *Record) { c := *r; recs = append(recs, &c) })
			const ts = int64(1_700_000_000e9)
			pkts := []*Packet{
				memTCP(1, true, FlagSYN, 1000, nil),
				memTCP(1, false, FlagSYN|FlagACK, 5000, nil),
				memTCP(1, true, FlagPSH|FlagACK, 1001, c.client),
				memTCP(1, false, FlagPSH|FlagACK, 5001, c.server),
			}
			for i, p := range pkts {
				tb.Update(p, ts+int64(i), uint64(i+1), 0, p.IPLen+14, 0)
			}
			tb.Flush()
			if len(recs) != 1 {
				t.Fatalf("%d records", len(recs))
			}
			r := recs[0]
			var o OtherSide
			if r.OtherSide != nil {
				o = *r.OtherSide
			}
			if r.Service != c.service || o.OtherService != c.other || o.OtherDir != c.side {
				t.Errorf("service %q, other %q from %q; want %q, %q from %q", r.Service, o.OtherService, o.OtherDir, c.service, c.other, c.side)
			}
			if c.other != "" && (o.OtherConfidence != "high" || o.OtherDetector != "http" || o.OtherEvidence != "GET / HTTP/1.1") {
				t.Errorf("other side: %+v", o)
			}
		})
	}
}

// TestSvcOtherSideUDP: over UDP a sure verdict finishes identification at
// once, and the other side's first datagrams (up to 4) are checked each on
// its own as they come: a DNS query answered by a SIP status is a protocol
// mismatch, one answered by DNS is not, nor one whose later answer (among
// the first 4) is DNS; an unanswered query holds no identification state.
func TestSvcOtherSideUDP(t *testing.T) {
	query := []byte("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01")
	answer := append(append([]byte("\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00"), query[12:]...),
		"\xc0\x0c\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04\x5d\xb8\xd8\x22"...)
	sip := []byte("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.1.0.1:5060;branch=z9hG4bK776asdhds\r\n" +
		"From: <sip:a@example.com>;tag=1928301774\r\nTo: <sip:b@example.com>;tag=a6c85cf\r\n" +
		"Call-ID: a84b4c76e66710\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
	gibberish := []byte("\x8f\xac\xc9\xe6\x03\x20\x3d\x5a\x77\x94\xb1\xce\xeb\x08\x25\x42")
	cases := []struct {
		name           string
		retries        int // the client's query again before the replies
		replies        [][]byte
		service, other string
	}{
		{"dns query answered by sip", 0, [][]byte{sip}, "dns", "sip"},
		{"dns query and answer", 0, [][]byte{answer}, "dns", ""},
		{"dns query unanswered", 0, nil, "dns", ""},
		{"dns query answered by sip, then dns", 0, [][]byte{sip, answer}, "dns", ""},
		{"dns query answered by dns, then sip", 0, [][]byte{answer, sip}, "dns", ""},
		{"dns query answered by sip twice", 0, [][]byte{sip, sip}, "dns", "sip"},
		{"dns query answered by sip, unknown bytes, sip", 0, [][]byte{sip, gibberish, sip}, "dns", "sip"},
		{"dns query answered by sip three times, then dns", 0, [][]byte{sip, sip, sip, answer}, "dns", ""},
		// The fifth is past the first 4 looked at.
		{"dns query answered by sip four times, then dns", 0, [][]byte{sip, sip, sip, sip, answer}, "dns", "sip"},
		{"dns query sent thrice, answered by sip", 2, [][]byte{sip}, "dns", "sip"},
		// Only the other side's first datagram may name what it speaks.
		{"dns query answered by unknown bytes, then sip", 0, [][]byte{gibberish, sip}, "dns", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var recs []*Record
			tb := NewTable(DefaultConfig(), func(r *Record) { c := *r; recs = append(recs, &c) })
			const ts = int64(1_700_000_000e9)
			var pkts []*Packet
			for range 1 + c.retries {
				q := memUDP(1, query)
				q.Key.DstPort = 53
				pkts = append(pkts, q)
			}
			for _, b := range c.replies {
				a := memUDP(1, b)
				a.Key.DstPort = 53
				a.Key = a.Key.Reverse()
				pkts = append(pkts, a)
			}
			for i, p := range pkts {
				tb.Update(p, ts+int64(i), uint64(i+1), 0, p.IPLen+14, 0)
				if tb.stats.identifying != 0 {
					t.Fatalf("after packet %d: %d flows identifying, want 0: a sure UDP verdict keeps no state", i+1, tb.stats.identifying)
				}
			}
			tb.Flush()
			if len(recs) != 1 {
				t.Fatalf("%d records", len(recs))
			}
			r := recs[0]
			var o OtherSide
			if r.OtherSide != nil {
				o = *r.OtherSide
			}
			if r.Service != c.service || o.OtherService != c.other {
				t.Errorf("service %q, other %q; want %q, %q", r.Service, o.OtherService, c.service, c.other)
			}
			if c.other != "" && (o.OtherDir != "server" || o.OtherConfidence != "high" || o.OtherEvidence != "SIP/2.0 200 OK") {
				t.Errorf("other side: %+v", o)
			}
		})
	}
}

// TestSvcDecidedUDPAllocs: once a UDP flow's service is decided and the
// other side's datagrams that protocol-mismatch looks at have passed, its
// packets allocate nothing, either way.
func TestSvcDecidedUDPAllocs(t *testing.T) {
	query := []byte("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01")
	sip := []byte("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.1.0.1:5060;branch=z9hG4bK776asdhds\r\n" +
		"From: <sip:a@example.com>;tag=1928301774\r\nTo: <sip:b@example.com>;tag=a6c85cf\r\n" +
		"Call-ID: a84b4c76e66710\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
	gibberish := []byte("\x8f\xac\xc9\xe6\x03\x20\x3d\x5a\x77\x94\xb1\xce\xeb\x08\x25\x42")
	quic := memQUICClient(t, "ndpi__quic-v2.txt")[0]
	// (A DNS flow's own messages are parsed for its DNS metadata, which
	// allocates: the one-way case is a QUIC client's.)
	for _, c := range []struct {
		name           string
		client, server []byte // server nil: one-way
		service        string
		other          bool
	}{
		{"dns query answered by sip", query, sip, "dns", true},
		{"dns query answered by unknown bytes", query, gibberish, "dns", false},
		{"quic initial unanswered", quic, nil, "quic", false},
		{"quic initial answered by unknown bytes", quic, gibberish, "quic", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var recs []*Record
			tb := NewTable(DefaultConfig(), func(r *Record) { c := *r; recs = append(recs, &c) })
			var pkts []*Packet
			for range 300 {
				q := memUDP(1, c.client)
				q.Key.DstPort = 53
				pkts = append(pkts, q)
				if c.server != nil {
					a := memUDP(1, c.server)
					a.Key.DstPort = 53
					a.Key = a.Key.Reverse()
					pkts = append(pkts, a)
				}
			}
			ts, k := int64(1_700_000_000e9), 0
			step := func() {
				p := pkts[k]
				k++
				ts += 1000
				tb.Update(p, ts, uint64(k), 0, p.IPLen+14, 0)
			}
			for range 20 { // past the other side's first 4 datagrams
				step()
			}
			if n := testing.AllocsPerRun(100, step); n != 0 {
				t.Errorf("%v allocations per packet of a decided UDP flow, want 0", n)
			}
			tb.Flush()
			if len(recs) != 1 || recs[0].Service != c.service || (recs[0].OtherSide != nil) != c.other {
				t.Errorf("records %+v", recs)
			}
		})
	}
}
