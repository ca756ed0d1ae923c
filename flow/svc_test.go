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
	// UDP keeps the first datagram only, and every side stops after
	// svcMaxPackets payload packets.
	u := &svcState{firstSide: -1}
	for i := 0; i < svcMaxPackets+3; i++ {
		u.add(1, &Packet{Key: Key{Proto: ProtoUDP}, Payload: []byte{byte('a' + i)}, L4: true})
	}
	if string(u.dir[1].buf[:u.dir[1].have]) != "a" || u.dir[1].pkts != svcMaxPackets || u.firstSide != 1 {
		t.Errorf("udp: %q after %d packets, first side %d", u.dir[1].buf[:u.dir[1].have], u.dir[1].pkts, u.firstSide)
	}
}
