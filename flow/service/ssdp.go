package service

// SSDP (UPnP discovery), recognised by HTTP over UDP: an M-SEARCH or
// NOTIFY request for "*", or a search response naming what it found.
var ssdpProtocol = Protocol{
	Name: "ssdp", Transports: onUDP,
	Registry: []string{"ssdp"},
	// Discovery on other ports (Plex's GDM on 32412/32414 uses M-SEARCH
	// too) is unusual rather than alarming.
	OffPort:    SeverityLow,
	FirstBytes: "an SSDP request",
	Detectors:  []*Detector{&ssdpDetector},
}

var ssdpDetector = Detector{
	Name:       "ssdp",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		return eitherSide(in, "ssdp", ssdpMessage)
	},
}

var ssdpMethods = []string{"M-SEARCH", "NOTIFY"}

// ssdpMessage checks a request line "M-SEARCH * HTTP/1.1" or "NOTIFY *
// HTTP/1.1" (High), or an HTTP/1.1 status line, which is High only with a
// search response's ST or USN header: HTTP over UDP is otherwise rare, but
// not SSDP's alone.
func ssdpMessage(b []byte) (Confidence, evidence) {
	if !hasPrefix(b, "HTTP/") {
		return startLine(b, ssdpMethods, nil, true, "HTTP/1.1")
	}
	c, ev := startLine(b, nil, nil, false, "HTTP/1.1")
	if c == None {
		return None, evidence{}
	}
	h := head(b, maxStartLine)
	if indexFold(h, "\nST:") >= 0 || indexFold(h, "\nUSN:") >= 0 {
		return High, ev
	}
	return Medium, ev
}
