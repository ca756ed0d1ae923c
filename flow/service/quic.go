package service

// QUIC, recognised by a long-header Initial (v1, v2, drafts) or a version
// negotiation.
var quicProtocol = Protocol{
	Name: "quic", Transports: onUDP,
	// domain-s on udp is DNS over QUIC (RFC 9250).
	Registry:  []string{"https", "domain-s"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&quicDetector},
}

var quicDetector = Detector{Name: "quic", Transports: onUDP, Detect: detectQUIC}

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
	return decide("quic", in, quicInitial(in.Client, true), s, nil)
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
