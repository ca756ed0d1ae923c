package service

// Kerberos 5 (RFC 4120), recognised by a DER-encoded message: its
// APPLICATION tag, a length that is the message's, and protocol version
// 5 with the message type the tag names. Over TCP a 4-byte length comes
// first (§7.2.2).
var kerberosProtocol = Protocol{
	Name: "kerberos", Transports: onBoth,
	Registry:   []string{"kerberos"},
	OffPort:    SeverityMedium,
	FirstBytes: "a Kerberos message",
	Detectors:  []*Detector{&kerberosDetector},
}

var kerberosDetector = Detector{
	Name:       "kerberos",
	Transports: onBoth,
	Detect:     perTransport("kerberos", kerberosUDP, kerberosTCP),
}

func kerberosUDP(b []byte) (Confidence, evidence) { return kerberosMessage(b, len(b)) }

// kerberosTCP unframes a message: its 4-byte length (the top bit is
// reserved and clear) is the DER message's.
func kerberosTCP(b []byte) (Confidence, evidence) {
	if len(b) < 4 || b[0]&0x80 != 0 {
		return None, evidence{}
	}
	return kerberosMessage(b[4:], int(be32(b)))
}

// derLen reads a DER length at b[0]: short form, or long form in up to 3
// bytes; it returns the length and the bytes it took.
func derLen(b []byte) (n, size int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	if b[0] < 0x80 {
		return int(b[0]), 1, true
	}
	k := int(b[0] & 0x7f)
	if k == 0 || k > 3 || len(b) < 1+k {
		return 0, 0, false
	}
	for _, c := range b[1 : 1+k] {
		n = n<<8 | int(c)
	}
	return n, 1 + k, true
}

// kerberosMessage checks a message of total size bytes (b may hold only
// its start): APPLICATION 10-14 (AS-REQ, AS-REP, TGS-REQ, TGS-REP, AP-REQ),
// 15 (AP-REP), 20-22 (SAFE, PRIV, CRED) or 30 (KRB-ERROR), constructed;
// its length filling the message; a SEQUENCE; then pvno = 5 and msg-type
// equal to the tag number, as context tags [0],[1] or, in KDC-REQ, [1],[2].
// Its evidence is the tag byte.
func kerberosMessage(b []byte, size int) (Confidence, evidence) {
	if len(b) < 2 || b[0]&0xe0 != 0x60 {
		return None, evidence{}
	}
	tag := int(b[0] & 0x1f)
	switch {
	case tag >= 10 && tag <= 15, tag >= 20 && tag <= 22, tag == 30:
	default:
		return None, evidence{}
	}
	n, k, ok := derLen(b[1:])
	if !ok || 1+k+n != size {
		return None, evidence{}
	}
	s := b[1+k:]
	if len(s) < 2 || s[0] != 0x30 {
		return None, evidence{}
	}
	_, k, ok = derLen(s[1:])
	if !ok {
		return None, evidence{}
	}
	f := s[1+k:]
	first := byte(0xa0)
	if tag == 10 || tag == 12 { // KDC-REQ: pvno is [1]
		first = 0xa1
	}
	// pvno: [n] { INTEGER 5 }, then msg-type: [n+1] { INTEGER tag }.
	want := [...]byte{first, 3, 2, 1, 5, first + 1, 3, 2, 1, byte(tag)}
	if len(f) < len(want) || string(f[:len(want)]) != string(want[:]) {
		return None, evidence{}
	}
	return High, evidence{b: b[:1]}
}
