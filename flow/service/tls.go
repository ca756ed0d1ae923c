package service

// tlsDetector finds a TLS (or SSL 3.0) ClientHello or ServerHello record,
// or an SSLv2-compatible ClientHello.
var tlsDetector = Detector{Name: "tls", Transports: []Transport{TCP}, Detect: detectTLS}

// quicDetector finds a QUIC long-header Initial (v1, v2, drafts) or a
// Version Negotiation answering the client's packet.
var quicDetector = Detector{Name: "quic", Transports: []Transport{UDP}, Detect: detectQUIC}

func detectTLS(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	return aResult("tls", in, aTLSHello(in.Client, 1), aTLSHello(in.Server, 2), nil)
}

// aTLSMaxRecord is the largest TLSCiphertext fragment (2^14 + 2048); a
// handshake record is plaintext and smaller, but lenient stacks exist.
const aTLSMaxRecord = 1<<14 + 2048

// aTLSHello checks a handshake record holding handshake type want (1
// ClientHello, 2 ServerHello). High needs the handshake length to agree with
// the record's and the hello's version; a record whose header fits but whose
// hello is cut short or spread over several records is Medium.
func aTLSHello(b []byte, want byte) aSide {
	if want == 1 && len(b) > 0 && b[0]&0x80 != 0 {
		return aSSLv2Hello(b)
	}
	if len(b) < 6 || b[0] != 0x16 || b[1] != 3 || b[2] > 4 || b[5] != want {
		return aSide{}
	}
	rec := aBE16(b[3:])
	if rec < 4 || rec > aTLSMaxRecord {
		return aSide{}
	}
	s := aSide{Medium, b[:6]}
	if len(b) < 9 {
		return s
	}
	hs := int(b[6])<<16 | int(b[7])<<8 | int(b[8])
	// Smallest bodies: version, random, empty session id, one cipher
	// suite and one compression method, plus for a ClientHello the two
	// list lengths. Real hellos stay far below 64 KiB.
	minBody := 38
	if want == 1 {
		minBody = 41
	}
	if hs < minBody || hs > 1<<16 {
		return aSide{}
	}
	// The first flight of a client is the ClientHello alone; a server may
	// pack its Certificate and more behind the ServerHello in one record.
	consistent := hs+4 == rec || (want == 2 && hs+4 < rec)
	if !consistent && hs+4 < rec {
		return aSide{}
	}
	if len(b) < 11 {
		return s
	}
	if b[9] != 3 || b[10] > 4 { // legacy_version
		return aSide{}
	}
	if len(b) > 43 && b[43] > 32 { // session id length
		return aSide{}
	}
	if consistent {
		s.conf = High
	}
	return s
}

// aSSLv2Hello checks an SSLv2-format ClientHello (2-byte header, message
// type 1), still sent by old clients to reach SSLv3/TLS servers. It has no
// magic, so it stays at Medium even when every length agrees.
func aSSLv2Hello(b []byte) aSide {
	if len(b) < 5 || b[2] != 1 {
		return aSide{}
	}
	if !(b[3] == 0 && b[4] == 2) && !(b[3] == 3 && b[4] <= 3) {
		return aSide{}
	}
	s := aSide{Low, b[:5]}
	if len(b) < 11 {
		return s
	}
	n := int(b[0]&0x7f)<<8 | int(b[1])
	cs, sid, ch := aBE16(b[5:]), aBE16(b[7:]), aBE16(b[9:])
	if cs == 0 || cs%3 != 0 || (sid != 0 && sid != 16) || ch < 16 || ch > 32 || n != 9+cs+sid+ch {
		return aSide{}
	}
	s.conf = Medium
	return s
}

func detectQUIC(in *Input) (Result, bool) {
	if in == nil || in.Transport != UDP {
		return Result{}, false
	}
	var s aSide
	if len(in.Server) >= 5 && in.Server[0]&0x80 != 0 && in.Server[1]|in.Server[2]|in.Server[3]|in.Server[4] == 0 {
		s = aQUICVersionNeg(in.Server, in.Client)
	} else {
		s = aQUICInitial(in.Server, false)
	}
	return aResult("quic", in, aQUICInitial(in.Client, true), s, nil)
}

// aQUICMinInitial is the smallest datagram a client may carry its first
// Initial in (RFC 9000 §14.1); meeting it is what makes a client High.
const aQUICMinInitial = 1200

// aQUICInitial checks a long-header Initial packet of a version we know.
// A header cut short is Low; a complete header whose packet runs past the
// buffer (snaplen) or a server's Initial is Medium.
func aQUICInitial(b []byte, client bool) aSide {
	if len(b) < 6 || b[0]&0x80 == 0 {
		return aSide{}
	}
	ver := uint32(b[1])<<24 | uint32(b[2])<<16 | uint32(b[3])<<8 | uint32(b[4])
	initial := byte(0)
	switch {
	case ver == 1, ver&0xffffff00 == 0xff000000: // v1, drafts
	case ver == 0x6b3343cf: // v2 renumbered the packet types (RFC 9369)
		initial = 1
	default:
		return aSide{}
	}
	if (b[0]>>4)&3 != initial {
		return aSide{}
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
		return aSide{}
	}
	off := 6 + dcid
	if off >= len(b) {
		return aSide{Low, ev}
	}
	scid := int(b[off])
	if scid > 20 {
		return aSide{}
	}
	off += 1 + scid
	tok, n := aVarint(b, off)
	if n == 0 {
		return aSide{Low, ev}
	}
	if !client && tok != 0 { // only clients send tokens
		return aSide{}
	}
	off += n
	if tok > uint64(len(b)-off) {
		return aSide{Low, ev}
	}
	off += int(tok)
	plen, n := aVarint(b, off)
	if n == 0 {
		return aSide{Low, ev}
	}
	off += n
	// Header protection samples 16 bytes from 4 bytes past the packet
	// number's start (RFC 9001 §5.4.2), so a packet has at least 20.
	if plen < 20 {
		return aSide{}
	}
	conf := Medium
	if plen <= uint64(len(b)-off) && client && len(b) >= aQUICMinInitial {
		conf = High
	}
	if conf > top {
		conf = top
	}
	return aSide{conf, ev}
}

// aVarint reads a QUIC variable-length integer at b[off:]; n is 0 when the
// buffer ends first.
func aVarint(b []byte, off int) (v uint64, n int) {
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

// aQUICVersionNeg checks a Version Negotiation packet (version 0). It has
// no fixed content, so it must echo the client's connection IDs swapped
// (RFC 9000 §17.2.1); with no client packet to compare it is only Low.
func aQUICVersionNeg(b, client []byte) aSide {
	off := 5
	if off >= len(b) {
		return aSide{}
	}
	dcid := b[off+1 : min(len(b), off+1+int(b[off]))]
	off += 1 + int(b[off])
	if off >= len(b) {
		return aSide{}
	}
	scid := b[off+1 : min(len(b), off+1+int(b[off]))]
	off += 1 + int(b[off])
	rest := len(b) - off
	if rest < 4 || rest%4 != 0 {
		return aSide{}
	}
	for i := off; i < len(b); i += 4 {
		if b[i]|b[i+1]|b[i+2]|b[i+3] == 0 {
			return aSide{}
		}
	}
	if len(client) == 0 {
		return aSide{Low, b[:5]}
	}
	if len(client) < 7 || client[0]&0x80 == 0 {
		return aSide{}
	}
	cd := int(client[5])
	if 6+cd >= len(client) {
		return aSide{}
	}
	cs := int(client[6+cd])
	if 7+cd+cs > len(client) {
		return aSide{}
	}
	if string(dcid) != string(client[7+cd:7+cd+cs]) || string(scid) != string(client[6:6+cd]) {
		return aSide{}
	}
	return aSide{Medium, b[:5]}
}
