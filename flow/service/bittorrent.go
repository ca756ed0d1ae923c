package service

// Peer-to-peer and proxy protocols: BitTorrent, SOCKS.

var bittorrentDetector = Detector{
	Name:       "bittorrent",
	Transports: []Transport{TCP, UDP},
	Detect: func(in *Input) (Result, bool) {
		if in.Transport == UDP {
			return sidesB(in, "bittorrent", btDHTB)
		}
		return sidesB(in, "bittorrent", btHandshakeB)
	},
}

// btHandshakeB matches the peer-wire handshake's length-prefixed protocol
// string, which both peers send first.
func btHandshakeB(b []byte) (Confidence, evB) {
	if !hasPrefixB(b, "\x13BitTorrent protocol") {
		return None, evB{}
	}
	return High, evB{b: b[1:20]}
}

// btDHTB matches a mainline DHT (KRPC) query or response. Bencoded keys are
// sorted, so the arguments ("a") or response ("r") dict comes first and
// opens with the 20-byte node id; a response may be preceded by an "ip" key
// (the requester's compact address, 6 or 18 bytes). Other bencoded
// messages exist, hence Medium.
func btDHTB(b []byte) (Confidence, evB) {
	if len(b) == 0 || b[0] != 'd' {
		return None, evB{}
	}
	rest := b[1:]
	ip := false
	switch {
	case hasPrefixB(rest, "2:ip6:") && len(rest) >= 6+6:
		rest, ip = rest[6+6:], true
	case hasPrefixB(rest, "2:ip18:") && len(rest) >= 7+18:
		rest, ip = rest[7+18:], true
	}
	if len(rest) < 11+20 {
		return None, evB{}
	}
	switch {
	case !ip && hasPrefixB(rest, "1:ad2:id20:"):
		return Medium, evB{s: "d1:ad2:id20:"}
	case hasPrefixB(rest, "1:rd2:id20:"):
		return Medium, evB{s: "d1:rd2:id20:"}
	}
	return None, evB{}
}

var socksDetector = Detector{
	Name:       "socks",
	Transports: []Transport{TCP},
	Detect:     detectSOCKSB,
}

// detectSOCKSB: a client greeting alone is Medium, only a few bytes long;
// a server reply that fits it makes it High.
func detectSOCKSB(in *Input) (Result, bool) {
	if in.Transport != TCP {
		return Result{}, false
	}
	c, s := in.Client, in.Server
	if methods, ok := socks5GreetingB(c); ok {
		conf := Medium
		if len(s) >= 2 && s[0] == 5 && (len(s) == 2 || s[2] == 5 || s[2] == 1) {
			// The chosen method must be one offered, or 0xff (none).
			for _, m := range methods {
				if s[1] == m || s[1] == 0xff {
					conf = High
				}
			}
		}
		return resultB("socks", conf, FromClient, evB{b: c[:2+len(methods)]}), true
	}
	if n, ok := socks4RequestB(c); ok {
		conf := Medium
		if len(s) >= 8 && s[0] == 0 && s[1] >= 0x5a && s[1] <= 0x5d {
			conf = High
		}
		return resultB("socks", conf, FromClient, evB{b: c[:min(n, 8)]}), true
	}
	return Result{}, false
}

// socks5GreetingB checks version 5, a method count and that many methods,
// each a defined one (0x00–0x09) or private (0x80–0xfe). What follows, if
// the stream prefix goes on, is the request (version 5) or a username and
// password sub-negotiation (version 1).
func socks5GreetingB(b []byte) ([]byte, bool) {
	if len(b) < 3 || b[0] != 5 {
		return nil, false
	}
	n := int(b[1])
	if n < 1 || n > 16 || len(b) < 2+n {
		return nil, false
	}
	for _, m := range b[2 : 2+n] {
		if m > 0x09 && (m < 0x80 || m == 0xff) {
			return nil, false
		}
	}
	if len(b) > 2+n && b[2+n] != 5 && b[2+n] != 1 {
		return nil, false
	}
	return b[2 : 2+n], true
}

// socks4RequestB checks a SOCKS4 CONNECT or BIND: a port, an address, then
// a printable NUL-terminated user id; 0.0.0.x (x > 0) is SOCKS4a and a
// host name follows the same way. It returns the request's length.
func socks4RequestB(b []byte) (int, bool) {
	if len(b) < 9 || b[0] != 4 || (b[1] != 1 && b[1] != 2) || be16B(b[2:]) == 0 || allZeroB(b[4:8]) {
		return 0, false
	}
	i, ok := cstringB(b, 8, 0)
	if !ok {
		return 0, false
	}
	if b[4]|b[5]|b[6] == 0 {
		if i, ok = cstringB(b, i, 1); !ok {
			return 0, false
		}
	}
	return i, true
}

// cstringB checks a printable string of at least minLen and at most 255
// bytes at b[i], ended by NUL; it returns the index after the NUL.
func cstringB(b []byte, i, minLen int) (int, bool) {
	for j := i; j < len(b) && j-i <= 255; j++ {
		switch c := b[j]; {
		case c == 0:
			return j + 1, j-i >= minLen
		case c < 0x20 || c > 0x7e:
			return 0, false
		}
	}
	return 0, false
}
