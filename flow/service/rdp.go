package service

// RDP, recognised by the X.224 Connection Request or Confirm in TPKT that
// opens a connection, or over UDP by its transport's SYN (rdpudp.go).
// Remote access: off its port it matters most.
var rdpProtocol = Protocol{
	Name: "rdp", Transports: onBoth,
	Registry:  []string{"ms-wbt-server"},
	OffPort:   SeverityHigh,
	Detectors: []*Detector{&rdpDetector, &rdpUDPDetector},
}

var rdpDetector = Detector{Name: "rdp", Transports: onTCP, Detect: detectRDP}

func detectRDP(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	return decide("rdp", in, rdpSide(in.Client, true), rdpSide(in.Server, false), nil)
}

// rdpSide checks TPKT (version 3) carrying an X.224 Connection Request from
// the client or Connection Confirm from the server, class 0, whose length
// indicator spans the TPDU. RDP puts its cookie or negotiation request
// (MS-RDPBCGR 2.2.1.1) where ISO transport would put parameters.
func rdpSide(b []byte, client bool) verdict {
	if len(b) < 11 || b[0] != 3 || b[1] != 0 {
		return verdict{}
	}
	tl := be16(b[2:])
	if tl < 11 || tl > 1024 || int(b[4]) != tl-5 {
		return verdict{}
	}
	code := byte(0xd0)
	if client {
		code = 0xe0
	}
	// A request's destination reference is still unknown, so zero.
	if b[5]&0xf0 != code || (client && (b[6] != 0 || b[7] != 0)) || b[10] != 0 {
		return verdict{}
	}
	ev := head(b, min(tl, 19))
	if tl == 11 {
		return verdict{Medium, ev}
	}
	v := head(b[11:], tl-11)
	if len(v) == 0 {
		return verdict{Low, ev}
	}
	switch v[0] {
	case 0xc0, 0xc1, 0xc2:
		// TPDU size and TSAP parameters: ISO transport, as used by
		// S7comm or MMS, not RDP.
		return verdict{}
	}
	neg := byte(2) // RDP_NEG_RSP; RDP_NEG_FAILURE is 3
	if client {
		if hasPrefix(v, "Cookie: mstshash=") || hasPrefix(v, "Cookie: msts=") {
			return verdict{High, firstLine(v)}
		}
		neg = 1 // RDP_NEG_REQ
	}
	if v[0] == neg || (!client && v[0] == 3) {
		if len(v) >= 4 && v[2] == 8 && v[3] == 0 {
			return verdict{High, ev}
		}
	}
	return verdict{Low, ev}
}
