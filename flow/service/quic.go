package service

import "bytes"

// QUIC, recognised by a long-header Initial (v1, v2, drafts, mvfst), a
// version negotiation, Google QUIC's first packet (Q0xx, T0xx), a client's
// repeated probe with a reserved version, or, in a flow the capture joined
// late, by short-header packets under one connection ID.
var quicProtocol = Protocol{
	Name: "quic", Transports: onUDP,
	// domain-s on udp is DNS over QUIC (RFC 9250).
	Registry:  []string{"https", "domain-s"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&quicDetector, &quicMidStreamDetector},
}

var quicDetector = Detector{Name: "quic", Transports: onUDP, Detect: detectQUIC}

// quicMidStreamDetector names QUIC from short-header packets alone: a
// connection open before the capture began.
var quicMidStreamDetector = Detector{Name: "quic-midstream", Transports: onUDP, Detect: detectQUICShort}

func detectQUIC(in *Input) (Result, bool) {
	if in == nil || in.Transport != UDP {
		return Result{}, false
	}
	var s verdict
	if len(in.Server) >= 5 && in.Server[0]&0x80 != 0 && in.Server[1]|in.Server[2]|in.Server[3]|in.Server[4] == 0 {
		s = quicVersionNeg(in.Server, in.Client)
	} else {
		s = quicInitial(in.Server, false)
	}
	c := quicInitial(in.Client, true)
	if c.conf == None {
		c = googleQUIC(in.Client)
	}
	if c.conf == None {
		c = quicReservedProbe(in.Client, in.ClientDatagrams)
	}
	return decide("quic", in, c, s, nil)
}

// quicMinInitial is the smallest datagram a client may carry its first
// Initial in (RFC 9000 §14.1); meeting it is what makes a client High.
const quicMinInitial = 1200

// quicInitial checks a long-header Initial packet of a version we know.
// A header cut short is Low; a complete header whose packet runs past the
// buffer (snaplen) or a server's Initial is Medium.
func quicInitial(b []byte, client bool) verdict {
	if len(b) < 6 || b[0]&0x80 == 0 {
		return verdict{}
	}
	ver := uint32(b[1])<<24 | uint32(b[2])<<16 | uint32(b[3])<<8 | uint32(b[4])
	initial := byte(0)
	switch {
	case ver == 1, ver&0xffffff00 == 0xff000000: // v1, drafts
	case ver&0xfffffff0 == 0xfaceb000: // mvfst (Facebook), draft-based
	case ver == 0x6b3343cf: // v2 renumbered the packet types (RFC 9369)
		initial = 1
	default:
		return verdict{}
	}
	if (b[0]>>4)&3 != initial {
		return verdict{}
	}
	top := High
	if b[0]&0x40 == 0 {
		// The fixed bit may be greased (RFC 9287), but only once the peer
		// allowed it, so a clear bit weakens the match.
		top = Medium
	}
	ev := b[:5]
	dcid := int(b[5])
	// A client's first Destination Connection ID has at least 8 bytes.
	if dcid > 20 || (client && dcid < 8) {
		return verdict{}
	}
	off := 6 + dcid
	if off >= len(b) {
		return verdict{Low, ev}
	}
	scid := int(b[off])
	if scid > 20 {
		return verdict{}
	}
	off += 1 + scid
	tok, n := quicVarint(b, off)
	if n == 0 {
		return verdict{Low, ev}
	}
	if !client && tok != 0 { // only clients send tokens
		return verdict{}
	}
	off += n
	if tok > uint64(len(b)-off) {
		return verdict{Low, ev}
	}
	off += int(tok)
	plen, n := quicVarint(b, off)
	if n == 0 {
		return verdict{Low, ev}
	}
	off += n
	// Header protection samples 16 bytes from 4 bytes past the packet
	// number's start (RFC 9001 §5.4.2), so a packet has at least 20.
	if plen < 20 {
		return verdict{}
	}
	conf := Medium
	if plen <= uint64(len(b)-off) && client && len(b) >= quicMinInitial {
		conf = High
	}
	if conf > top {
		conf = top
	}
	return verdict{conf, ev}
}

// quicVarint reads a QUIC variable-length integer at b[off:]; n is 0 when the
// buffer ends first.
func quicVarint(b []byte, off int) (v uint64, n int) {
	if off >= len(b) {
		return 0, 0
	}
	n = 1 << (b[off] >> 6)
	if len(b)-off < n {
		return 0, 0
	}
	v = uint64(b[off] & 0x3f)
	for i := 1; i < n; i++ {
		v = v<<8 | uint64(b[off+i])
	}
	return v, n
}

// quicVersionNeg checks a Version Negotiation packet (version 0). It has
// no fixed content, so it must echo the client's connection IDs swapped
// (RFC 9000 §17.2.1); with no client packet to compare it is only Low.
func quicVersionNeg(b, client []byte) verdict {
	off := 5
	if off >= len(b) {
		return verdict{}
	}
	dcid := b[off+1 : min(len(b), off+1+int(b[off]))]
	off += 1 + int(b[off])
	if off >= len(b) {
		return verdict{}
	}
	scid := b[off+1 : min(len(b), off+1+int(b[off]))]
	off += 1 + int(b[off])
	rest := len(b) - off
	if rest < 4 || rest%4 != 0 {
		return verdict{}
	}
	for i := off; i < len(b); i += 4 {
		if b[i]|b[i+1]|b[i+2]|b[i+3] == 0 {
			return verdict{}
		}
	}
	if len(client) == 0 {
		return verdict{Low, b[:5]}
	}
	if len(client) < 7 || client[0]&0x80 == 0 {
		return verdict{}
	}
	cd := int(client[5])
	if 6+cd >= len(client) {
		return verdict{}
	}
	cs := int(client[6+cd])
	if 7+cd+cs > len(client) {
		return verdict{}
	}
	if string(dcid) != string(client[7+cd:7+cd+cs]) || string(scid) != string(client[6:6+cd]) {
		return verdict{}
	}
	return verdict{Medium, b[:5]}
}

// googleQUIC checks a client's first Google QUIC packet: the legacy public
// header (version flag, 8-byte connection ID, then the version), or from
// Q046 on the IETF long header. Versions are "Q" or "T" and three digits.
// A client pads that packet to at least 1024 bytes; up to Q046 it carries
// its handshake message (tag "CHLO") in clear, which makes it High.
func googleQUIC(b []byte) verdict {
	var ver []byte
	switch {
	case len(b) >= 13 && b[0]&0x80 == 0 && b[0]&0x09 == 0x09:
		ver = b[9:13]
	case len(b) >= 5 && b[0]&0xc0 == 0xc0:
		ver = b[1:5]
	default:
		return verdict{}
	}
	if (ver[0] != 'Q' && ver[0] != 'T') || !isDigit(ver[1]) || !isDigit(ver[2]) || !isDigit(ver[3]) {
		return verdict{}
	}
	if len(b) < 1024 {
		return verdict{Low, ver}
	}
	if bytes.Contains(head(b, 128), []byte("CHLO")) {
		return verdict{High, ver}
	}
	return verdict{Medium, ver}
}

// quicReservedProbe checks a client's long-header packet with a reserved
// version (0x?a?a?a?a, RFC 9000 §15), sent to make a server answer with a
// version negotiation. Alone it is Low: a version field is four bytes any
// datagram may hold. It is Medium when it is laid out as an Initial whose
// token and length fields end it exactly at the end of the datagram, as
// clients build these probes, or when the same version and connection IDs
// come again in another of the client's datagrams.
func quicReservedProbe(b []byte, datagrams [][]byte) verdict {
	n := quicReservedHeader(b)
	if n == 0 {
		return verdict{}
	}
	if tok, k := quicVarint(b, n); k > 0 && tok <= uint64(len(b)-n-k) {
		off := n + k + int(tok)
		if plen, k := quicVarint(b, off); k > 0 && uint64(len(b)-off-k) == plen {
			return verdict{Medium, b[:5]}
		}
	}
	for _, d := range datagrams {
		if len(d) >= n && &d[0] != &b[0] && string(d[1:n]) == string(b[1:n]) {
			return verdict{Medium, b[:5]}
		}
	}
	return verdict{Low, b[:5]}
}

// quicReservedHeader returns the length of a reserved-version long header up
// to the end of its source connection ID, or 0. Such a probe must fill a
// datagram of 1200 bytes, or no server answers it.
func quicReservedHeader(b []byte) int {
	if len(b) < quicMinInitial || b[0]&0x80 == 0 || be32(b[1:5])&0x0f0f0f0f != 0x0a0a0a0a {
		return 0
	}
	dcid := int(b[5])
	if dcid < 8 || dcid > 20 {
		return 0
	}
	scid := int(b[6+dcid])
	if scid > 20 {
		return 0
	}
	return 7 + dcid + scid
}

// detectQUICShort recognises a flow of short-header packets (RFC 9000
// §17.3: the long-header bit clear, the fixed bit set) on both sides, one
// of which sends at least three under one destination connection ID: the
// same 8 bytes after the first in every datagram. A text protocol's lines
// repeat too ("NOTIFY * H..."), so an ID of printable ASCII does not count.
func detectQUICShort(in *Input) (Result, bool) {
	if in == nil || in.Transport != UDP {
		return Result{}, false
	}
	cs, cid := quicShortSide(in.ClientDatagrams)
	ss, sid := quicShortSide(in.ServerDatagrams)
	if !cs || !ss || (!cid && !sid) {
		return Result{}, false
	}
	c, s := verdict{}, verdict{}
	if cid && len(in.Client) > 0 {
		c = verdict{Medium, head(in.Client, 9)}
	} else if sid && len(in.Server) > 0 {
		s = verdict{Medium, head(in.Server, 9)}
	}
	r, ok := decide("quic", in, c, s, nil)
	if ok {
		r.Detector = "quic-midstream"
	}
	return r, ok
}

// quicShortSide reports whether every datagram of a side has a short
// header's form (true when it sent none), and whether at least three share
// a connection ID that is not text, under first bytes that header
// protection masked.
func quicShortSide(ds [][]byte) (form, sameID bool) {
	for _, d := range ds {
		// A short header, an 8-byte ID at the least, a packet number and
		// the AEAD tag.
		if len(d) < 1+8+1+16 || d[0]&0xc0 != 0x40 {
			return false, false
		}
	}
	if len(ds) < 3 {
		return true, false
	}
	text := true
	for _, c := range ds[0][1:9] {
		if c < 0x20 || c > 0x7e {
			text = false
		}
	}
	// Header protection masks the first byte's low five bits (reserved
	// bits, key phase, packet number length) with bytes of ciphertext, so
	// they change from packet to packet; three equal ones (a 1 in 1024
	// chance for QUIC) are another protocol's constant header, such as
	// EtherSIO's "ESIO".
	masked := false
	for _, d := range ds[1:] {
		if string(d[1:9]) != string(ds[0][1:9]) {
			return true, false
		}
		if d[0]&0x1f != ds[0][0]&0x1f {
			masked = true
		}
	}
	return true, !text && masked
}
