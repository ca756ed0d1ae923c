package capture

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/flowscope/flowscope/internal/testcaps"
)

// FuzzOpen: any input either reads to io.EOF or fails with an *Error; it
// never panics, CapLen always matches Data, and the packets an error
// counts are the packets read. Seeds: every small capture in testdata/,
// plus a few gzip and zstd compressed, so the decompressing path is
// fuzzed too; regression inputs are in testdata/fuzz/FuzzOpen.
func FuzzOpen(f *testing.F) {
	seeds := testcaps.Small(f, 16<<10)
	for i, data := range seeds {
		f.Add(data)
		if i%8 == 0 {
			f.Add(gzipBytes(f, data))
			f.Add(zstdBytes(f, data))
		}
	}
	f.Logf("%d seeds from %d captures", len(seeds)+2*((len(seeds)+7)/8), len(seeds))
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := Open(bytes.NewReader(data), "fuzz")
		var n uint64
		for err == nil {
			var p Packet
			if err = src.Next(&p); err == nil {
				n++
				if p.CapLen != len(p.Data) {
					t.Fatalf("CapLen %d, len(Data) %d", p.CapLen, len(p.Data))
				}
			}
		}
		if src != nil {
			src.Close()
		}
		var e *Error
		switch {
		case err == io.EOF:
		case !errors.As(err, &e):
			t.Fatalf("error %v (%T) is not an *Error", err, err)
		case src != nil && e.Packets != n:
			t.Fatalf("%d packets read, the error says %d: %v", n, e.Packets, err)
		}
	})
}
