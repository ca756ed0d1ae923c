package flow

import (
	"encoding/binary"
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

// TestIndexSeedDefeatsChosenKeys builds families of keys someone who
// knows the hash could send: keys that all share one probe run under seed
// 0; IPv6 keys whose source's upper half and destination's lower half
// change together (XORed before any secret, they once hashed alike under
// every seed); one address pair with every destination port; one inner
// address pair in many tunnels, its ports chosen to cancel the tunnels'
// public contexts (likewise). A table's random seed must spread each of
// them out.
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
	var cancelling, ports, tunnels []Key
	for i := 1; i <= n; i++ {
		k := Key{SrcPort: 5000, DstPort: 53, Proto: ProtoUDP, V6: true}
		copy(k.Src[:], []byte{0x20, 0x01, 0x0d, 0xb8})
		copy(k.Dst[:], []byte{0x20, 0x01, 0x0d, 0xb9})
		binary.BigEndian.PutUint16(k.Src[6:], uint16(i))
		binary.BigEndian.PutUint16(k.Dst[14:], uint16(i))
		k.Src[15] = 1
		cancelling = append(cancelling, k)
		p := Key{SrcPort: 40000, DstPort: uint16(i), Proto: ProtoTCP}
		p.Src[15], p.Dst[15] = 1, 2
		ports = append(ports, p)
		// One inner address pair in many tunnels whose public contexts
		// share their top byte, inner ports chosen to cancel the rest of
		// the context where it was XORed in beside them.
		tk := Key{Proto: ProtoUDP, Tunnel: 0x5e000001 | uint64(i)<<1}
		tk.SrcPort, tk.DstPort = uint16(1000^(tk.Tunnel&0xff)<<8), uint16(2000^tk.Tunnel>>8)
		tk.Src[15], tk.Dst[15] = 1, 2
		tunnels = append(tunnels, tk)
	}
	probes := func(keys []Key, seed uint64) float64 {
		x := newIndex(size / 2)
		entries := make([]entry, len(keys))
		for i, k := range keys {
			entries[i].key = k
		}
		store := storeOf(entries)
		for i, k := range keys {
			x.insert(decode.HashKey(&k, seed), int32(i), store)
		}
		total := 0
		for i := range keys {
			h := decode.HashKey(&keys[i], seed)
			for j := h & x.mask; x.slots[j].idx != int32(i)+1; j = (j + 1) & x.mask {
				total++
			}
		}
		return float64(total) / float64(len(keys))
	}
	if p := probes(chosen, 0); p < 100 {
		t.Fatalf("the chosen keys do not collide under seed 0 (%.1f probes per key): the test proves nothing", p)
	}
	for _, c := range []struct {
		name string
		keys []Key
	}{{"chosen against seed 0", chosen}, {"IPv6 halves changed together", cancelling}, {"one address pair, every port", ports}, {"inner ports cancelling the tunnel's context", tunnels}} {
		for range 20 {
			tb := NewTable(DefaultConfig(), nil)
			if p := probes(c.keys, tb.seed); p > 4 {
				t.Errorf("%s: with the seed %#x the keys take %.1f probes per key", c.name, tb.seed, p)
			}
		}
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
