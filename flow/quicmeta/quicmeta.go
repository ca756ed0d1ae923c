// Package quicmeta decrypts QUIC client Initial packets and reassembles the
// TLS ClientHello they carry, so flows can be labelled (SNI, ALPN) without
// any key material: Initial keys derive from public values (RFC 9001 §5.2).
package quicmeta

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"sync"
)

// Limits bounding the memory and work spent on one flow.
const (
	MaxCryptoData = 8 << 10 // bytes of CRYPTO stream kept from offset 0
	MaxDatagrams  = 16      // datagrams examined per Assembler
	maxCachedKeys = 8       // keys kept per Assembler: new DCIDs per packet must not grow it unboundedly
	minBuf        = 512     // the CRYPTO buffer's first size; it doubles up to MaxCryptoData
)

// QUIC versions with known Initial salts.
const (
	Version1 = 0x00000001
	Version2 = 0x6b3343cf
)

// Errors reported by Add (diagnostics only).
var (
	ErrTooManyDatagrams   = errors.New("quicmeta: datagram limit reached")
	ErrNoInitial          = errors.New("quicmeta: no client Initial packet in datagram")
	ErrUnsupportedVersion = errors.New("quicmeta: unsupported QUIC version")
	ErrTruncated          = errors.New("quicmeta: truncated packet")
	ErrDecrypt            = errors.New("quicmeta: Initial packet does not decrypt")
	ErrFrame              = errors.New("quicmeta: malformed or unexpected frame")
)

var (
	saltV1       = []byte{0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a}
	saltV2       = []byte{0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9}
	saltDraft29  = []byte{0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99}
	saltDraft23  = []byte{0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7, 0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02}
	labelsV1     = [3]string{"quic key", "quic iv", "quic hp"}
	labelsV2     = [3]string{"quicv2 key", "quicv2 iv", "quicv2 hp"}
	initialTypes = [2]byte{0, 1} // long-header type bits of Initial: v1 and drafts, v2
)

// versionParams describes how a version protects its Initial packets.
type versionParams struct {
	salt        []byte
	labels      *[3]string
	initialType byte
}

// params returns the Initial protection parameters of version v.
func params(v uint32) (versionParams, bool) {
	switch {
	case v == Version1:
		return versionParams{saltV1, &labelsV1, initialTypes[0]}, true
	case v == Version2:
		return versionParams{saltV2, &labelsV2, initialTypes[1]}, true
	case v == 0xff000021 || v == 0xff000022: // draft-33, -34 already use the v1 salt
		return versionParams{saltV1, &labelsV1, initialTypes[0]}, true
	case v >= 0xff00001d && v <= 0xff000020: // draft-29..32
		return versionParams{saltDraft29, &labelsV1, initialTypes[0]}, true
	case v >= 0xff000017 && v <= 0xff00001c: // draft-23..28
		return versionParams{saltDraft23, &labelsV1, initialTypes[0]}, true
	}
	return versionParams{}, false
}

// SupportedVersion reports whether Initial packets of version v can be decrypted.
func SupportedVersion(v uint32) bool {
	_, ok := params(v)
	return ok
}

// keys holds the client Initial packet protection material.
type keys struct {
	aead cipher.AEAD
	hp   cipher.Block
	iv   [12]byte
}

// expandLabel is HKDF-Expand-Label from TLS 1.3 (RFC 8446 §7.1), empty context.
func expandLabel(secret []byte, label string, n int) ([]byte, error) {
	full := "tls13 " + label
	info := make([]byte, 0, 4+len(full))
	info = append(info, byte(n>>8), byte(n), byte(len(full)))
	info = append(info, full...)
	info = append(info, 0)
	return hkdf.Expand(sha256.New, secret, string(info), n)
}

// clientSecrets derives the client's Initial key, IV and header-protection key.
func clientSecrets(p versionParams, dcid []byte) (key, iv, hp []byte, err error) {
	initial, err := hkdf.Extract(sha256.New, dcid, p.salt)
	if err != nil {
		return nil, nil, nil, err
	}
	client, err := expandLabel(initial, "client in", 32)
	if err != nil {
		return nil, nil, nil, err
	}
	if key, err = expandLabel(client, p.labels[0], 16); err != nil {
		return nil, nil, nil, err
	}
	if iv, err = expandLabel(client, p.labels[1], 12); err != nil {
		return nil, nil, nil, err
	}
	if hp, err = expandLabel(client, p.labels[2], 16); err != nil {
		return nil, nil, nil, err
	}
	return key, iv, hp, nil
}

// newKeys builds the AES-128-GCM and header-protection ciphers for dcid.
func newKeys(p versionParams, dcid []byte) (*keys, error) {
	key, iv, hp, err := clientSecrets(p, dcid)
	if err != nil {
		return nil, err
	}
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(blk)
	if err != nil {
		return nil, err
	}
	hpb, err := aes.NewCipher(hp)
	if err != nil {
		return nil, err
	}
	k := &keys{aead: aead, hp: hpb}
	copy(k.iv[:], iv)
	return k, nil
}

// keyID identifies cached keys: the same DCID yields different keys per version.
type keyID struct {
	version uint32
	dcid    string
}

// cachedKeys are the keys of one (version, DCID).
type cachedKeys struct {
	id keyID
	k  *keys
}

// Assembler gathers the client's Initial CRYPTO stream across datagrams.
// It is bounded: at most MaxCryptoData bytes of CRYPTO data and MaxDatagrams
// datagrams. Its memory follows what came: the zero Assembler holds no
// buffers, the CRYPTO buffer covers the highest offset stored (from minBuf,
// doubling), and only keys that opened a packet are kept.
type Assembler struct {
	datagrams int
	version   uint32 // version of the first client Initial that decrypted
	origDCID  []byte // DCID of that Initial; its keys stay valid for later Initials
	haveOrig  bool
	nextPN    uint64       // largest decrypted packet number + 1
	cache     []cachedKeys // at most maxCachedKeys
	buf       []byte       // CRYPTO stream from offset 0, len a power of two or 0
	have      []uint64     // bitmap of buf bytes received, len(buf)/64 words
	contig    int          // bytes contiguous from offset 0
	scratch   []byte       // during Add: the packet being opened, from scratchPool
}

// scratchPool holds the buffers packets are opened in, so that an
// Assembler keeps none between datagrams.
var scratchPool = sync.Pool{New: func() any { return new([]byte) }}

// Reset clears the Assembler for reuse with another flow.
func (a *Assembler) Reset() {
	*a = Assembler{}
}

// Version returns the QUIC version of the first client Initial that decrypted, or 0.
func (a *Assembler) Version() uint32 { return a.version }

// ClientHello returns the CRYPTO stream's first handshake message (type 1) once
// it is complete, else ok=false. The returned slice is a copy.
func (a *Assembler) ClientHello() (msg []byte, ok bool) {
	n := a.helloLen()
	if n == 0 {
		return nil, false
	}
	return bytes.Clone(a.buf[:n]), true
}

// HasClientHello reports whether ClientHello would return ok, without the copy.
func (a *Assembler) HasClientHello() bool { return a.helloLen() > 0 }

// helloLen is the length of the complete ClientHello message, or 0.
func (a *Assembler) helloLen() int {
	if a.contig < 4 || a.buf[0] != 1 {
		return 0
	}
	n := 4 + (int(a.buf[1])<<16 | int(a.buf[2])<<8 | int(a.buf[3]))
	if n > a.contig {
		return 0
	}
	return n
}

// Add feeds one UDP datagram sent by the client. Coalesced packets are walked
// in order; only Initial packets are decrypted, with the keys of the first
// decrypted Initial's DCID (falling back to the packet's own DCID, as after a
// Retry). The error is for diagnostics only: nil if an Initial decrypted or the
// ClientHello was already complete, else the first problem met.
func (a *Assembler) Add(datagram []byte) error {
	if a.datagrams >= MaxDatagrams {
		return ErrTooManyDatagrams
	}
	a.datagrams++
	if a.HasClientHello() {
		return nil
	}
	sp := scratchPool.Get().(*[]byte)
	a.scratch = *sp
	defer func() {
		*sp, a.scratch = a.scratch[:0], nil
		scratchPool.Put(sp)
	}()
	var firstErr error
	decrypted := false
	for len(datagram) > 0 {
		n, err := a.addPacket(datagram)
		if err == nil {
			decrypted = true
		} else if firstErr == nil && err != errSkip {
			firstErr = err
		}
		if n <= 0 {
			break
		}
		datagram = datagram[n:]
	}
	if decrypted {
		return nil
	}
	if firstErr == nil {
		return ErrNoInitial
	}
	return firstErr
}

// errSkip marks a well-formed packet that is not a client Initial.
var errSkip = errors.New("quicmeta: not an Initial packet")

// addPacket handles the packet at the start of b and returns its length, or 0
// when the rest of the datagram cannot be delimited.
func (a *Assembler) addPacket(b []byte) (int, error) {
	// Short headers have no length and run to the end of the datagram.
	if len(b) < 7 || b[0]&0x80 == 0 {
		return 0, errSkip
	}
	version := binary.BigEndian.Uint32(b[1:5])
	if version == 0 { // Version Negotiation
		return 0, errSkip
	}
	p, ok := params(version)
	if !ok {
		return 0, ErrUnsupportedVersion
	}
	off := 5
	dcidLen := int(b[off])
	off++
	if dcidLen > 20 || off+dcidLen >= len(b) {
		return 0, ErrTruncated
	}
	dcid := b[off : off+dcidLen]
	off += dcidLen
	scidLen := int(b[off])
	off++
	if scidLen > 20 || off+scidLen > len(b) {
		return 0, ErrTruncated
	}
	off += scidLen
	typ := (b[0] >> 4) & 3
	retryType := byte(3)
	if version == Version2 {
		retryType = 0
	}
	if typ == retryType { // Retry has no Length field
		return 0, errSkip
	}
	if typ == p.initialType {
		tokLen, n := readVarint(b[off:])
		if n == 0 || tokLen > uint64(len(b)-off-n) {
			return 0, ErrTruncated
		}
		off += n + int(tokLen)
	}
	length, n := readVarint(b[off:])
	if n == 0 || length > uint64(len(b)-off-n) {
		return 0, ErrTruncated
	}
	pnOff := off + n
	end := pnOff + int(length)
	if typ != p.initialType {
		return end, errSkip
	}
	return end, a.decryptInitial(b[:end], pnOff, version, p, dcid)
}

// decryptInitial removes protection from one Initial packet and consumes its frames.
func (a *Assembler) decryptInitial(pkt []byte, pnOff int, version uint32, p versionParams, dcid []byte) error {
	// The sample starts 4 bytes after the packet number offset (RFC 9001 §5.4.2).
	if pnOff+4+aes.BlockSize > len(pkt) {
		return ErrTruncated
	}
	var candidates [2][]byte
	nc := 0
	if a.haveOrig {
		candidates[nc] = a.origDCID
		nc++
	}
	if !a.haveOrig || !bytes.Equal(dcid, a.origDCID) {
		// Own DCID as fallback: the original Initial may be missing or a Retry changed keys.
		candidates[nc] = dcid
		nc++
	}
	var lastErr error = ErrDecrypt
	for _, cand := range candidates[:nc] {
		k, err := a.keysFor(version, p, cand)
		if err != nil {
			lastErr = err
			continue
		}
		payload, err := a.open(k, pkt, pnOff)
		if err != nil {
			lastErr = err
			continue
		}
		a.keep(version, cand, k)
		if !a.haveOrig {
			a.haveOrig = true
			a.origDCID = bytes.Clone(dcid)
			a.version = version
		}
		return a.parseFrames(payload)
	}
	return lastErr
}

// keysFor returns the kept keys for (version, dcid), or derives them.
func (a *Assembler) keysFor(version uint32, p versionParams, dcid []byte) (*keys, error) {
	for i := range a.cache {
		if c := &a.cache[i]; c.id.version == version && c.id.dcid == string(dcid) {
			return c.k, nil
		}
	}
	return newKeys(p, dcid)
}

// keep caches keys that opened a packet, for the flow's later Initials.
// Keys that opened nothing are not kept: a datagram that only looks like
// an Initial costs its flow no key material.
func (a *Assembler) keep(version uint32, dcid []byte, k *keys) {
	for i := range a.cache {
		if a.cache[i].k == k {
			return
		}
	}
	if len(a.cache) < maxCachedKeys {
		a.cache = append(a.cache, cachedKeys{keyID{version, string(dcid)}, k})
	}
}

// open removes header protection from a copy of pkt and decrypts its payload.
func (a *Assembler) open(k *keys, pkt []byte, pnOff int) ([]byte, error) {
	var mask [aes.BlockSize]byte
	k.hp.Encrypt(mask[:], pkt[pnOff+4:pnOff+4+aes.BlockSize])
	a.scratch = append(a.scratch[:0], pkt...)
	hdr := a.scratch
	hdr[0] ^= mask[0] & 0x0f
	pnLen := int(hdr[0]&3) + 1
	if pnOff+pnLen+k.aead.Overhead() > len(hdr) {
		return nil, ErrTruncated
	}
	var truncated uint64
	for i := 0; i < pnLen; i++ {
		hdr[pnOff+i] ^= mask[1+i]
		truncated = truncated<<8 | uint64(hdr[pnOff+i])
	}
	pn := decodePN(a.nextPN, truncated, pnLen)
	var nonce [12]byte
	copy(nonce[:], k.iv[:])
	for i := 0; i < 8; i++ {
		nonce[4+i] ^= byte(pn >> (56 - 8*i))
	}
	payStart := pnOff + pnLen
	plain, err := k.aead.Open(hdr[payStart:payStart], nonce[:], hdr[payStart:], hdr[:payStart])
	if err != nil {
		return nil, ErrDecrypt
	}
	if pn >= a.nextPN {
		a.nextPN = pn + 1
	}
	return plain, nil
}

// decodePN expands a truncated packet number around the expected one (RFC 9000 §A.3).
func decodePN(expected, truncated uint64, pnLen int) uint64 {
	win := uint64(1) << (8 * pnLen)
	hwin := win / 2
	mask := win - 1
	candidate := (expected &^ mask) | truncated
	switch {
	case candidate+hwin <= expected && candidate < (1<<62)-win:
		return candidate + win
	case candidate > expected+hwin && candidate >= win:
		return candidate - win
	}
	return candidate
}

// Frame types allowed in Initial packets (RFC 9000 §12.4).
const (
	framePadding    = 0x00
	framePing       = 0x01
	frameAck        = 0x02
	frameAckECN     = 0x03
	frameCrypto     = 0x06
	frameCloseQUIC  = 0x1c
	frameCloseApp   = 0x1d
	maxStreamOffset = 1<<62 - 1
)

// parseFrames walks a decrypted Initial payload, storing CRYPTO data.
func (a *Assembler) parseFrames(p []byte) error {
	for len(p) > 0 {
		typ, n := readVarint(p)
		if n == 0 {
			return ErrFrame
		}
		p = p[n:]
		switch typ {
		case framePadding, framePing:
		case frameAck, frameAckECN:
			var fields [4]uint64 // largest, delay, range count, first range
			for i := range fields {
				if fields[i], n = readVarint(p); n == 0 {
					return ErrFrame
				}
				p = p[n:]
			}
			extra := 0
			if typ == frameAckECN {
				extra = 3
			}
			// Every varint takes at least one byte, which bounds the loop by len(p).
			if fields[2] > uint64(len(p)) {
				return ErrFrame
			}
			for i := 0; i < 2*int(fields[2])+extra; i++ {
				if _, n = readVarint(p); n == 0 {
					return ErrFrame
				}
				p = p[n:]
			}
		case frameCrypto:
			off, n := readVarint(p)
			if n == 0 {
				return ErrFrame
			}
			p = p[n:]
			length, n := readVarint(p)
			if n == 0 || length > uint64(len(p)-n) || off+length > maxStreamOffset {
				return ErrFrame
			}
			p = p[n:]
			a.store(off, p[:length])
			p = p[length:]
		case frameCloseQUIC, frameCloseApp:
			if _, n = readVarint(p); n == 0 { // error code
				return ErrFrame
			}
			p = p[n:]
			if typ == frameCloseQUIC {
				if _, n = readVarint(p); n == 0 { // offending frame type
					return ErrFrame
				}
				p = p[n:]
			}
			reasonLen, n := readVarint(p)
			if n == 0 || reasonLen > uint64(len(p)-n) {
				return ErrFrame
			}
			p = p[n+int(reasonLen):]
		default:
			return ErrFrame
		}
	}
	return nil
}

// store copies CRYPTO data at off into the buffer; the first copy of a byte wins.
func (a *Assembler) store(off uint64, data []byte) {
	if off >= MaxCryptoData {
		return
	}
	if rem := MaxCryptoData - off; uint64(len(data)) > rem {
		data = data[:rem]
	}
	if len(data) == 0 {
		return
	}
	a.room(int(off) + len(data))
	for i, c := range data {
		pos := int(off) + i
		w, bit := pos/64, uint64(1)<<(pos%64)
		if a.have[w]&bit == 0 {
			a.have[w] |= bit
			a.buf[pos] = c
		}
	}
	for a.contig < len(a.buf) && a.have[a.contig/64]&(1<<(a.contig%64)) != 0 {
		a.contig++
	}
}

// room makes buf (and its bitmap) cover the first n bytes of the stream,
// n <= MaxCryptoData, doubling from minBuf.
func (a *Assembler) room(n int) {
	if n <= len(a.buf) {
		return
	}
	size := max(len(a.buf), minBuf)
	for size < n {
		size *= 2
	}
	size = min(size, MaxCryptoData)
	buf := make([]byte, size)
	copy(buf, a.buf)
	have := make([]uint64, size/64)
	copy(have, a.have)
	a.buf, a.have = buf, have
}

// readVarint decodes a QUIC variable-length integer; n is 0 if b is too short.
func readVarint(b []byte) (v uint64, n int) {
	if len(b) == 0 {
		return 0, 0
	}
	n = 1 << (b[0] >> 6)
	if len(b) < n {
		return 0, 0
	}
	v = uint64(b[0] & 0x3f)
	for i := 1; i < n; i++ {
		v = v<<8 | uint64(b[i])
	}
	return v, n
}
