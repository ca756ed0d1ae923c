package service

// CAPWAP (RFC 5415): wireless access points and their controller. The
// data channel's 802.3 and 802.11 frames are unwrapped into inner flows by
// the decoder; the outer flows, and the control channel (DTLS, or in the
// clear while an access point discovers its controller), are `capwap`.
var capwapProtocol = Protocol{
	Name: "capwap", Transports: onUDP,
	Registry:   []string{"capwap-control", "capwap-data"},
	OffPort:    SeverityMedium,
	FirstBytes: "a CAPWAP header",
	Detectors:  []*Detector{&capwapDetector},
}

var capwapDetector = Detector{
	Name:       "capwap",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		return eitherSide(in, "capwap", capwapCheck)
	},
}

// capwapCheck checks the preamble and what follows it. Type 1 is DTLS: the
// 3 reserved bytes clear and a DTLS record header. Type 0 is a CAPWAP
// header: HLEN within the datagram, its optional fields within HLEN, a
// known wireless binding and clear reserved flags; then a control message
// whose length fills the datagram, a keep-alive's message elements, or the
// frame the data channel carries (an 802.3 frame that checks as a tunnel's
// does; an 802.11 frame's version bits, in either byte order).
func capwapCheck(b []byte) (Confidence, evidence) {
	if len(b) < 8 || b[0] > 1 {
		return None, evidence{}
	}
	ev := evidence{b: b[:8]}
	if b[0] == 1 {
		r := b[4:]
		if b[1]|b[2]|b[3] != 0 || len(r) < 13 || r[0] < 20 || r[0] > 25 || r[1] != 0xfe || r[2] < 0xfc {
			return None, evidence{}
		}
		if 13+be16(r[11:13]) > len(r) {
			return None, evidence{}
		}
		return High, ev
	}
	hl := int(b[1]>>3) * 4
	wbid, t, flags := b[2]>>1&0x1f, b[2]&1 != 0, b[3]
	if hl < 8 || hl > len(b) || flags&0x07 != 0 || wbid != 1 && wbid != 3 {
		return None, evidence{}
	}
	off := 8
	if flags&0x10 != 0 { // radio MAC address
		if off >= hl {
			return None, evidence{}
		}
		off += 1 + int(b[off])
	}
	if flags&0x20 != 0 { // wireless specific information
		if off+2 > hl {
			return None, evidence{}
		}
		off += 2 + int(b[off+1])
	}
	if off > hl {
		return None, evidence{}
	}
	p := b[hl:]
	switch {
	case flags&0x80 != 0: // a fragment: nothing after the header to check
		return Medium, ev
	case flags&0x08 != 0: // keep-alive: message elements (type, length, value)
		if !capwapElements(p) {
			return None, evidence{}
		}
		return High, ev
	case len(p) >= 8 && p[0] == 0 && 5+be16(p[5:7]) == len(p) && p[7] == 0 && capwapElements(p[8:]):
		// A control message: type, sequence number, the length of what
		// follows it (flags and elements), flags.
		return High, ev
	case !t:
		if len(p) < 14 {
			return Medium, ev
		}
		if !innerEthernet(p) {
			return None, evidence{}
		}
		return High, ev
	case wbid == 1:
		if len(p) < 2 || p[0]&3 != 0 && p[1]&3 != 0 {
			return None, evidence{}
		}
		return Medium, ev
	}
	return None, evidence{}
}

// capwapElements reports whether message elements fill b exactly.
func capwapElements(b []byte) bool {
	off := 0
	for off < len(b) {
		if off+4 > len(b) {
			return false
		}
		off += 4 + be16(b[off+2:off+4])
	}
	return off == len(b) && len(b) > 0
}
