package capture

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"time"
)

// pcap is read here rather than through pcapgo.Reader because pcapgo
// rejects every header version but 2.4 (real files, e.g. the nDPI fuzz
// capture, say 2.0), cannot undo the caplen/len swap of pre-2.3 writers
// that libpcap and Wireshark undo, and reports a file cut right after a
// record header as a clean io.EOF. Reading the records straight out of the
// bufio buffer also makes them zero-copy.

const (
	pcapHeaderLen = 24
	pcapRecordLen = 16
)

// zeroRecordHeader is a record header of zeros: legal, but also what the
// rest of a mapped page reads as once the file was cut short within it.
const zeroRecordHeader = "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

// Length field handling, as libpcap does it for old format versions.
const (
	lensAsIs    = iota
	lensSwapped // before 2.3 writers stored len before caplen
	lensMaybe   // 2.3: swapped only where caplen > len shows it
)

type pcapReader struct {
	br       *bufio.Reader
	comp     string
	big      bool // big-endian file
	nano     bool
	lens     int
	linkType uint32
	limit    int    // largest caplen accepted
	off      int64  // offset of the next record in the uncompressed stream
	records  uint64 // complete records read
	large    []byte // holds records too long for br
	// mem, when set, is the whole file mapped (see mapped.go): records are
	// sliced out of it at off and br is not used.
	mem *mapping
}

func newPcapReader(br *bufio.Reader, comp string) (*pcapReader, error) {
	h, err := br.Peek(pcapHeaderLen)
	if err != nil {
		return nil, readErr(comp, err, 0, "the pcap file header")
	}
	r := &pcapReader{br: br, comp: comp, off: pcapHeaderLen}
	switch binary.LittleEndian.Uint32(h) {
	case magicPcapNs:
		r.nano = true
	case magicPcapUsSwap:
		r.big = true
	case magicPcapNsSwap:
		r.big, r.nano = true, true
	}
	major, minor := r.u16(h[4:]), r.u16(h[6:])
	switch {
	case major == 2 && minor < 3, major == 543 && minor == 0:
		r.lens = lensSwapped
	case major == 2 && minor == 3:
		r.lens = lensMaybe
	case major == 2 && minor == 4:
	default:
		return nil, &Error{Kind: NotCapture, detail: fmt.Sprintf("unsupported pcap version %d.%d", major, minor)}
	}
	// The top bits of the link type field carry FCS information.
	r.linkType = r.u32(h[20:]) & 0x03ffffff
	r.limit = recordLimit(r.u32(h[16:]))
	br.Discard(pcapHeaderLen)
	return r, nil
}

func (r *pcapReader) u16(b []byte) uint16 {
	if r.big {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (r *pcapReader) u32(b []byte) uint32 {
	if r.big {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (r *pcapReader) next(p *Packet) error {
	if r.mem != nil {
		return r.nextMapped(p)
	}
	h, err := r.br.Peek(pcapRecordLen)
	if err != nil {
		if len(h) == 0 && err == io.EOF {
			return io.EOF
		}
		return r.fail(err)
	}
	sec, frac, n, wirelen, err := r.header(h)
	if err != nil {
		return err
	}
	if n+pcapRecordLen <= r.br.Size() {
		// Common case: the record is served from the read buffer, which
		// stays untouched until the next Peek.
		b, err := r.br.Peek(pcapRecordLen + n)
		if err != nil {
			return r.fail(err)
		}
		p.Data = b[pcapRecordLen:]
		r.br.Discard(pcapRecordLen + n)
	} else {
		r.br.Discard(pcapRecordLen)
		if err := r.readLarge(n); err != nil {
			return r.fail(err)
		}
		p.Data = r.large
	}
	r.fill(p, sec, frac, n, wirelen)
	return nil
}

// header reads a record header: its time and lengths, corrected for old
// writers and checked against the snap length.
func (r *pcapReader) header(h []byte) (sec, frac uint32, n int, wirelen uint32, err error) {
	sec, frac = r.u32(h), r.u32(h[4:])
	caplen, wirelen := r.u32(h[8:]), r.u32(h[12:])
	if r.lens == lensSwapped || r.lens == lensMaybe && caplen > wirelen {
		caplen, wirelen = wirelen, caplen
	}
	if uint64(caplen) > uint64(r.limit) {
		return 0, 0, 0, 0, &Error{Kind: Corrupt, Offset: r.off,
			detail: fmt.Sprintf("packet record %d at byte %d claims %d captured bytes (limit %d)",
				r.records+1, r.off, caplen, r.limit)}
	}
	return sec, frac, int(caplen), wirelen, nil
}

// fill sets p's fields from a record whose data is in p.Data and moves on.
func (r *pcapReader) fill(p *Packet, sec, frac uint32, n int, wirelen uint32) {
	nsec := int64(frac)
	if !r.nano {
		nsec *= 1000
	}
	p.Timestamp = time.Unix(int64(sec), nsec).UTC()
	p.CapLen = n
	p.Len = int(wirelen)
	p.LinkType = r.linkType
	p.Interface = 0
	r.off += int64(pcapRecordLen + n)
	r.records++
}

// nextMapped reads the record at r.off out of the mapped file.
func (r *pcapReader) nextMapped(p *Packet) error {
	b := r.mem.data
	off := int(r.off)
	if off >= len(b) {
		return io.EOF
	}
	if len(b)-off < pcapRecordLen {
		return r.fail(io.EOF)
	}
	h := b[off : off+pcapRecordLen]
	if string(h) == zeroRecordHeader && r.mem.shrunk(off+pcapRecordLen) {
		// Cut short mid-page under the reader: the page's rest reads as
		// zeros, which would pass for empty records of 1970.
		return errShrank
	}
	sec, frac, n, wirelen, err := r.header(h)
	if err != nil {
		return err
	}
	if n > len(b)-off-pcapRecordLen { // not off+16+n: no overflow on 32 bits
		return r.fail(io.EOF)
	}
	end := off + pcapRecordLen + n
	p.Data = b[off+pcapRecordLen : end : end]
	r.mem.reached(end)
	r.fill(p, sec, frac, n, wirelen)
	return nil
}

// readLarge reads n bytes into r.large, growing it only as data arrives so
// a record that claims more than the file holds costs no more than the file.
func (r *pcapReader) readLarge(n int) error {
	buf := r.large[:0]
	for len(buf) < n {
		chunk := min(n-len(buf), bufSize)
		buf = slices.Grow(buf, chunk)
		m, err := io.ReadFull(r.br, buf[len(buf):len(buf)+chunk])
		buf = buf[:len(buf)+m]
		if err != nil {
			r.large = buf
			return err
		}
	}
	r.large = buf
	return nil
}

func (r *pcapReader) fail(err error) error {
	return readErr(r.comp, err, r.off, fmt.Sprintf("packet record %d", r.records+1))
}
