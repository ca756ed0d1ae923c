package service

import "bytes"

// POP3, recognised by a +OK greeting or a POP3-only first command.
var pop3Protocol = Protocol{
	Name: "pop3", Transports: onTCP,
	Registry:  []string{"pop3"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&pop3Detector},
}

var pop3Detector = Detector{Name: "pop3", Transports: onTCP, Detect: detectPOP3}

// pop3Command grades a client's first POP3 command: APOP, CAPA and STLS
// are POP3's own; USER is shared with FTP.
func pop3Command(b []byte) Confidence {
	switch {
	case prefixFold(b, "apop "), command(b, "capa"), command(b, "stls"):
		return Medium
	case prefixFold(b, "user ") && oneArg(b[5:]):
		return Low
	}
	return None
}

func detectPOP3(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	c := verdict{pop3Command(in.Client), firstLine(in.Client)}
	var s verdict
	if greets(in) && len(in.Server) > 0 {
		if s = pop3Greeting(in.Server); s.conf == None {
			return Result{}, false
		}
	}
	return decide("pop3", in, c, s, nil)
}

// pop3Greeting checks "+OK ..." as a first server line: High when it names
// POP or carries an APOP timestamp "<...@...>" (RFC 1939 §7).
func pop3Greeting(b []byte) verdict {
	if !hasPrefix(b, "+OK") {
		return verdict{}
	}
	if len(b) > 3 && b[3] != ' ' && b[3] != '\r' && b[3] != '\n' {
		return verdict{}
	}
	ln := firstLine(b)
	if len(bytes.TrimRight(ln, " ")) == 3 {
		return verdict{Low, ln} // a bare "+OK" is also a Redis reply
	}
	if wordFold(ln, "pop") {
		return verdict{High, ln}
	}
	if lt := bytes.IndexByte(ln, '<'); lt >= 0 {
		ts := ln[lt:]
		at, gt := bytes.IndexByte(ts, '@'), bytes.IndexByte(ts, '>')
		if at > 1 && gt > at+1 {
			return verdict{High, ln}
		}
	}
	return verdict{Medium, ln}
}
