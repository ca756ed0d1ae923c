package service

// SOCKS 4 and 5, recognised by the client's greeting and the server's reply.
var socksProtocol = Protocol{
	Name: "socks", Transports: onTCP,
	Registry:  []string{"socks"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&socksDetector},
}

var socksDetector = Detector{
	Name:       "socks",
	Transports: onTCP,
	Detect:     detectSOCKS,
}

// detectSOCKS: a client greeting alone is Medium, only a few bytes long;
// a server reply that fits it makes it High.
func detectSOCKS(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	c, s := in.Client, in.Server
	if methods, ok := socks5Greeting(c); ok {
		conf := Medium
		if len(s) >= 2 && s[0] == 5 && (len(s) == 2 || s[2] == 5 || s[2] == 1) {
			// The chosen method must be one offered, or 0xff (none).
			for _, m := range methods {
				if s[1] == m || s[1] == 0xff {
					conf = High
				}
			}
		}
		return newResult("socks", conf, FromClient, evidence{b: c[:2+len(methods)]}), true
	}
	if n, ok := socks4Request(c); ok {
		conf := Medium
		if len(s) >= 8 && s[0] == 0 && s[1] >= 0x5a && s[1] <= 0x5d {
			conf = High
		}
		return newResult("socks", conf, FromClient, evidence{b: c[:min(n, 8)]}), true
	}
	return Result{}, false
}

// socks5Greeting checks version 5, a method count and that many methods,
// each a defined one (0x00–0x09) or private (0x80–0xfe). What follows, if
// the stream prefix goes on, is the request (version 5) or a username and
// password sub-negotiation (version 1).
func socks5Greeting(b []byte) ([]byte, bool) {
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

// socks4Request checks a SOCKS4 CONNECT or BIND: a port, an address, then
// a printable NUL-terminated user id; 0.0.0.x (x > 0) is SOCKS4a and a
// host name follows the same way. It returns the request's length.
func socks4Request(b []byte) (int, bool) {
	if len(b) < 9 || b[0] != 4 || (b[1] != 1 && b[1] != 2) || be16(b[2:]) == 0 || allZero(b[4:8]) {
		return 0, false
	}
	i, ok := cstring(b, 8, 0)
	if !ok {
		return 0, false
	}
	if b[4]|b[5]|b[6] == 0 {
		if i, ok = cstring(b, i, 1); !ok {
			return 0, false
		}
	}
	return i, true
}

// cstring checks a printable string of at least minLen and at most 255
// bytes at b[i], ended by NUL; it returns the index after the NUL.
func cstring(b []byte, i, minLen int) (int, bool) {
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
