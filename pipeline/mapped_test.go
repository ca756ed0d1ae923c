//go:build linux

package pipeline_test

import (
	"errors"
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
	size int64 // 4096 when 0
	cut  bool
}

func (c *cutter) Update(uint64) {
	if !c.cut {
		c.cut = true
		os.Truncate(c.path, max(c.size, 4096))
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

// cutAtOpen truncates a file as soon as the inputs are open, before the
// first frame is read.
type cutAtOpen struct{}

func (cutAtOpen) Update(uint64) {}
func (cutAtOpen) Done()         {}

// TestFileCutBeforeFirstRead: the merge reads every input once before it
// orders them; a fault in that first read (an input cut between open and
// read) fails that input alone, and the others are read whole.
func TestFileCutBeforeFirstRead(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i, name := range []string{"a.pcap", "b.pcap", "c.pcap"} {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := synth.WriteSource(f, synth.NewFloodGenerator(synth.FloodSpec{Flows: 1000, Seed: int64(i + 1)})); err != nil {
			t.Fatal(err)
		}
		f.Close()
		paths = append(paths, path)
	}
	res := pipeline.RunFiles(paths, pipeline.Config{Flow: flow.DefaultConfig(), Workers: 2}, &collect{fn: func(*flow.Record) {}},
		func([]*capture.File) pipeline.Progress {
			os.Truncate(paths[0], 0)
			return cutAtOpen{}
		})
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "shrank while it was read") {
		t.Fatalf("errors %v, want a.pcap's", res.Errors)
	}
	if res.Inputs[0].Packets != 0 || res.Inputs[1].Packets != 1000 || res.Inputs[2].Packets != 1000 {
		t.Errorf("packets read: %d, %d, %d", res.Inputs[0].Packets, res.Inputs[1].Packets, res.Inputs[2].Packets)
	}
}

// TestFilteredFileCutShort: the BPF filter reads frames in libpcap's C,
// where a fault cannot be turned into an error, so a filtered input is read,
// not mapped: one cut mid-run ends in a read error, never SIGBUS. The header
// of the record read right after progress is told of 65536 frames ends on a
// page boundary, and the file is cut there (mapped, the filter would touch
// the next page first: the reviewer's crash, every time).
func TestFilteredFileCutShort(t *testing.T) {
	path := filepath.Join(t.TempDir(), "filtered.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := synth.NewPcapWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	// 24 + 16 + 968 = 1008, then records of 16 + 1008 = 1024 bytes: the
	// header of record k (0-based, k >= 1) ends at k·1024.
	frame := func(n int) synth.Frame { return synth.Frame{Data: make([]byte, n), TS: 1_700_000_000e9} }
	if err := pw.Write(frame(968)); err != nil {
		t.Fatal(err)
	}
	for range 70000 {
		if err := pw.Write(frame(1008)); err != nil {
			t.Fatal(err)
		}
	}
	if err := pw.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	filter, err := capture.NewFilter("udp")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{path: path, size: 65536 * 1024}
	res := pipeline.RunFiles([]string{path}, pipeline.Config{Flow: flow.DefaultConfig(), Workers: 2, Filter: filter},
		&collect{fn: func(*flow.Record) {}}, func([]*capture.File) pipeline.Progress { return c })
	if !c.cut {
		t.Fatal("the file was not cut")
	}
	var ce *capture.Error
	if len(res.Errors) != 1 || !errors.As(res.Errors[0], &ce) || ce.Kind != capture.Truncated {
		t.Fatalf("errors %v, want the file's truncation (read, not mapped)", res.Errors)
	}
}
