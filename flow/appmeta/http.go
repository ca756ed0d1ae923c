package appmeta

import (
	"bytes"
)

// MaxTarget bounds HTTPRequest.Target; longer targets are cut.
const MaxTarget = 256

// maxMethod bounds the method token so binary data is rejected early.
const maxMethod = 24

// HTTPRequest is the head of the first HTTP/1.x request of a stream.
type HTTPRequest struct {
	Method          string
	Target          string // request-target, at most MaxTarget bytes
	TargetTruncated bool   // Target was longer than MaxTarget
	TargetLen       int    // the request-target's whole length
	Version         string // e.g. "HTTP/1.1"
	Host            string
	HostCut         bool // Host went on past the bytes looked at (MaxPrefix)
	UserAgent       string
	UserAgentCut    bool
}

// HTTPResponse is the head of the first HTTP/1.x response of a stream.
type HTTPResponse struct {
	Version     string
	StatusCode  int
	Reason      string
	Server      string
	ContentType string
}

// ParseHTTPRequest parses the request line and headers of the first request
// in b. It returns nil if b does not start with a complete request line;
// complete is true once the blank line ending the headers is seen.
func ParseHTTPRequest(b []byte) (*HTTPRequest, bool) {
	if len(b) > MaxPrefix {
		b = b[:MaxPrefix]
	}
	// RFC 9112 section 2.2: a server should ignore empty lines before the
	// request line; allow a couple.
	for i := 0; i < 2 && len(b) > 0 && (b[0] == '\r' || b[0] == '\n'); i++ {
		if b[0] == '\r' && len(b) > 1 && b[1] == '\n' {
			b = b[1:]
		}
		b = b[1:]
	}
	line, rest, ok := nextLine(b)
	if !ok {
		return nil, false
	}
	method, line := field(line)
	target, line := field(line)
	version, line := field(line)
	if len(line) != 0 || !isMethod(method) || len(target) == 0 || !isVersion(version) {
		return nil, false
	}
	r := &HTTPRequest{Method: string(method), Version: string(version)}
	r.TargetLen = len(target)
	if len(target) > MaxTarget {
		target, r.TargetTruncated = target[:MaxTarget], true
	}
	r.Target = string(target)
	complete := headers(rest, len(b) == MaxPrefix, func(name, value []byte, cut bool) {
		switch {
		case r.Host == "" && bytes.EqualFold(name, []byte("Host")):
			r.Host, r.HostCut = string(value), cut
		case r.UserAgent == "" && bytes.EqualFold(name, []byte("User-Agent")):
			r.UserAgent, r.UserAgentCut = string(value), cut
		}
	})
	return r, complete
}

// ParseHTTPResponse parses the status line and headers of the first
// response in b. It returns nil if b does not start with a complete status
// line; complete is true once the blank line ending the headers is seen.
func ParseHTTPResponse(b []byte) (*HTTPResponse, bool) {
	if len(b) > MaxPrefix {
		b = b[:MaxPrefix]
	}
	line, rest, ok := nextLine(b)
	if !ok {
		return nil, false
	}
	version, line := field(line)
	code, reason := field(line)
	if !isVersion(version) || len(code) != 3 {
		return nil, false
	}
	status := 0
	for _, c := range code {
		if c < '0' || c > '9' {
			return nil, false
		}
		status = status*10 + int(c-'0')
	}
	r := &HTTPResponse{Version: string(version), StatusCode: status, Reason: string(reason)}
	complete := headers(rest, false, func(name, value []byte, _ bool) {
		switch {
		case r.Server == "" && bytes.EqualFold(name, []byte("Server")):
			r.Server = string(value)
		case r.ContentType == "" && bytes.EqualFold(name, []byte("Content-Type")):
			r.ContentType = string(value)
		}
	})
	return r, complete
}

// headers calls fn for each complete "name: value" line of b until the
// blank line, which it reports; the first occurrence of a name wins. A
// line cut by the end of b is skipped (its end may still come), unless
// full says b is all that will be looked at: then a header whose value
// started is reported with cut set, rather than dropped, so that a 100 KB
// Host still shows its start.
func headers(b []byte, full bool, fn func(name, value []byte, cut bool)) bool {
	for {
		line, rest, ok := nextLine(b)
		cut := false
		if !ok {
			if !full {
				return false
			}
			line, cut = b, true
		}
		if len(line) == 0 && !cut {
			return true
		}
		b = rest
		c := bytes.IndexByte(line, ':')
		if c <= 0 || line[0] == ' ' || line[0] == '\t' {
			if cut {
				return false
			}
			continue // malformed or obsolete line folding: ignore
		}
		fn(line[:c], trimOWS(line[c+1:]), cut)
		if cut {
			return false
		}
	}
}

// nextLine splits off one line ended by LF or CR LF; ok is false if the
// line ending has not arrived yet.
func nextLine(b []byte) (line, rest []byte, ok bool) {
	n := bytes.IndexByte(b, '\n')
	if n < 0 {
		return nil, nil, false
	}
	line = b[:n]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, b[n+1:], true
}

// field returns the first space-delimited token and what follows the spaces
// after it. Runs of spaces are accepted, as lenient servers do.
func field(b []byte) (tok, rest []byte) {
	i := 0
	for i < len(b) && b[i] != ' ' {
		i++
	}
	tok = b[:i]
	for i < len(b) && b[i] == ' ' {
		i++
	}
	return tok, b[i:]
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// isMethod accepts upper-case tokens such as GET or M-SEARCH.
func isMethod(b []byte) bool {
	if len(b) == 0 || len(b) > maxMethod {
		return false
	}
	for _, c := range b {
		if (c < 'A' || c > 'Z') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// isVersion accepts "HTTP/d.d".
func isVersion(b []byte) bool {
	return len(b) == 8 && string(b[:5]) == "HTTP/" &&
		b[5] >= '0' && b[5] <= '9' && b[6] == '.' && b[7] >= '0' && b[7] <= '9'
}
