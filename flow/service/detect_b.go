package service

// Helpers for the detect_b*.go detectors (databases, messaging, tunnels,
// VPNs, UDP infrastructure and peer-to-peer protocols). Their names end in
// B so that they never collide with helpers in the other detector files of
// this package. None of them allocates: detectors build a string only for
// the Result they return.

// evB is a detector's evidence before it becomes a string: either raw bytes
// of the payload or a constant, so that a rejected candidate costs nothing.
type evB struct {
	b []byte
	s string
}

func (e evB) str() string {
	if e.b != nil {
		return string(e.b)
	}
	return e.s
}

// checkB inspects one direction's bytes.
type checkB func(b []byte) (Confidence, evB)

// resultB builds a Result whose Service and Detector share the detector's name.
func resultB(name string, c Confidence, d Dir, e evB) Result {
	return Result{Service: name, Confidence: c, Dir: d, Evidence: e.str(), Detector: name}
}

// sidesB runs f on the client's bytes and then on the server's, keeping the
// stronger verdict (the client's on a tie). Both directions are tried
// because a capture that misses a flow's start, or a UDP exchange whose
// first datagram came from the responder, can swap the two roles.
func sidesB(in *Input, name string, f checkB) (Result, bool) {
	cc, ce := f(in.Client)
	if cc == High {
		return resultB(name, cc, FromClient, ce), true
	}
	sc, se := f(in.Server)
	switch {
	case sc > cc:
		return resultB(name, sc, FromServer, se), true
	case cc != None:
		return resultB(name, cc, FromClient, ce), true
	}
	return Result{}, false
}

// hasPrefixB reports whether b starts with s; comparing through a string
// conversion of a slice does not allocate.
func hasPrefixB(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[:len(s)]) == s
}

// hasPrefixFoldB is hasPrefixB ignoring ASCII case; s must be upper case.
func hasPrefixFoldB(b []byte, s string) bool {
	if len(b) < len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := b[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// equalFoldB reports whether b equals s ignoring ASCII case; s must be
// upper case.
func equalFoldB(b []byte, s string) bool {
	return len(b) == len(s) && hasPrefixFoldB(b, s)
}

func be16B(b []byte) int { return int(b[0])<<8 | int(b[1]) }

func be32B(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func allZeroB(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func isDigitB(c byte) bool { return '0' <= c && c <= '9' }

// fullLineB returns b's first line without its terminator, and whether a
// CR or LF ended it within max bytes: a request line can only be judged
// whole, since its protocol version comes last.
func fullLineB(b []byte, max int) ([]byte, bool) {
	for i, c := range b {
		if i > max {
			break
		}
		if c == '\r' || c == '\n' {
			return b[:i], true
		}
	}
	return nil, false
}

// etherTypeOKB reports whether an inner Ethernet frame's EtherType is one a
// tunnel plausibly carries.
func etherTypeOKB(t int) bool {
	switch t {
	case 0x0800, 0x86dd, 0x0806, 0x8100:
		return true
	}
	return false
}

// innerEthernetB checks an encapsulated Ethernet frame: a unicast source
// MAC, a plausible EtherType and, when the frame goes that far, an IP
// version nibble that agrees with the EtherType.
func innerEthernetB(e []byte) bool {
	if len(e) < 14 || e[6]&1 != 0 {
		return false
	}
	t := be16B(e[12:14])
	if !etherTypeOKB(t) {
		return false
	}
	return innerIPB(t, e[14:])
}

// innerIPB checks the version nibble of an encapsulated IP packet whose
// EtherType is t; other EtherTypes and empty payloads pass.
func innerIPB(t int, p []byte) bool {
	if len(p) == 0 {
		return true
	}
	switch t {
	case 0x0800:
		return p[0]>>4 == 4 && p[0]&0x0f >= 5
	case 0x86dd:
		return p[0]>>4 == 6
	}
	return true
}
