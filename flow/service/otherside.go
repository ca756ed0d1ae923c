package service

// OtherSide returns what the side that did not decide r speaks, when that
// side alone is surely another protocol, one that r's protocol does not
// accept from it: an HTTP request answered by an SSH banner, a TLS hello
// answered by an HTTP error. Only High verdicts count (a command shared by
// FTP and POP3 is no proof). Over TCP each side's bytes are its own
// stream; over UDP its own datagrams, so r must be High too there, every
// one of the other side's datagrams in in must be foreign to r's protocol,
// and protocols that share one UDP port pair by design (STUN, TURN, DTLS,
// RTP, RTCP, ZRTP and QUIC, RFC 7983 and 9443) are no mismatch. Only the
// other side's bytes are needed: the deciding side's are set aside. A
// caller that sees the other side's datagrams one at a time passes the
// first here and each later one to OwnProtocol. It allocates only for a
// verdict it returns, beside what r's own detectors allocate on their way.
func OtherSide(in *Input, r Result) (Result, bool) {
	p := Lookup(r.Service)
	if in == nil || r.Confidence < Medium || p == nil {
		return Result{}, false
	}
	udp := in.Transport == UDP
	if udp && r.Confidence < High || in.Transport != TCP && !udp {
		return Result{}, false
	}
	saved := *in
	defer func() { *in = saved }()
	other := otherAlone(in, r)
	if len(in.Client)+len(in.Server) == 0 {
		return Result{}, false
	}
	if ownProtocol(in, p) {
		return Result{}, false // its own protocol, or what it may look like
	}
	if udp {
		// Each of the other side's datagrams alone, the first already tried.
		ds, side := in.ServerDatagrams, &in.Server
		if other == FromClient {
			ds, side = in.ClientDatagrams, &in.Client
		}
		first := *side
		for _, d := range ds {
			*side = d
			if ownProtocol(in, p) {
				return Result{}, false
			}
		}
		*side = first
		in.ClientDatagrams, in.ServerDatagrams = nil, nil
	}
	o, ok := identifyOne(in)
	if !ok || o.Confidence < High || o.Service == r.Service || o.Dir != other {
		return Result{}, false
	}
	if udp && udpMuxed(o.Service) && udpMuxed(r.Service) {
		return Result{}, false
	}
	return o, true
}

// OwnProtocol reports whether r's protocol's detectors accept the bytes of
// the side that did not decide r, alone (the deciding side's are set
// aside): a later datagram of that side that does is no protocol-mismatch.
// It allocates only what r's own detectors allocate.
func OwnProtocol(in *Input, r Result) bool {
	p := Lookup(r.Service)
	if in == nil || p == nil {
		return false
	}
	saved := *in
	defer func() { *in = saved }()
	otherAlone(in, r)
	return len(in.Client)+len(in.Server) > 0 && ownProtocol(in, p)
}

// otherAlone sets aside the bytes of the side that decided r, so that the
// detectors see the other side as if it spoke first, and returns that
// side's direction.
func otherAlone(in *Input, r Result) Dir {
	if r.Dir == FromClient {
		in.Client, in.ClientDatagrams, in.ClientFirst = nil, nil, false
		return FromServer
	}
	in.Server, in.ServerDatagrams, in.ClientFirst = nil, nil, true
	return FromClient
}

// ownProtocol reports whether any of p's detectors accepts the input.
func ownProtocol(in *Input, p *Protocol) bool {
	for _, d := range p.Detectors {
		if _, ok := d.Detect(in); ok {
			return true
		}
	}
	return false
}

// udpMuxed reports whether a service is one of those that share a UDP port
// pair by design: WebRTC sends STUN, DTLS and SRTP on one (RFC 7983), and
// QUIC may join them (RFC 9443).
func udpMuxed(s string) bool {
	switch s {
	case "stun", "turn", "dtls", "rtp", "rtcp", "zrtp", "quic":
		return true
	}
	return false
}
