package service

// PostgreSQL, recognised by the client's startup, SSLRequest, GSSENCRequest or
// cancel message.
var postgresqlProtocol = Protocol{
	Name: "postgresql", Transports: onTCP,
	Registry:  []string{"postgresql"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&postgresqlDetector},
}

var postgresqlDetector = Detector{
	Name:       "postgresql",
	Transports: onTCP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != TCP {
			return Result{}, false
		}
		return eitherSide(in, "postgresql", pgStart)
	},
}

// PostgreSQL's first client messages carry no type byte: a 4-byte length
// then a 4-byte code, either the protocol version or one of these.
const (
	pgProto3     = 0x00030000
	pgSSL        = 80877103
	pgGSSENC     = 80877104
	pgCancel     = 80877102
	pgMaxStartup = 10000 // servers refuse longer startup packets
)

func pgStart(b []byte) (Confidence, evidence) {
	if len(b) < 8 {
		return None, evidence{}
	}
	n := be32(b)
	ev := evidence{b: b[:8]}
	switch be32(b[4:]) {
	case pgSSL:
		if n == 8 {
			return High, ev
		}
	case pgGSSENC:
		if n == 8 {
			return Medium, ev
		}
	case pgCancel:
		// Sent on a connection of its own, so nothing else vouches for it.
		if n == 16 {
			return Medium, ev
		}
	case pgProto3:
		if n > 8 && n <= pgMaxStartup {
			return pgParams(b[8:min(len(b), int(n))]), ev
		}
	}
	return None, evidence{}
}

// pgParams walks a StartupMessage's NUL-terminated name/value pairs. The
// protocol requires a "user" parameter, so finding it is High; a first
// well-formed parameter name without it (yet) is Medium.
func pgParams(p []byte) Confidence {
	c := None
	for len(p) > 0 && p[0] != 0 {
		k := 0
		for k < len(p) && p[k] != 0 {
			ch := p[k]
			if !(ch == '_' || ch == '.' || isDigit(ch) || ('a' <= ch && ch <= 'z') || ('A' <= ch && ch <= 'Z')) {
				return c
			}
			k++
		}
		if k == len(p) {
			return c // name cut short
		}
		if string(p[:k]) == "user" {
			return High
		}
		c = Medium
		p = p[k+1:]
		v := 0
		for v < len(p) && p[v] != 0 {
			v++
		}
		if v == len(p) {
			return c
		}
		p = p[v+1:]
	}
	return c
}
