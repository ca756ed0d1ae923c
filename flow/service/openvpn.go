package service

// OpenVPN, recognised by the hard-reset packets that open a session.
var openvpnProtocol = Protocol{
	Name: "openvpn", Transports: onBoth,
	Registry:  []string{"openvpn"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&openvpnDetector},
}

var openvpnDetector = Detector{
	Name:       "openvpn",
	Transports: onBoth,
	Detect:     detectOpenVPN,
}

// OpenVPN control opcodes (the top five bits of a packet's first byte) that
// open a session.
const (
	ovpnClientV1 = 1
	ovpnServerV1 = 2
	ovpnClientV2 = 7
	ovpnServerV2 = 8
	ovpnClientV3 = 10
)

// ovpnReset is a parsed hard-reset packet.
type ovpnReset struct {
	client  bool
	session []byte // the sender's 8-byte session id
	remote  []byte // the acknowledged peer session id, if visible
	crypt   bool   // tls-crypt: acks are encrypted
}

// detectOpenVPN looks for the hard reset each side sends first. One side
// alone is Medium (a server's alone over UDP only Low); both are High when the server's reset acknowledges the
// client's session id (under tls-crypt that field is encrypted, so two
// resets of the same wrapping must do).
func detectOpenVPN(in *Input) (Result, bool) {
	if in == nil {
		return Result{}, false
	}
	c, cok := ovpnFirst(in.Transport, in.Client)
	s, sok := ovpnFirst(in.Transport, in.Server)
	cok = cok && c.client
	sok = sok && !s.client
	switch {
	case cok && sok:
		conf := Medium
		if (s.remote != nil && string(s.remote) == string(c.session)) || (s.remote == nil && c.crypt && s.crypt) {
			conf = High
		}
		return newResult("openvpn", conf, FromClient, evidence{b: excerpt16(in.Client)}), true
	case cok:
		return newResult("openvpn", Medium, FromClient, evidence{b: excerpt16(in.Client)}), true
	case sok && in.Transport == UDP:
		// A server's reset acknowledges a client session we did not see,
		// and over UDP nothing frames it: the reply of another protocol
		// fits by chance (an ONC-RPC reply's XID, type and status read as
		// opcode, session id and ack list). A guess, until the server's
		// next control packets carry the same session id.
		conf := Low
		if ovpnSessionGoesOn(in.ServerDatagrams, in.Server, s.session) {
			conf = Medium
		}
		return newResult("openvpn", conf, FromServer, evidence{b: excerpt16(in.Server)}), true
	case sok:
		return newResult("openvpn", Medium, FromServer, evidence{b: excerpt16(in.Server)}), true
	}
	return Result{}, false
}

// ovpnSessionGoesOn reports whether another of a side's datagrams than
// first is an OpenVPN control packet (a control message, an ack or a
// reset again) of the same session: the opcode and session id of first's
// sender. An identical datagram does not count: a retransmitted reply of
// another protocol repeats its bytes too.
func ovpnSessionGoesOn(ds [][]byte, first, session []byte) bool {
	for _, d := range ds {
		if len(d) < 9 || string(d) == string(first) || d[0]&7 != 0 {
			continue
		}
		switch d[0] >> 3 {
		case 4, 5, ovpnServerV1, ovpnServerV2: // P_CONTROL_V1, P_ACK_V1
			if string(d[1:9]) == string(session) {
				return true
			}
		}
	}
	return false
}

func excerpt16(b []byte) []byte {
	if len(b) > 16 {
		return b[:16]
	}
	return b
}

// ovpnFirst parses the first packet of one direction: over TCP it follows
// a 2-byte length, over UDP it is the whole datagram.
func ovpnFirst(t Transport, b []byte) (ovpnReset, bool) {
	total := len(b)
	if t == TCP {
		if len(b) < 2 {
			return ovpnReset{}, false
		}
		total = be16(b)
		b = b[2:]
		if len(b) > total {
			b = b[:total]
		}
	}
	if total > 1600 {
		return ovpnReset{}, false
	}
	return ovpnResetParse(b, total)
}

// ovpnHMACSizes are the tls-auth HMAC lengths tried after the session id:
// none, MD5, SHA-1, SHA-256, SHA-384, SHA-512.
var ovpnHMACSizes = [...]int{0, 16, 20, 32, 48, 64}

// ovpnResetParse parses a hard reset whose declared size is total and of
// which p holds the first bytes. The layout depends on the unannounced
// tls-auth or tls-crypt setting, so each is tried: every field it implies
// must be plausible (small replay packet id, a net time after 2004, an ack
// list that fits, message packet id 0) and the packet must be complete.
func ovpnResetParse(p []byte, total int) (ovpnReset, bool) {
	if len(p) < 14 || p[0]&7 != 0 { // a hard reset always uses key id 0
		return ovpnReset{}, false
	}
	r := ovpnReset{session: p[1:9]}
	switch p[0] >> 3 {
	case ovpnClientV1, ovpnClientV2, ovpnClientV3:
		r.client = true
	case ovpnServerV1, ovpnServerV2:
	default:
		return ovpnReset{}, false
	}
	if allZero(r.session) {
		return ovpnReset{}, false
	}
	for _, h := range ovpnHMACSizes {
		off := 9
		if h > 0 {
			off += h
			if !ovpnPidTime(p, off) {
				continue
			}
			off += 8
		}
		if remote, ok := ovpnAcks(p, off, total, r.client); ok {
			r.remote = remote
			return r, true
		}
	}
	// tls-crypt: replay id and time in clear, a 32-byte tag, then the
	// encrypted ack list and message packet id.
	if ovpnPidTime(p, 9) && total >= 9+8+32+5 {
		r.crypt = true
		return r, true
	}
	return ovpnReset{}, false
}

// ovpnPidTime checks a replay packet id (a session's first packets count
// from 1) and a Unix net time from 2004 on.
func ovpnPidTime(p []byte, off int) bool {
	if len(p) < off+8 {
		return false
	}
	pid, t := be32(p[off:]), be32(p[off+4:])
	return pid >= 1 && pid <= 255 && t >= 0x40000000 && t != 0xffffffff
}

// ovpnAcks checks the ack list at off and the message packet id after it.
// A client's first reset acknowledges nothing; a server's acknowledges the
// client's reset (small packet ids) and names the client's session.
func ovpnAcks(p []byte, off, total int, client bool) ([]byte, bool) {
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
			if be32(p[off+4*i:]) > 255 {
				return nil, false
			}
		}
		off += 4 * n
		remote = p[off : off+8]
		off += 8
	}
	// Message packet id 0; a reset may carry a short payload after it
	// (early negotiation flags), not a whole TLS record.
	if len(p) < off+4 || be32(p[off:]) != 0 || total < off+4 || total > off+4+64 {
		return nil, false
	}
	return remote, true
}
