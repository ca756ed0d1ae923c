package service

// IMAP, recognised by an untagged OK/PREAUTH greeting or a tagged command.
var imapProtocol = Protocol{
	Name: "imap", Transports: onTCP,
	Registry:  []string{"imap"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&imapDetector},
}

var imapDetector = Detector{Name: "imap", Transports: onTCP, Detect: detectIMAP}

func detectIMAP(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	var c, s verdict
	if imapCommand(in.Client) {
		c = verdict{Medium, firstLine(in.Client)}
	}
	if greets(in) && len(in.Server) > 0 {
		if s = imapGreeting(in.Server); s.conf == None {
			return Result{}, false
		}
	}
	return decide("imap", in, c, s, nil)
}

// imapGreeting checks "* OK" or "* PREAUTH" (RFC 9051 §7.1): High when the
// greeting line names IMAP, as in its capability list.
func imapGreeting(b []byte) verdict {
	var n int
	switch {
	case hasPrefix(b, "* OK"):
		n = 4
	case hasPrefix(b, "* PREAUTH"):
		n = 9
	default:
		return verdict{}
	}
	if len(b) > n && b[n] != ' ' && b[n] != '[' && b[n] != '\r' && b[n] != '\n' {
		return verdict{}
	}
	// The capability list in the greeting can outgrow firstLine's bound.
	ln := line(b, bannerScan)
	if indexFold(ln, "imap") >= 0 {
		return verdict{High, firstLine(b)}
	}
	return verdict{Medium, firstLine(b)}
}

// imapFirst are the commands a client may send before logging in.
var imapFirst = [...]string{"capability", "login", "authenticate", "starttls", "id", "noop"}

// imapCommand checks "tag SP command" with a pre-login command.
func imapCommand(b []byte) bool {
	i := 0
	for i < len(b) && i < 32 && imapTagChar(b[i]) {
		i++
	}
	if i == 0 || i == len(b) || b[i] != ' ' {
		return false
	}
	for _, cmd := range imapFirst {
		if command(b[i+1:], cmd) && len(b) > i+1+len(cmd) {
			return true
		}
	}
	return false
}

// imapTagChar is an ASTRING-CHAR other than "+" (RFC 9051 §9).
func imapTagChar(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '(', ')', '{', '%', '*', '"', '\\', '+':
		return false
	}
	return true
}
