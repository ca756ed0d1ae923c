package service

// VPNs and overlay tunnels: WireGuard, OpenVPN, VXLAN, Geneve.

var wireguardDetector = Detector{
	Name:       "wireguard",
	Transports: []Transport{UDP},
	Detect: func(in *Input) (Result, bool) {
		if in.Transport != UDP {
			return Result{}, false
		}
		return sidesB(in, "wireguard", wireguardB)
	},
}

// wireguardB checks a message type, its three reserved zero bytes and the
// type's exact length: handshake messages have fixed sizes. Transport data
// only has a 16-byte-aligned size (padded plaintext plus a 16-byte tag),
// which plenty of other datagrams share.
func wireguardB(b []byte) (Confidence, evB) {
	if len(b) < 32 || b[1]|b[2]|b[3] != 0 {
		return None, evB{}
	}
	ev := evB{b: b[:4]}
	switch n := len(b); b[0] {
	case 1:
		if n == 148 {
			return High, ev
		}
	case 2:
		if n == 92 {
			return High, ev
		}
	case 3:
		if n == 64 {
			return High, ev
		}
	case 4:
		if (n-16)%16 == 0 {
			return Low, ev
		}
	}
	return None, evB{}
}

var openvpnDetector = Detector{
	Name:       "openvpn",
	Transports: []Transport{UDP, TCP},
	Detect:     detectOpenVPNB,
}

// OpenVPN control opcodes (the top five bits of a packet's first byte) that
// open a session.
const (
	ovpnClientV1B = 1
	ovpnServerV1B = 2
	ovpnClientV2B = 7
	ovpnServerV2B = 8
	ovpnClientV3B = 10
)

// ovpnResetB is a parsed hard-reset packet.
type ovpnResetB struct {
	client  bool
	session []byte // the sender's 8-byte session id
	remote  []byte // the acknowledged peer session id, if visible
	crypt   bool   // tls-crypt: acks are encrypted
}

// detectOpenVPNB looks for the hard reset each side sends first. One side
// alone is Medium; both are High when the server's reset acknowledges the
// client's session id (under tls-crypt that field is encrypted, so two
// resets of the same wrapping must do).
func detectOpenVPNB(in *Input) (Result, bool) {
	c, cok := ovpnFirstB(in.Transport, in.Client)
	s, sok := ovpnFirstB(in.Transport, in.Server)
	cok = cok && c.client
	sok = sok && !s.client
	switch {
	case cok && sok:
		conf := Medium
		if (s.remote != nil && string(s.remote) == string(c.session)) || (s.remote == nil && c.crypt && s.crypt) {
			conf = High
		}
		return resultB("openvpn", conf, FromClient, evB{b: excerpt16B(in.Client)}), true
	case cok:
		return resultB("openvpn", Medium, FromClient, evB{b: excerpt16B(in.Client)}), true
	case sok:
		return resultB("openvpn", Medium, FromServer, evB{b: excerpt16B(in.Server)}), true
	}
	return Result{}, false
}

func excerpt16B(b []byte) []byte {
	if len(b) > 16 {
		return b[:16]
	}
	return b
}

// ovpnFirstB parses the first packet of one direction: over TCP it follows
// a 2-byte length, over UDP it is the whole datagram.
func ovpnFirstB(t Transport, b []byte) (ovpnResetB, bool) {
	total := len(b)
	if t == TCP {
		if len(b) < 2 {
			return ovpnResetB{}, false
		}
		total = be16B(b)
		b = b[2:]
		if len(b) > total {
			b = b[:total]
		}
	}
	if total > 1600 {
		return ovpnResetB{}, false
	}
	return ovpnResetParseB(b, total)
}

// ovpnHMACSizesB are the tls-auth HMAC lengths tried after the session id:
// none, MD5, SHA-1, SHA-256, SHA-384, SHA-512.
var ovpnHMACSizesB = [...]int{0, 16, 20, 32, 48, 64}

// ovpnResetParseB parses a hard reset whose declared size is total and of
// which p holds the first bytes. The layout depends on the unannounced
// tls-auth or tls-crypt setting, so each is tried: every field it implies
// must be plausible (small replay packet id, a net time after 2004, an ack
// list that fits, message packet id 0) and the packet must be complete.
func ovpnResetParseB(p []byte, total int) (ovpnResetB, bool) {
	if len(p) < 14 || p[0]&7 != 0 { // a hard reset always uses key id 0
		return ovpnResetB{}, false
	}
	r := ovpnResetB{session: p[1:9]}
	switch p[0] >> 3 {
	case ovpnClientV1B, ovpnClientV2B, ovpnClientV3B:
		r.client = true
	case ovpnServerV1B, ovpnServerV2B:
	default:
		return ovpnResetB{}, false
	}
	if allZeroB(r.session) {
		return ovpnResetB{}, false
	}
	for _, h := range ovpnHMACSizesB {
		off := 9
		if h > 0 {
			off += h
			if !ovpnPidTimeB(p, off) {
				continue
			}
			off += 8
		}
		if remote, ok := ovpnAcksB(p, off, total, r.client); ok {
			r.remote = remote
			return r, true
		}
	}
	// tls-crypt: replay id and time in clear, a 32-byte tag, then the
	// encrypted ack list and message packet id.
	if ovpnPidTimeB(p, 9) && total >= 9+8+32+5 {
		r.crypt = true
		return r, true
	}
	return ovpnResetB{}, false
}

// ovpnPidTimeB checks a replay packet id (a session's first packets count
// from 1) and a Unix net time from 2004 on.
func ovpnPidTimeB(p []byte, off int) bool {
	if len(p) < off+8 {
		return false
	}
	pid, t := be32B(p[off:]), be32B(p[off+4:])
	return pid >= 1 && pid <= 255 && t >= 0x40000000 && t != 0xffffffff
}

// ovpnAcksB checks the ack list at off and the message packet id after it.
// A client's first reset acknowledges nothing; a server's acknowledges the
// client's reset (small packet ids) and names the client's session.
func ovpnAcksB(p []byte, off, total int, client bool) ([]byte, bool) {
	if len(p) < off+1 {
		return nil, false
	}
	n := int(p[off])
	off++
	var remote []byte
	switch {
	case client && n != 0, !client && (n < 1 || n > 8):
		return nil, false
	case n > 0:
		if len(p) < off+4*n+8 {
			return nil, false
		}
		for i := 0; i < n; i++ {
			if be32B(p[off+4*i:]) > 255 {
				return nil, false
			}
		}
		off += 4 * n
		remote = p[off : off+8]
		off += 8
	}
	// Message packet id 0; a reset may carry a short payload after it
	// (early negotiation flags), not a whole TLS record.
	if len(p) < off+4 || be32B(p[off:]) != 0 || total < off+4 || total > off+4+64 {
		return nil, false
	}
	return remote, true
}

var vxlanDetector = Detector{
	Name:       "vxlan",
	Transports: []Transport{UDP},
	Detect: func(in *Input) (Result, bool) {
		if in.Transport != UDP {
			return Result{}, false
		}
		return sidesB(in, "vxlan", vxlanB)
	},
}

// vxlanB checks the 8-byte header (only the I flag set, reserved bytes
// zero) and the Ethernet frame it must carry.
func vxlanB(b []byte) (Confidence, evB) {
	if len(b) < 8+14 || b[0] != 0x08 || b[1]|b[2]|b[3]|b[7] != 0 || !innerEthernetB(b[8:]) {
		return None, evB{}
	}
	return High, evB{b: b[:8]}
}

var geneveDetector = Detector{
	Name:       "geneve",
	Transports: []Transport{UDP},
	Detect: func(in *Input) (Result, bool) {
		if in.Transport != UDP {
			return Result{}, false
		}
		return sidesB(in, "geneve", geneveB)
	},
}

// geneveB checks version 0, clear reserved bits, a protocol type a tunnel
// carries and an options area that its own TLVs fill exactly. An inner
// frame or packet that fits the protocol type makes it High; one too short
// to judge leaves it Medium, and one that contradicts it rejects.
func geneveB(b []byte) (Confidence, evB) {
	if len(b) < 8 || b[0]>>6 != 0 || b[1]&0x3f != 0 || b[7] != 0 {
		return None, evB{}
	}
	optLen := int(b[0]&0x3f) * 4
	if b[1]&0x40 != 0 && optLen == 0 { // critical-options flag with no options
		return None, evB{}
	}
	hl := 8 + optLen
	if len(b) < hl {
		return None, evB{}
	}
	i := 8
	for i < hl {
		if i+4 > hl {
			return None, evB{}
		}
		i += 4 + int(b[i+3]&0x1f)*4
	}
	if i != hl {
		return None, evB{}
	}
	inner := b[hl:]
	ev := evB{b: b[:8]}
	var fits bool
	switch t := be16B(b[2:4]); t {
	case 0x6558: // Transparent Ethernet Bridging
		if len(inner) < 14 {
			return Medium, ev // too short to judge the frame
		}
		fits = innerEthernetB(inner)
	case 0x0800, 0x86dd:
		if len(inner) == 0 {
			return Medium, ev
		}
		fits = innerIPB(t, inner)
	default:
		return None, evB{}
	}
	if !fits {
		return None, evB{}
	}
	return High, ev
}
