package dnsmeta

import (
	"net/netip"
	"sync"
)

// Cache maps addresses to the name they were looked up by, keeping the most
// recently used max entries. It is safe for concurrent use.
type Cache struct {
	mu      sync.Mutex
	index   map[netip.Addr]int32
	entries []cacheEntry // fixed slots; the LRU list is threaded through them
	head    int32        // most recently used, or -1
	tail    int32        // least recently used, or -1
}

// cacheEntry is one slot; prev and next link it into the LRU list by index
// rather than by pointer, so nothing is allocated once the slots exist.
type cacheEntry struct {
	addr       netip.Addr
	name       string
	prev, next int32
}

// NewCache returns a cache holding at most n addresses (at least 1).
func NewCache(n int) *Cache {
	n = min(max(n, 1), 1<<30) // slot indexes are int32
	return &Cache{
		index:   make(map[netip.Addr]int32, n),
		entries: make([]cacheEntry, 0, n),
		head:    -1,
		tail:    -1,
	}
}

// Add records, for each A/AAAA answer of a response, the name at the start of
// its CNAME chain, normally the question name.
func (c *Cache) Add(m *Message) {
	if m == nil || !m.Response {
		return
	}
	for i := range m.Answers {
		if a := &m.Answers[i]; a.Addr.IsValid() {
			c.put(a.Addr.Unmap(), chainStart(m.Answers, a.Name))
		}
	}
}

// chainStart walks CNAME records backwards from name. Each step consumes one
// record, so a looping chain stops after len(answers) steps.
func chainStart(answers []Answer, name string) string {
	for range answers {
		found := false
		for i := range answers {
			if a := &answers[i]; a.Type == "CNAME" && a.Target == name && a.Name != name {
				name, found = a.Name, true
				break
			}
		}
		if !found {
			break
		}
	}
	return name
}

// Lookup returns the name addr was last resolved from and marks it as used.
func (c *Cache) Lookup(addr netip.Addr) (name string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, ok := c.index[addr.Unmap()]
	if !ok {
		return "", false
	}
	c.moveToFront(i)
	return c.entries[i].name, true
}

// Peek returns the name addr was last resolved from, leaving the order of
// eviction alone: what stays cached then depends only on the answers, in
// the order they came, not on which flows looked a name up.
func (c *Cache) Peek(addr netip.Addr) (name string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, ok := c.index[addr.Unmap()]
	if !ok {
		return "", false
	}
	return c.entries[i].name, true
}

// Len returns the number of addresses held.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.index)
}

func (c *Cache) put(addr netip.Addr, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.index[addr]; ok {
		c.entries[i].name = name
		c.moveToFront(i)
		return
	}
	var i int32
	if len(c.entries) < cap(c.entries) {
		i = int32(len(c.entries))
		c.entries = append(c.entries, cacheEntry{prev: -1, next: -1})
	} else {
		i = c.tail // reuse the least recently used slot
		c.unlink(i)
		delete(c.index, c.entries[i].addr)
	}
	c.entries[i].addr, c.entries[i].name = addr, name
	c.index[addr] = i
	c.pushFront(i)
}

func (c *Cache) moveToFront(i int32) {
	if c.head != i {
		c.unlink(i)
		c.pushFront(i)
	}
}

func (c *Cache) unlink(i int32) {
	e := &c.entries[i]
	if e.prev >= 0 {
		c.entries[e.prev].next = e.next
	} else {
		c.head = e.next
	}
	if e.next >= 0 {
		c.entries[e.next].prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next = -1, -1
}

func (c *Cache) pushFront(i int32) {
	e := &c.entries[i]
	e.prev, e.next = -1, c.head
	if c.head >= 0 {
		c.entries[c.head].prev = i
	}
	c.head = i
	if c.tail < 0 {
		c.tail = i
	}
}
