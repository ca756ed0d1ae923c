package service

// Syslog (RFC 5424, and the BSD format RFC 3164 describes), recognised by
// its "<PRI>" and the header that follows it. Over TCP messages may carry
// an octet count first (RFC 6587).
var syslogProtocol = Protocol{
	Name: "syslog", Transports: onBoth,
	Registry: []string{"syslog", "syslog-conn"},
	// Low: rsyslog and syslog-ng receive syslog over TCP on 514 by
	// convention, which the registry gives to shell (rsh) on tcp; 514
	// cannot be an alternate, being standard on udp.
	OffPort:    SeverityLow,
	FirstBytes: "a syslog message",
	Detectors:  []*Detector{&syslogDetector},
}

var syslogDetector = Detector{
	Name:       "syslog",
	Transports: onBoth,
	Detect:     perTransport("syslog", syslogMessage, syslogFramed),
}

// syslogFramed passes over an RFC 6587 octet count ("123 <34>1 ...").
func syslogFramed(b []byte) (Confidence, evidence) {
	i := 0
	for i < len(b) && i < 6 && isDigit(b[i]) {
		i++
	}
	if i > 0 && i < len(b) && b[i] == ' ' && b[0] != '0' {
		b = b[i+1:]
	}
	return syslogMessage(b)
}

var syslogMonths = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// syslogMessage checks "<PRI>" (0-191, no leading zero) and then RFC 5424's
// version 1 and a timestamp or "-", or RFC 3164's "Mmm dd hh:mm:ss", or an
// RFC 3339 timestamp (rsyslog's forwarding format): High. A PRI followed by
// anything else is what many devices send, and what "<" and digits
// starting another protocol would look like: a guess. The evidence is the
// PRI and the header's start.
func syslogMessage(b []byte) (Confidence, evidence) {
	if len(b) < 4 || b[0] != '<' {
		return None, evidence{}
	}
	pri, i := 0, 1
	for i < len(b) && i < 5 && isDigit(b[i]) {
		pri = pri*10 + int(b[i]-'0')
		i++
	}
	if i == 1 || i >= len(b) || b[i] != '>' || pri > 191 || (i > 2 && b[1] == '0') {
		return None, evidence{}
	}
	h := b[i+1:]
	ev := evidence{b: line(b, 32)}
	switch {
	case hasPrefix(h, "1 ") && len(h) > 2 && (h[2] == '-' || syslogISO(h[2:])):
		return High, ev
	case syslogISO(h):
		return High, ev
	case len(h) >= 15 && h[3] == ' ' && (h[4] == ' ' || isDigit(h[4])) && isDigit(h[5]) && h[6] == ' ' &&
		isDigit(h[7]) && isDigit(h[8]) && h[9] == ':' && isDigit(h[10]) && isDigit(h[11]) && h[12] == ':' &&
		isDigit(h[13]) && isDigit(h[14]):
		for _, m := range syslogMonths {
			if string(h[:3]) == m {
				return High, ev
			}
		}
	}
	return Low, ev
}

// syslogISO checks the start of an RFC 3339 timestamp, "YYYY-MM-DDThh:".
func syslogISO(h []byte) bool {
	if len(h) < 14 {
		return false
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12} {
		if !isDigit(h[i]) {
			return false
		}
	}
	return h[4] == '-' && h[7] == '-' && h[10] == 'T' && h[13] == ':'
}
