package pipeline_test

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/internal/synth"
	"github.com/flowscope/flowscope/pipeline"
	"github.com/flowscope/flowscope/report"
)

// TestFloodHeapBounded runs a flood of one-packet UDP flows with random
// 5-tuples, all still open at the end of the capture, under a 32 MiB flow
// budget, and checks that the heap stays within the budget and a margin
// (batches, pools), whatever the number of flows seen.
func TestFloodHeapBounded(t *testing.T) {
	const flows, budget = 300000, 32 << 20
	gen := filepath.Join(t.TempDir(), "flood.pcap")
	f, err := os.Create(gen)
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteSource(f, synth.NewFloodGenerator(synth.FloodSpec{Flows: flows, Seed: 3})); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, flowsOnly := range []bool{false, true} {
		cfg := flow.DefaultConfig()
		cfg.FlowsOnly = flowsOnly
		cfg.MaxFlows, cfg.MaxIdentifying = flow.Budget(budget, flowsOnly)
		var peak uint64
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		n := 0
		c := &collect{fn: func(*flow.Record) {
			if n++; n%2000 == 0 {
				metrics.Read(sample)
				peak = max(peak, sample[0].Value.Uint64())
			}
		}}
		runtime.GC()
		metrics.Read(sample)
		base := sample[0].Value.Uint64()
		res := pipeline.RunFiles([]string{gen}, pipeline.Config{Flow: cfg, Workers: 2}, c, nil)
		if res.Stats.Flows != flows || res.Stats.EndReasons["evicted"] == 0 {
			t.Fatalf("flows-only %v: %d flows, %d evicted: the flood did not fill the table", flowsOnly, res.Stats.Flows, res.Stats.EndReasons["evicted"])
		}
		grown := int64(peak) - int64(base)
		t.Logf("flows-only %v: heap grew %d MiB at most; %d evicted, %d unidentified", flowsOnly, grown>>20, res.Stats.EndReasons["evicted"], res.Stats.Unidentified)
		// The records in flight and the pipeline's buffers take a few MiB
		// (up to 24 measured, 2 workers, flows-only holding 84k entries),
		// with room for a loaded machine's late collections; 300k flows held
		// whole would take over 100 MiB of entries and index alone.
		if grown > budget+32<<20 {
			t.Errorf("flows-only %v: heap grew by %d MiB under a %d MiB budget", flowsOnly, grown>>20, budget>>20)
		}
	}
}

var _ report.Sink = (*collect)(nil)
