package decode

import "encoding/binary"

// FragStats counts IP fragments and the datagrams they belonged to.
type FragStats struct {
	Fragments    uint64 // IP fragments seen, first and later ones
	Unattributed uint64 // later fragments whose first fragment never came
	Incomplete   uint64 // datagrams whose first fragment came but whose last never did
}

const (
	// fragSlots bounds the datagrams tracked at once (a power of two).
	fragSlots = 4096
	// fragIndexSize is the hash index size; at most half full.
	fragIndexSize = 2 * fragSlots
	// fragTimeout is how long, in packet time, a datagram is remembered.
	fragTimeout = 30e9
	// fragExpireEvery spaces the expiry walks, in packet time.
	fragExpireEvery = 1e9
)

// fragKey identifies a datagram: RFC 791 and RFC 8200 reassembly keys.
type fragKey struct {
	src, dst [16]byte
	id       uint32
	proto    uint8
	v6       bool
}

type fragEntry struct {
	key  fragKey
	flow Key   // the first fragment's flow key, once it came
	born int64 // packet time the entry was made
	hash uint32
	// Later fragments held before the first one came: counts, their IP
	// and payload lengths, the wire length of their frames, and the time
	// and number of the earliest.
	pkts, ipLen, frameLen, payLen int
	heldTS                        int64
	heldFrame                     uint64
	first, last                   bool // the first (offset 0) and last (no more fragments) pieces were seen
	live                          bool
}

// fragTable remembers datagrams by fragment key. Entries are handed out
// round-robin, so the slot about to be reused always holds the oldest
// entry: eviction and expiry need no ordering structure. A completed
// datagram stays until its slot is reused or it expires, so that late or
// duplicated pieces are still attributed.
type fragTable struct {
	ents       []fragEntry // fragSlots, made on first use
	index      []uint16    // open addressing, linear probing: entry index + 1, 0 = empty
	head, tail uint64      // entries made so far (tail) and the oldest maybe live one (head)
	live       int
	seed       uint64
	lastExpire int64
	stats      FragStats
}

func (t *fragTable) hash(k *fragKey) uint32 {
	const m = 0x9e3779b97f4a7c15
	h := t.seed ^ uint64(k.id)<<16 ^ uint64(k.proto)<<8
	if k.v6 {
		h ^= 1
	}
	h = (h ^ binary.LittleEndian.Uint64(k.src[:8])) * m
	h = (h ^ binary.LittleEndian.Uint64(k.src[8:])) * m
	h = (h ^ binary.LittleEndian.Uint64(k.dst[:8])) * m
	h = (h ^ binary.LittleEndian.Uint64(k.dst[8:])) * m
	h ^= h >> 29
	return uint32(h >> 32)
}

func (t *fragTable) lookup(k *fragKey, h uint32) int {
	if t.index == nil {
		return -1
	}
	for i := h & (fragIndexSize - 1); ; i = (i + 1) & (fragIndexSize - 1) {
		e := int(t.index[i]) - 1
		if e < 0 {
			return -1
		}
		if t.ents[e].hash == h && t.ents[e].key == *k {
			return e
		}
	}
}

// insert makes an entry for k, evicting the oldest one if its slot is taken.
func (t *fragTable) insert(k *fragKey, h uint32, ts int64) *fragEntry {
	if t.ents == nil {
		t.ents = make([]fragEntry, fragSlots)
		t.index = make([]uint16, fragIndexSize)
	}
	e := int(t.tail % fragSlots)
	if t.ents[e].live {
		t.evict(e)
	}
	t.tail++
	if t.tail-t.head > fragSlots {
		t.head = t.tail - fragSlots
	}
	t.ents[e] = fragEntry{key: *k, born: ts, hash: h, live: true}
	t.live++
	i := h & (fragIndexSize - 1)
	for t.index[i] != 0 {
		i = (i + 1) & (fragIndexSize - 1)
	}
	t.index[i] = uint16(e + 1)
	return &t.ents[e]
}

// evict forgets entry e, counting what it never got.
func (t *fragTable) evict(e int) {
	ent := &t.ents[e]
	switch {
	case !ent.first:
		t.stats.Unattributed += uint64(ent.pkts)
	case !ent.last:
		t.stats.Incomplete++
	}
	t.remove(e)
}

// remove takes e out of the index by shifting back the entries that
// probed past it, so lookups need no tombstones.
func (t *fragTable) remove(e int) {
	t.ents[e].live = false
	t.live--
	const mask = fragIndexSize - 1
	i := t.ents[e].hash & mask
	for int(t.index[i]) != e+1 {
		i = (i + 1) & mask
	}
	for j := i; ; {
		t.index[i] = 0
		for {
			j = (j + 1) & mask
			if t.index[j] == 0 {
				return
			}
			home := t.ents[t.index[j]-1].hash & mask
			// Move j back to the hole at i unless its home lies cyclically in (i, j].
			if i <= j {
				if i < home && home <= j {
					continue
				}
			} else if i < home || home <= j {
				continue
			}
			break
		}
		t.index[i] = t.index[j]
		i = j
	}
}

// first records the first fragment of k with its flow key and hands the
// later fragments that came before it to p's Extra fields.
func (t *fragTable) first(k *fragKey, flow *Key, last bool, ts int64, p *Packet) {
	h := t.hash(k)
	var ent *fragEntry
	if e := t.lookup(k, h); e >= 0 {
		ent = &t.ents[e]
		if ent.first && ent.last && ent.flow != *flow {
			ent.last = false // the ID was reused by another datagram
		}
	} else {
		ent = t.insert(k, h, ts)
	}
	p.ExtraPackets, p.ExtraIPLen, p.ExtraFrameLen, p.ExtraPayloadLen = ent.pkts, ent.ipLen, ent.frameLen, ent.payLen
	p.ExtraFirstTS, p.ExtraFirstFrame = ent.heldTS, ent.heldFrame
	ent.pkts, ent.ipLen, ent.frameLen, ent.payLen = 0, 0, 0, 0
	ent.first, ent.flow = true, *flow
	ent.last = ent.last || last
}

// later records a non-first fragment of k. It reports whether the first
// fragment was seen, then setting *flow to its key; else it holds the
// fragment's count until the first one comes.
func (t *fragTable) later(k *fragKey, last bool, ipLen, payLen int, d *Decoder, flow *Key) bool {
	h := t.hash(k)
	var ent *fragEntry
	if e := t.lookup(k, h); e >= 0 {
		ent = &t.ents[e]
	} else {
		ent = t.insert(k, h, d.ts)
	}
	ent.last = ent.last || last
	if !ent.first {
		if ent.pkts == 0 {
			ent.heldTS, ent.heldFrame = d.ts, d.frameNo
		}
		ent.pkts++
		ent.ipLen += ipLen
		ent.payLen += payLen
		ent.frameLen += d.frameLen
		return false
	}
	*flow = ent.flow
	return true
}

// maybeExpire expires old entries at most once per fragExpireEvery of packet time.
func (t *fragTable) maybeExpire(ts int64) {
	if ts-t.lastExpire < fragExpireEvery && ts >= t.lastExpire {
		return
	}
	t.lastExpire = ts
	cutoff := ts - fragTimeout
	for ; t.head < t.tail; t.head++ {
		e := int(t.head % fragSlots)
		if t.ents[e].live {
			if t.ents[e].born > cutoff {
				return
			}
			t.evict(e)
		}
	}
}

// flush evicts every entry.
func (t *fragTable) flush() {
	for ; t.head < t.tail; t.head++ {
		if e := int(t.head % fragSlots); t.ents[e].live {
			t.evict(e)
		}
	}
}
