//go:build linux

package capture

import (
	"bytes"
	"errors"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestMappedMatchesRead reads every pcap of the manifest mapped (as
// OpenFile does) and through read(2) (Open on a reader), packet by packet.
func TestMappedMatchesRead(t *testing.T) {
	n := 0
	for _, m := range readManifest(t) {
		data := readCapture(t, m.file)
		f, err := OpenFile(capture(t, m.file))
		if err != nil {
			t.Fatal(err)
		}
		if f.Format() != "pcap" {
			f.Close()
			continue
		}
		n++
		t.Run(m.file, func(t *testing.T) {
			defer f.Close()
			if f.pcap.mem == nil {
				t.Fatal("an uncompressed pcap on disk is not mapped")
			}
			mapped, merr := readAll(t, f)
			r, err := Open(bytes.NewReader(data), capture(t, m.file))
			if err != nil {
				t.Fatal(err)
			}
			read, rerr := readAll(t, r)
			if (merr == nil) != (rerr == nil) || merr != nil && merr.Error() != rerr.Error() {
				t.Fatalf("mapped: %v; read: %v", merr, rerr)
			}
			if len(mapped) != len(read) {
				t.Fatalf("mapped %d packets, read %d", len(mapped), len(read))
			}
			for i := range read {
				a, b := mapped[i], read[i]
				if !bytes.Equal(a.Data, b.Data) || !a.Timestamp.Equal(b.Timestamp) || a.Len != b.Len || a.LinkType != b.LinkType {
					t.Fatalf("packet %d differs", i+1)
				}
			}
		})
	}
	if n < 3 {
		t.Fatalf("only %d pcap files in the manifest", n)
	}
}

// bigPcap is a pcap of n 1000-byte frames, several pages long.
func bigPcap(n int) []byte {
	pkts := make([]Packet, n)
	for i := range pkts {
		pkts[i] = Packet{Data: frame(i, 1000), Len: 1000, Timestamp: time.Unix(int64(1e9+i), 0)}
	}
	return pcapFile(1, 65535, pkts...)
}

// TestMappedFileCutShort: a mapped file cut short by another process while
// it is read is an IO error naming what happened, from Next and from code
// that touches a packet's data under debug.SetPanicOnFault, not SIGBUS.
func TestMappedFileCutShort(t *testing.T) {
	path := writeTemp(t, "cut.pcap", bigPcap(200))
	// open writes the whole file again, opens it and reads n packets
	// into p, then cuts the file to size (unless 0).
	open := func(t *testing.T, n int, p *Packet, size int64) *File {
		t.Helper()
		if err := os.WriteFile(path, bigPcap(200), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		for range n {
			if err := f.Next(p); err != nil {
				t.Fatal(err)
			}
		}
		if size > 0 {
			if err := os.Truncate(path, size); err != nil {
				t.Fatal(err)
			}
		}
		return f
	}
	t.Run("next", func(t *testing.T) {
		var p Packet
		f := open(t, 1, &p, 8192)
		var err error
		got := 1
		for err = f.Next(&p); err == nil; err = f.Next(&p) {
			got++
		}
		var e *Error
		if !errors.As(err, &e) || e.Kind != IO || !strings.Contains(err.Error(), "shrank while it was read") {
			t.Fatalf("after %d packets: %v", got, err)
		}
		if got > 9 || e.Packets != uint64(got) {
			t.Errorf("%d packets read, error says %d", got, e.Packets)
		}
		if err2 := f.Next(&p); err2 != err {
			t.Errorf("not sticky: %v", err2)
		}
	})
	t.Run("data", func(t *testing.T) {
		var p Packet
		f := open(t, 100, &p, 8192)
		touch := func() (recovered bool) {
			defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
			defer func() { recovered = Recover(recover()) }()
			_ = slices.Clone(p.Data) // the decoder reading the frame
			return false
		}
		if !touch() {
			t.Fatal("touching a frame past the new end of the file did not fault into Recover")
		}
		if err := f.Next(&p); err == nil || !strings.Contains(err.Error(), "shrank while it was read") {
			t.Fatalf("Next after the fault: %v", err)
		}
	})
	t.Run("cut mid-page ahead", func(t *testing.T) {
		// Past the new end, the rest of its page reads as zeros: no
		// record of 1970 with nothing captured may come out of them.
		var p Packet
		f := open(t, 1, &p, 8192+50)
		var err error
		n := 1
		for err = f.Next(&p); err == nil; err = f.Next(&p) {
			n++
			if p.CapLen == 0 || p.Timestamp.Unix() == 0 {
				t.Fatalf("packet %d: %d bytes at %v, made of the zeros past the end", n, p.CapLen, p.Timestamp)
			}
		}
		if !strings.Contains(err.Error(), "shrank while it was read") || !strings.Contains(err.Error(), "8242 now") ||
			!strings.Contains(err.Error(), "the last packet read may end in zeros") {
			t.Errorf("after %d packets: %v", n, err)
		}
	})
	t.Run("read, not mapped", func(t *testing.T) {
		f := open(t, 0, nil, 0)
		f.ReadNotMapped()
		if f.pcap.mem != nil {
			t.Fatal("still mapped")
		}
		pkts, err := readAll(t, f)
		if err != nil || len(pkts) != 200 {
			t.Fatalf("%d packets, %v", len(pkts), err)
		}
	})
	t.Run("other panics", func(t *testing.T) {
		if Recover(errors.New("x")) || Recover(nil) || Recover(io.EOF) {
			t.Error("Recover took a panic that is no fault in a mapped file")
		}
	})
}
