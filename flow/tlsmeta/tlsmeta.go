// Package tlsmeta extracts TLS handshake metadata (SNI, ALPN, versions,
// JA3/JA3S/JA4 fingerprints, the server certificate) from the bytes one side
// of a TCP flow sent, or from a bare handshake message as QUIC carries it.
//
// Parsers never panic and tolerate a stream cut at any point: what is seen
// so far is returned with complete=false and a nil error, so a caller can
// retry with more bytes. An error means the bytes cannot be the expected
// handshake.
package tlsmeta

import (
	"crypto/md5"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Errors returned by the parsers.
var (
	ErrNotTLS         = errors.New("tlsmeta: not a TLS handshake record")
	ErrNotClientHello = errors.New("tlsmeta: first handshake message is not a ClientHello")
	ErrNotServerHello = errors.New("tlsmeta: first handshake message is not a ServerHello")
	ErrMalformed      = errors.New("tlsmeta: malformed handshake message")
	ErrTruncated      = errors.New("tlsmeta: handshake cut before the certificate")
	ErrNoCertificate  = errors.New("tlsmeta: no clear-text certificate in the server flight")
)

const (
	recordHandshake = 22
	// maxRecord is the largest ciphertext fragment TLS allows (2^14+2048);
	// anything longer means the bytes are not TLS records.
	maxRecord = 1<<14 + 2048

	typeClientHello = 1
	typeServerHello = 2
	typeCertificate = 11

	extServerName        = 0x0000
	extSupportedGroups   = 0x000a
	extECPointFormats    = 0x000b
	extSignatureAlgs     = 0x000d
	extALPN              = 0x0010
	extSupportedVersions = 0x002b
)

// ClientHello is what a client's first flight shows. Lists are as sent
// (GREASE included) except Versions; the fingerprints drop GREASE.
type ClientHello struct {
	SNI string
	// SNILen is the declared length of a server name cut by the end of the
	// bytes at hand (SNI then holds its start); 0 when SNI is whole.
	SNILen        int
	ALPN          []string
	LegacyVersion uint16   // the hello's version field (0x0303 ...)
	Versions      []uint16 // supported_versions extension, GREASE removed
	CipherSuites  []uint16
	Extensions    []uint16
	Groups        []uint16 // supported_groups
	PointFormats  []uint8
	SigAlgs       []uint16
	JA3           string // JA3 string, e.g. "771,4865-...,0-23-...,29-23-24,0"; empty unless complete
	JA3Hash       string // md5 hex of JA3
	JA4           string // FoxIO JA4 ("t..." over TCP, "q..." over QUIC); empty unless complete

	hasSNI  bool // extension present, even if its name was unusable
	hasALPN bool
}

// ServerHello is the server's answer to a ClientHello.
type ServerHello struct {
	Version       uint16 // negotiated: supported_versions if present, else the legacy field
	LegacyVersion uint16 // the hello's version field, which JA3S uses
	CipherSuite   uint16
	Extensions    []uint16
	ALPN          string
	JA3S          string // "SSLVersion,Cipher,Extensions"; empty unless complete
	JA3SHash      string // md5 hex of JA3S
}

// Certificate is the leaf of a server's clear-text (TLS <= 1.2) certificate chain.
type Certificate struct {
	Subject, Issuer     string
	NotBefore, NotAfter time.Time
	DNSNames            []string
}

// IsGREASE reports whether v is a GREASE value (RFC 8701: 0x?a?a, both bytes equal).
func IsGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// VersionName names a TLS/SSL/DTLS protocol version, e.g. "TLS 1.2".
func VersionName(v uint16) string {
	switch v {
	case 0x0002, 0x0200:
		return "SSL 2.0"
	case 0x0300:
		return "SSL 3.0"
	case 0x0301:
		return "TLS 1.0"
	case 0x0302:
		return "TLS 1.1"
	case 0x0303:
		return "TLS 1.2"
	case 0x0304:
		return "TLS 1.3"
	case 0xfeff:
		return "DTLS 1.0"
	case 0xfefd:
		return "DTLS 1.2"
	case 0xfefc:
		return "DTLS 1.3"
	}
	if IsGREASE(v) {
		return "GREASE"
	}
	if v>>8 == 0x7f { // pre-RFC 8446 drafts
		return "TLS 1.3 draft " + strconv.Itoa(int(v&0xff))
	}
	return Hex16(v)
}

// Hex16 formats v as 0x and four lower-case hex digits, as fmt's "0x%04x"
// does, for a fraction of its cost (it runs for every TLS flow).
func Hex16(v uint16) string {
	const digits = "0123456789abcdef"
	return string([]byte{'0', 'x', digits[v>>12], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf]})
}

// handshakeStream joins the fragments of the handshake records at the start
// of b, stopping at the first record of another type (ChangeCipherSpec,
// application data). more reports that b ended with no such record, so more
// handshake bytes may follow.
func handshakeStream(b []byte) (hs []byte, more bool, err error) {
	var frags [][]byte
	more = true
	for i := 0; len(b) > 0; i++ {
		// Check the header bytes there are, even when fewer than five.
		if b[0] != recordHandshake {
			if i == 0 {
				return nil, false, ErrNotTLS
			}
			more = false
			break
		}
		if len(b) > 1 && b[1] != 3 {
			return nil, false, ErrNotTLS
		}
		if len(b) < 5 {
			break
		}
		n := int(b[3])<<8 | int(b[4])
		if n == 0 || n > maxRecord {
			return nil, false, ErrNotTLS
		}
		if len(b) < 5+n {
			frags = append(frags, b[5:])
			break
		}
		frags = append(frags, b[5:5+n])
		b = b[5+n:]
	}
	switch len(frags) {
	case 0:
		return nil, more, nil
	case 1:
		return frags[0], more, nil // the common case needs no copy
	}
	for _, f := range frags {
		hs = append(hs, f...)
	}
	return hs, more, nil
}

// message splits the first handshake message off hs. ok is false when hs
// holds less than the 4-byte header; body may be shorter than declared (cut).
func message(hs []byte) (typ uint8, body, rest []byte, cut, ok bool) {
	if len(hs) < 4 {
		return 0, nil, nil, true, false
	}
	n := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
	if len(hs)-4 < n {
		return hs[0], hs[4:], nil, true, true
	}
	return hs[0], hs[4 : 4+n], hs[4+n:], false, true
}

// reader reads big-endian TLS fields; a read past the end returns ok=false.
type reader []byte

func (r *reader) u8() (uint8, bool) {
	if len(*r) < 1 {
		return 0, false
	}
	v := (*r)[0]
	*r = (*r)[1:]
	return v, true
}

func (r *reader) u16() (uint16, bool) {
	if len(*r) < 2 {
		return 0, false
	}
	v := uint16((*r)[0])<<8 | uint16((*r)[1])
	*r = (*r)[2:]
	return v, true
}

func (r *reader) bytes(n int) ([]byte, bool) {
	if n < 0 || len(*r) < n {
		return nil, false
	}
	v := (*r)[:n]
	*r = (*r)[n:]
	return v, true
}

// vec8, vec16 and vec24 read a vector with a 1, 2 or 3-byte length prefix.
func (r *reader) vec8() (reader, bool) {
	n, ok := r.u8()
	if !ok {
		return nil, false
	}
	b, ok := r.bytes(int(n))
	return b, ok
}

func (r *reader) vec16() (reader, bool) {
	n, ok := r.u16()
	if !ok {
		return nil, false
	}
	b, ok := r.bytes(int(n))
	return b, ok
}

func (r *reader) vec24() (reader, bool) {
	if len(*r) < 3 {
		return nil, false
	}
	n := int((*r)[0])<<16 | int((*r)[1])<<8 | int((*r)[2])
	*r = (*r)[3:]
	b, ok := r.bytes(n)
	return b, ok
}

// u16s decodes a list of 16-bit values; an odd trailing byte makes it invalid.
func u16s(b reader) ([]uint16, bool) {
	if len(b)%2 != 0 {
		return nil, false
	}
	out := make([]uint16, 0, len(b)/2)
	for len(b) > 0 {
		v, _ := b.u16()
		out = append(out, v)
	}
	return out, true
}

// ParseClientHello parses the first ClientHello in b (TLS records). complete
// reports whether the whole hello was in b; a cut hello still yields what
// was parsed (SNI often comes early), with complete=false.
func ParseClientHello(b []byte) (ch *ClientHello, complete bool, err error) {
	hs, _, err := handshakeStream(b)
	if err != nil {
		return nil, false, err
	}
	return parseClientHelloMsg(hs, 't')
}

// ParseClientHelloMessage parses a bare handshake message (type 1 + 3-byte
// length + body), as QUIC CRYPTO frames carry it; quic selects the JA4 "q" prefix.
func ParseClientHelloMessage(msg []byte, quic bool) (ch *ClientHello, complete bool, err error) {
	proto := byte('t')
	if quic {
		proto = 'q'
	}
	return parseClientHelloMsg(msg, proto)
}

func parseClientHelloMsg(hs []byte, proto byte) (*ClientHello, bool, error) {
	ch := &ClientHello{}
	if len(hs) > 0 && hs[0] != typeClientHello {
		return nil, false, ErrNotClientHello
	}
	_, body, _, cut, ok := message(hs)
	if !ok {
		return ch, false, nil
	}
	if err := ch.parseBody(body); err != nil {
		if !cut {
			return nil, false, err
		}
		// A cut body fails where the cut is; keep what came before it.
		return ch, false, nil
	}
	if cut {
		return ch, false, nil
	}
	ch.JA3 = ch.ja3()
	ch.JA3Hash = md5hex(ch.JA3)
	ch.JA4 = ch.ja4(proto)
	return ch, true, nil
}

// parseBody fills ch field by field, so that when body is cut the fields
// before the cut are set. It fails where the body ends early.
func (ch *ClientHello) parseBody(body []byte) error {
	r := reader(body)
	var ok bool
	if ch.LegacyVersion, ok = r.u16(); !ok {
		return ErrMalformed
	}
	if _, ok = r.bytes(32); !ok { // random
		return ErrMalformed
	}
	if sid, ok := r.vec8(); !ok || len(sid) > 32 {
		return ErrMalformed
	}
	cs, ok := r.vec16()
	if !ok {
		return ErrMalformed
	}
	if ch.CipherSuites, ok = u16s(cs); !ok {
		return ErrMalformed
	}
	if _, ok = r.vec8(); !ok { // compression methods
		return ErrMalformed
	}
	if len(r) == 0 {
		return nil // extensions are optional
	}
	// Walk the extensions without insisting on the outer length first,
	// so that a cut hello still yields the extensions before the cut.
	n, ok := r.u16()
	if !ok {
		return ErrMalformed
	}
	exts := r
	if int(n) <= len(r) {
		exts = r[:n]
		if int(n) != len(r) {
			return ErrMalformed // trailing bytes after the extensions
		}
	}
	for len(exts) > 0 {
		typ, ok := exts.u16()
		if !ok {
			return ErrMalformed
		}
		data, ok := exts.vec16()
		if !ok {
			if typ == extServerName {
				ch.cutSNI(exts) // a name longer than the bytes at hand: keep its start
			}
			return ErrMalformed
		}
		ch.Extensions = append(ch.Extensions, typ)
		ch.extension(typ, data)
	}
	if int(n) > len(r) {
		return ErrMalformed // extensions cut
	}
	return nil
}

// cutSNI reads the start of a server_name extension cut by the end of the
// hello's bytes: the name's first bytes, and in SNILen its declared length.
func (ch *ClientHello) cutSNI(data reader) {
	ch.hasSNI = true
	var kind uint8
	var n uint16
	ok := true
	if _, ok = data.u16(); ok { // list length
		if kind, ok = data.u8(); ok && kind == 0 {
			n, ok = data.u16()
		}
	}
	if ok && kind == 0 && len(data) < int(n) && ch.SNI == "" {
		ch.SNI, ch.SNILen = string(data), int(n)
	}
}

// extension decodes the extensions the metadata needs. Malformed contents
// are ignored rather than failing the hello: the fingerprints only use the
// extension type, and tshark computes JA3 regardless.
func (ch *ClientHello) extension(typ uint16, data reader) {
	switch typ {
	case extServerName:
		ch.hasSNI = true
		list, ok := data.vec16()
		for ok && len(list) > 0 {
			var kind uint8
			var name reader
			if kind, ok = list.u8(); !ok {
				break
			}
			if name, ok = list.vec16(); ok && kind == 0 && ch.SNI == "" {
				ch.SNI = string(name)
			}
		}
	case extALPN:
		ch.hasALPN = true
		list, ok := data.vec16()
		for ok && len(list) > 0 {
			var p reader
			if p, ok = list.vec8(); ok {
				ch.ALPN = append(ch.ALPN, string(p))
			}
		}
	case extSupportedVersions:
		if l, ok := data.vec8(); ok {
			vs, _ := u16s(l)
			for _, v := range vs {
				if !IsGREASE(v) {
					ch.Versions = append(ch.Versions, v)
				}
			}
		}
	case extSupportedGroups:
		if l, ok := data.vec16(); ok {
			ch.Groups, _ = u16s(l)
		}
	case extECPointFormats:
		if l, ok := data.vec8(); ok {
			ch.PointFormats = append([]uint8(nil), l...)
		}
	case extSignatureAlgs:
		if l, ok := data.vec16(); ok {
			ch.SigAlgs, _ = u16s(l)
		}
	}
}

// ja3 builds the JA3 string: decimal values, '-' joined, GREASE removed.
func (ch *ClientHello) ja3() string {
	var sb strings.Builder
	sb.WriteString(strconv.Itoa(int(ch.LegacyVersion)))
	sb.WriteByte(',')
	joinDec(&sb, ch.CipherSuites)
	sb.WriteByte(',')
	joinDec(&sb, ch.Extensions)
	sb.WriteByte(',')
	joinDec(&sb, ch.Groups)
	sb.WriteByte(',')
	for i, p := range ch.PointFormats {
		if i > 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(strconv.Itoa(int(p)))
	}
	return sb.String()
}

func joinDec(sb *strings.Builder, vs []uint16) {
	first := true
	for _, v := range vs {
		if IsGREASE(v) {
			continue
		}
		if !first {
			sb.WriteByte('-')
		}
		first = false
		sb.WriteString(strconv.Itoa(int(v)))
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// ParseServerHello parses the ServerHello that starts the server's flight in b
// (TLS records). complete reports whether the whole hello was in b.
func ParseServerHello(b []byte) (sh *ServerHello, complete bool, err error) {
	hs, _, err := handshakeStream(b)
	if err != nil {
		return nil, false, err
	}
	sh = &ServerHello{}
	if len(hs) > 0 && hs[0] != typeServerHello {
		return nil, false, ErrNotServerHello
	}
	_, body, _, cut, ok := message(hs)
	if !ok {
		return sh, false, nil
	}
	if err := sh.parseBody(body); err != nil {
		if !cut {
			return nil, false, err
		}
		return sh, false, nil
	}
	if cut {
		return sh, false, nil
	}
	var sb strings.Builder
	sb.WriteString(strconv.Itoa(int(sh.LegacyVersion)))
	sb.WriteByte(',')
	sb.WriteString(strconv.Itoa(int(sh.CipherSuite)))
	sb.WriteByte(',')
	joinDec(&sb, sh.Extensions)
	sh.JA3S = sb.String()
	sh.JA3SHash = md5hex(sh.JA3S)
	return sh, true, nil
}

func (sh *ServerHello) parseBody(body []byte) error {
	r := reader(body)
	var ok bool
	if sh.LegacyVersion, ok = r.u16(); !ok {
		return ErrMalformed
	}
	sh.Version = sh.LegacyVersion
	if _, ok = r.bytes(32); !ok {
		return ErrMalformed
	}
	if sid, ok := r.vec8(); !ok || len(sid) > 32 {
		return ErrMalformed
	}
	if sh.CipherSuite, ok = r.u16(); !ok {
		return ErrMalformed
	}
	if _, ok = r.u8(); !ok { // compression method
		return ErrMalformed
	}
	if len(r) == 0 {
		return nil
	}
	exts, ok := r.vec16()
	if !ok || len(r) != 0 {
		return ErrMalformed
	}
	for len(exts) > 0 {
		typ, ok := exts.u16()
		if !ok {
			return ErrMalformed
		}
		data, ok := exts.vec16()
		if !ok {
			return ErrMalformed
		}
		sh.Extensions = append(sh.Extensions, typ)
		switch typ {
		case extSupportedVersions:
			if v, ok := data.u16(); ok {
				sh.Version = v
			}
		case extALPN:
			if l, ok := data.vec16(); ok {
				if p, ok := l.vec8(); ok {
					sh.ALPN = string(p)
				}
			}
		}
	}
	return nil
}

// ParseServerCertificate returns the leaf certificate of the server's flight
// in b: a ServerHello, then a Certificate message in the same or following
// records. TLS 1.3 encrypts the certificate, so it yields ErrNoCertificate.
func ParseServerCertificate(b []byte) (*Certificate, error) {
	hs, more, err := handshakeStream(b)
	if err != nil {
		return nil, err
	}
	// short tells a cut stream from a flight that has no Certificate.
	short := func() error {
		if more {
			return ErrTruncated
		}
		return ErrNoCertificate
	}
	typ, body, rest, cut, ok := message(hs)
	if !ok || cut {
		return nil, ErrTruncated
	}
	if typ != typeServerHello {
		return nil, ErrNotServerHello
	}
	var sh ServerHello
	if err := sh.parseBody(body); err != nil {
		return nil, err
	}
	if sh.Version == 0x0304 || sh.Version>>8 == 0x7f {
		return nil, ErrNoCertificate // TLS 1.3 encrypts it
	}
	for {
		typ, body, rest, cut, ok = message(rest)
		if !ok {
			return nil, short()
		}
		if typ != typeCertificate {
			if cut {
				return nil, short()
			}
			continue
		}
		// A cut message still holds the leaf if the leaf came in whole.
		r := reader(body)
		if len(r) < 3 {
			return nil, short()
		}
		r = r[3:] // certificate_list length; the leaf is read on its own
		der, ok := r.vec24()
		if !ok {
			if cut {
				return nil, short()
			}
			return nil, ErrMalformed
		}
		if len(der) == 0 {
			return nil, ErrNoCertificate // a server may send an empty list
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("tlsmeta: leaf certificate: %w", err)
		}
		return &Certificate{
			Subject:   c.Subject.String(),
			Issuer:    c.Issuer.String(),
			NotBefore: c.NotBefore,
			NotAfter:  c.NotAfter,
			DNSNames:  c.DNSNames,
		}, nil
	}
}
