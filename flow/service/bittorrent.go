package service

// BitTorrent, recognised by the peer-wire handshake (TCP) or a DHT message
// (UDP). File sharing: off its ports it matters most.
var bittorrentProtocol = Protocol{
	Name: "bittorrent", Transports: onBoth,
	// Not registered with IANA (6888 is muse there): the range classic
	// clients listen on.
	Defaults:  []uint16{6881, 6882, 6883, 6884, 6885, 6886, 6887, 6888, 6889},
	OffPort:   SeverityHigh,
	Detectors: []*Detector{&bittorrentDetector},
}

var bittorrentDetector = Detector{
	Name:       "bittorrent",
	Transports: onBoth,
	Detect: func(in *Input) (Result, bool) {
		if in == nil {
			return Result{}, false
		}
		if in.Transport == UDP {
			return eitherSide(in, "bittorrent", btDHT)
		}
		return eitherSide(in, "bittorrent", btHandshake)
	},
}

// btHandshake matches the peer-wire handshake's length-prefixed protocol
// string, which both peers send first.
func btHandshake(b []byte) (Confidence, evidence) {
	if !hasPrefix(b, "\x13BitTorrent protocol") {
		return None, evidence{}
	}
	return High, evidence{b: b[1:20]}
}

// btDHT matches a mainline DHT (KRPC) query or response. Bencoded keys are
// sorted, so the arguments ("a") or response ("r") dict comes first and
// opens with the 20-byte node id; a response may be preceded by an "ip" key
// (the requester's compact address, 6 or 18 bytes). Other bencoded
// messages exist, hence Medium.
func btDHT(b []byte) (Confidence, evidence) {
	if len(b) == 0 || b[0] != 'd' {
		return None, evidence{}
	}
	rest := b[1:]
	ip := false
	switch {
	case hasPrefix(rest, "2:ip6:") && len(rest) >= 6+6:
		rest, ip = rest[6+6:], true
	case hasPrefix(rest, "2:ip18:") && len(rest) >= 7+18:
		rest, ip = rest[7+18:], true
	}
	if len(rest) < 11+20 {
		return None, evidence{}
	}
	switch {
	case !ip && hasPrefix(rest, "1:ad2:id20:"):
		return Medium, evidence{s: "d1:ad2:id20:"}
	case hasPrefix(rest, "1:rd2:id20:"):
		return Medium, evidence{s: "d1:rd2:id20:"}
	}
	return None, evidence{}
}
