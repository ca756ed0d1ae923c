package dnsmeta

import (
	"net/netip"
	"testing"
)

// answer builds a response to qname from (owner, type, value) triples where
// value is an address for A/AAAA and a target name for CNAME.
func answer(qname string, rrs ...[3]string) *Message {
	m := &Message{Response: true, RCode: "NOERROR", Questions: []Question{{qname, "A", "IN"}}}
	for _, r := range rrs {
		a := Answer{Name: r[0], Type: r[1]}
		if r[1] == "CNAME" {
			a.Target = r[2]
		} else {
			a.Addr = netip.MustParseAddr(r[2])
		}
		m.Answers = append(m.Answers, a)
	}
	return m
}

func TestCache(t *testing.T) {
	type step struct {
		add    *Message
		lookup string // address looked up after add, if any
		want   string // "" means not found
	}
	tests := []struct {
		name  string
		max   int
		steps []step
	}{
		{"evicts least recently added", 2, []step{
			{add: answer("a", [3]string{"a", "A", "10.0.0.1"})},
			{add: answer("b", [3]string{"b", "A", "10.0.0.2"})},
			{add: answer("c", [3]string{"c", "A", "10.0.0.3"}), lookup: "10.0.0.1"},
			{lookup: "10.0.0.2", want: "b"},
			{lookup: "10.0.0.3", want: "c"},
		}},
		{"lookup refreshes", 2, []step{
			{add: answer("a", [3]string{"a", "A", "10.0.0.1"})},
			{add: answer("b", [3]string{"b", "A", "10.0.0.2"}), lookup: "10.0.0.1", want: "a"},
			{add: answer("c", [3]string{"c", "A", "10.0.0.3"}), lookup: "10.0.0.2"},
			{lookup: "10.0.0.1", want: "a"},
		}},
		{"re-add renames and refreshes", 2, []step{
			{add: answer("a", [3]string{"a", "A", "10.0.0.1"})},
			{add: answer("b", [3]string{"b", "A", "10.0.0.2"})},
			{add: answer("a2", [3]string{"a2", "A", "10.0.0.1"})},
			{add: answer("c", [3]string{"c", "A", "10.0.0.3"}), lookup: "10.0.0.2"},
			{lookup: "10.0.0.1", want: "a2"},
		}},
		{"capacity one", 0, []step{
			{add: answer("a", [3]string{"a", "A", "10.0.0.1"})},
			{add: answer("b", [3]string{"b", "A", "10.0.0.2"}), lookup: "10.0.0.1"},
			{lookup: "10.0.0.2", want: "b"},
		}},
		{"cname chain to question", 8, []step{
			{add: answer("www.example.com",
				[3]string{"www.example.com", "CNAME", "edge.cdn.net"},
				[3]string{"edge.cdn.net", "CNAME", "e1.cdn.net"},
				[3]string{"e1.cdn.net", "A", "192.0.2.7"},
				[3]string{"e1.cdn.net", "AAAA", "2001:db8::7"}), lookup: "192.0.2.7", want: "www.example.com"},
			{lookup: "2001:db8::7", want: "www.example.com"},
			{lookup: "::ffff:192.0.2.7", want: "www.example.com"},
		}},
		{"cname loop stops", 8, []step{
			{add: answer("x",
				[3]string{"x", "CNAME", "y"},
				[3]string{"y", "CNAME", "x"},
				[3]string{"y", "A", "192.0.2.8"}), lookup: "192.0.2.8", want: "x"},
		}},
		{"queries ignored", 8, []step{
			{add: &Message{Answers: []Answer{{Name: "q", Type: "A", Addr: netip.MustParseAddr("192.0.2.9")}}}, lookup: "192.0.2.9"},
			{add: nil, lookup: "192.0.2.9"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCache(tc.max)
			for i, s := range tc.steps {
				c.Add(s.add)
				if s.lookup == "" {
					continue
				}
				got, ok := c.Lookup(netip.MustParseAddr(s.lookup))
				if got != s.want || ok != (s.want != "") {
					t.Fatalf("step %d: Lookup(%s) = %q, %v; want %q", i, s.lookup, got, ok, s.want)
				}
			}
		})
	}
}

// TestCacheCaptures names addresses from real responses with CNAME chains.
func TestCacheCaptures(t *testing.T) {
	c := NewCache(1024)
	for _, fx := range loadFixtures(t) {
		m, err := Parse(fx.payload)
		if err != nil {
			t.Fatal(err)
		}
		c.Add(m)
	}
	for _, tc := range []struct{ addr, want string }{
		{"23.194.101.24", "www.apple.com"},       // three CNAMEs deep
		{"54.191.17.51", "ios.nccp.netflix.com"}, // two CNAMEs
		{"2620:108:700f::3429:fe2a", "ios.nccp.netflix.com"},
		{"2607:f8b0:4023:2007::66", "google.com"},
		{"184.25.204.24", "a803.dscg.akamai.net"},
		{"2606:4700:30::6818:6291", "erfpop.de"},
	} {
		if got, ok := c.Lookup(netip.MustParseAddr(tc.addr)); !ok || got != tc.want {
			t.Errorf("Lookup(%s) = %q, %v; want %q", tc.addr, got, ok, tc.want)
		}
	}
}

func TestCacheLookupNoAlloc(t *testing.T) {
	c := NewCache(2)
	c.Add(answer("a", [3]string{"a", "AAAA", "2001:db8::1"}))
	hit, miss := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
	if n := testing.AllocsPerRun(100, func() { c.Lookup(hit); c.Lookup(miss) }); n != 0 {
		t.Fatalf("Lookup allocates %v times", n)
	}
}

func BenchmarkCacheLookup(b *testing.B) {
	c := NewCache(1 << 16)
	addrs := make([]netip.Addr, 1<<16)
	for i := range addrs {
		addrs[i] = netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
		c.put(addrs[i], "x")
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Lookup(addrs[i&(1<<16-1)])
	}
}
