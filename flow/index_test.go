package flow

import (
	"math/rand/v2"
	"testing"

	"github.com/flowscope/flowscope/flow/decode"
)

// TestIndexAgainstMap runs random inserts and removes (with forced hash
// collisions) and checks every key is found exactly where a map says.
func TestIndexAgainstMap(t *testing.T) {
	for _, collide := range []bool{false, true} {
		rng := rand.New(rand.NewPCG(3, 4))
		x := newIndex(4)
		entries := make([]entry, 5000)
		want := map[int32]bool{}
		hashOf := func(i int32) uint32 {
			if collide {
				return uint32(i % 7) // long probe runs
			}
			return decode.HashKey(&entries[i].key, 0)
		}
		for i := range entries {
			entries[i].key = Key{SrcPort: uint16(i), DstPort: uint16(i >> 16), Proto: ProtoUDP}
			entries[i].key.Src[15] = byte(i)
		}
		store := storeOf(entries)
		for step := 0; step < 40000; step++ {
			i := int32(rng.IntN(len(entries)))
			if want[i] {
				x.remove(hashOf(i), i)
				delete(want, i)
			} else {
				x.insert(hashOf(i), i, store)
				want[i] = true
			}
			if step%997 == 0 {
				for j := range entries {
					got := x.find(&entries[j].key, hashOf(int32(j)), store)
					if want[int32(j)] != (got == int32(j)) || (got != -1 && got != int32(j)) {
						t.Fatalf("collide=%v step %d: key %d found at %d, present %v", collide, step, j, got, want[int32(j)])
					}
				}
				if x.n != len(want) {
					t.Fatalf("n=%d, want %d", x.n, len(want))
				}
			}
		}
	}
}

func TestKeyEqual(t *testing.T) {
	a := key4("10.0.0.1", 1, "10.0.0.2", 2, ProtoTCP)
	for _, mut := range []func(*Key){
		func(k *Key) { k.Src[0]++ }, func(k *Key) { k.Src[15]++ }, func(k *Key) { k.Dst[3]++ }, func(k *Key) { k.Dst[12]++ },
		func(k *Key) { k.SrcPort++ }, func(k *Key) { k.DstPort++ }, func(k *Key) { k.ID++ }, func(k *Key) { k.Proto++ },
		func(k *Key) { k.V6 = true },
	} {
		b := a
		mut(&b)
		if keyEqual(&a, &b) || !keyEqual(&a, &a) {
			t.Errorf("keyEqual wrong for %+v", b)
		}
	}
}

// TestIndexSeedDefeatsChosenKeys builds keys that all share one probe run
// under seed 0, as someone who knows the hash would send them, and checks
// that a table's random seed spreads them out.
func TestIndexSeedDefeatsChosenKeys(t *testing.T) {
	const n, size = 4000, 1 << 14
	var chosen []Key
	for i := 0; len(chosen) < n; i++ {
		k := Key{SrcPort: uint16(i), DstPort: uint16(i >> 16), Proto: ProtoUDP}
		k.Src[15], k.Dst[15] = byte(i>>24), 1
		if decode.HashKey(&k, 0)&(size-1) < 8 {
			chosen = append(chosen, k)
		}
	}
	probes := func(seed uint64) float64 {
		x := newIndex(size / 2)
		entries := make([]entry, n)
		for i, k := range chosen {
			entries[i].key = k
		}
		store := storeOf(entries)
		for i, k := range chosen {
			x.insert(decode.HashKey(&k, seed), int32(i), store)
		}
		total := 0
		for i := range chosen {
			h := decode.HashKey(&chosen[i], seed)
			for j := h & x.mask; x.slots[j].idx != int32(i)+1; j = (j + 1) & x.mask {
				total++
			}
		}
		return float64(total) / n
	}
	if p := probes(0); p < 100 {
		t.Fatalf("the chosen keys do not collide under seed 0 (%.1f probes per key): the test proves nothing", p)
	}
	tb := NewTable(DefaultConfig(), nil)
	if p := probes(tb.seed); p > 4 {
		t.Errorf("with the table's seed the chosen keys still take %.1f probes per key", p)
	}
}

// storeOf copies entries into an entryStore, at the same indexes.
func storeOf(entries []entry) *entryStore {
	s := &entryStore{}
	for i := range entries {
		*s.at(s.add()) = entries[i]
	}
	return s
}
