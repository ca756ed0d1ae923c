package service

// WireGuard, recognised by its handshake messages' types and exact sizes.
var wireguardProtocol = Protocol{
	Name: "wireguard", Transports: onUDP,
	// Not registered with IANA: 51820 is WireGuard's documented default.
	Defaults:  []uint16{51820},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&wireguardDetector},
}

var wireguardDetector = Detector{
	Name:       "wireguard",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		return eitherSide(in, "wireguard", wireguardCheck)
	},
}

// wireguardCheck checks a message type, its three reserved zero bytes and the
// type's exact length: handshake messages have fixed sizes. Transport data
// only has a 16-byte-aligned size (padded plaintext plus a 16-byte tag),
// which plenty of other datagrams share.
func wireguardCheck(b []byte) (Confidence, evidence) {
	if len(b) < 32 || b[1]|b[2]|b[3] != 0 {
		return None, evidence{}
	}
	ev := evidence{b: b[:4]}
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
	return None, evidence{}
}
