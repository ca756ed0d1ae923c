package capture

import (
	"bytes"
	"io"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// TestAsyncReaderFaithful: through the goroutine come the same data and the
// same final error as straight from the decompressor, for streams cut
// anywhere and damaged ones.
func TestAsyncReaderFaithful(t *testing.T) {
	plain := readCapture(t, "tcpdump__dns_tcp.pcap")
	big := synthPcap(3000) // several chunks
	newGzip := func(b []byte) (io.ReadCloser, error) { return gzip.NewReader(bytes.NewReader(b)) }
	newZstd := func(b []byte) (io.ReadCloser, error) {
		d, err := zstd.NewReader(bytes.NewReader(b), zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		return d.IOReadCloser(), nil
	}
	for _, tt := range []struct {
		comp string
		data []byte
		open func([]byte) (io.ReadCloser, error)
	}{
		{"gzip", gzipBytes(t, plain), newGzip},
		{"zstd", zstdBytes(t, plain), newZstd},
		{"gzip", gzipBytes(t, big), newGzip},
		{"zstd", zstdBytes(t, big), newZstd},
	} {
		inputs := [][]byte{tt.data}
		damaged := bytes.Clone(tt.data)
		for i := len(damaged) / 2; i < len(damaged)/2+16; i++ {
			damaged[i] ^= 0x5a
		}
		inputs = append(inputs, damaged)
		step := max(1, len(tt.data)/100)
		for n := 1; n < len(tt.data); n += step {
			inputs = append(inputs, tt.data[:n])
		}
		for _, in := range inputs {
			direct, err := tt.open(in)
			if err != nil {
				continue // the header: read before the goroutine starts
			}
			want, wantErr := io.ReadAll(direct)
			direct.Close()
			dec, _ := tt.open(in)
			a := newAsyncReader(dec, func() int64 { return 0 })
			got, gotErr := io.ReadAll(a)
			a.Close()
			if !bytes.Equal(got, want) || gotErr != wantErr && (gotErr == nil || wantErr == nil || gotErr.Error() != wantErr.Error()) {
				t.Fatalf("%s of %d bytes: %d bytes and %v through the goroutine, %d and %v straight",
					tt.comp, len(in), len(got), gotErr, len(want), wantErr)
			}
		}
	}
}

// settleGoroutines waits for the goroutine count to come down to n.
func settleGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, want %d:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestDecompressNoLeak: the decompressing goroutine ends however the File
// ends: closed early, at the end, after an error, or failed at open.
func TestDecompressNoLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	pcap := synthPcap(5000)
	for _, comp := range []func(testing.TB, []byte) []byte{gzipBytes, zstdBytes} {
		data := comp(t, pcap)
		for _, in := range [][]byte{data, data[:len(data)/2], comp(t, []byte("<html></html>")), comp(t, nil)} {
			for _, packets := range []int{0, 1, 1 << 30} {
				f, err := OpenFile(writeTemp(t, "leak", in))
				if err != nil {
					continue
				}
				var p Packet
				for i := 0; i < packets && f.Next(&p) == nil; i++ {
				}
				f.Close()
			}
		}
	}
	settleGoroutines(t, before)
}

// TestDecompressSilentPipe: Close does not wait for a pipe that stays
// silent; the goroutine ends once the pipe does.
func TestDecompressSilentPipe(t *testing.T) {
	before := runtime.NumGoroutine()
	data := gzipBytes(t, synthPcap(5000))
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go w.Write(data[:len(data)/2]) // and no more, for now
	f, err := Open(r, "pipe")
	if err != nil {
		t.Fatal(err)
	}
	var p Packet
	if err := f.Next(&p); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() { f.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waits for the silent pipe")
	}
	w.Close()
	settleGoroutines(t, before)
}

// TestAsyncReaderAfterClose: reads after Close fail instead of waiting.
func TestAsyncReaderAfterClose(t *testing.T) {
	dec, err := gzip.NewReader(bytes.NewReader(gzipBytes(t, synthPcap(5000))))
	if err != nil {
		t.Fatal(err)
	}
	a := newAsyncReader(dec, func() int64 { return 0 })
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(a, buf); err != nil {
		t.Fatal(err)
	}
	a.Close()
	for range 2 * chunks {
		for {
			if _, err = a.Read(buf); err != nil {
				break
			}
		}
		if err != os.ErrClosed {
			t.Fatalf("Read after Close: %v", err)
		}
	}
}
