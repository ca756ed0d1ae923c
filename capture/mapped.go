package capture

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
)

// Uncompressed capture files are mapped into memory rather than read:
// packets are handed out as slices of the mapping, where read(2) would copy
// every byte into the read buffer first.
//
// The mapping covers the file's size at open, so a file that grows while
// it is read is read up to that size. A file that shrinks makes the pages
// past its new end fault (SIGBUS). Faults inside Next become an IO error
// (nextMapped), but a consumer touching the Data of a packet whose pages
// were cut away after Next returned it still crashes, as any program that
// maps its input does: files must not be truncated while being read.

// mapFiles lets tests and benchmarks compare with the read path.
var mapFiles = true

var errNotMappable = errors.New("file cannot be mapped")

// releaseEvery is the step in which a mapping's pages are released behind
// the read position: the resident part of a mapping stays under two steps
// however large the file.
const releaseEvery = 8 << 20

// mapReader serves a file mapping through the methods of bufio.Reader the
// format readers use (stream). Peek returns slices of the mapping itself,
// capped at their length so that an append by a consumer copies instead of
// writing to the read-only mapping.
type mapReader struct {
	data     []byte
	pos      int
	released int // pages before this offset have been released
}

func (m *mapReader) Peek(n int) ([]byte, error) {
	if n < 0 {
		return nil, bufio.ErrNegativeCount
	}
	if n > len(m.data)-m.pos {
		return m.data[m.pos:len(m.data):len(m.data)], io.EOF
	}
	return m.data[m.pos : m.pos+n : m.pos+n], nil
}

func (m *mapReader) Discard(n int) (int, error) {
	if n < 0 {
		return 0, bufio.ErrNegativeCount
	}
	var err error
	if n > len(m.data)-m.pos {
		n, err = len(m.data)-m.pos, io.EOF
	}
	m.advance(n)
	return n, err
}

func (m *mapReader) Read(p []byte) (int, error) {
	if m.pos == len(m.data) && len(p) > 0 {
		return 0, io.EOF
	}
	n := copy(p, m.data[m.pos:])
	m.advance(n)
	return n, nil
}

// Size is unlimited: any record or block can be peeked at whole, and one
// that claims more than the file holds is found cut without reading on.
func (m *mapReader) Size() int { return math.MaxInt }

func (m *mapReader) advance(n int) {
	m.pos += n
	if m.pos-m.released >= 2*releaseEvery {
		releasePages(m.data[m.released : m.released+releaseEvery])
		m.released += releaseEvery
	}
}

// openMapped opens an uncompressed capture by mapping it; it returns a nil
// File, and no error, when the file is not that or cannot be mapped, so the
// caller reads it instead.
func openMapped(osf *os.File, path string, size int64) (*File, error) {
	data, err := mapFile(osf, size)
	if err != nil {
		return nil, nil
	}
	f, err := openMapping(data, path)
	if f == nil {
		unmapFile(data)
	}
	return f, err
}

// openMapping opens the pcap or pcapng in data, a file mapping (its pages
// get released as reading passes them); nil and no error when data does not
// start like one.
func openMapping(data []byte, path string) (*File, error) {
	if len(data) < 4 || !isPlainMagic(le32(data)) {
		return nil, nil
	}
	f := &File{path: path, size: int64(len(data)), mem: &mapReader{data: data}}
	if err := f.openFormat(f.mem, le32(data)); err != nil {
		return nil, err
	}
	return f, nil
}

// nextMapped is next with memory faults turned into an error, for a file
// cut while mapped (see the top of this file).
func (f *File) nextMapped(p *Packet) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = f.faultError(r)
		}
	}()
	return f.next(p)
}

// faultError reports a fault while reading the mapping; any other panic
// goes on.
func (f *File) faultError(r any) error {
	re, ok := r.(runtime.Error)
	if _, addr := re.(interface{ Addr() uintptr }); !ok || !addr {
		panic(r)
	}
	var off int64
	if f.pcap != nil {
		off = f.pcap.off
	} else {
		off = f.ng.fr.start
	}
	return &Error{Kind: IO, Offset: off, Err: re,
		detail: fmt.Sprintf("the file shrank while being read (reading the record or block at byte %d)", off)}
}

// unmap releases the mapping; slices of it must not be used after.
func (f *File) unmap() {
	if f.mem != nil && f.mem.data != nil {
		unmapFile(f.mem.data)
		f.mem.data = nil
	}
}
