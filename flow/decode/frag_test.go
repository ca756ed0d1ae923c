package decode

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// decFrag4 builds an IPv4 fragment: off in bytes (a multiple of 8).
func decFrag4(proto uint8, id uint16, off int, more bool, payload []byte) []byte {
	fo := uint16(off / 8)
	if more {
		fo |= 0x2000
	}
	return decIP4(proto, decA4, decB4, id, fo, payload)
}

// decFrag6 builds an IPv6 fragment whose fragment header says nh.
func decFrag6(nh uint8, id uint32, off int, more bool, payload []byte) []byte {
	h := make([]byte, 8)
	h[0] = nh
	fo := uint16(off/8) << 3
	if more {
		fo |= 1
	}
	binary.BigEndian.PutUint16(h[2:], fo)
	binary.BigEndian.PutUint32(h[4:], id)
	return decIP6(44, decA6, decB6, decCat(h, payload))
}

// decUDPDatagram returns a UDP header and payload of n bytes in all.
func decUDPDatagram(n int) []byte { return decUDP(1234, 53, make([]byte, n-8)) }

type decFragStep struct {
	lt       uint32
	data     []byte
	tsSec    int64
	skip     Skip
	n        int
	l4       bool
	payload  int // PayloadLen
	extraPk  int
	extraLen int
	extraPay int  // ExtraPayloadLen
	plain    bool // not a fragment
}

func TestFragSequences(t *testing.T) {
	dgram := decUDPDatagram(3000) // UDP length 3000: payload 2992
	v4 := func(off, n int, more bool) []byte { return decFrag4(ProtoUDP, 77, off, more, dgram[off:off+n]) }
	v6 := func(off, n int, more bool) []byte { return decFrag6(ProtoUDP, 0xdeadbeef, off, more, dgram[off:off+n]) }
	tcpSeg := decTCP(40000, 443, FlagACK, make([]byte, 1000))
	tests := []struct {
		name   string
		key    Key
		steps  []decFragStep
		before FragStats // before Flush
		after  FragStats // after Flush
	}{
		{
			name: "ipv4 in order", key: decKeyUDPv4,
			steps: []decFragStep{
				{lt: 228, data: v4(0, 1480, true), n: 1, l4: true, payload: 1472},
				{lt: 228, data: v4(1480, 1480, true), n: 1, payload: 1480},
				{lt: 228, data: v4(2960, 40, false), n: 1, payload: 40},
			},
			before: FragStats{Fragments: 3}, after: FragStats{Fragments: 3},
		},
		{
			name: "ipv4 later pieces before the first", key: decKeyUDPv4,
			steps: []decFragStep{
				{lt: 228, data: v4(2960, 40, false), skip: SkipFragmentPending},
				{lt: 228, data: v4(1480, 1480, true), skip: SkipFragmentPending},
				{lt: 228, data: v4(0, 1480, true), n: 1, l4: true, payload: 1472, extraPk: 2, extraLen: 60 + 1500, extraPay: 40 + 1480},
			},
			before: FragStats{Fragments: 3}, after: FragStats{Fragments: 3},
		},
		{
			name: "ipv4 middle piece first", key: decKeyUDPv4,
			steps: []decFragStep{
				{lt: 228, data: v4(1480, 1480, true), skip: SkipFragmentPending},
				{lt: 228, data: v4(0, 1480, true), n: 1, l4: true, payload: 1472, extraPk: 1, extraLen: 1500, extraPay: 1480},
				{lt: 228, data: v4(2960, 40, false), n: 1, payload: 40},
			},
			before: FragStats{Fragments: 3}, after: FragStats{Fragments: 3},
		},
		{
			name: "ipv4 last piece never came", key: decKeyUDPv4,
			steps: []decFragStep{
				// Only what came counts: 1472 + 1480 of the datagram's 2992.
				{lt: 228, data: v4(0, 1480, true), n: 1, l4: true, payload: 1472},
				{lt: 228, data: v4(1480, 1480, true), n: 1, payload: 1480},
			},
			before: FragStats{Fragments: 2}, after: FragStats{Fragments: 2, Incomplete: 1},
		},
		{
			name: "ipv4 first piece never came",
			steps: []decFragStep{
				{lt: 228, data: v4(1480, 1480, true), skip: SkipFragmentPending},
				{lt: 228, data: v4(2960, 40, false), skip: SkipFragmentPending},
			},
			before: FragStats{Fragments: 2}, after: FragStats{Fragments: 2, Unattributed: 2},
		},
		{
			name: "ipv4 expiry after 30 s of packet time",
			steps: []decFragStep{
				{lt: 228, data: v4(0, 1480, true), n: 1, l4: true, payload: 1472},
				{lt: 228, data: decFrag4(ProtoUDP, 78, 1480, false, dgram[:8]), tsSec: 2, skip: SkipFragmentPending},
				{lt: 228, data: decUDPv4, tsSec: 31, n: 1, l4: true, payload: len(decPay), plain: true},
				// The first datagram's late piece comes after its state expired.
				{lt: 228, data: v4(2960, 40, false), tsSec: 32, skip: SkipFragmentPending},
			},
			before: FragStats{Fragments: 3, Incomplete: 1, Unattributed: 1}, after: FragStats{Fragments: 3, Incomplete: 1, Unattributed: 2},
		},
		{
			name: "ipv4 piece after completion still attributed", key: decKeyUDPv4,
			steps: []decFragStep{
				{lt: 228, data: v4(0, 1480, true), n: 1, l4: true, payload: 1472},
				{lt: 228, data: v4(2960, 40, false), n: 1, payload: 40},
				{lt: 228, data: v4(1480, 1480, true), n: 1, payload: 1480},
				{lt: 228, data: v4(1480, 1480, true), n: 1, payload: 1480},
			},
			before: FragStats{Fragments: 4}, after: FragStats{Fragments: 4},
		},
		{
			name: "ipv4 tcp fragments count their own payload", key: decKeyTCPv4,
			steps: []decFragStep{
				{lt: 228, data: decFrag4(ProtoTCP, 9, 0, true, tcpSeg[:520]), n: 1, l4: true, payload: 500},
				{lt: 228, data: decFrag4(ProtoTCP, 9, 520, false, tcpSeg[520:]), n: 1, payload: 500},
			},
			before: FragStats{Fragments: 2}, after: FragStats{Fragments: 2},
		},
		{
			name: "ipv6 out of order", key: decKeyUDPv6,
			steps: []decFragStep{
				{lt: 229, data: v6(1448, 1552, false), skip: SkipFragmentPending},
				{lt: 229, data: v6(0, 1448, true), n: 1, l4: true, payload: 1440, extraPk: 1, extraLen: 48 + 1552, extraPay: 1552},
			},
			before: FragStats{Fragments: 2}, after: FragStats{Fragments: 2},
		},
		{
			name: "ipv6 headers after the fragment header", key: decKeyUDPv6,
			steps: []decFragStep{
				{lt: 229, data: decFrag6(60, 5, 8, false, dgram[:8]), skip: SkipFragmentPending},
				{lt: 229, data: decFrag6(60, 5, 0, true, decCat(decExt6(ProtoUDP, 1), dgram[:200])), n: 1, l4: true, payload: 192, extraPk: 1, extraLen: 56, extraPay: 8},
			},
			before: FragStats{Fragments: 2}, after: FragStats{Fragments: 2},
		},
		{
			name: "ipv6 atomic fragment is a plain packet", key: decKeyUDPv6,
			steps: []decFragStep{
				{lt: 229, data: decFrag6(ProtoUDP, 6, 0, false, decUDP(1234, 53, decPay)), n: 1, l4: true, payload: len(decPay), plain: true},
			},
		},
		{
			name: "ipv6 never completed",
			steps: []decFragStep{
				{lt: 229, data: v6(0, 1448, true), n: 1, l4: true, payload: 1440},
				{lt: 229, data: decFrag6(ProtoUDP, 7, 1448, false, dgram[:8]), skip: SkipFragmentPending},
			},
			before: FragStats{Fragments: 2}, after: FragStats{Fragments: 2, Incomplete: 1, Unattributed: 1},
		},
		{
			name: "fragment in a tunnel keeps the outer packet",
			steps: []decFragStep{
				{lt: 229, data: decIP6(ProtoIPIP, decA6, decB6, v4(1480, 1480, true)), n: 1, l4: true, payload: 1500, skip: SkipFragmentPending},
			},
			before: FragStats{Fragments: 1}, after: FragStats{Fragments: 1, Unattributed: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder()
			var f Frame
			for i, s := range tc.steps {
				d.Decode(s.data, s.lt, len(s.data), 1e18+s.tsSec*1e9, &f)
				if f.Skip != s.skip || f.N != s.n {
					t.Fatalf("step %d: N=%d skip %v, want %d %v", i, f.N, f.Skip, s.n, s.skip)
				}
				if f.N == 0 {
					continue
				}
				p := &f.Packets[f.N-1]
				if f.N == 1 && tc.key != (Key{}) && p.Key != tc.key {
					t.Errorf("step %d: key %+v, want %+v", i, p.Key, tc.key)
				}
				if p.IPLen != len(s.data) {
					t.Errorf("step %d: IPLen %d, want %d", i, p.IPLen, len(s.data))
				}
				wantFrag := s.skip != SkipFragmentPending && !s.plain
				if p.L4 != s.l4 || p.PayloadLen != s.payload || p.ExtraPackets != s.extraPk || p.ExtraIPLen != s.extraLen ||
					p.ExtraPayloadLen != s.extraPay || f.N == 1 && p.Fragment != wantFrag {
					t.Errorf("step %d: L4 %v PayloadLen %d Extra %d/%d/%d Fragment %v; want %v %d %d/%d/%d %v",
						i, p.L4, p.PayloadLen, p.ExtraPackets, p.ExtraIPLen, p.ExtraPayloadLen, p.Fragment,
						s.l4, s.payload, s.extraPk, s.extraLen, s.extraPay, wantFrag)
				}
			}
			if s := d.FragStats(); s != tc.before {
				t.Errorf("before Flush: %+v, want %+v", s, tc.before)
			}
			d.Flush()
			if s := d.FragStats(); s != tc.after {
				t.Errorf("after Flush: %+v, want %+v", s, tc.after)
			}
			d.Flush()
			if s := d.FragStats(); s != tc.after {
				t.Errorf("second Flush changed the counts: %+v", s)
			}
		})
	}
}

// TestFragTableBound makes more open datagrams than the table holds: the
// oldest are dropped and counted, and every one is counted once in the end.
func TestFragTableBound(t *testing.T) {
	const n = fragSlots + 1000
	d := NewDecoder()
	var f Frame
	dgram := decUDPDatagram(100)
	for i := 0; i < n; i++ {
		src := [4]byte{10, 1, byte(i >> 8), byte(i)}
		d.Decode(decIP4(ProtoUDP, src, decB4, uint16(i), 0x2000, dgram[:48]), 228, 0, int64(i), &f)
		if f.N != 1 {
			t.Fatalf("datagram %d: N=%d skip %v", i, f.N, f.Skip)
		}
	}
	if s := d.FragStats(); s.Incomplete != n-fragSlots || d.frag.live != fragSlots {
		t.Errorf("FragStats %+v with %d live; want %d incomplete, %d live", s, d.frag.live, n-fragSlots, fragSlots)
	}
	// The newest datagrams are still known.
	last := n - 1
	src := [4]byte{10, 1, byte(last >> 8), byte(last)}
	d.Decode(decIP4(ProtoUDP, src, decB4, uint16(n-1), 6, dgram[48:]), 228, 0, n, &f)
	if f.N != 1 || f.Packets[0].Key.SrcPort != 1234 {
		t.Errorf("last piece of the newest datagram: N=%d skip %v", f.N, f.Skip)
	}
	d.Flush()
	if s := d.FragStats(); s.Incomplete != n-1 || s.Fragments != n+1 || d.frag.live != 0 {
		t.Errorf("after Flush %+v with %d live; want %d incomplete", s, d.frag.live, n-1)
	}
}

// TestFragTableIndex runs random operations on the fragment table and
// checks that its hash index always finds exactly the live entries.
func TestFragTableIndex(t *testing.T) {
	var tb fragTable
	rng := rand.New(rand.NewPCG(1, 2))
	keys := make([]fragKey, 9000)
	for i := range keys {
		keys[i] = fragKey{id: uint32(i), proto: ProtoUDP}
		keys[i].src[15] = byte(i % 7)
	}
	var flow Key
	var p Packet
	var d Decoder
	for step := 0; step < 60000; step++ {
		k := &keys[rng.IntN(len(keys))]
		ts := int64(step) * 1e6
		d.ts = ts
		switch rng.IntN(4) {
		case 0:
			tb.first(k, &flow, false, ts, &p)
		case 1, 2:
			tb.later(k, rng.IntN(2) == 0, 100, 80, &d, &flow)
		case 3:
			if e := tb.lookup(k, tb.hash(k)); e >= 0 {
				tb.remove(e)
			}
		}
		if step%5000 == 4999 {
			decCheckFragIndex(t, &tb)
		}
	}
	tb.flush()
	decCheckFragIndex(t, &tb)
	if tb.live != 0 {
		t.Errorf("%d live after flush", tb.live)
	}
}

func decCheckFragIndex(t *testing.T, tb *fragTable) {
	t.Helper()
	used, live := 0, 0
	for _, v := range tb.index {
		if v != 0 {
			used++
			if !tb.ents[v-1].live {
				t.Fatalf("index points at dead entry %d", v-1)
			}
		}
	}
	for e := range tb.ents {
		if tb.ents[e].live {
			live++
			if got := tb.lookup(&tb.ents[e].key, tb.ents[e].hash); got != e {
				t.Fatalf("entry %d found at %d", e, got)
			}
		}
	}
	if used != live || live != tb.live {
		t.Fatalf("%d index slots, %d live entries, live count %d", used, live, tb.live)
	}
}
