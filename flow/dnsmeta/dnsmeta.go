// Package dnsmeta parses DNS messages far enough to tell which names were
// asked for and which addresses they resolved to, and keeps a bounded cache
// from address to name so later flows to that address can be labelled.
//
// Parse never panics: every length is checked, compression pointers may only
// point backwards (so they cannot loop) and names are capped at 255 octets.
package dnsmeta

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
)

// MaxRecords bounds how many questions and answers a Message keeps.
const MaxRecords = 32

// Errors returned by Parse.
var (
	ErrShort     = errors.New("dnsmeta: message shorter than a DNS header")
	ErrTruncated = errors.New("dnsmeta: message ends inside a record")
	ErrBadName   = errors.New("dnsmeta: malformed domain name")
	ErrBadRData  = errors.New("dnsmeta: record data does not fit its type")
)

// Message is the part of a DNS message flowscope reports.
type Message struct {
	ID        uint16
	Response  bool
	Opcode    uint8
	RCode     string
	Questions []Question
	Answers   []Answer
}

// Question is one entry of the question section.
type Question struct {
	Name, Type, Class string
}

// Answer is one resource record of the answer section.
type Answer struct {
	Name, Type string
	TTL        uint32
	Addr       netip.Addr // A and AAAA only
	Target     string     // CNAME, PTR, NS and DNAME only
}

const headerLen = 12

// maxNameLen is the wire-format limit of RFC 1035 section 2.3.4.
const maxNameLen = 255

// Parse decodes a DNS message (a UDP payload, or a TCP one without its 2-byte
// length). On error the Message, if not nil, holds what was read before it.
func Parse(msg []byte) (*Message, error) {
	if len(msg) < headerLen {
		return nil, ErrShort
	}
	flags := binary.BigEndian.Uint16(msg[2:])
	m := &Message{
		ID:       binary.BigEndian.Uint16(msg),
		Response: flags&0x8000 != 0,
		Opcode:   uint8(flags>>11) & 0xf,
		RCode:    RCodeName(flags & 0xf),
	}
	qd := int(binary.BigEndian.Uint16(msg[4:]))
	an := int(binary.BigEndian.Uint16(msg[6:]))
	off := headerLen

	for i := 0; i < qd; i++ {
		name, next, err := readName(msg, off)
		if err != nil {
			return m, err
		}
		if next+4 > len(msg) {
			return m, ErrTruncated
		}
		if len(m.Questions) < MaxRecords {
			m.Questions = append(m.Questions, Question{
				Name:  name,
				Type:  TypeName(binary.BigEndian.Uint16(msg[next:])),
				Class: className(binary.BigEndian.Uint16(msg[next+2:])),
			})
		}
		off = next + 4
	}

	// Only the first MaxRecords answers are read; the rest, and the
	// authority and additional sections, are not needed for naming.
	for i := 0; i < an && len(m.Answers) < MaxRecords; i++ {
		name, next, err := readName(msg, off)
		if err != nil {
			return m, err
		}
		if next+10 > len(msg) {
			return m, ErrTruncated
		}
		typ := binary.BigEndian.Uint16(msg[next:])
		rdStart := next + 10
		rdEnd := rdStart + int(binary.BigEndian.Uint16(msg[next+8:]))
		if rdEnd > len(msg) {
			return m, ErrTruncated
		}
		a := Answer{Name: name, Type: TypeName(typ), TTL: binary.BigEndian.Uint32(msg[next+4:])}
		rd := msg[rdStart:rdEnd]
		switch typ {
		case typeA:
			if len(rd) != 4 {
				return m, ErrBadRData
			}
			a.Addr = netip.AddrFrom4([4]byte(rd))
		case typeAAAA:
			if len(rd) != 16 {
				return m, ErrBadRData
			}
			a.Addr = netip.AddrFrom16([16]byte(rd))
		case typeNS, typeCNAME, typePTR, typeDNAME:
			// The target may point anywhere earlier, but its own
			// uncompressed octets must stay inside the record data.
			t, tEnd, err := readName(msg[:rdEnd], rdStart)
			if err != nil {
				return m, err
			}
			if tEnd != rdEnd {
				return m, ErrBadRData
			}
			a.Target = t
		}
		m.Answers = append(m.Answers, a)
		off = rdEnd
	}
	return m, nil
}

// readName decodes the name at off and returns it in dotted lower-case form
// ("." for the root) with the offset just past its in-place octets.
func readName(msg []byte, off int) (string, int, error) {
	var buf [maxNameLen + 1]byte
	out := buf[:0]
	wire := 0     // wire-format length so far, checked against maxNameLen
	end := -1     // offset after the name where it first appeared
	lowest := off // pointers must go strictly below every earlier position
	for {
		if off >= len(msg) {
			return "", 0, ErrTruncated
		}
		l := int(msg[off])
		switch l & 0xc0 {
		case 0x00:
		case 0xc0:
			if off+1 >= len(msg) {
				return "", 0, ErrTruncated
			}
			ptr := int(binary.BigEndian.Uint16(msg[off:]) & 0x3fff)
			if ptr >= lowest {
				return "", 0, ErrBadName
			}
			if end < 0 {
				end = off + 2
			}
			off, lowest = ptr, ptr
			continue
		default: // 0x40 and 0x80 label types are obsolete or unassigned
			return "", 0, ErrBadName
		}
		if l == 0 {
			if end < 0 {
				end = off + 1
			}
			if len(out) == 0 {
				return ".", end, nil
			}
			return string(out), end, nil
		}
		wire += l + 1
		if wire+1 > maxNameLen {
			return "", 0, ErrBadName
		}
		if off+1+l > len(msg) {
			return "", 0, ErrTruncated
		}
		if len(out) > 0 {
			out = append(out, '.')
		}
		for _, c := range msg[off+1 : off+1+l] {
			out = appendLabelByte(out, c)
		}
		off += 1 + l
	}
}

// appendLabelByte lower-cases letters and keeps every other byte as it
// came: names are escaped once, where they are printed (report.Escape), as
// every string from the wire is; escaping here too printed "\\027".
func appendLabelByte(out []byte, c byte) []byte {
	if 'A' <= c && c <= 'Z' {
		c += 'a' - 'A'
	}
	return append(out, c)
}

// Record types the parser looks into.
const (
	typeA     = 1
	typeNS    = 2
	typeCNAME = 5
	typePTR   = 12
	typeAAAA  = 28
	typeDNAME = 39
)

// TypeName returns the mnemonic of a record type, or "TYPEn" (RFC 3597).
func TypeName(t uint16) string {
	switch t {
	case 1:
		return "A"
	case 2:
		return "NS"
	case 5:
		return "CNAME"
	case 6:
		return "SOA"
	case 12:
		return "PTR"
	case 13:
		return "HINFO"
	case 15:
		return "MX"
	case 16:
		return "TXT"
	case 28:
		return "AAAA"
	case 33:
		return "SRV"
	case 35:
		return "NAPTR"
	case 39:
		return "DNAME"
	case 41:
		return "OPT"
	case 43:
		return "DS"
	case 46:
		return "RRSIG"
	case 47:
		return "NSEC"
	case 48:
		return "DNSKEY"
	case 50:
		return "NSEC3"
	case 51:
		return "NSEC3PARAM"
	case 52:
		return "TLSA"
	case 64:
		return "SVCB"
	case 65:
		return "HTTPS"
	case 99:
		return "SPF"
	case 251:
		return "IXFR"
	case 252:
		return "AXFR"
	case 255:
		return "ANY"
	case 257:
		return "CAA"
	}
	return "TYPE" + strconv.Itoa(int(t))
}

// RCodeName returns the mnemonic of a header response code, or "RCODEn".
func RCodeName(rc uint16) string {
	switch rc {
	case 0:
		return "NOERROR"
	case 1:
		return "FORMERR"
	case 2:
		return "SERVFAIL"
	case 3:
		return "NXDOMAIN"
	case 4:
		return "NOTIMP"
	case 5:
		return "REFUSED"
	case 6:
		return "YXDOMAIN"
	case 7:
		return "YXRRSET"
	case 8:
		return "NXRRSET"
	case 9:
		return "NOTAUTH"
	case 10:
		return "NOTZONE"
	}
	return "RCODE" + strconv.Itoa(int(rc))
}

// className names a question class. The top bit is masked off because mDNS
// reuses it as the unicast-response flag.
func className(c uint16) string {
	switch c & 0x7fff {
	case 1:
		return "IN"
	case 3:
		return "CH"
	case 4:
		return "HS"
	case 254:
		return "NONE"
	case 255:
		return "ANY"
	}
	return "CLASS" + strconv.Itoa(int(c&0x7fff))
}
