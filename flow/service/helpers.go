package service

// Helpers every detector may use. None of them allocates: a detector
// builds a string only for the Result it returns.

// line returns b up to its first CR or LF (at most max bytes).
func line(b []byte, max int) []byte {
	for i, c := range b {
		if c == '\r' || c == '\n' || i == max {
			return b[:i]
		}
	}
	if len(b) > max {
		return b[:max]
	}
	return b
}

// verdict is the verdict on one direction. Its evidence stays a sub-slice of
// the payload until the winning direction is known, so a detection
// allocates at most the one evidence string it returns.
type verdict struct {
	conf Confidence
	ev   []byte
}

// decide picks the more confident direction; on a tie the side that spoke
// first decided (for protocols where who speaks first tells, such as
// banners; eitherSide is for those where each side stands alone). ev turns the winner's evidence into a string (nil: raw).
func decide(name string, in *Input, c, s verdict, ev func([]byte) string) (Result, bool) {
	w, dir := c, FromClient
	if s.conf > c.conf || (s.conf == c.conf && !in.ClientFirst) {
		w, dir = s, FromServer
	}
	if w.conf == None {
		return Result{}, false
	}
	var e string
	if ev != nil {
		e = ev(w.ev)
	} else {
		e = string(w.ev)
	}
	return Result{Service: name, Confidence: w.conf, Dir: dir, Evidence: e, Detector: name}, true
}

// firstLine is the evidence for a text protocol: its first line, bounded.
func firstLine(b []byte) []byte { return line(b, 64) }

// head is b cut to at most n bytes.
func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// hasPrefix is bytes.HasPrefix for a string prefix; comparing through a
// string conversion of a slice does not allocate.
func hasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

// isPrefixOf reports whether b is a proper prefix of p: the buffer ends
// inside p.
func isPrefixOf(b []byte, p string) bool { return len(b) < len(p) && string(b) == p[:len(b)] }

// eol is the index of the first CR or LF in b, or -1.
func eol(b []byte) int {
	for i, c := range b {
		if c == '\r' || c == '\n' {
			return i
		}
	}
	return -1
}

func be16(b []byte) int { return int(b[0])<<8 | int(b[1]) }

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isLetter(c byte) bool { c = lower(c); return 'a' <= c && c <= 'z' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// prefixFold reports whether b starts with p, ignoring ASCII case: text
// commands are case-insensitive in SMTP, FTP, POP3, IMAP, Redis.
func prefixFold(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if lower(b[i]) != lower(p[i]) {
			return false
		}
	}
	return true
}

// equalFold reports whether b equals s ignoring ASCII case.
func equalFold(b []byte, s string) bool { return len(b) == len(s) && prefixFold(b, s) }

// indexFold is the first index of p in b ignoring case, or -1.
func indexFold(b []byte, p string) int {
	for i := 0; i+len(p) <= len(b); i++ {
		if prefixFold(b[i:], p) {
			return i
		}
	}
	return -1
}

// wordFold reports whether p occurs in b with no letter right before or
// after it ("POP3" and "POP server" name POP, "APOPS" does not).
func wordFold(b []byte, p string) bool {
	for i := 0; i+len(p) <= len(b); i++ {
		if !prefixFold(b[i:], p) {
			continue
		}
		if (i == 0 || !isLetter(b[i-1])) && (i+len(p) == len(b) || !isLetter(b[i+len(p)])) {
			return true
		}
	}
	return false
}

// command reports whether b starts with the case-insensitive command cmd
// (no trailing space) ending at a space, CR, LF or the end of
// the buffer, which may hold only the start of the line.
func command(b []byte, cmd string) bool {
	if !prefixFold(b, cmd) {
		return false
	}
	if len(b) == len(cmd) {
		return true
	}
	c := b[len(cmd)]
	return c == ' ' || c == '\r' || c == '\n'
}

// greets reports whether the server's first bytes can be a greeting: in
// SMTP, FTP, POP3 and IMAP the server speaks first, so a server text that
// answers a client's earlier bytes is not a banner (Redis answers "+OK").
func greets(in *Input) bool { return !in.ClientFirst || len(in.Client) == 0 }

// bannerScan bounds how far a greeting is searched for a protocol name
// (multi-line "220-" banners name it late, if at all).
const bannerScan = 512

// evidence is a detector's evidence before it becomes a string: either raw bytes
// of the payload or a constant, so that a rejected candidate costs nothing.
type evidence struct {
	b []byte
	s string
}

func (e evidence) str() string {
	if e.b != nil {
		return string(e.b)
	}
	return e.s
}

// sideCheck inspects one direction's bytes.
type sideCheck func(b []byte) (Confidence, evidence)

// newResult builds a Result whose Service and Detector share the detector's name.
func newResult(name string, c Confidence, d Dir, e evidence) Result {
	return Result{Service: name, Confidence: c, Dir: d, Evidence: e.str(), Detector: name}
}

// perTransport reads each side with udp over UDP and with tcp over TCP
// (where a length prefix or framing differs), as eitherSide does.
func perTransport(service string, udp, tcp sideCheck) func(*Input) (Result, bool) {
	return func(in *Input) (Result, bool) {
		if in == nil {
			return Result{}, false
		}
		switch in.Transport {
		case UDP:
			return eitherSide(in, service, udp)
		case TCP:
			return eitherSide(in, service, tcp)
		}
		return Result{}, false
	}
}

// eitherSide runs f on the client's bytes and then on the server's, keeping the
// stronger verdict (the client's on a tie). Both directions are tried
// because a capture that misses a flow's start, or a UDP exchange whose
// first datagram came from the responder, can swap the two roles.
func eitherSide(in *Input, name string, f sideCheck) (Result, bool) {
	if in == nil {
		return Result{}, false
	}
	cc, ce := f(in.Client)
	if cc == High {
		return newResult(name, cc, FromClient, ce), true
	}
	sc, se := f(in.Server)
	switch {
	case sc > cc:
		return newResult(name, sc, FromServer, se), true
	case cc != None:
		return newResult(name, cc, FromClient, ce), true
	}
	return Result{}, false
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// fullLine returns b's first line without its terminator, and whether a
// CR or LF ended it within max bytes: a request line can only be judged
// whole, since its protocol version comes last.
func fullLine(b []byte, max int) ([]byte, bool) {
	for i, c := range b {
		if i > max {
			break
		}
		if c == '\r' || c == '\n' {
			return b[:i], true
		}
	}
	return nil, false
}

// etherTypeOK reports whether an inner Ethernet frame's EtherType is one a
// tunnel plausibly carries.
func etherTypeOK(t int) bool {
	switch t {
	case 0x0800, 0x86dd, 0x0806, 0x8100:
		return true
	}
	return false
}

// innerEthernet checks an encapsulated Ethernet frame: a unicast source
// MAC, a plausible EtherType and, when the frame goes that far, an IP
// version nibble that agrees with the EtherType.
func innerEthernet(e []byte) bool {
	if len(e) < 14 || e[6]&1 != 0 {
		return false
	}
	t := be16(e[12:14])
	if !etherTypeOK(t) {
		return false
	}
	return innerIP(t, e[14:])
}

// innerIP checks the version nibble of an encapsulated IP packet whose
// EtherType is t; other EtherTypes and empty payloads pass.
func innerIP(t int, p []byte) bool {
	if len(p) == 0 {
		return true
	}
	switch t {
	case 0x0800:
		return p[0]>>4 == 4 && p[0]&0x0f >= 5
	case 0x86dd:
		return p[0]>>4 == 6
	}
	return true
}

// Kinds of a "220" greeting, shared by SMTP and FTP.
const (
	banner220None    = iota // not a 220 greeting
	banner220Unknown        // names neither protocol (or both)
	banner220SMTP
	banner220FTP
)

// banner220Kind classifies a server's greeting by the protocol its text names.
func banner220Kind(b []byte) int {
	if len(b) < 4 || string(b[:3]) != "220" || (b[3] != ' ' && b[3] != '-' && b[3] != '\r' && b[3] != '\n') {
		return banner220None
	}
	t := head(b, bannerScan)
	smtp, ftp := indexFold(t, "smtp") >= 0, indexFold(t, "ftp") >= 0
	switch {
	case smtp && !ftp:
		return banner220SMTP
	case ftp && !smtp:
		return banner220FTP
	}
	return banner220Unknown
}

// maxStartLine bounds how far a request line is searched for its end.
const maxStartLine = 1024

// startLine recognises "VERSION NNN reason" or "METHOD URI VERSION" where
// the URI's scheme (compared case-insensitively) is one of schemes, or "*"
// when star is set.
func startLine(b []byte, methods, schemes []string, star bool, version string) (Confidence, evidence) {
	if hasPrefix(b, version) {
		s := b[len(version):]
		if len(s) >= 4 && s[0] == ' ' && '1' <= s[1] && s[1] <= '6' && isDigit(s[2]) && isDigit(s[3]) &&
			(len(s) == 4 || s[4] == ' ' || s[4] == '\r' || s[4] == '\n') {
			return High, evidence{b: line(b, 64)}
		}
		return None, evidence{}
	}
	sp := -1
	for i := 0; i < len(b) && i < 16; i++ {
		if b[i] == ' ' {
			sp = i
			break
		}
	}
	if sp < 1 || !methodIn(b[:sp], methods) {
		return None, evidence{}
	}
	l, ok := fullLine(b, maxStartLine)
	v := len(l) - len(version)
	if !ok || v < sp+2 || l[v-1] != ' ' || string(l[v:]) != version {
		return None, evidence{}
	}
	uri := l[sp+1 : v-1]
	if star && string(uri) == "*" {
		return High, evidence{b: line(b, 64)}
	}
	for _, s := range schemes {
		if prefixFold(uri, s) && len(uri) > len(s) {
			for _, c := range uri {
				if c <= ' ' || c == 0x7f {
					return None, evidence{}
				}
			}
			return High, evidence{b: line(b, 64)}
		}
	}
	return None, evidence{}
}

func methodIn(m []byte, methods []string) bool {
	for _, k := range methods {
		if string(m) == k {
			return true
		}
	}
	return false
}

// oneArg reports whether the rest of a command line is a single argument:
// FTP's and POP3's USER take one, IRC's four.
func oneArg(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ':
			return false
		case '\r', '\n':
			return true
		}
	}
	return true
}
