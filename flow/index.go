package flow

import (
	"encoding/binary"
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
