package service

// DTLS (RFC 6347, 9147), recognised by records that fill a datagram
// exactly: content type, a DTLS version, epoch and sequence number and a
// length, back to back. A handshake's first message in epoch 0 is High.
var dtlsProtocol = Protocol{
	Name: "dtls", Transports: onUDP,
	// stuns is STUN and TURN over DTLS (RFC 7350). udp/443 (https, QUIC's)
	// is where AnyConnect and OpenConnect VPNs carry their DTLS tunnel,
	// beside the TLS channel on tcp/443: a conventional alternate. WebRTC
	// negotiates any port, hence a low severity.
	Registry:   []string{"stuns"},
	Alternates: []uint16{443},
	OffPort:    SeverityLow,
	FirstBytes: "a DTLS record",
	Detectors:  []*Detector{&dtlsDetector},
}

var dtlsDetector = Detector{
	Name:       "dtls",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		if r, ok := eitherSide(in, "dtls", dtlsDatagram); ok {
			return r, ok
		}
		// A side's later datagrams: DTLS behind ICE's STUN checks.
		c, s := dtlsLater(in.ClientDatagrams, in.Client), dtlsLater(in.ServerDatagrams, in.Server)
		return decide("dtls", in, c, s, nil)
	},
}

// dtlsLater is the first of a side's datagrams that is DTLS, at Medium or
// above; first is the side's datagram the verdict is about.
func dtlsLater(ds [][]byte, first []byte) verdict {
	if len(first) == 0 {
		return verdict{}
	}
	for _, d := range ds {
		if c, ev := dtlsDatagram(d); c >= Medium {
			return verdict{c, ev.b}
		}
	}
	return verdict{}
}

// dtlsRecordHeader is a DTLS record header's size: type, version, epoch,
// sequence number, length.
const dtlsRecordHeader = 13

// dtlsVersion accepts DTLS 1.0, 1.2 and 1.3's record version numbers and
// 0x0100, which OpenSSL before 0.9.8f sent for DTLS 1.0 and some VPN
// gateways still do.
func dtlsVersion(v int) bool { return v == 0xfeff || v == 0xfefd || v == 0xfefc || v == 0x0100 }

// dtlsDatagram checks a datagram's records: content types 20-24 (change
// cipher spec, alert, handshake, application data, heartbeat), one DTLS
// version throughout, lengths that chain to the datagram's end (the last
// may run past a buffer that cut it). A first handshake record in epoch 0
// whose message header fits it is High (a hello, or a flight's next
// message); otherwise the chain is Medium: type, version and an exact
// length are no accident.
func dtlsDatagram(b []byte) (Confidence, evidence) {
	if len(b) < dtlsRecordHeader {
		return None, evidence{}
	}
	ver := be16(b[1:])
	off := 0
	for off < len(b) {
		r := b[off:]
		if len(r) < dtlsRecordHeader || r[0] < 20 || r[0] > 24 || be16(r[1:]) != ver || !dtlsVersion(ver) {
			return None, evidence{}
		}
		n := be16(r[11:])
		if n == 0 {
			return None, evidence{}
		}
		off += dtlsRecordHeader + n
	}
	ev := evidence{b: b[:3]}
	cut := off > len(b)
	if b[0] == 22 && be16(b[3:]) == 0 && dtlsHandshake(b[dtlsRecordHeader:], be16(b[11:])) {
		return High, ev
	}
	if cut {
		return Low, ev
	}
	return Medium, ev
}

// dtlsHandshake checks a clear handshake message header: a type DTLS
// uses in its flights, a fragment within the message and within the record.
func dtlsHandshake(h []byte, recLen int) bool {
	if len(h) < 12 {
		return false
	}
	switch h[0] {
	case 1, 2, 3, 4, 11, 12, 13, 14, 15, 16, 20:
	default:
		return false
	}
	msgLen, fragOff, fragLen := int(h[1])<<16|be16(h[2:]), int(h[6])<<16|be16(h[7:]), int(h[9])<<16|be16(h[10:])
	if fragOff+fragLen > msgLen || 12+fragLen > recLen {
		return false
	}
	if h[0] <= 3 && fragOff == 0 && len(h) >= 14 {
		return dtlsVersion(be16(h[12:])) // a hello's own version
	}
	return true
}
