package service

// IRC (RFC 1459, 2812, IRCv3), recognised by the client's registration
// (NICK, USER, CAP LS) or the server's prefixed replies.
var ircProtocol = Protocol{
	Name: "irc", Transports: onTCP,
	// irc is tcp/194; ircu 6665-6669, where networks actually listen.
	Registry:  []string{"irc", "ircu"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&ircDetector},
}

var ircDetector = Detector{
	Name:       "irc",
	Transports: onTCP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != TCP {
			return Result{}, false
		}
		c, ce := ircClient(in.Client)
		s, se := ircServer(in.Server)
		return decide("irc", in, verdict{c, ce}, verdict{s, se}, nil)
	},
}

// ircMaxLine is RFC 2812's limit on a message, CRLF included (IRCv3
// message tags may add more before it, which registration does not send).
const ircMaxLine = 512

// ircClient judges a client's first lines: "CAP LS" (IRCv3 capability
// negotiation) or USER with its four parameters are High; NICK alone is
// Medium. PASS may come first (FTP
// and POP3 send PASS too, so it names nothing by itself). Only whole lines
// are judged.
func ircClient(b []byte) (Confidence, []byte) {
	conf, ev := None, []byte(nil)
	for i := 0; i < 3; i++ {
		l, ok := fullLine(b, ircMaxLine)
		if !ok {
			break
		}
		var c Confidence
		switch {
		case command(l, "CAP") && (hasPrefix(l[3:], " LS") || hasPrefix(l[3:], " REQ ")) && ircCAP(l):
			c = High
		case hasPrefix(l, "USER ") && ircUser(l[5:]):
			c = High
		case hasPrefix(l, "NICK ") && ircNick(l[5:]):
			c = Medium // the USER line that follows is High
		case hasPrefix(l, "PASS ") && i == 0 && len(l) > 5:
			c = None
		default:
			return conf, ev
		}
		if c > conf {
			conf, ev = c, l
		}
		if conf == High {
			break
		}
		b = b[len(l):]
		for len(b) > 0 && (b[0] == '\r' || b[0] == '\n') {
			b = b[1:]
		}
	}
	return conf, head(ev, 64)
}

// ircCAP accepts "CAP LS", "CAP LS 302", "CAP REQ :caps".
func ircCAP(l []byte) bool {
	r := l[3:]
	if hasPrefix(r, " LS") {
		r = r[3:]
		if len(r) == 0 {
			return true
		}
		if r[0] != ' ' || len(r) > 5 {
			return false
		}
		for _, c := range r[1:] {
			if !isDigit(c) {
				return false
			}
		}
		return len(r) > 1
	}
	return len(r) > 5 // " REQ " and a capability
}

// ircUser checks "user mode unused :realname": three middle parameters
// without spaces, then a trailing one. FTP's and POP3's USER take one.
func ircUser(p []byte) bool {
	for i := 0; i < 3; i++ {
		n := 0
		for n < len(p) && p[n] != ' ' {
			if p[n] < 0x21 || p[n] == ':' && n == 0 {
				return false
			}
			n++
		}
		if n == 0 || n == len(p) {
			return false
		}
		p = p[n+1:]
	}
	return len(p) > 0 && p[0] == ':'
}

// ircNick checks a nickname: a letter or one of RFC 2812's specials, then
// letters, digits, specials and '-', at most 32 (servers allow more than
// RFC 2812's 9).
func ircNick(n []byte) bool {
	if len(n) > 0 && n[0] == ':' {
		n = n[1:] // some clients send "NICK :name"
	}
	if len(n) == 0 || len(n) > 32 || isDigit(n[0]) || n[0] == '-' {
		return false
	}
	for _, c := range n {
		if !(isLetter(c) || isDigit(c) || c == '-' || c == '[' || c == ']' || c == '\\' ||
			c == '`' || c == '_' || c == '^' || c == '{' || c == '|' || c == '}') {
			return false
		}
	}
	return true
}

// ircServer judges the server's first line: ":prefix NNN target ..." (a
// numeric reply) is High; ":prefix NOTICE target :text" and the older
// "NOTICE AUTH :text" (the ident and hostname lookups servers open with)
// are Medium.
func ircServer(b []byte) (Confidence, []byte) {
	l, ok := fullLine(b, ircMaxLine)
	if !ok {
		return None, nil
	}
	if hasPrefix(l, "NOTICE AUTH :") || hasPrefix(l, "NOTICE * :") {
		return Medium, head(l, 64)
	}
	if len(l) < 2 || l[0] != ':' {
		return None, nil
	}
	sp := 1
	for sp < len(l) && l[sp] > ' ' {
		sp++
	}
	if sp == 1 || sp >= len(l) || l[sp] != ' ' {
		return None, nil
	}
	r := l[sp+1:]
	if len(r) >= 5 && isDigit(r[0]) && isDigit(r[1]) && isDigit(r[2]) && r[3] == ' ' && r[4] > ' ' {
		return High, head(l, 64)
	}
	if hasPrefix(r, "NOTICE ") && len(r) > 8 && r[7] > ' ' {
		return Medium, head(l, 64)
	}
	return None, nil
}
