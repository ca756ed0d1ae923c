package report

import (
	"net/netip"
	"testing"
)

// TestTopTalkersBounded: a flood of one-off addresses stays within the
// slots, and the heavy talkers among them still come out on top with
// their bytes counted (over-counted by at most the smallest slot).
func TestTopTalkersBounded(t *testing.T) {
	const slots = 64
	tt := newTopTalkers(slots)
	heavy := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")}
	for i := 0; i < 100000; i++ {
		tt.add(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 10)
		if i%100 == 0 {
			tt.add(heavy[0], 1000)
			tt.add(heavy[1], 500)
		}
	}
	if len(tt.items) != slots || len(tt.index) != slots || tt.replaced == 0 {
		t.Fatalf("%d items, %d indexed, %d replaced", len(tt.items), len(tt.index), tt.replaced)
	}
	top := tt.top(2)
	if top[0].ip != heavy[0] || top[1].ip != heavy[1] {
		t.Fatalf("top %v", top)
	}
	minKept := tt.items[tt.order[0]].bytes
	for i, want := range []uint64{1000 * 1000, 500 * 1000} {
		// At least what it surely had, at most the truth.
		if top[i].bytes > want || top[i].bytes+minKept < want {
			t.Errorf("%v: %d bytes, want %d (- at most %d)", top[i].ip, top[i].bytes, want, minKept)
		}
	}

	exact := newTopTalkers(slots)
	for i := 0; i < slots; i++ {
		exact.add(netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}), uint64(i))
	}
	if exact.replaced != 0 || exact.top(1)[0].bytes != slots-1 {
		t.Errorf("within the slots the counts are exact: %v, %d replaced", exact.top(1), exact.replaced)
	}
}
