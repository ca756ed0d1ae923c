package synth

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

func TestFloodShape(t *testing.T) {
	const flows = 100_000
	g := NewFloodGenerator(FloodSpec{Flows: flows, Rate: 50_000, Seed: 3})
	type tuple struct {
		src, dst     uint32
		sport, dport uint16
	}
	seen := make(map[tuple]bool, flows)
	var first, last int64
	n := 0
	for {
		f, ok := g.Next()
		if !ok {
			break
		}
		if n == 0 {
			first = f.TS
		} else if f.TS < last {
			t.Fatalf("frame %d goes back in time", n)
		}
		last = f.TS
		n++
		b := f.Data
		if binary.BigEndian.Uint16(b[12:]) != 0x0800 || b[14] != 0x45 || b[23] != 17 {
			t.Fatalf("frame %d is not IPv4/UDP: % x", n, b[:24])
		}
		if ipv4Checksum(b[14:34]) != 0 {
			t.Fatalf("frame %d: bad IPv4 checksum", n)
		}
		if int(binary.BigEndian.Uint16(b[16:])) != len(b)-14 || int(binary.BigEndian.Uint16(b[38:])) != len(b)-34 {
			t.Fatalf("frame %d: lengths disagree with the frame's %d bytes", n, len(b))
		}
		if p := len(b) - 42; p < floodMinPayload || p >= floodMinPayload+floodPayloadSpan {
			t.Fatalf("frame %d: payload of %d bytes", n, p)
		}
		k := tuple{binary.BigEndian.Uint32(b[26:]), binary.BigEndian.Uint32(b[30:]), binary.BigEndian.Uint16(b[34:]), binary.BigEndian.Uint16(b[36:])}
		for _, a := range []uint32{k.src, k.dst} {
			if o := a >> 24; o == 0 || o == 127 || o >= 224 {
				t.Fatalf("frame %d: address %08x is not ordinary unicast", n, a)
			}
		}
		if k.sport < 1024 || k.dport == 0 {
			t.Fatalf("frame %d: ports %d > %d", n, k.sport, k.dport)
		}
		if seen[k] {
			t.Fatalf("frame %d repeats a 5-tuple", n)
		}
		seen[k] = true
	}
	if n != flows {
		t.Fatalf("%d frames, want %d", n, flows)
	}
	// 100k flows at 50k/s span about 2 s of packet time.
	if span := time.Duration(last - first); span < 1900*time.Millisecond || span > 2100*time.Millisecond {
		t.Fatalf("capture spans %v, want about 2s", span)
	}
}

func TestFloodDeterministic(t *testing.T) {
	write := func(seed int64) []byte {
		var b bytes.Buffer
		if err := WriteSource(&b, NewFloodGenerator(FloodSpec{Flows: 1000, Seed: seed})); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	if !bytes.Equal(write(1), write(1)) {
		t.Fatal("the same seed gave different captures")
	}
	if bytes.Equal(write(1), write(2)) {
		t.Fatal("two seeds gave the same capture")
	}
}

func TestEndless(t *testing.T) {
	g := NewFloodGenerator(FloodSpec{Seed: 1})
	for i := 0; i < 10_000; i++ {
		if _, ok := g.Next(); !ok {
			t.Fatalf("endless flood ended after %d frames", i)
		}
	}
	// A mix of 10 packets per flow at 1000 new flows/s: 10k packets per
	// second of packet time, going on past Packets.
	m := NewGenerator(Spec{Flows: 100, Packets: 1000, Concurrency: 50, Seed: 1, Rate: 1000, Endless: true})
	var first, last int64
	for i := 0; i < 100_000; i++ {
		f, ok := m.Next()
		if !ok {
			t.Fatalf("endless mix ended after %d frames", i)
		}
		if i == 0 {
			first = f.TS
		}
		last = f.TS
	}
	if span := time.Duration(last - first); span < 9*time.Second || span > 11*time.Second {
		t.Fatalf("100k packets of 10 per flow at 1000 flows/s span %v, want about 10s", span)
	}
}

func TestGeneratorsDoNotAllocate(t *testing.T) {
	for name, src := range map[string]Source{
		"mix":   NewGenerator(Spec{Flows: 1000, Packets: 1 << 30, Concurrency: 100, Seed: 1}),
		"flood": NewFloodGenerator(FloodSpec{Seed: 1}),
	} {
		src.Next() // the mix allocates its active set on the first call
		if a := testing.AllocsPerRun(10_000, func() { src.Next() }); a != 0 {
			t.Errorf("%s: %v allocations per frame", name, a)
		}
	}
}

// BenchmarkFlood measures generating the flood: frames per second.
func BenchmarkFlood(b *testing.B) {
	g := NewFloodGenerator(FloodSpec{Seed: 1})
	b.ReportAllocs()
	for b.Loop() {
		g.Next()
	}
}
