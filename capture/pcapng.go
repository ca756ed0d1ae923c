package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gopacket/gopacket/pcapgo"
)

// pcapng is parsed by pcapgo.NgReader (sections, interfaces, options,
// timestamp resolution and offset). pcapgo trusts the lengths it reads: a
// block or packet length beyond the block makes it read, and buffer, the
// following data, and a file cut inside a block may reach it as a plain
// io.EOF. So the stream reaches pcapgo through ngFramer, which walks the
// block structure itself, rejects impossible lengths before pcapgo acts on
// them and knows the offset of every block for error messages.

const (
	ngSHB = 0x0a0d0d0a
	ngIDB = 1
	ngPB  = 2 // obsolete Packet Block
	ngSPB = 3
	ngNRB = 4
	ngISB = 5
	ngEPB = 6
	ngDSB = 10

	ngBOM      = 0x1a2b3c4d
	ngMaxBlock = maxRecordHard + 1<<20 // a maximal packet plus generous room for options
)

// ngBlockName names a block type for error messages.
func ngBlockName(t uint32) string {
	switch t {
	case ngSHB:
		return "section header block"
	case ngIDB:
		return "interface description block"
	case ngPB:
		return "packet block"
	case ngSPB:
		return "simple packet block"
	case ngNRB:
		return "name resolution block"
	case ngISB:
		return "interface statistics block"
	case ngEPB:
		return "enhanced packet block"
	case ngDSB:
		return "decryption secrets block"
	}
	return fmt.Sprintf("block of type 0x%08x", t)
}

// withArticle puts "a" or "an" before a block name.
func withArticle(name string) string {
	if strings.ContainsRune("aeiou", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}

// ngFramer passes the pcapng stream through unchanged while checking its
// block structure. Its errors are *Error values with exact block offsets.
type ngFramer struct {
	br   *bufio.Reader // the decompressed stream
	up   *bufio.Reader // pcapgo's buffer over the framer, for its position
	comp string

	off       int64      // stream offset of the next byte to hand out
	left      int64      // bytes of the current block not yet handed out
	start     int64      // offset of the current block
	typ       uint32     // type of the current block
	blen      uint32     // total length of the current block
	trailerOK bool       // the trailing length was checked in begin
	big       bool       // byte order of the current section
	snaps     []uint32   // snap length of each interface of the current section
	lts       [][]uint32 // link type of each interface, per section
	err       error      // sticky; io.EOF at a clean end

	// Offsets of blocks handed out that pcapgo may not have finished;
	// entries before head are done.
	starts []int64
	head   int
}

func (f *ngFramer) u32(b []byte) uint32 {
	if f.big {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (f *ngFramer) u16(b []byte) uint16 {
	if f.big {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (f *ngFramer) Read(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	if f.left == 0 {
		if err := f.begin(); err != nil {
			f.err = err
			return 0, err
		}
	}
	if f.left == 4 && !f.trailerOK {
		// The trailing copy of the length must match the leading one.
		t, err := f.br.Peek(4)
		if err != nil {
			f.err = f.readFail(err)
			return 0, f.err
		}
		if f.u32(t) != f.blen {
			f.err = f.corrupt("%s at byte %d has length %d but ends with length %d",
				ngBlockName(f.typ), f.start, f.blen, f.u32(t))
			return 0, f.err
		}
	}
	n := min(int64(len(p)), f.left)
	if f.left > 4 && !f.trailerOK {
		n = min(n, f.left-4) // stop before the trailer so it gets checked
	}
	m, err := f.br.Read(p[:n])
	if f.typ == ngIDB {
		f.hideLinkType(p[:m])
	}
	f.off += int64(m)
	f.left -= int64(m)
	if err != nil {
		if m > 0 && err == io.EOF {
			err = nil // reported with the next Read
		} else {
			f.err = f.readFail(err)
			return m, f.err
		}
	}
	return m, nil
}

// hideLinkType zeroes an interface's link type of 256 or more on its way to
// pcapgo, which boxes each packet's link type into an interface value: an
// allocation per packet for values Go cannot take from its static table.
// The real value comes from f.lts. b is what Read hands out next.
func (f *ngFramer) hideLinkType(b []byte) {
	sec := f.lts[len(f.lts)-1]
	if sec[len(sec)-1] < 256 {
		return
	}
	at := int64(f.blen) - f.left     // block offset of b[0]
	for k := int64(8); k < 10; k++ { // the 16-bit link type field
		if i := k - at; i >= 0 && i < int64(len(b)) {
			b[i] = 0
		}
	}
}

// begin checks the header of the block starting at f.off.
func (f *ngFramer) begin() error {
	f.start = f.off
	h, err := f.br.Peek(8)
	if err != nil {
		if len(h) == 0 && err == io.EOF {
			return io.EOF
		}
		f.typ = 0
		return f.readFail(err)
	}
	typ := binary.LittleEndian.Uint32(h) // an SHB reads the same both ways
	if typ == ngSHB {
		if h, err = f.br.Peek(16); err != nil {
			f.typ = ngSHB
			return f.readFail(err)
		}
		switch binary.BigEndian.Uint32(h[8:]) {
		case ngBOM:
			f.big = true
		case 0x4d3c2b1a:
			f.big = false
		default:
			return f.corrupt("section header block at byte %d has bad byte-order magic 0x%08x",
				f.start, binary.BigEndian.Uint32(h[8:]))
		}
		if major, minor := f.u16(h[12:]), f.u16(h[14:]); major != 1 || minor != 0 {
			return &Error{Kind: NotCapture, Offset: f.start,
				detail: fmt.Sprintf("unsupported pcapng version %d.%d in section at byte %d", major, minor, f.start)}
		}
		f.snaps = f.snaps[:0]
		f.lts = append(f.lts, nil)
	} else {
		typ = f.u32(h)
	}
	f.typ = typ
	f.blen = f.u32(h[4:])
	name := ngBlockName(typ)
	minLen := uint32(12)
	switch typ {
	case ngSHB:
		minLen = 28
	case ngIDB:
		minLen = 20
	case ngPB, ngEPB:
		minLen = 32
	case ngSPB:
		minLen = 16
	case ngISB:
		minLen = 24
	case ngDSB:
		minLen = 20
	}
	if f.blen < minLen || f.blen%4 != 0 || f.blen > ngMaxBlock {
		return f.corrupt("%s at byte %d has invalid length %d", name, f.start, f.blen)
	}
	if len(f.snaps) == 0 && (typ == ngEPB || typ == ngPB || typ == ngSPB || typ == ngISB) {
		return f.corrupt("%s at byte %d comes before any interface description block", name, f.start)
	}

	// A block that fits the read buffer is checked whole, trailer and
	// option lists included, before pcapgo sees any of it: pcapgo follows
	// option lengths past the end of their block.
	f.trailerOK = false
	var whole []byte
	if int(f.blen) <= f.br.Size() {
		if whole, err = f.br.Peek(int(f.blen)); err != nil {
			return f.readFail(err)
		}
		if t := f.u32(whole[f.blen-4:]); t != f.blen {
			return f.corrupt("%s at byte %d has length %d but ends with length %d", name, f.start, f.blen, t)
		}
		f.trailerOK = true
		h = whole
	} else {
		fixed := 0
		switch typ {
		case ngIDB, ngDSB:
			fixed = 16
		case ngEPB, ngPB:
			fixed = 28
		case ngSPB, ngISB:
			fixed = 12
		}
		if fixed > 0 {
			if h, err = f.br.Peek(fixed); err != nil {
				return f.readFail(err)
			}
		}
	}

	opts := 0 // where the options start, if pcapgo reads them
	switch typ {
	case ngSHB:
		opts = 24
	case ngIDB:
		f.snaps = append(f.snaps, f.u32(h[12:]))
		f.lts[len(f.lts)-1] = append(f.lts[len(f.lts)-1], uint32(f.u16(h[8:])))
		opts = 16
	case ngEPB, ngPB:
		var ifc uint32
		if typ == ngEPB {
			ifc = f.u32(h[8:])
		} else {
			ifc = uint32(f.u16(h[8:]))
		}
		if ifc >= uint32(len(f.snaps)) {
			return f.corrupt("%s at byte %d names interface %d of %d", name, f.start, ifc, len(f.snaps))
		}
		caplen := f.u32(h[20:])
		if err := f.checkCaplen(caplen, f.blen-32, f.snaps[ifc]); err != nil {
			return err
		}
		if typ == ngEPB {
			opts = 28 + int(caplen+3)&^3
		}
	case ngSPB:
		// pcapgo takes min(original length, snap length) bytes, as the spec says.
		caplen := f.u32(h[8:])
		if s := f.snaps[0]; s != 0 && caplen > s {
			caplen = s
		}
		if err := f.checkCaplen(caplen, f.blen-16, f.snaps[0]); err != nil {
			return err
		}
	case ngISB:
		if ifc := f.u32(h[8:]); ifc >= uint32(len(f.snaps)) {
			return f.corrupt("%s at byte %d names interface %d of %d", name, f.start, ifc, len(f.snaps))
		}
		opts = 20
	case ngNRB:
		if whole != nil {
			// Name records have the layout of options and end like them.
			rest, ok := f.tlvs(whole[8 : f.blen-4])
			if !ok {
				return f.corrupt("%s at byte %d has records that overrun the block", name, f.start)
			}
			if _, ok := f.tlvs(rest); !ok {
				return f.corrupt("%s at byte %d has options that overrun the block", name, f.start)
			}
		}
	case ngDSB:
		if n := f.u32(h[12:]); n > f.blen-20 {
			return f.corrupt("%s at byte %d claims %d bytes of secrets in a %d byte block", name, f.start, n, f.blen)
		}
	}
	if whole != nil && opts > 0 {
		if _, ok := f.tlvs(whole[opts : f.blen-4]); !ok {
			return f.corrupt("%s at byte %d has options that overrun the block", name, f.start)
		}
	}
	f.left = int64(f.blen)
	f.remember()
	return nil
}

// tlvs walks a list of options (2-byte code, 2-byte length, padded value)
// up to an end-of-options marker or the end of b, and returns what follows
// the marker. ok is false when an option does not fit, or the marker has a
// length, which pcapgo rejects.
func (f *ngFramer) tlvs(b []byte) (rest []byte, ok bool) {
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, false
		}
		code, n := f.u16(b), int(f.u16(b[2:]))
		if code == 0 {
			return b[4:], n == 0
		}
		size := 4 + (n+3)&^3
		if size > len(b) {
			return nil, false
		}
		b = b[size:]
	}
	return nil, true
}

func (f *ngFramer) checkCaplen(caplen, room, snaplen uint32) error {
	limit := recordLimit(snaplen)
	if caplen > room || uint64(caplen) > uint64(limit) {
		return f.corrupt("%s at byte %d claims %d captured bytes (block holds %d, limit %d)",
			ngBlockName(f.typ), f.start, caplen, room, limit)
	}
	return nil
}

// remember records the start of the block just begun.
func (f *ngFramer) remember() {
	f.prune(f.pos())
	if f.head > 1024 && f.head*2 > len(f.starts) {
		f.starts = f.starts[:copy(f.starts, f.starts[f.head:])]
		f.head = 0
	}
	f.starts = append(f.starts, f.start)
}

// prune forgets the blocks pcapgo has gone past, keeping the one it is in.
func (f *ngFramer) prune(pos int64) {
	for f.head+1 < len(f.starts) && f.starts[f.head+1] <= pos {
		f.head++
	}
}

// pos is how far pcapgo has read.
func (f *ngFramer) pos() int64 { return f.off - int64(f.up.Buffered()) }

// blockAt returns the start of the block holding the byte before pos.
func (f *ngFramer) blockAt(pos int64) int64 {
	b := int64(0)
	for _, s := range f.starts[f.head:] {
		if s >= pos {
			break
		}
		b = s
	}
	return b
}

// atBoundary reports whether pcapgo stopped exactly between two blocks.
func (f *ngFramer) atBoundary() bool {
	pos := f.pos()
	if pos == f.off && f.left == 0 {
		return true
	}
	f.prune(pos)
	return f.head < len(f.starts) && f.starts[f.head] == pos
}

func (f *ngFramer) corrupt(format string, args ...any) error {
	return &Error{Kind: Corrupt, Offset: f.start, detail: fmt.Sprintf(format, args...)}
}

func (f *ngFramer) readFail(err error) error {
	what := "a block"
	if f.typ != 0 {
		what = withArticle(ngBlockName(f.typ))
	}
	return readErr(f.comp, err, f.start, what)
}

// ngReader adapts pcapgo.NgReader to Packet.
type ngReader struct {
	fr *ngFramer
	ng *pcapgo.NgReader

	section int       // pcapgo's current section
	base    int       // global index of the section's first interface
	lastTS  time.Time // time of the previous packet, for Simple Packet Blocks
}

func newNgReader(br *bufio.Reader, comp string) (*ngReader, error) {
	fr := &ngFramer{br: br, comp: comp}
	fr.up = bufio.NewReaderSize(fr, 64<<10) // pcapgo uses a *bufio.Reader as is
	r := &ngReader{fr: fr}
	ng, err := pcapgo.NewNgReader(fr.up, pcapgo.NgReaderOptions{
		WantMixedLinkType: true, // else packets of other link types are dropped
		SectionEndCallback: func(ifs []pcapgo.NgInterface, _ pcapgo.NgSectionInfo) {
			r.section++
			r.base += len(ifs)
		},
	})
	if err != nil {
		return nil, r.fail(err)
	}
	r.ng = ng
	return r, nil
}

func (r *ngReader) next(p *Packet) error {
	data, ci, err := r.ng.ZeroCopyReadPacketData()
	if err != nil {
		return r.fail(err)
	}
	if !r.fr.atBoundary() {
		// pcapgo read a different amount than the block holds, so its view
		// of everything after this block is wrong.
		start := r.fr.blockAt(r.fr.pos())
		return &Error{Kind: Corrupt, Offset: start,
			detail: fmt.Sprintf("block at byte %d is inconsistent with its length (bad option or record lengths)", start)}
	}
	p.Data = data
	p.CapLen = len(data)
	p.Len = ci.Length
	p.Interface = r.base + ci.InterfaceIndex
	lts := r.fr.lts
	if r.section >= len(lts) || ci.InterfaceIndex >= len(lts[r.section]) {
		// The framer checked the index; this only guards against pcapgo
		// counting sections or interfaces differently.
		start := r.fr.blockAt(r.fr.pos())
		return &Error{Kind: Corrupt, Offset: start,
			detail: fmt.Sprintf("packet at byte %d names an unknown interface %d", start, ci.InterfaceIndex)}
	}
	p.LinkType = lts[r.section][ci.InterfaceIndex]
	if ci.Timestamp.IsZero() {
		// Simple Packet Blocks carry no time; the previous packet's time
		// keeps them in place instead of moving them to year 1.
		p.Timestamp = r.lastTS
	} else {
		p.Timestamp = ci.Timestamp
	}
	r.lastTS = p.Timestamp
	return nil
}

// fail turns an error from pcapgo into an *Error.
func (r *ngReader) fail(err error) error {
	fr := r.fr
	if fr.err != nil && fr.up.Buffered() == 0 {
		// pcapgo has consumed everything before the framer's stop, so the
		// failure is the framer's (pcapgo may have flattened the error).
		if fr.err != io.EOF {
			return fr.err
		}
		if err == io.EOF {
			return io.EOF
		}
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	start := fr.blockAt(fr.pos())
	msg := err.Error()
	if isEOF(err) {
		msg = "block lengths do not match its contents"
	}
	return &Error{Kind: Corrupt, Offset: start, Err: err,
		detail: fmt.Sprintf("block at byte %d: %s", start, msg)}
}

// linkTypes returns the distinct link types of all interfaces read so far.
func (r *ngReader) linkTypes() []uint32 {
	var lts []uint32
	for _, sec := range r.fr.lts {
		for _, lt := range sec {
			lts = appendUnique(lts, lt)
		}
	}
	return lts
}
