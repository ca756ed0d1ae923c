package service

// IPsec over UDP: IKE (v1 and v2) messages, on 500 or behind NAT
// traversal's non-ESP marker on 4500 (RFC 3948), and ESP in UDP, whose
// SPI and sequence numbers must agree across datagrams.
var ipsecProtocol = Protocol{
	Name: "ipsec", Transports: onUDP,
	Registry:   []string{"isakmp", "ipsec-nat-t"},
	OffPort:    SeverityMedium,
	FirstBytes: "an IKE message",
	Detectors:  []*Detector{&ikeDetector, &espDetector},
}

var ikeDetector = Detector{
	Name:       "ipsec",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		return eitherSide(in, "ipsec", ikeMessage)
	},
}

var espDetector = Detector{
	Name:       "esp-in-udp",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		c, s := espSession(in.ClientDatagrams, in.Client), espSession(in.ServerDatagrams, in.Server)
		if c.conf != None && s.conf != None && string(c.ev) == string(s.ev) {
			// An SA is one way; each peer picks the SPI it receives on, so
			// the two directions' differ. One value both ways is another
			// protocol's constant (Nintendo's PIA header reads as SPI and
			// sequence number).
			return Result{}, false
		}
		r, ok := decide("ipsec", in, c, s, nil)
		if ok {
			r.Detector = "esp-in-udp"
		}
		return r, ok
	},
}

// ikeMessage checks an ISAKMP header (RFC 2408, 7296), after a non-ESP
// marker if there is one: a nonzero initiator SPI, major version 1 or 2,
// an exchange type of that version, reserved flag bits clear and a
// length equal to the message's. Its evidence is the version and exchange.
func ikeMessage(b []byte) (Confidence, evidence) {
	if len(b) >= 4+28 && be32(b) == 0 {
		b = b[4:] // NAT-T: the non-ESP marker
	}
	if len(b) < 28 || allZero(b[:8]) || int(be32(b[24:])) != len(b) {
		return None, evidence{}
	}
	ex := b[18]
	switch b[17] >> 4 {
	case 1: // IKEv1: base, identity protection, authentication only, aggressive, informational, quick mode, new group
		if (ex < 1 || ex > 5) && ex != 32 && ex != 33 {
			return None, evidence{}
		}
	case 2: // IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL, IKE_SESSION_RESUME
		if ex < 34 || ex > 38 || b[19]&0xc7 != 0 {
			return None, evidence{}
		}
	default:
		return None, evidence{}
	}
	if b[16] > 54 && b[16] < 128 { // next payload: assigned or private use
		return None, evidence{}
	}
	return High, evidence{b: b[17:19]}
}

// espSession checks a side's datagrams for one ESP security association:
// an SPI above the reserved 1-255, sequence numbers that increase by 1 to
// 64 (a few lost), IKE messages behind the non-ESP marker and NAT
// keepalives (one 0xff byte) passed over. Two such datagrams are Medium,
// three High: random datagrams do not repeat 4 bytes and count in the
// next 4. first is the datagram the verdict is about.
func espSession(ds [][]byte, first []byte) verdict {
	if len(first) < 16 || be32(first) < 256 {
		return verdict{}
	}
	var spi []byte
	var seq uint32
	n := 0
	for _, d := range ds {
		if (len(d) >= 4 && be32(d) == 0) || (len(d) == 1 && d[0] == 0xff) {
			continue
		}
		if len(d) < 16 || be32(d) < 256 {
			return verdict{}
		}
		s := be32(d[4:])
		if s == 0 || (n > 0 && (string(d[:4]) != string(spi) || s <= seq || s-seq > 64)) {
			return verdict{}
		}
		spi, seq = d[:4], s
		n++
	}
	switch {
	case n >= 3:
		return verdict{High, first[:4]}
	case n == 2:
		return verdict{Medium, first[:4]}
	}
	return verdict{}
}
