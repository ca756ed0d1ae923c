package service

// Cleartext HTTP/2 (h2c), recognised by the client's connection preface.
// It shares HTTP's ports; over TLS it shows as tls.
var http2Protocol = Protocol{
	Name: "http2", Transports: onTCP,
	Registry:   []string{"http", "www", "www-http"},
	Alternates: []uint16{591, 8000, 8008, 8080, 8888},
	OffPort:    SeverityLow,
	Detectors:  []*Detector{&http2Detector},
}

var http2Detector = Detector{Name: "http2", Transports: onTCP, Detect: detectHTTP2}

// http2Preface is what an HTTP/2 client sends first (RFC 9113 §3.4).
const http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

func detectHTTP2(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	b := in.Client
	var c verdict
	switch {
	case hasPrefix(b, http2Preface):
		c = verdict{High, b[:14]}
	case len(b) >= 14 && isPrefixOf(b, http2Preface):
		// The buffer ends inside the preface.
		c = verdict{Medium, b[:14]}
	}
	return decide("http2", in, c, verdict{}, nil)
}
