package service

// Helpers shared by the detectors in detect_a_*.go. Their names start with
// "a" so they cannot clash with helpers other detector files define.

// aSide is the verdict on one direction. Its evidence stays a sub-slice of
// the payload until the winning direction is known, so a detection
// allocates at most the one evidence string it returns.
type aSide struct {
	conf Confidence
	ev   []byte
}

// aResult picks the more confident direction; on a tie the side that spoke
// first decided. ev turns the winner's evidence into a string (nil: raw).
func aResult(name string, in *Input, c, s aSide, ev func([]byte) string) (Result, bool) {
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

// aLine is the evidence for a text protocol: its first line, bounded.
func aLine(b []byte) []byte { return line(b, 64) }

// aHead is b cut to at most n bytes.
func aHead(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// aHasPrefix is bytes.HasPrefix for a string prefix, without converting it.
func aHasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

// aIsPrefixOf reports whether b is a proper prefix of p: the buffer ends
// inside p.
func aIsPrefixOf(b []byte, p string) bool { return len(b) < len(p) && string(b) == p[:len(b)] }

// aEOL is the index of the first CR or LF in b, or -1.
func aEOL(b []byte) int {
	for i, c := range b {
		if c == '\r' || c == '\n' {
			return i
		}
	}
	return -1
}

func aBE16(b []byte) int { return int(b[0])<<8 | int(b[1]) }

func aLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func aIsLetter(c byte) bool { c = aLower(c); return 'a' <= c && c <= 'z' }

func aIsDigit(c byte) bool { return '0' <= c && c <= '9' }

// aPrefixFold reports whether b starts with p, ignoring ASCII case; p must
// be lower-case. Text commands are case-insensitive in SMTP, FTP, POP3, IMAP.
func aPrefixFold(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if aLower(b[i]) != p[i] {
			return false
		}
	}
	return true
}

// aIndexFold is the first index of lower-case p in b ignoring case, or -1.
func aIndexFold(b []byte, p string) int {
	for i := 0; i+len(p) <= len(b); i++ {
		if aPrefixFold(b[i:], p) {
			return i
		}
	}
	return -1
}

// aWordFold reports whether p occurs in b with no letter right before or
// after it ("POP3" and "POP server" name POP, "APOPS" does not).
func aWordFold(b []byte, p string) bool {
	for i := 0; i+len(p) <= len(b); i++ {
		if !aPrefixFold(b[i:], p) {
			continue
		}
		if (i == 0 || !aIsLetter(b[i-1])) && (i+len(p) == len(b) || !aIsLetter(b[i+len(p)])) {
			return true
		}
	}
	return false
}

// aCommand reports whether b starts with the case-insensitive command cmd
// (lower-case, no trailing space) ending at a space, CR, LF or the end of
// the buffer, which may hold only the start of the line.
func aCommand(b []byte, cmd string) bool {
	if !aPrefixFold(b, cmd) {
		return false
	}
	if len(b) == len(cmd) {
		return true
	}
	c := b[len(cmd)]
	return c == ' ' || c == '\r' || c == '\n'
}

// aGreets reports whether the server's first bytes can be a greeting: in
// SMTP, FTP, POP3 and IMAP the server speaks first, so a server text that
// answers a client's earlier bytes is not a banner (Redis answers "+OK").
func aGreets(in *Input) bool { return !in.ClientFirst || len(in.Client) == 0 }

// aBannerScan bounds how far a greeting is searched for a protocol name
// (multi-line "220-" banners name it late, if at all).
const aBannerScan = 512
