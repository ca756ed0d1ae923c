package flow_test

import (
	"runtime"
	"testing"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/internal/synth"
)

// BenchmarkAnalyzer measures the hot path (decode → key → table update) on
// frames already in memory: 100k flows, 20k open at once, TCP and UDP,
// IPv4 and IPv6. One op is one packet.
func BenchmarkAnalyzer(b *testing.B) {
	const n = 1 << 20
	g := synth.NewGenerator(synth.Spec{Flows: 100_000, Packets: n, Concurrency: 20_000, Seed: 1})
	type frame struct {
		data []byte
		ts   int64
	}
	frames := make([]frame, 0, n)
	for {
		f, ok := g.Next()
		if !ok {
			break
		}
		frames = append(frames, frame{append([]byte(nil), f.Data...), f.TS})
	}
	var flows int
	an := flow.NewAnalyzer(flow.DefaultConfig(), func(*flow.Record) { flows++ })
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	var shift int64
	for i := 0; i < b.N; i++ {
		j := i % len(frames)
		if j == 0 && i > 0 {
			// Replay later in time so the earlier round's flows expire.
			shift += frames[len(frames)-1].ts - frames[0].ts + int64(10*60e9)
		}
		f := &frames[j]
		an.Add(f.data, 1, len(f.data), f.ts+shift, uint64(i+1))
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
	// allocs/op rounds down; this is the exact figure (flow records and
	// the evidence strings of service identification).
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N), "allocs/pkt")
}
