package capture

import (
	"io"
	"os"
)

// Compressed captures are decompressed on a goroutine of their own, a few
// chunks ahead of the parser: decompression, nearly all of the cost of
// reading them, then overlaps with parsing and with whatever the caller
// does with the packets.

const (
	chunkSize = 256 << 10
	chunks    = 4 // one being parsed, one being filled, two in between
)

// chunk is a piece of decompressed data, then the decompressor's error, if
// it stopped there (io.EOF at the end).
type chunk struct {
	data []byte
	err  error
	raw  int64 // bytes of the stored file consumed to produce data
}

// asyncReader is the parsing side of the decompressing goroutine: an
// io.Reader over the chunks it fills.
type asyncReader struct {
	full    chan chunk  // filled chunks, in order
	free    chan []byte // buffers to fill; never full, so returning one never blocks
	stop    chan struct{}
	stopped bool

	cur  chunk  // the chunk being read
	rest []byte // its unread part
}

// newAsyncReader starts decompressing dec, which it owns from then on.
// raw tells, on that goroutine, how much of the stored file dec has taken.
func newAsyncReader(dec io.ReadCloser, raw func() int64) *asyncReader {
	a := &asyncReader{
		full: make(chan chunk, chunks),
		free: make(chan []byte, chunks),
		stop: make(chan struct{}),
	}
	for range chunks {
		a.free <- nil // allocated when first filled: short streams need one
	}
	go a.decompress(dec, raw)
	return a
}

// decompress fills chunks until dec fails or ends, or until Close.
func (a *asyncReader) decompress(dec io.ReadCloser, raw func() int64) {
	defer dec.Close()
	for {
		select {
		case <-a.stop: // first, as a select picks at random among ready cases
			return
		default:
		}
		var buf []byte
		select {
		case buf = <-a.free:
		case <-a.stop:
			return
		}
		if buf == nil {
			buf = make([]byte, chunkSize)
		}
		n, err := fill(dec, buf)
		select {
		case a.full <- chunk{data: buf[:n], err: err, raw: raw()}:
		case <-a.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

// fill reads from r until buf is full or r fails. Large chunks keep the
// hand-offs between the goroutines rare.
func fill(r io.Reader, buf []byte) (int, error) {
	n, empty := 0, 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m == 0 {
			// What bufio.Reader does with a reader that never delivers.
			if empty++; empty == 100 {
				return n, io.ErrNoProgress
			}
		}
	}
	return n, nil
}

// Read hands out the decompressed data, then the error that ended it.
func (a *asyncReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for len(a.rest) == 0 {
		if a.cur.err != nil {
			return 0, a.cur.err
		}
		if a.cur.data != nil {
			a.free <- a.cur.data[:cap(a.cur.data)]
		}
		select {
		case a.cur = <-a.full:
		case <-a.stop: // a Read after Close: nothing more will come
			a.cur = chunk{err: os.ErrClosed}
		}
		a.rest = a.cur.data
	}
	n := copy(p, a.rest)
	a.rest = a.rest[n:]
	return n, nil
}

// Close stops the goroutine, which closes the decompressor. It does not
// wait: the goroutine may be in a read of a pipe that stays silent, and
// ends when that read returns.
func (a *asyncReader) Close() error {
	if !a.stopped {
		close(a.stop)
		a.stopped = true
	}
	return nil
}
