//go:build linux

package pipeline_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowscope/flowscope/capture"
	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/internal/synth"
	"github.com/flowscope/flowscope/pipeline"
)

// cutter truncates a file once the read has come far enough.
type cutter struct {
	path string
	cut  bool
}

func (c *cutter) Update(uint64) {
	if !c.cut {
		c.cut = true
		os.Truncate(c.path, 4096)
	}
}
func (c *cutter) Done() {}

// TestFileCutShortWhileMapped: an input that another process cuts short
// while it is mapped is reported as that input's read error, with the
// records of what was read before it; the run neither crashes with SIGBUS
// nor loses the other input.
func TestFileCutShortWhileMapped(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, flows int, seed int64) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := synth.WriteSource(f, synth.NewFloodGenerator(synth.FloodSpec{Flows: flows, Seed: seed})); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return path
	}
	cut := write("cut.pcap", 100000, 1) // progress is told every 65536 frames
	whole := write("whole.pcap", 1000, 2)
	c := &cutter{path: cut}
	var flows int
	res := pipeline.RunFiles([]string{cut, whole}, pipeline.Config{Flow: flow.DefaultConfig(), Workers: 2},
		&collect{fn: func(*flow.Record) { flows++ }},
		func([]*capture.File) pipeline.Progress { return c })
	if !c.cut {
		t.Fatal("the progress callback never ran: the file was not cut")
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "shrank while it was read") {
		t.Fatalf("errors %v, want the cut file's", res.Errors)
	}
	if p := res.Inputs[0].Problem; !strings.Contains(p, "shrank") || res.Inputs[1].Problem != "" {
		t.Errorf("problems: %q, %q", p, res.Inputs[1].Problem)
	}
	// Every frame read before the cut (the two inputs interleave in time)
	// is a flow; the other input is whole.
	if flows < 65536 || flows >= 100000+1000 || res.Inputs[1].Packets != 1000 {
		t.Errorf("%d flows, %d packets of the whole input", flows, res.Inputs[1].Packets)
	}
}
