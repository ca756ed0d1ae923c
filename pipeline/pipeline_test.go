package pipeline_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/internal/synth"
	"github.com/flowscope/flowscope/internal/testcaps"
	"github.com/flowscope/flowscope/pipeline"
	"github.com/flowscope/flowscope/report"
)

// runJSON returns the JSON lines flowscope writes for paths with n workers.
func runJSON(t *testing.T, paths []string, n int, cfg flow.Config) ([]byte, *pipeline.FilesResult) {
	t.Helper()
	var out bytes.Buffer
	sink, err := report.NewSink(report.SinkConfig{Stdout: &out, Quiet: true, Options: report.Options{Format: "json"}})
	if err != nil {
		t.Fatal(err)
	}
	res := pipeline.RunFiles(paths, pipeline.Config{Flow: cfg, Workers: n}, sink, nil)
	if err := sink.Close(res.Summary("")); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), res
}

// captures lists the captures the determinism test runs: the fixtures, the
// shared public captures and nDPI's corpus, and a generated one.
func captures(t *testing.T) []string {
	root := testcaps.Root(t)
	var paths []string
	for _, pat := range []string{"testdata/*.pcap", "testdata/fixtures/*.pcap"} {
		m, _ := filepath.Glob(filepath.Join(root, pat))
		paths = append(paths, m...)
	}
	shared := testcaps.Dir(t)
	for _, pat := range []string{"*.pcap", "*.pcapng", "ndpi-corpus/*/*.pcap", "ndpi-corpus/*/*.pcapng", "ndpi-corpus/*.pcap", "ndpi-corpus/*.pcapng"} {
		m, _ := filepath.Glob(filepath.Join(shared, pat))
		paths = append(paths, m...)
	}
	gen := filepath.Join(t.TempDir(), "synth.pcap")
	f, err := os.Create(gen)
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.WritePcap(f, synth.Spec{Flows: 3000, Packets: 60000, Concurrency: 300, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return append(paths, gen)
}

// TestWorkersByteIdentical: the output does not depend on how many workers
// share the flows, nor on the process's random seeds.
func TestWorkersByteIdentical(t *testing.T) {
	paths := captures(t)
	t.Logf("%d captures", len(paths))
	if len(paths) < 150 {
		t.Fatalf("only %d captures found", len(paths))
	}
	// The CLI's bounds for its default --max-memory.
	cfg := flow.DefaultConfig()
	cfg.MaxFlows, cfg.MaxIdentifying = flow.Budget(512<<20, false)
	for _, path := range paths {
		name := strings.TrimPrefix(path, testcaps.Root(t))
		one, _ := runJSON(t, []string{path}, 1, cfg)
		for _, n := range []int{4} {
			got, _ := runJSON(t, []string{path}, n, cfg)
			if !bytes.Equal(one, got) {
				t.Errorf("%s: -j %d output differs from -j 1 (%d vs %d bytes)", name, n, len(got), len(one))
			}
		}
	}
}

// TestOrderByEnd: records come out ordered by the packet time their flow
// ended, so a record is never held back behind a long flow that began
// earlier.
func TestOrderByEnd(t *testing.T) {
	var recs []flow.Record
	c := &collect{fn: func(r *flow.Record) { recs = append(recs, *r) }}
	root := testcaps.Root(t)
	pipeline.RunFiles([]string{filepath.Join(root, "testdata/fixtures/end_idle_udp.pcap"), filepath.Join(root, "testdata/zeek__gre-sample.pcap")},
		pipeline.Config{Flow: flow.DefaultConfig(), Workers: 3}, c, nil)
	if len(recs) < 5 {
		t.Fatalf("%d records", len(recs))
	}
	for i := 1; i < len(recs); i++ {
		a, b := &recs[i-1], &recs[i]
		if a.End > b.End || a.End == b.End && a.ID >= b.ID {
			t.Errorf("record %d (end %d, id %d) before record %d (end %d, id %d)", i-1, a.End, a.ID, i, b.End, b.ID)
		}
	}
}

type collect struct{ fn func(*flow.Record) }

func (c *collect) Write(r *flow.Record) error { c.fn(r); return nil }
func (c *collect) Flush() error               { return nil }
func (c *collect) Close(*report.Summary) error {
	return nil
}
