package service

import "bytes"

// STUN and TURN (RFC 5389, 8489, 8656; classic STUN of RFC 3489),
// recognised by a message whose attributes fill its declared length
// exactly: with the magic cookie, or, classic, with known attribute types;
// TURN ChannelData by several datagrams of one channel whose lengths fit.
var stunProtocol = Protocol{
	Name: "stun", Transports: onBoth,
	// stuns (5349) is STUN over TLS or DTLS: the tls and dtls detectors see
	// it there, not this one.
	Registry:   []string{"stun"},
	OffPort:    SeverityLow,
	FirstBytes: "a STUN message",
	Detectors:  []*Detector{&stunDetector},
}

var stunDetector = Detector{Name: "stun", Transports: onBoth, Detect: detectSTUN}

// stunCookie is the magic cookie of RFC 5389 at bytes 4-7 of every message.
const stunCookie = "\x21\x12\xa4\x42"

// detectSTUN: over UDP each datagram is one message; over TCP messages
// come back to back (RFC 5389) or, as ICE-TCP sends them, behind a 2-byte
// length (RFC 4571). A classic (RFC 3489) message, which has no cookie, is
// High when the other side answers its transaction ID.
func detectSTUN(in *Input) (Result, bool) {
	if in == nil || (in.Transport != UDP && in.Transport != TCP) {
		return Result{}, false
	}
	tcp := in.Transport == TCP
	c, s := stunSide(in.Client, tcp), stunSide(in.Server, tcp)
	if c.conf == Low && s.conf >= Low && string(stunTID(in.Client, tcp)) == string(stunTID(in.Server, tcp)) {
		c.conf = High // a classic request answered under its transaction ID
	}
	if !tcp && c.conf == None && s.conf == None {
		c, s = turnChannel(in.ClientDatagrams, in.Client), turnChannel(in.ServerDatagrams, in.Server)
	}
	if !tcp && (c.conf != None || s.conf != None) &&
		(carriesDTLS(in.ClientDatagrams) || carriesDTLS(in.ServerDatagrams) || rtpFlow(in) >= Medium || rtcpFlow(in) >= Medium) {
		// ICE: STUN checks the path a WebRTC or VoIP flow then runs DTLS
		// or RTP on; the flow's session is that one, so its verdict stands.
		return Result{}, false
	}
	r, ok := decide("stun", in, c, s, nil)
	switch {
	case !ok || tcp:
	case r.Confidence == High && (stunICE(in.ClientDatagrams, in.Client) || stunICE(in.ServerDatagrams, in.Server)):
		// An ICE connectivity check opens a media flow whose session
		// (DTLS, RTP) is still to come: it names the flow, but leaves
		// room for what follows.
		r.Confidence = Medium
	}
	return r, ok
}

// stunICE reports a side's STUN message carrying an ICE attribute (RFC 8445
// §16.1: PRIORITY, USE-CANDIDATE, ICE-CONTROLLED, ICE-CONTROLLING), a
// Binding request whose USERNAME is ICE's "ufrag:ufrag" (§7.2.2; Zoom
// sends only that) or a Binding with MESSAGE-INTEGRITY: a connectivity
// check between two peers' candidates.
func stunICE(ds [][]byte, first []byte) bool {
	if stunICECheck(first) {
		return true
	}
	for _, d := range ds {
		if stunICECheck(d) {
			return true
		}
	}
	return false
}

func stunICECheck(b []byte) bool {
	m, _ := stunMessage(b, false)
	if m == nil || string(m[4:8]) != stunCookie {
		return false
	}
	for a := m[20:]; len(a) >= 4; a = a[min(len(a), 4+(be16(a[2:])+3)&^3):] {
		switch be16(a) {
		case 0x0024, 0x0025, 0x8029, 0x802a:
			return true
		case 0x0006:
			if be16(m) == 0x0001 && bytes.IndexByte(a[4:min(len(a), 4+be16(a[2:]))], ':') > 0 {
				return true
			}
		case 0x0008:
			// MESSAGE-INTEGRITY on a Binding: short-term credentials, which
			// peers checking their path use (WhatsApp sends only that); a
			// public STUN server's Binding is unauthenticated.
			if t := be16(m); t == 0x0001 || t == 0x0101 {
				return true
			}
		}
	}
	return false
}

// carriesDTLS reports a datagram of DTLS records among ds.
func carriesDTLS(ds [][]byte) bool {
	for _, d := range ds {
		if c, _ := dtlsDatagram(d); c >= Medium {
			return true
		}
	}
	return false
}

// stunSide checks one side's first message, unframing it over TCP.
func stunSide(b []byte, tcp bool) verdict {
	if tcp && len(b) >= 22 && be16(b) == 20+be16(b[4:]) && string(b[6:10]) == stunCookie {
		b = b[2:] // RFC 4571 framing
	}
	m, cut := stunMessage(b, tcp)
	if m == nil {
		return verdict{}
	}
	ev := m[:8]
	if string(m[4:8]) == stunCookie {
		if cut {
			return verdict{Medium, ev}
		}
		return verdict{High, ev}
	}
	// Classic STUN: the Binding and Shared Secret request and response
	// types only, and attributes of the types RFC 3489 defines.
	switch be16(m) {
	case 0x0001, 0x0101, 0x0111, 0x0002, 0x0102, 0x0112:
	default:
		return verdict{}
	}
	if cut || be16(m[2:]) == 0 || !stunClassicAttrs(m[20:]) {
		// A bare header is 4 plausible bytes and 16 random ones.
		return verdict{Low, ev}
	}
	return verdict{Medium, ev}
}

// stunMessage returns the message at the start of b: a type with the two
// top bits clear, a length that is a multiple of 4, and attributes (type,
// length, value padded to 4 bytes) that end exactly where the length says.
// Over UDP the datagram ends there too; over TCP another message may follow.
// cut reports a message the buffer ends inside, its attributes chaining as
// far as they go.
func stunMessage(b []byte, tcp bool) (m []byte, cut bool) {
	if len(b) < 20 || b[0]&0xc0 != 0 {
		return nil, false
	}
	n := be16(b[2:])
	if n%4 != 0 || (!tcp && 20+n < len(b)) {
		return nil, false
	}
	end := 20 + n
	cut = end > len(b)
	off := 20
	for off+4 <= min(end, len(b)) {
		off += 4 + (be16(b[off+2:])+3)&^3
	}
	if off > end || (!cut && off != end) {
		return nil, false
	}
	if string(b[4:8]) == stunCookie && !stunMethod(be16(b)) {
		return nil, false
	}
	return b[:min(end, len(b))], cut
}

// stunMethod accepts the methods assigned in the IANA STUN registry
// (Binding, Shared Secret, TURN's Allocate to ChannelBind, TCP relay's
// Connect to ConnectionAttempt, GOOG-PING) and those WhatsApp's and
// Microsoft's clients send (0x800-0x805 Binding-like, MS-TURN's 0x00c).
func stunMethod(t int) bool {
	m := t&0x000f | (t&0x00e0)>>1 | (t&0x3e00)>>2
	switch {
	case m >= 0x001 && m <= 0x00c, m == 0x080:
		return true
	case m >= 0x800 && m <= 0x805:
		return true
	}
	return false
}

// stunClassicAttrs checks that every attribute of a classic message is one
// RFC 3489 defines (1-11), or a comprehension-optional one (0x8000 up)
// that later clients add.
func stunClassicAttrs(a []byte) bool {
	for len(a) >= 4 {
		t := be16(a)
		if (t < 1 || t > 0x000b) && t < 0x8000 {
			return false
		}
		a = a[min(len(a), 4+(be16(a[2:])+3)&^3):]
	}
	return true
}

// stunTID is a message's transaction ID (the 16 bytes after the type and
// length in classic STUN), or nil.
func stunTID(b []byte, tcp bool) []byte {
	if tcp && len(b) >= 22 && be16(b) == 20+be16(b[4:]) {
		b = b[2:]
	}
	if len(b) < 20 {
		return nil
	}
	return b[4:20]
}

// turnChannel checks a side's datagrams for TURN ChannelData (RFC 8656
// §12.4): a channel number 0x4000-0x7fff, then the data's length, which
// the datagram holds exactly or padded to 4 bytes. One such datagram is
// 2 bytes of plausible header, so it takes two or more of the side on
// one channel, STUN messages among them passed over (Medium).
func turnChannel(ds [][]byte, first []byte) verdict {
	if len(first) < 4 || first[0] < 0x40 || first[0] > 0x7f {
		return verdict{}
	}
	ch, n := -1, 0
	for _, d := range ds {
		if m, _ := stunMessage(d, false); m != nil && string(m[4:8]) == stunCookie {
			continue
		}
		if len(d) < 4 || d[0] < 0x40 || d[0] > 0x7f {
			return verdict{}
		}
		if pad := len(d) - 4 - be16(d[2:]); pad < 0 || pad > 3 || (pad > 0 && (len(d)-4)%4 != 0) {
			return verdict{}
		}
		if ch >= 0 && be16(d) != ch {
			return verdict{}
		}
		ch = be16(d)
		n++
	}
	if n < 2 {
		return verdict{}
	}
	return verdict{Medium, first[:4]}
}
