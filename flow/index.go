package flow

import (
	"encoding/binary"
	"math/bits"
)

// index maps canonical keys to entry slots with open addressing and linear
// probing. Each slot keeps the key's hash, so a probe touches the slot
// array and, only on a hash match, the entry: fewer cache misses than a
// general map on the per-packet path.
type index struct {
	slots []slot
	mask  uint32
	n     int
}

type slot struct {
	hash uint32
	idx  int32 // entry index + 1; 0 is empty
}

func newIndex(hint int) index {
	size := 16
	for size < 2*hint {
		size <<= 1
	}
	return index{slots: make([]slot, size), mask: uint32(size - 1)}
}

// HashKey mixes the key's 40 bytes with seed; the constants are odd 64-bit
// mixers. Tables and shards take a random seed per process, so that no one
// can choose keys that all land in one probe run (or one worker).
func HashKey(k *Key, seed uint64) uint32 {
	const m1, m2 = 0x9e3779b97f4a7c15, 0xbf58476d1ce4e5b9
	a := binary.LittleEndian.Uint64(k.Src[0:]) ^ binary.LittleEndian.Uint64(k.Dst[8:]) ^ seed
	b := binary.LittleEndian.Uint64(k.Src[8:]) ^ binary.LittleEndian.Uint64(k.Dst[0:])<<1
	c := uint64(k.SrcPort) | uint64(k.DstPort)<<16 | uint64(k.ID)<<32 | uint64(k.Proto)<<48
	if k.V6 {
		c |= 1 << 56
	}
	c ^= uint64(k.Tunnel) << 8
	h1, l1 := bits.Mul64(a^m1, b^m2)
	h2, l2 := bits.Mul64(h1^l1^c, m1)
	return uint32(h2 ^ l2 ^ (h2 >> 32))
}

// find returns the entry index of k, or -1.
func (x *index) find(k *Key, h uint32, entries *entryStore) int32 {
	for i := h & x.mask; ; i = (i + 1) & x.mask {
		s := x.slots[i]
		if s.idx == 0 {
			return -1
		}
		if s.hash == h && keyEqual(&entries.at(s.idx-1).key, k) {
			return s.idx - 1
		}
	}
}

// insert adds a key known to be absent.
func (x *index) insert(h uint32, idx int32, entries *entryStore) {
	if 2*(x.n+1) > len(x.slots) {
		x.grow()
	}
	for i := h & x.mask; ; i = (i + 1) & x.mask {
		if x.slots[i].idx == 0 {
			x.slots[i] = slot{hash: h, idx: idx + 1}
			x.n++
			return
		}
	}
}

// remove deletes entry idx (whose key hashes to h), shifting later slots
// of the probe run back so that no tombstones are needed.
func (x *index) remove(h uint32, idx int32) {
	i := h & x.mask
	for x.slots[i].idx != idx+1 {
		if x.slots[i].idx == 0 {
			return
		}
		i = (i + 1) & x.mask
	}
	for {
		x.slots[i] = slot{}
		j := i
		for {
			j = (j + 1) & x.mask
			s := x.slots[j]
			if s.idx == 0 {
				x.n--
				return
			}
			home := s.hash & x.mask
			// Move s back to i unless its home lies cyclically in (i, j].
			if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
				x.slots[i] = s
				i = j
				break
			}
		}
	}
}

func (x *index) grow() {
	old := x.slots
	x.slots = make([]slot, 2*len(old))
	x.mask = uint32(len(x.slots) - 1)
	for _, s := range old {
		if s.idx == 0 {
			continue
		}
		for i := s.hash & x.mask; ; i = (i + 1) & x.mask {
			if x.slots[i].idx == 0 {
				x.slots[i] = s
				break
			}
		}
	}
}

// keyEqual compares keys word by word; inlined, it beats the generic
// memory compare the == operator calls for a 40-byte struct.
func keyEqual(a, b *Key) bool {
	le := binary.LittleEndian
	return le.Uint64(a.Src[8:]) == le.Uint64(b.Src[8:]) &&
		le.Uint64(a.Dst[8:]) == le.Uint64(b.Dst[8:]) &&
		a.SrcPort == b.SrcPort && a.DstPort == b.DstPort && a.ID == b.ID &&
		a.Proto == b.Proto && a.V6 == b.V6 && a.Tunnel == b.Tunnel &&
		le.Uint64(a.Src[:8]) == le.Uint64(b.Src[:8]) &&
		le.Uint64(a.Dst[:8]) == le.Uint64(b.Dst[:8])
}
