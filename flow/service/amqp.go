package service

// AMQP, recognised by the protocol header a client opens with (0-8 to
// 0-10, and 1.0 with its TLS and SASL layers) or a 0-9-1 server's
// Connection.Start.
var amqpProtocol = Protocol{
	Name: "amqp", Transports: onTCP,
	Registry:  []string{"amqp"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&amqpDetector},
}

var amqpDetector = Detector{
	Name:       "amqp",
	Transports: onTCP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != TCP {
			return Result{}, false
		}
		return eitherSide(in, "amqp", amqpStart)
	},
}

// amqpHeaders are the protocol headers' last four bytes after "AMQP":
// 0-9-1, 0-9, 0-8, 0-10, and 1.0's AMQP, TLS and SASL layers. A 1.0
// server answers with the same header, a 0-9-1 server that does not
// speak the client's version with its own.
var amqpHeaders = [...]string{"\x00\x00\x09\x01", "\x01\x01\x00\x09", "\x01\x01\x08\x00", "\x01\x01\x00\x0a",
	"\x00\x01\x00\x00", "\x02\x01\x00\x00", "\x03\x01\x00\x00"}

// amqpStart matches a protocol header, or a method frame on channel 0
// carrying Connection.Start (class 10, method 10) for version 0-9.
func amqpStart(b []byte) (Confidence, evidence) {
	if len(b) >= 8 && hasPrefix(b, "AMQP") {
		for _, h := range amqpHeaders {
			if string(b[4:8]) == h {
				return High, evidence{b: b[:8]}
			}
		}
		return None, evidence{}
	}
	// type 1, channel 0, payload size, class 10, method 10, 0, 9
	if len(b) >= 13 && b[0] == 1 && b[1] == 0 && b[2] == 0 && be32(b[3:]) >= 6 && be32(b[3:]) < 1<<20 &&
		string(b[7:13]) == "\x00\x0a\x00\x0a\x00\x09" {
		return High, evidence{b: b[:13]}
	}
	return None, evidence{}
}
