package service

// RTP and RTCP (RFC 3550; SRTP and SRTCP, RFC 3711). RTP's 12-byte header
// is a version and a few small fields any datagram may start with, so it
// takes one stream's datagrams agreeing: one SSRC, sequence numbers that
// increase, timestamps that do not go back. RTCP's packets carry their
// own lengths, which chain to the datagram's end.
var rtpProtocol = Protocol{
	Name: "rtp", Transports: onUDP,
	// Ports are negotiated per call (SDP), from any range: off 5004 is the
	// rule, worth noting only.
	Registry:   []string{"avt-profile-1"},
	OffPort:    SeverityInfo,
	FirstBytes: "RTP packets",
	Detectors:  []*Detector{&rtpDetector},
}

var rtcpProtocol = Protocol{
	Name: "rtcp", Transports: onUDP,
	Registry:   []string{"avt-profile-2"},
	OffPort:    SeverityInfo,
	FirstBytes: "RTCP packets",
	Detectors:  []*Detector{&rtcpDetector},
}

var rtpDetector = Detector{
	Name:       "rtp",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		c, s := rtpStream(in.ClientDatagrams, in.Client), rtpStream(in.ServerDatagrams, in.Server)
		// Two streams, one each way, each seen twice: a call's two halves.
		if c.n >= 2 && s.n >= 2 {
			c.conf, s.conf = max(c.conf, Medium), max(s.conf, Medium)
		}
		return decide("rtp", in, c.verdict, s.verdict, nil)
	},
}

// rtpFlow is what the rtp detector would make of the flow's datagrams
// from their first RTP packet on, whatever came before (STUN's checks).
func rtpFlow(in *Input) Confidence {
	c, s := rtpStream(in.ClientDatagrams, firstRTP(in.ClientDatagrams)), rtpStream(in.ServerDatagrams, firstRTP(in.ServerDatagrams))
	if c.n >= 2 && s.n >= 2 {
		return Medium
	}
	return max(c.conf, s.conf)
}

// firstRTP is the first of ds that has an RTP header, or nil.
func firstRTP(ds [][]byte) []byte {
	for _, d := range ds {
		if m, _ := stunMessage(d, false); m == nil && rtpHeader(d) {
			return d
		}
	}
	return nil
}

// rtcpFlow is the rtcp detector's verdict on the flow's first RTCP
// datagram of either side.
func rtcpFlow(in *Input) Confidence {
	var c Confidence
	for _, ds := range [2][][]byte{in.ClientDatagrams, in.ServerDatagrams} {
		for _, d := range ds {
			if k, _ := rtcpDatagram(d); k != rtcpNone {
				c = max(c, rtcpSide(ds, d).conf)
				break
			}
		}
	}
	return c
}

var rtcpDetector = Detector{
	Name:       "rtcp",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		return decide("rtcp", in, rtcpSide(in.ClientDatagrams, in.Client), rtcpSide(in.ServerDatagrams, in.Server), nil)
	},
}

// rtcpType reports a packet type RFC 5761 reserves for RTCP (192-223):
// an RTP packet never has these in its second byte.
func rtcpType(t byte) bool { return t >= 192 && t <= 223 }

// rtpHeader checks an RTP fixed header: version 2, a second byte outside
// RTCP's types, its CSRC list and header extension within the datagram.
func rtpHeader(b []byte) bool {
	if len(b) < 12 || b[0]>>6 != 2 || rtcpType(b[1]) {
		return false
	}
	off := 12 + 4*int(b[0]&0x0f)
	if b[0]&0x10 != 0 { // extension: profile, length in words
		if off+4 > len(b) {
			return false
		}
		off += 4 + 4*be16(b[off+2:])
	}
	return off <= len(b)
}

type rtpVerdict struct {
	verdict
	n int // the stream's datagrams seen
}

// rtpStream checks a side's datagrams for one RTP stream: the same SSRC,
// sequence numbers each 1 to 100 past the last (a few lost), timestamps
// that do not go back (both modulo their size); STUN and RTCP datagrams
// between them (ICE, rtcp-mux) are passed over. Three or more are
// Medium, two only a guess; first is the datagram the verdict is about.
func rtpStream(ds [][]byte, first []byte) rtpVerdict {
	if !rtpHeader(first) {
		return rtpVerdict{}
	}
	var ssrc []byte
	var seq, ts uint32
	n := 0
	for _, d := range ds {
		if len(d) >= 2 && d[0]>>6 == 2 && rtcpType(d[1]) {
			continue
		}
		if m, _ := stunMessage(d, false); m != nil {
			continue
		}
		if !rtpHeader(d) {
			return rtpVerdict{}
		}
		s, t := uint32(be16(d[2:])), be32(d[4:])
		if n > 0 && (string(d[8:12]) != string(ssrc) || uint16(s-seq) == 0 || uint16(s-seq) > 100 || int32(t-ts) < 0) {
			return rtpVerdict{}
		}
		ssrc, seq, ts = d[8:12], s, t
		n++
	}
	v := rtpVerdict{n: n}
	switch {
	case n >= 3:
		v.verdict = verdict{Medium, first[:2]}
	case n == 2:
		v.verdict = verdict{Low, first[:2]}
	}
	return v
}

// RTCP datagram kinds.
const (
	rtcpNone  = iota
	rtcpPlain // a compound whose packets chain exactly
	rtcpSRTCP // an SR or RR whose rest is encrypted, ending in E-flag, index and tag
)

// rtcpDatagram classifies a datagram. A plain compound starts with a
// report or, reduced-size (RFC 5506), any RTCP type; every packet is
// version 2 with a type in RTCP's range and a length in 32-bit words less
// one, and they end where the datagram does. An SRTCP packet keeps only
// its first 8 bytes clear; it ends with the E flag and a 31-bit index
// (from 0, so small) before an 80- or 32-bit authentication tag.
func rtcpDatagram(b []byte) (kind int, index uint32) {
	if len(b) < 8 || b[0]>>6 != 2 || b[1] < 200 || b[1] > 207 {
		return rtcpNone, 0
	}
	off := 0
	for off+4 <= len(b) && b[off]>>6 == 2 && rtcpType(b[off+1]) {
		off += 4 * (be16(b[off+2:]) + 1)
	}
	if off == len(b) {
		return rtcpPlain, 0
	}
	if b[1] != 200 && b[1] != 201 {
		return rtcpNone, 0
	}
	for _, tag := range [...]int{10, 4} {
		if i := len(b) - tag - 4; i >= 8 && b[i] == 0x80 {
			return rtcpSRTCP, be32(b[i:]) & 0x7fffffff
		}
	}
	return rtcpNone, 0
}

// rtcpSide is one side's verdict: a plain compound alone is Medium, two
// from one sender SSRC High; SRTCP needs two datagrams of one SSRC whose
// indexes increase (Medium).
func rtcpSide(ds [][]byte, first []byte) verdict {
	k, _ := rtcpDatagram(first)
	if k == rtcpNone {
		return verdict{}
	}
	plain, srtcp := 0, 0
	var last uint32
	for _, d := range ds {
		dk, idx := rtcpDatagram(d)
		if dk == rtcpNone || string(d[4:8]) != string(first[4:8]) {
			continue
		}
		if dk == rtcpPlain {
			plain++
		} else if srtcp == 0 || idx > last {
			srtcp++
			last = idx
		}
	}
	ev := first[:2]
	switch {
	case k == rtcpPlain && plain >= 2:
		return verdict{High, ev}
	case k == rtcpPlain:
		return verdict{Medium, ev}
	case srtcp >= 2:
		return verdict{Medium, ev}
	}
	return verdict{Low, ev}
}
