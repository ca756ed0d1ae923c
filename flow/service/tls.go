package service

// TLS, recognised by its first handshake record (ClientHello, ServerHello)
// or an SSLv2-format hello, or, in a connection the capture joined late, by
// records that follow one another.
var tlsProtocol = Protocol{
	Name: "tls", Transports: onTCP,
	// Implicit-TLS ports: a payload detector sees TLS there, not the
	// protocol inside.
	Registry: []string{"https", "imaps", "pop3s", "submissions", "ldaps", "ftps", "ftps-data", "telnets",
		"nntps", "domain-s", "sips", "secure-mqtt", "amqps", "ircs-u"},
	// 465: IANA gives it to submissions (RFC 8314), but Wireshark's copy
	// of the registry keeps only urd.
	Defaults: []uint16{465},
	// 8443: IANA gives it to pcsync-https; it is the usual HTTPS alternate.
	Alternates: []uint16{8443},
	OffPort:    SeverityMedium, FirstBytes: "a TLS record", Meta: MetaTLS,
	Detectors: []*Detector{&tlsDetector, &tlsMidStreamDetector},
}

var tlsDetector = Detector{Name: "tls", Transports: onTCP, Detect: detectTLS}

// tlsMidStreamDetector names TLS in a connection seen without its
// handshake: every connection already open when a live capture starts.
var tlsMidStreamDetector = Detector{Name: "tls-midstream", Transports: onTCP, Detect: detectTLSMidStream}

func detectTLS(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	return decide("tls", in, tlsHello(in.Client, 1), tlsHello(in.Server, 2), nil)
}

// tlsMaxRecord is the largest TLSCiphertext fragment (2^14 + 2048); a
// handshake record is plaintext and smaller, but lenient stacks exist.
const tlsMaxRecord = 1<<14 + 2048

// tlsHello checks a handshake record holding handshake type want (1
// ClientHello, 2 ServerHello). High needs the handshake length to agree with
// the record's and the hello's version; a record whose header fits but whose
// hello is cut short or spread over several records is Medium.
func tlsHello(b []byte, want byte) verdict {
	if want == 1 && len(b) > 0 && b[0]&0x80 != 0 {
		return sslv2Hello(b)
	}
	if len(b) < 6 || b[0] != 0x16 || b[1] != 3 || b[2] > 4 || b[5] != want {
		return verdict{}
	}
	rec := be16(b[3:])
	if rec < 4 || rec > tlsMaxRecord {
		return verdict{}
	}
	s := verdict{Medium, b[:6]}
	if len(b) < 9 {
		return s
	}
	hs := int(b[6])<<16 | int(b[7])<<8 | int(b[8])
	// Smallest bodies: version, random, empty session id, one cipher
	// suite and one compression method, plus for a ClientHello the two
	// list lengths. Real hellos stay far below 64 KiB.
	minBody := 38
	if want == 1 {
		minBody = 41
	}
	if hs < minBody || hs > 1<<16 {
		return verdict{}
	}
	// The first flight of a client is the ClientHello alone; a server may
	// pack its Certificate and more behind the ServerHello in one record.
	consistent := hs+4 == rec || (want == 2 && hs+4 < rec)
	if !consistent && hs+4 < rec {
		return verdict{}
	}
	if len(b) < 11 {
		return s
	}
	if b[9] != 3 || b[10] > 4 { // legacy_version
		return verdict{}
	}
	if len(b) > 43 && b[43] > 32 { // session id length
		return verdict{}
	}
	if consistent {
		s.conf = High
	}
	return s
}

// sslv2Hello checks an SSLv2-format ClientHello (2-byte header, message
// type 1), still sent by old clients to reach SSLv3/TLS servers. It has no
// magic, so it stays at Medium even when every length agrees.
func sslv2Hello(b []byte) verdict {
	if len(b) < 5 || b[2] != 1 {
		return verdict{}
	}
	if !(b[3] == 0 && b[4] == 2) && !(b[3] == 3 && b[4] <= 3) {
		return verdict{}
	}
	s := verdict{Low, b[:5]}
	if len(b) < 11 {
		return s
	}
	n := int(b[0]&0x7f)<<8 | int(b[1])
	cs, sid, ch := be16(b[5:]), be16(b[7:]), be16(b[9:])
	if cs == 0 || cs%3 != 0 || (sid != 0 && sid != 16) || ch < 16 || ch > 32 || n != 9+cs+sid+ch {
		return verdict{}
	}
	s.conf = Medium
	return s
}

// detectTLSMidStream recognises a side whose bytes are TLS records back to
// back from the first one the capture holds: content type 20–23, a version
// from SSL 3.0 to TLS 1.3 shared by the chain, a length up to the largest
// ciphertext, each record starting where the last ended. One record header
// is five bytes any binary protocol may happen to hold, so it takes two
// anchors for Medium: a second header where the first record ends, or the
// first record ending exactly where the side's bytes do (TLS stacks write
// whole records per segment), on one side or one on each. A chain that
// breaks anywhere is no TLS. Only for connections joined late: from a SYN,
// TLS starts with its hello.
func detectTLSMidStream(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP || !in.MidStream {
		return Result{}, false
	}
	cn, cok := tlsRecordChain(in.Client)
	sn, sok := tlsRecordChain(in.Server)
	if !cok || !sok || cn+sn < 2 {
		return Result{}, false
	}
	// The side with the longer chain decides; on a tie, the client.
	c, s := verdict{}, verdict{}
	if cn >= sn {
		c = verdict{Medium, head(in.Client, 5)}
	} else {
		s = verdict{Medium, head(in.Server, 5)}
	}
	r, ok := decide("tls", in, c, s, nil)
	if ok {
		r.Detector = "tls-midstream"
	}
	return r, ok
}

// tlsRecordChain walks b as TLS records from its first byte and returns its
// anchors (record headers, and the end of b when a record ends there),
// and false when a header is not a TLS record's.
func tlsRecordChain(b []byte) (anchors int, ok bool) {
	off := 0
	for ; off < len(b); anchors++ {
		h := b[off:]
		if h[0] < 20 || h[0] > 23 || (len(h) > 1 && h[1] != 3) || (len(h) > 2 && (h[2] > 4 || h[2] != b[2])) {
			return 0, false
		}
		if len(h) < 5 {
			// A header cut by the end: its type and version count
			// behind a whole record, and contradict nothing alone.
			if anchors > 0 && len(h) >= 3 {
				return anchors + 1, true
			}
			return anchors, true
		}
		n := be16(h[3:])
		if n == 0 || n > tlsMaxRecord {
			return 0, false
		}
		off += 5 + n
	}
	if anchors > 0 && off == len(b) {
		anchors++
	}
	return anchors, true
}
