package service

// BitTorrent, recognised by the peer-wire handshake (TCP), a DHT message or
// a uTP connection (UDP). File sharing: off its ports it matters most.
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
			if r, ok := eitherSide(in, "bittorrent", btDHT); ok {
				return r, ok
			}
			c, s := utpConnection(in.ClientDatagrams, in.Client), utpConnection(in.ServerDatagrams, in.Server)
			return decide("bittorrent", in, c, s, nil)
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

// utpConnection checks a side's datagrams for one uTP connection (BEP 29):
// a 20-byte header of type 0–4 and version 1, an extension 0–2, one
// connection id and microsecond timestamps that increase. A header is 20
// bytes any datagram may start with, so it takes three datagrams of the
// side agreeing (Medium); first is the datagram the verdict is about. A
// SYN carries the id one below the one its sender uses afterwards.
func utpConnection(ds [][]byte, first []byte) verdict {
	if len(ds) < 3 || len(first) < 20 {
		return verdict{}
	}
	var id int
	var last uint32
	n := 0
	for _, d := range ds {
		if len(d) < 20 || d[0]&0x0f != 1 || d[0]>>4 > 4 || d[1] > 2 {
			return verdict{}
		}
		did, ts := be16(d[2:]), be32(d[4:])
		if d[0]>>4 == 4 { // ST_SYN
			did++
		}
		if n > 0 && (did != id || ts <= last) {
			return verdict{}
		}
		id, last = did, ts
		n++
	}
	return verdict{Medium, first[:4]}
}
