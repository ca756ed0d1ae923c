package service

// RADIUS (RFC 2865, 2866, 5176), recognised by a packet whose length is
// the datagram's and whose attributes fill it exactly.
var radiusProtocol = Protocol{
	Name: "radius", Transports: onUDP,
	Registry: []string{"radius", "radius-acct"},
	// 1645 and 1646, RADIUS's ports before IANA's assignment, which some
	// equipment still uses (sightline and sa-msg-port in the registry).
	Alternates: []uint16{1645, 1646},
	OffPort:    SeverityMedium,
	FirstBytes: "a RADIUS packet",
	Detectors:  []*Detector{&radiusDetector},
}

var radiusDetector = Detector{
	Name:       "radius",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		return eitherSide(in, "radius", radiusPacket)
	},
}

// radiusPacket checks a code (Access-Request to Accounting-Response,
// Access-Challenge, Status-Server/Client, and the Disconnect and CoA
// messages 40-45), a length of 20 to 4096 that is the datagram's, and
// attributes (type, length of at least 2) that end exactly there, at
// least one of them. The evidence is the code and identifier.
func radiusPacket(b []byte) (Confidence, evidence) {
	if len(b) < 20+2 || be16(b[2:]) != len(b) || len(b) > 4096 {
		return None, evidence{}
	}
	switch c := b[0]; {
	case c >= 1 && c <= 5, c >= 11 && c <= 13, c >= 40 && c <= 45:
	default:
		return None, evidence{}
	}
	off := 20
	for off < len(b) {
		if off+2 > len(b) || b[off] == 0 || b[off+1] < 2 {
			return None, evidence{}
		}
		off += int(b[off+1])
	}
	if off != len(b) {
		return None, evidence{}
	}
	return High, evidence{b: b[:2]}
}
