package main

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/flowscope/flowscope/internal/synth"
)

// BenchmarkWholeFile runs the CLI pipeline (read → decode → table → JSON
// output) over a synthetic capture of 2M packets and 100k flows, made in a
// temporary directory. One op is one whole run; pkts/s is the figure to
// compare with other tools on the same file.
func BenchmarkWholeFile(b *testing.B) {
	const packets = 2_000_000
	path := synthCapture(b, synth.Spec{Flows: 100_000, Packets: packets, Concurrency: 20_000, Seed: 1})
	for _, format := range []string{"json", "table"} {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for i := 0; i < b.N; i++ {
				if code := run([]string{"-q", "-o", format, "-r", path}, io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(packets)*float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(packets)/float64(b.N), "allocs/pkt")
		})
	}
}

// synthCapture writes a generated capture into a temporary directory.
func synthCapture(b *testing.B, spec synth.Spec) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "synth.pcap")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := synth.WritePcap(f, spec); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}
