package service

import "bytes"

// Text protocols recognised by their first line.
var (
	// httpDetector finds an HTTP/1.x request line or status line.
	httpDetector = Detector{Name: "http", Transports: []Transport{TCP}, Detect: detectHTTP}
	// http2Detector finds the cleartext HTTP/2 client connection preface.
	http2Detector = Detector{Name: "http2", Transports: []Transport{TCP}, Detect: detectHTTP2}
	// sshDetector finds an SSH identification string from either side.
	sshDetector = Detector{Name: "ssh", Transports: []Transport{TCP}, Detect: detectSSH}
	// smtpDetector finds a 220 greeting naming SMTP or an EHLO/HELO.
	smtpDetector = Detector{Name: "smtp", Transports: []Transport{TCP}, Detect: detectSMTP}
	// imapDetector finds an untagged OK/PREAUTH greeting or a tagged command.
	imapDetector = Detector{Name: "imap", Transports: []Transport{TCP}, Detect: detectIMAP}
	// pop3Detector finds a +OK greeting or a POP3-only first command.
	pop3Detector = Detector{Name: "pop3", Transports: []Transport{TCP}, Detect: detectPOP3}
	// ftpDetector finds a 220 greeting naming FTP or an FTP first command.
	ftpDetector = Detector{Name: "ftp", Transports: []Transport{TCP}, Detect: detectFTP}
)

func detectHTTP(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	return aResult("http", in, aHTTPRequest(in.Client), aHTTPStatus(in.Server), nil)
}

// aHTTPMethods are the request methods accepted: RFC 9110, PATCH, WebDAV
// and its extensions, and UPnP eventing. A method alone decides nothing;
// the version at the end of the line keeps out RTSP and SIP, which share
// several of them.
var aHTTPMethods = [...]string{
	"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH",
	"REPORT", "MKCALENDAR", "MKACTIVITY", "CHECKOUT", "MERGE", "ACL", "BIND",
	"UNBIND", "REBIND", "VERSION-CONTROL", "UPDATE", "LABEL", "MKWORKSPACE",
	"ORDERPATCH", "SUBSCRIBE", "UNSUBSCRIBE", "NOTIFY", "PURGE",
}

// aHTTPRequest checks "METHOD SP target SP HTTP/1.x". A line cut short by
// the end of the buffer, with a plausible target so far, and an HTTP/0.9
// "GET /path" are Medium.
func aHTTPRequest(b []byte) aSide {
	// The longest method, VERSION-CONTROL, has 15 letters.
	sp := bytes.IndexByte(aHead(b, 16), ' ')
	if sp <= 0 {
		return aSide{}
	}
	method := b[:sp]
	known := false
	for _, m := range aHTTPMethods {
		if string(method) == m {
			known = true
			break
		}
	}
	if !known {
		return aSide{}
	}
	rest := b[sp+1:]
	eol := aEOL(rest)
	ln := rest
	if eol >= 0 {
		ln = rest[:eol]
	}
	connect := string(method) == "CONNECT"
	tsp := bytes.IndexByte(ln, ' ')
	if tsp < 0 {
		// No version: a request line the buffer has only the start of,
		// or a complete HTTP/0.9 request, which knew only GET of a path.
		cut := eol < 0 && aHTTPTarget(ln, connect)
		http09 := eol >= 0 && string(method) == "GET" && len(ln) > 0 && ln[0] == '/'
		if cut || http09 {
			return aSide{Medium, aLine(b)}
		}
		return aSide{}
	}
	if !aHTTPTarget(ln[:tsp], connect) {
		return aSide{}
	}
	ver := ln[tsp+1:]
	if string(ver) == "HTTP/1.1" || string(ver) == "HTTP/1.0" {
		return aSide{High, aLine(b)}
	}
	if eol < 0 && len(ver) < 8 && aIsPrefixOf(ver, "HTTP/1.1") {
		return aSide{Medium, aLine(b)}
	}
	return aSide{}
}

// aHTTPTarget checks the start of a request target: origin form ("/..."),
// asterisk form, absolute form for proxies, authority form for CONNECT.
func aHTTPTarget(t []byte, connect bool) bool {
	if len(t) == 0 {
		return false
	}
	if connect {
		return aIsLetter(t[0]) || aIsDigit(t[0]) || t[0] == '['
	}
	return t[0] == '/' || string(t) == "*" || aPrefixFold(t, "http://") || aPrefixFold(t, "https://")
}

// aHTTPStatus checks "HTTP/1.x NNN". A status line cut within the code
// after the version is Medium.
func aHTTPStatus(b []byte) aSide {
	if !aHasPrefix(b, "HTTP/1.1") && !aHasPrefix(b, "HTTP/1.0") {
		return aSide{}
	}
	rest := b[8:]
	if len(rest) == 0 {
		return aSide{Medium, aLine(b)}
	}
	if rest[0] != ' ' {
		return aSide{}
	}
	code := rest[1:]
	for i := 0; i < 3; i++ {
		if i == len(code) {
			return aSide{Medium, aLine(b)}
		}
		if !aIsDigit(code[i]) || (i == 0 && (code[0] < '1' || code[0] > '5')) {
			return aSide{}
		}
	}
	if len(code) > 3 && code[3] != ' ' && code[3] != '\r' && code[3] != '\n' {
		return aSide{}
	}
	return aSide{High, aLine(b)}
}

// aHTTP2Preface is what an HTTP/2 client sends first (RFC 9113 §3.4).
const aHTTP2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

func detectHTTP2(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	b := in.Client
	var c aSide
	switch {
	case aHasPrefix(b, aHTTP2Preface):
		c = aSide{High, b[:14]}
	case len(b) >= 14 && aIsPrefixOf(b, aHTTP2Preface):
		// The buffer ends inside the preface.
		c = aSide{Medium, b[:14]}
	}
	return aResult("http2", in, c, aSide{}, nil)
}

func detectSSH(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	return aResult("ssh", in, aSSHIdent(in.Client, false), aSSHIdent(in.Server, true), nil)
}

// aSSHIdent finds "SSH-protoversion-softwareversion". A server may send
// other lines before it (RFC 4253 §4.2), so a few are skipped there.
func aSSHIdent(b []byte, server bool) aSide {
	for i := 0; i < 8 && len(b) > 0; i++ {
		if s := aSSHLine(b); s.conf != None || !server {
			return s
		}
		nl := bytes.IndexByte(aHead(b, 256), '\n')
		if nl < 0 {
			break
		}
		b = b[nl+1:]
	}
	return aSide{}
}

// aSSHLine checks one identification line: 2.0, 1.99 (either) and 1.5
// are the versions deployed; another digits.digits version is Medium, as
// is an identification the buffer ends inside of.
func aSSHLine(b []byte) aSide {
	if !aHasPrefix(b, "SSH-") {
		return aSide{}
	}
	v := b[4:]
	for _, known := range [...]string{"2.0-", "1.99-", "1.5-"} {
		if aHasPrefix(v, known) {
			return aSide{High, aLine(b)}
		}
		if len(v) > 0 && aIsPrefixOf(v, known) {
			return aSide{Medium, aLine(b)}
		}
	}
	// Some other version: digits "." digits "-".
	i := 0
	for i < len(v) && i < 4 && aIsDigit(v[i]) {
		i++
	}
	if i == 0 || i == len(v) || v[i] != '.' {
		return aSide{}
	}
	j := i + 1
	for j < len(v) && j < i+5 && aIsDigit(v[j]) {
		j++
	}
	if j == i+1 || j == len(v) || v[j] != '-' {
		return aSide{}
	}
	return aSide{Medium, aLine(b)}
}

// Kinds of a "220" greeting, shared by SMTP and FTP.
const (
	a220None    = iota // not a 220 greeting
	a220Unknown        // names neither protocol (or both)
	a220SMTP
	a220FTP
)

// a220Kind classifies a server's greeting by the protocol its text names.
func a220Kind(b []byte) int {
	if len(b) < 4 || string(b[:3]) != "220" || (b[3] != ' ' && b[3] != '-' && b[3] != '\r' && b[3] != '\n') {
		return a220None
	}
	t := aHead(b, aBannerScan)
	smtp, ftp := aIndexFold(t, "smtp") >= 0, aIndexFold(t, "ftp") >= 0
	switch {
	case smtp && !ftp:
		return a220SMTP
	case ftp && !smtp:
		return a220FTP
	}
	return a220Unknown
}

func detectSMTP(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	var c, s aSide
	// EHLO/HELO with a space is what every SMTP client sends first.
	if aPrefixFold(in.Client, "ehlo ") || aPrefixFold(in.Client, "helo ") {
		c = aSide{High, aLine(in.Client)}
	}
	if aGreets(in) && len(in.Server) > 0 {
		switch a220Kind(in.Server) {
		case a220SMTP:
			s = aSide{High, aLine(in.Server)}
		case a220Unknown:
			// An anonymous 220 is also FTP's; a client that answered
			// with something other than EHLO/HELO settles it.
			if len(in.Client) > 0 && c.conf == None {
				return Result{}, false
			}
			s = aSide{Low, aLine(in.Server)}
		default:
			return Result{}, false
		}
	}
	return aResult("smtp", in, c, s, nil)
}

// aFTPCommand grades a client's first FTP command: AUTH TLS/SSL (RFC 4217)
// and FEAT are FTP's own; USER is shared with POP3, so only Low alone.
func aFTPCommand(b []byte) Confidence {
	switch {
	case aCommand(b, "auth tls"), aCommand(b, "auth ssl"), aCommand(b, "feat"):
		return Medium
	case aPrefixFold(b, "user "):
		return Low
	}
	return None
}

func detectFTP(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	c := aSide{aFTPCommand(in.Client), aLine(in.Client)}
	var s aSide
	if aGreets(in) && len(in.Server) > 0 {
		switch a220Kind(in.Server) {
		case a220FTP:
			s = aSide{High, aLine(in.Server)}
		case a220Unknown:
			switch {
			case len(in.Client) == 0:
				s = aSide{Low, aLine(in.Server)}
			case c.conf == None:
				return Result{}, false
			default:
				// An FTP command after an anonymous 220 rules out SMTP
				// (and POP3, which greets with +OK).
				c.conf = Medium
			}
		default:
			return Result{}, false
		}
	}
	return aResult("ftp", in, c, s, nil)
}

// aPOP3Command grades a client's first POP3 command: APOP, CAPA and STLS
// are POP3's own; USER is shared with FTP.
func aPOP3Command(b []byte) Confidence {
	switch {
	case aPrefixFold(b, "apop "), aCommand(b, "capa"), aCommand(b, "stls"):
		return Medium
	case aPrefixFold(b, "user "):
		return Low
	}
	return None
}

func detectPOP3(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	c := aSide{aPOP3Command(in.Client), aLine(in.Client)}
	var s aSide
	if aGreets(in) && len(in.Server) > 0 {
		if s = aPOP3Greeting(in.Server); s.conf == None {
			return Result{}, false
		}
	}
	return aResult("pop3", in, c, s, nil)
}

// aPOP3Greeting checks "+OK ..." as a first server line: High when it names
// POP or carries an APOP timestamp "<...@...>" (RFC 1939 §7).
func aPOP3Greeting(b []byte) aSide {
	if !aHasPrefix(b, "+OK") {
		return aSide{}
	}
	if len(b) > 3 && b[3] != ' ' && b[3] != '\r' && b[3] != '\n' {
		return aSide{}
	}
	ln := aLine(b)
	if aWordFold(ln, "pop") {
		return aSide{High, ln}
	}
	if lt := bytes.IndexByte(ln, '<'); lt >= 0 {
		ts := ln[lt:]
		at, gt := bytes.IndexByte(ts, '@'), bytes.IndexByte(ts, '>')
		if at > 1 && gt > at+1 {
			return aSide{High, ln}
		}
	}
	return aSide{Medium, ln}
}

func detectIMAP(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	var c, s aSide
	if aIMAPCommand(in.Client) {
		c = aSide{Medium, aLine(in.Client)}
	}
	if aGreets(in) && len(in.Server) > 0 {
		if s = aIMAPGreeting(in.Server); s.conf == None {
			return Result{}, false
		}
	}
	return aResult("imap", in, c, s, nil)
}

// aIMAPGreeting checks "* OK" or "* PREAUTH" (RFC 9051 §7.1): High when the
// greeting line names IMAP, as in its capability list.
func aIMAPGreeting(b []byte) aSide {
	var n int
	switch {
	case aHasPrefix(b, "* OK"):
		n = 4
	case aHasPrefix(b, "* PREAUTH"):
		n = 9
	default:
		return aSide{}
	}
	if len(b) > n && b[n] != ' ' && b[n] != '[' && b[n] != '\r' && b[n] != '\n' {
		return aSide{}
	}
	// The capability list in the greeting can outgrow aLine's bound.
	ln := line(b, aBannerScan)
	if aIndexFold(ln, "imap") >= 0 {
		return aSide{High, aLine(b)}
	}
	return aSide{Medium, aLine(b)}
}

// aIMAPFirst are the commands a client may send before logging in.
var aIMAPFirst = [...]string{"capability", "login", "authenticate", "starttls", "id", "noop"}

// aIMAPCommand checks "tag SP command" with a pre-login command.
func aIMAPCommand(b []byte) bool {
	i := 0
	for i < len(b) && i < 32 && aIMAPTagChar(b[i]) {
		i++
	}
	if i == 0 || i == len(b) || b[i] != ' ' {
		return false
	}
	for _, cmd := range aIMAPFirst {
		if aCommand(b[i+1:], cmd) && len(b) > i+1+len(cmd) {
			return true
		}
	}
	return false
}

// aIMAPTagChar is an ASTRING-CHAR other than "+" (RFC 9051 §9).
func aIMAPTagChar(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '(', ')', '{', '%', '*', '"', '\\', '+':
		return false
	}
	return true
}
