package service

// DHCPv6 (RFC 8415), recognised by a message type and options whose
// lengths chain to the datagram's end.
var dhcpv6Protocol = Protocol{
	Name: "dhcpv6", Transports: onUDP,
	Registry:   []string{"dhcpv6-client", "dhcpv6-server"},
	OffPort:    SeverityMedium,
	FirstBytes: "a DHCPv6 message",
	Detectors:  []*Detector{&dhcpv6Detector},
}

var dhcpv6Detector = Detector{
	Name:       "dhcpv6",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		return eitherSide(in, "dhcpv6", dhcpv6Message)
	},
}

// dhcpv6Message checks a client/server message (types 1-11: Solicit to
// Information-request; 14-36, later additions) with its 3-byte transaction
// ID, or a relay message (12, 13) with hop count and two addresses, then
// options (code, length, value) that end exactly where the datagram does,
// every code assigned (1-150). High with a Client or Server Identifier
// among them, which every client/server message but a few carries and a
// DUID-less random datagram does not; Medium otherwise.
func dhcpv6Message(b []byte) (Confidence, evidence) {
	if len(b) < 8 || b[0] == 0 || b[0] > 36 {
		return None, evidence{}
	}
	off := 4
	if b[0] == 12 || b[0] == 13 {
		off = 34
	}
	if off+4 > len(b) {
		return None, evidence{}
	}
	id := false
	for off < len(b) {
		if off+4 > len(b) {
			return None, evidence{}
		}
		code := be16(b[off:])
		if code == 0 || code > 150 {
			return None, evidence{}
		}
		// A DUID is a 2-byte type and at least a byte more.
		id = id || ((code == 1 || code == 2) && be16(b[off+2:]) >= 3)
		off += 4 + be16(b[off+2:])
	}
	if off != len(b) {
		return None, evidence{}
	}
	if id {
		return High, evidence{b: b[:1]}
	}
	return Medium, evidence{b: b[:1]}
}
