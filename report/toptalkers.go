package report

import (
	"cmp"
	"container/heap"
	"net/netip"
	"slices"
)

// talkerSlots bounds the addresses the summary counts bytes for: a flood
// of random addresses must not grow memory with every flow.
const talkerSlots = 2048

type talker struct {
	ip           netip.Addr
	bytes, flows uint64
	// errBytes and errFlows are what the address inherited with its slot:
	// it sent and received at least bytes-errBytes in flows-errFlows flows.
	errBytes, errFlows uint64
}

// topTalkers keeps the addresses that sent and received the most bytes in
// a fixed number of slots (weighted Space-Saving, Metwally et al. 2005):
// exact while the addresses fit, and past that an address that is not kept
// takes the slot of the smallest, inheriting its count. Any address with
// more bytes than that smallest count is kept, so the top of the list is
// right; its bytes may be over-counted by at most the smallest count.
type topTalkers struct {
	slots    int
	index    map[netip.Addr]int32 // address -> its place in items
	items    []talker
	order    []int32 // min-heap of items by bytes
	pos      []int32 // each item's place in order
	replaced uint64  // addresses that took another's slot
}

func newTopTalkers(slots int) topTalkers {
	return topTalkers{slots: slots, index: map[netip.Addr]int32{}}
}

func (t *topTalkers) add(ip netip.Addr, bytes uint64) { t.addN(talker{ip: ip, bytes: bytes, flows: 1}) }

// addN counts another count of an address (one flow, or another tally's).
func (t *topTalkers) addN(c talker) {
	ip, bytes, flows := c.ip, c.bytes, c.flows
	if i, ok := t.index[ip]; ok {
		t.items[i].bytes += bytes
		t.items[i].flows += flows
		t.items[i].errBytes += c.errBytes
		t.items[i].errFlows += c.errFlows
		heap.Fix((*talkerHeap)(t), int(t.pos[i]))
		return
	}
	if len(t.items) < t.slots {
		i := int32(len(t.items))
		t.items = append(t.items, c)
		t.pos = append(t.pos, int32(len(t.order)))
		t.index[ip] = i
		heap.Push((*talkerHeap)(t), i)
		return
	}
	i := t.order[0]
	delete(t.index, t.items[i].ip)
	t.items[i].ip = ip
	t.items[i].errBytes, t.items[i].errFlows = t.items[i].bytes+c.errBytes, t.items[i].flows+c.errFlows
	t.items[i].bytes += bytes
	t.items[i].flows += flows
	t.index[ip] = i
	t.replaced++
	heap.Fix((*talkerHeap)(t), 0)
}

// top returns the n addresses with the most bytes (ties by address). Once
// addresses took others' slots, it ranks them by what they surely had
// (the counts less what they inherited) and returns those counts.
func (t *topTalkers) top(n int) []talker {
	list := slices.Clone(t.items)
	for i := range list {
		list[i].bytes -= list[i].errBytes
		list[i].flows -= list[i].errFlows
	}
	slices.SortFunc(list, func(a, b talker) int {
		if c := cmp.Compare(b.bytes, a.bytes); c != 0 {
			return c
		}
		return a.ip.Compare(b.ip)
	})
	return list[:min(len(list), n)]
}

// talkerHeap orders topTalkers.order by bytes, keeping pos in step.
type talkerHeap topTalkers

func (h *talkerHeap) Len() int { return len(h.order) }
func (h *talkerHeap) Less(a, b int) bool {
	x, y := &h.items[h.order[a]], &h.items[h.order[b]]
	if x.bytes != y.bytes {
		return x.bytes < y.bytes
	}
	return y.ip.Less(x.ip) // of equal counts the larger address goes first, as top lists it last
}
func (h *talkerHeap) Swap(a, b int) {
	h.order[a], h.order[b] = h.order[b], h.order[a]
	h.pos[h.order[a]], h.pos[h.order[b]] = int32(a), int32(b)
}
func (h *talkerHeap) Push(x any) { h.order = append(h.order, x.(int32)) }
func (h *talkerHeap) Pop() any {
	x := h.order[len(h.order)-1]
	h.order = h.order[:len(h.order)-1]
	return x
}
