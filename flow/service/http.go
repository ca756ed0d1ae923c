package service

import "bytes"

// HTTP/1.x, recognised by a request line or a status line: at the start of
// a connection, or at the start of any line of one the capture joined late.
var httpProtocol = Protocol{
	Name: "http", Transports: onTCP,
	// www and www-http are IANA's aliases of http on 80; Wireshark's copy
	// drops them.
	Registry: []string{"http", "www", "www-http"},
	// The registry gives 591, 8008 and 8080 to http-alt, not to http: HTTP
	// there, as on 8000 and 8888, is the usual alternate, worth knowing
	// (nDPI flags it too) but no alarm; those ports often carry proxies.
	Alternates: []uint16{591, 8000, 8008, 8080, 8888},
	OffPort:    SeverityLow, FirstBytes: "an HTTP request", Meta: MetaHTTP,
	Detectors: []*Detector{&httpDetector, &httpMidStreamDetector},
}

var httpDetector = Detector{Name: "http", Transports: onTCP, Detect: detectHTTP}

// httpMidStreamDetector finds HTTP in a connection joined late, where the
// bytes start inside a body or a header block.
var httpMidStreamDetector = Detector{Name: "http-midstream", Transports: onTCP, Detect: detectHTTPMidStream}

func detectHTTP(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	return decide("http", in, httpRequest(in.Client), httpStatus(in.Server), nil)
}

// httpMethods are the request methods accepted: RFC 9110, PATCH, WebDAV
// and its extensions, and UPnP eventing. A method alone decides nothing;
// the version at the end of the line keeps out RTSP and SIP, which share
// several of them.
var httpMethods = [...]string{
	"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH",
	"REPORT", "MKCALENDAR", "MKACTIVITY", "CHECKOUT", "MERGE", "ACL", "BIND",
	"UNBIND", "REBIND", "VERSION-CONTROL", "UPDATE", "LABEL", "MKWORKSPACE",
	"ORDERPATCH", "SUBSCRIBE", "UNSUBSCRIBE", "NOTIFY", "PURGE",
}

// httpRequest checks "METHOD SP target SP HTTP/1.x". A line cut short by
// the end of the buffer, with a plausible target so far, and an HTTP/0.9
// "GET /path" are Medium.
func httpRequest(b []byte) verdict {
	// The longest method, VERSION-CONTROL, has 15 letters.
	sp := bytes.IndexByte(head(b, 16), ' ')
	if sp <= 0 {
		return verdict{}
	}
	method := b[:sp]
	known := false
	for _, m := range httpMethods {
		if string(method) == m {
			known = true
			break
		}
	}
	if !known {
		return verdict{}
	}
	rest := b[sp+1:]
	eol := eol(rest)
	ln := rest
	if eol >= 0 {
		ln = rest[:eol]
	}
	connect := string(method) == "CONNECT"
	tsp := bytes.IndexByte(ln, ' ')
	if tsp < 0 {
		// No version: a request line the buffer has only the start of,
		// or a complete HTTP/0.9 request, which knew only GET of a path.
		cut := eol < 0 && httpTarget(ln, connect)
		http09 := eol >= 0 && string(method) == "GET" && len(ln) > 0 && ln[0] == '/'
		if cut || http09 {
			return verdict{Medium, firstLine(b)}
		}
		return verdict{}
	}
	if !httpTarget(ln[:tsp], connect) {
		return verdict{}
	}
	ver := ln[tsp+1:]
	if string(ver) == "HTTP/1.1" || string(ver) == "HTTP/1.0" {
		return verdict{High, firstLine(b)}
	}
	if eol < 0 && len(ver) < 8 && isPrefixOf(ver, "HTTP/1.1") {
		return verdict{Medium, firstLine(b)}
	}
	return verdict{}
}

// httpTarget checks the start of a request target: origin form ("/..."),
// asterisk form, absolute form for proxies, authority form for CONNECT.
func httpTarget(t []byte, connect bool) bool {
	if len(t) == 0 {
		return false
	}
	if connect {
		return isLetter(t[0]) || isDigit(t[0]) || t[0] == '['
	}
	return t[0] == '/' || string(t) == "*" || prefixFold(t, "http://") || prefixFold(t, "https://")
}

// httpStatus checks "HTTP/1.x NNN". A status line cut within the code
// after the version is Medium.
func httpStatus(b []byte) verdict {
	if !hasPrefix(b, "HTTP/1.1") && !hasPrefix(b, "HTTP/1.0") {
		return verdict{}
	}
	rest := b[8:]
	if len(rest) == 0 {
		return verdict{Medium, firstLine(b)}
	}
	if rest[0] != ' ' {
		return verdict{}
	}
	code := rest[1:]
	for i := 0; i < 3; i++ {
		if i == len(code) {
			return verdict{Medium, firstLine(b)}
		}
		if !isDigit(code[i]) || (i == 0 && (code[0] < '1' || code[0] > '5')) {
			return verdict{}
		}
	}
	if len(code) > 3 && code[3] != ' ' && code[3] != '\r' && code[3] != '\n' {
		return verdict{}
	}
	return verdict{High, firstLine(b)}
}

// detectHTTPMidStream looks for a whole request line or status line
// anywhere in either side (the sides' roles are a guess when the SYN was
// not seen): a message follows the last one's body with no line break in
// between. A body can hold such text too, so it is Medium.
func detectHTTPMidStream(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP || !in.MidStream {
		return Result{}, false
	}
	r, ok := decide("http", in, httpAnywhere(in.Client), httpAnywhere(in.Server), nil)
	if ok {
		r.Detector = "http-midstream"
	}
	return r, ok
}

// httpMaxVersions bounds the "HTTP/1." occurrences httpAnywhere looks at.
const httpMaxVersions = 8

// httpAnywhere finds the first complete status line ("HTTP/1.x NNN") or
// request line ("METHOD target HTTP/1.x" and its line end) in b, by the
// version string both carry.
func httpAnywhere(b []byte) verdict {
	from := 0
	for n := 0; n < httpMaxVersions; n++ {
		i := bytes.Index(b[from:], []byte("HTTP/1."))
		if i < 0 {
			return verdict{}
		}
		v := from + i
		if httpStatus(b[v:]).conf == High {
			return verdict{Medium, firstLine(b[v:])}
		}
		// A request line ends with the version: its method starts after
		// the previous line break, behind whatever body came before.
		if v > 0 && b[v-1] == ' ' {
			start := max(bytes.LastIndexAny(b[max(0, v-maxStartLine):v], "\r\n")+1+max(0, v-maxStartLine), 0)
			for p := start; p < v; p++ {
				if 'A' <= b[p] && b[p] <= 'Z' && httpRequest(b[p:]).conf == High {
					return verdict{Medium, firstLine(b[p:])}
				}
			}
		}
		from = v + 1
	}
	return verdict{}
}
