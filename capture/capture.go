// Package capture reads packets from offline capture files (pcap, pcapng,
// optionally gzip or zstd compressed), merges several files in time order
// and filters packets with libpcap BPF expressions.
package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"runtime/debug"
	"slices"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Packet is one captured frame. Data aliases a reader buffer: valid only until the next Next call.
type Packet struct {
	Data      []byte
	Timestamp time.Time // UTC, from the record, scaled by the file's or interface's resolution and offset
	CapLen    int       // captured length (len(Data))
	Len       int       // original wire length
	LinkType  uint32    // LINKTYPE_* of the interface this frame came from
	Interface int       // pcapng interface index, counted across sections (0 for pcap)
	Input     int       // index of the input it came from, in the order given to Merge
}

// Source yields packets. Next returns io.EOF at the normal end; any other error is an *Error.
type Source interface {
	Next(p *Packet) error
	Close() error
}

// bufSize is the read buffer: big enough that nearly every pcap record is
// handed out straight from it, and that reads from disk are few and large.
const bufSize = 1 << 20

// Record length limits. Real link layers stay under libpcap's 256 KiB
// maximum snap length; a file may declare a larger snap length, which is
// honoured up to maxRecordHard so one bad header cannot claim gigabytes.
const (
	maxRecordDefault = 262144
	maxRecordHard    = 64 << 20
)

// recordLimit is the largest captured length accepted for a snap length.
func recordLimit(snaplen uint32) int {
	return int(min(max(snaplen, maxRecordDefault), maxRecordHard))
}

// File magic numbers as read little-endian from the first four bytes.
const (
	magicPcapUs     = 0xa1b2c3d4
	magicPcapNs     = 0xa1b23c4d
	magicPcapUsSwap = 0xd4c3b2a1
	magicPcapNsSwap = 0x4d3cb2a1
	magicPcapng     = 0x0a0d0d0a
	magicGzip       = 0x8b1f // first two bytes only; the third is 8 (deflate)
	magicZstd       = 0xfd2fb528
)

// File is an open capture file. It also reports progress.
type File struct {
	path   string
	format string
	comp   string // "gzip", "zstd" or ""
	size   int64

	file   *os.File      // closed by Close when OpenFile opened it
	raw    *countReader  // the file as stored, counting bytes for Offset
	rawBuf *bufio.Reader // buffer over raw; also the packet buffer when uncompressed
	async  *asyncReader  // the decompressor, on its goroutine, if any

	pcap *pcapReader
	ng   *ngReader

	packets uint64
	err     error // sticky: once failed, a File keeps failing the same way

	callerGuards bool // see CallerGuards
}

// OpenFile opens a capture file ("-" = standard input), detecting the format by its magic bytes.
func OpenFile(path string) (*File, error) {
	if path == "-" {
		return Open(os.Stdin, path)
	}
	osf, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	st, err := osf.Stat()
	if err != nil {
		osf.Close()
		return nil, openError(path, err)
	}
	if st.IsDir() {
		osf.Close()
		return nil, &Error{Path: path, Kind: NotCapture, detail: "is a directory"}
	}
	f, err := Open(osf, path)
	if err != nil {
		osf.Close()
		return nil, err
	}
	f.file = osf
	if st.Mode().IsRegular() {
		f.size = st.Size()
		if f.pcap != nil && f.comp == "" {
			if m, err := mapFile(osf, f.size); err == nil { // else read it
				f.pcap.mem = m
				registerMapped(f)
			}
		}
	}
	return f, nil
}

// statSize is the size of a regular file, -1 for pipes, terminals and sockets.
func statSize(f *os.File) int64 {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return -1
	}
	return st.Size()
}

// Open reads a capture from r, named name in errors; Close does not close r.
func Open(r io.Reader, name string) (*File, error) {
	f := &File{path: name, size: -1}
	if osf, ok := r.(*os.File); ok {
		f.size = statSize(osf)
	}
	f.raw = &countReader{r: r, wrap: true}
	f.rawBuf = bufio.NewReaderSize(f.raw, bufSize)
	br := f.rawBuf

	magic, err := f.peekMagic(br)
	if err != nil {
		return nil, err
	}
	var dec io.ReadCloser
	switch {
	case uint16(magic) == magicGzip:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, f.openFail(err, "gzip")
		}
		f.comp, dec = "gzip", zr
	case magic == magicZstd:
		// Synchronous decoding: the one goroutine of asyncReader does it
		// all, and on captures it is as fast as the concurrent mode.
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, f.openFail(err, "zstd")
		}
		f.comp, dec = "zstd", zr.IOReadCloser()
	}
	if dec != nil {
		// From here on raw and rawBuf belong to the decompressing goroutine.
		f.async = newAsyncReader(dec, func() int64 { return f.raw.n - int64(f.rawBuf.Buffered()) })
		br = bufio.NewReaderSize(f.async, bufSize)
		if magic, err = f.peekMagic(br); err != nil {
			f.closeDec()
			return nil, err
		}
	}

	switch magic {
	case magicPcapUs, magicPcapNs, magicPcapUsSwap, magicPcapNsSwap:
		f.format = "pcap"
		f.pcap, err = newPcapReader(br, f.comp)
	case magicPcapng:
		f.format = "pcapng"
		f.ng, err = newNgReader(br, f.comp)
	default:
		f.closeDec()
		what := "expected pcap, pcapng, gzip or zstd"
		if f.comp != "" {
			what = "decompressed " + f.comp + " data is not pcap or pcapng"
		}
		return nil, &Error{Path: name, Kind: NotCapture,
			detail: fmt.Sprintf("unknown magic 0x%08x (%s)", bits.ReverseBytes32(magic), what)}
	}
	if err != nil {
		f.closeDec()
		return nil, f.wrap(err)
	}
	if f.comp != "" {
		f.format += " (" + f.comp + ")"
	}
	return f, nil
}

// peekMagic returns the first four bytes of br as a little-endian number.
// An empty input is NotCapture: with no magic there is nothing to say it was
// ever meant to be a capture. A few bytes that begin a known magic are
// Truncated, and so is a compressed stream that breaks off before four
// bytes come out of it: the stream's own framing shows it was cut.
func (f *File) peekMagic(br *bufio.Reader) (uint32, error) {
	b, err := br.Peek(4)
	if err == nil {
		return binary.LittleEndian.Uint32(b), nil
	}
	if !isEOF(err) || f.comp != "" && err != io.EOF {
		// Decompressors say io.ErrUnexpectedEOF for a cut stream, io.EOF
		// at its proper end.
		return 0, f.wrap(readErr(f.comp, err, 0, "the file header"))
	}
	if len(b) == 0 {
		what := "empty file"
		if f.comp != "" {
			what = "empty " + f.comp + " stream"
		}
		return 0, &Error{Path: f.path, Kind: NotCapture, detail: what}
	}
	for _, m := range []uint32{magicPcapUs, magicPcapNs, magicPcapUsSwap, magicPcapNsSwap, magicPcapng, magicZstd, magicGzip | 8<<16} {
		var full [4]byte
		binary.LittleEndian.PutUint32(full[:], m)
		if string(full[:len(b)]) == string(b) {
			return 0, f.wrap(&Error{Kind: Truncated, Err: io.ErrUnexpectedEOF,
				detail: fmt.Sprintf("file ends in the file header at byte %d", len(b))})
		}
	}
	return 0, &Error{Path: f.path, Kind: NotCapture, detail: fmt.Sprintf("file of %d bytes is too short to hold a capture", len(b))}
}

// openFail reports a decompressor that refuses the stream header.
func (f *File) openFail(err error, comp string) error {
	if isEOF(err) {
		return &Error{Path: f.path, Kind: Truncated, Err: err, detail: comp + " header is cut short"}
	}
	var ie *ioError
	if errors.As(err, &ie) {
		return &Error{Path: f.path, Kind: IO, Err: ie.err}
	}
	return &Error{Path: f.path, Kind: Decompress, Err: err, detail: "bad " + comp + " header: " + err.Error()}
}

// Next reads the next packet into p.
func (f *File) Next(p *Packet) error {
	if f.err != nil {
		return f.err
	}
	var err error
	if f.pcap != nil && f.pcap.mem != nil {
		err = f.nextMapped(p)
	} else if f.pcap != nil {
		err = f.pcap.next(p)
	} else {
		err = f.ng.next(p)
	}
	if err != nil {
		if err == errShrank {
			f.err = f.shrank(true)
		} else {
			f.err = f.wrap(err)
		}
		return f.err
	}
	f.packets++
	p.Input = 0
	return nil
}

// nextMapped reads a record out of the mapping, turning the fault of a file
// cut short meanwhile into its error.
func (f *File) nextMapped(p *Packet) (err error) {
	if f.callerGuards {
		return f.pcap.next(p)
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if !Recover(r) {
				panic(r)
			}
			err = f.err
		}
	}()
	return f.pcap.next(p)
}

// ReadNotMapped makes a file that OpenFile mapped be read through read(2)
// instead, for a caller whose code outside Go (libpcap's BPF filter) reads
// packet data: a fault there, from a file cut short, cannot be recovered.
// It must come before the first Next.
func (f *File) ReadNotMapped() {
	if f.pcap == nil || f.pcap.mem == nil || f.packets > 0 || f.err != nil || f.pcap.off != pcapHeaderLen {
		return
	}
	f.unmap() // the buffered reader stands just after the file header
}

// unmap gives the file's mapping back; reads go through the buffer again.
func (f *File) unmap() {
	unregisterMapped(f)
	f.pcap.mem.close()
	f.pcap.mem = nil
}

// CallerGuards says that whoever calls Next, and everything that reads a
// packet's Data, runs with debug.SetPanicOnFault(true) and hands what it
// recovers to Recover (as pipeline.RunFiles does): Next then leaves out
// its own guard, which costs about 90 instructions a packet.
func (f *File) CallerGuards() { f.callerGuards = true }

// wrap fills in the file-level fields of an error from a reader.
func (f *File) wrap(err error) error {
	if err == io.EOF {
		return err
	}
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Kind: IO, Err: err}
	}
	e.Path = f.path
	e.Packets = f.packets
	return e
}

// Close releases the decompressor and closes the file if OpenFile opened it.
func (f *File) Close() error {
	f.closeDec()
	if f.err == nil || f.err == io.EOF {
		f.err = &Error{Path: f.path, Kind: IO, Packets: f.packets, Err: os.ErrClosed}
	}
	if f.pcap != nil && f.pcap.mem != nil {
		f.unmap()
	}
	if f.file != nil {
		err := f.file.Close()
		f.file = nil
		if err != nil {
			return openError(f.path, err)
		}
	}
	return nil
}

func (f *File) closeDec() {
	if f.async != nil {
		f.async.Close()
	}
}

// Path returns the name the file was opened with.
func (f *File) Path() string { return f.path }

// Format returns "pcap" or "pcapng", with " (gzip)" or " (zstd)" when compressed.
func (f *File) Format() string { return f.format }

// Size returns the size on disk, -1 for standard input and pipes.
func (f *File) Size() int64 { return f.size }

// Offset returns how many bytes of the stored (possibly compressed) file have been consumed.
func (f *File) Offset() int64 {
	if f.async != nil {
		return f.async.cur.raw // as of the chunk being parsed
	}
	if f.pcap != nil && f.pcap.mem != nil {
		return f.pcap.off
	}
	return f.raw.n - int64(f.rawBuf.Buffered())
}

// Packets returns the number of packets read so far.
func (f *File) Packets() uint64 { return f.packets }

// LinkTypes returns the distinct link types of the file's interfaces seen so far, in order of appearance.
func (f *File) LinkTypes() []uint32 {
	if f.pcap != nil {
		return []uint32{f.pcap.linkType}
	}
	return f.ng.linkTypes()
}

// readErr turns a failed read of the (decompressed) stream into an *Error
// for the header, record or block starting at off; comp names the
// compression, if any.
func readErr(comp string, err error, off int64, what string) *Error {
	var ie *ioError
	switch {
	case errors.As(err, &ie):
		return &Error{Kind: IO, Offset: off, Err: ie.err,
			detail: fmt.Sprintf("reading %s at byte %d: %v", what, off, ie.err)}
	case isEOF(err) && comp != "":
		return &Error{Kind: Truncated, Offset: off, Err: io.ErrUnexpectedEOF,
			detail: fmt.Sprintf("%s data ends in the middle of %s at byte %d", comp, what, off)}
	case isEOF(err):
		return &Error{Kind: Truncated, Offset: off, Err: io.ErrUnexpectedEOF,
			detail: fmt.Sprintf("file ends in the middle of %s at byte %d", what, off)}
	case comp != "":
		return &Error{Kind: Decompress, Offset: off, Err: err,
			detail: fmt.Sprintf("bad %s data in %s at byte %d: %v", comp, what, off, err)}
	}
	return &Error{Kind: IO, Offset: off, Err: err, detail: fmt.Sprintf("reading %s at byte %d: %v", what, off, err)}
}

func isEOF(err error) bool {
	return err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF)
}

// countReader counts the bytes read through it. With wrap set it marks
// errors of the underlying reader as ioError.
type countReader struct {
	r    io.Reader
	n    int64
	wrap bool
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.wrap {
		err = &ioError{err}
	}
	return n, err
}

// appendUnique appends v to s unless s already holds it.
func appendUnique(s []uint32, v uint32) []uint32 {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
