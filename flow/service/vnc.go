package service

// VNC, recognised by the RFB ProtocolVersion message (RFC 6143 7.1.1) both
// sides open with. Remote access: off its ports it matters most.
var vncProtocol = Protocol{
	Name: "vnc", Transports: onTCP,
	Registry: []string{"rfb"},
	// Display N of a server listens on 5900+N: displays 1 to 9 are the
	// usual alternates of rfb's 5900.
	Alternates: []uint16{5901, 5902, 5903, 5904, 5905, 5906, 5907, 5908, 5909},
	OffPort:    SeverityHigh,
	Detectors:  []*Detector{&vncDetector},
}

var vncDetector = Detector{
	Name:       "vnc",
	Transports: onTCP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != TCP {
			return Result{}, false
		}
		return eitherSide(in, "vnc", rfbVersion)
	},
}

// rfbVersion matches "RFB xxx.yyy\n": exactly 12 bytes, six digits.
func rfbVersion(b []byte) (Confidence, evidence) {
	if len(b) < 12 || !hasPrefix(b, "RFB ") || b[7] != '.' || b[11] != '\n' {
		return None, evidence{}
	}
	for _, i := range [...]int{4, 5, 6, 8, 9, 10} {
		if !isDigit(b[i]) {
			return None, evidence{}
		}
	}
	return High, evidence{b: b[:11]}
}
