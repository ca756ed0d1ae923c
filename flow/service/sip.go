package service

// Text protocols shaped like HTTP but with their own version token: SIP and
// RTSP. Each is decided by the first line alone, which is the evidence.

var sipDetector = Detector{
	Name:       "sip",
	Transports: []Transport{UDP, TCP},
	Detect: func(in *Input) (Result, bool) {
		return sidesB(in, "sip", sipLineB)
	},
}

var sipMethodsB = []string{
	"INVITE", "REGISTER", "OPTIONS", "ACK", "BYE", "CANCEL", "SUBSCRIBE",
	"NOTIFY", "MESSAGE", "INFO", "PRACK", "UPDATE", "REFER", "PUBLISH",
}

var sipSchemesB = []string{"SIP:", "SIPS:", "TEL:"}

func sipLineB(b []byte) (Confidence, evB) {
	return startLineB(b, sipMethodsB, sipSchemesB, false, "SIP/2.0")
}

var rtspDetector = Detector{
	Name:       "rtsp",
	Transports: []Transport{TCP},
	Detect: func(in *Input) (Result, bool) {
		if in.Transport != TCP {
			return Result{}, false
		}
		return sidesB(in, "rtsp", rtspLineB)
	},
}

var rtspMethodsB = []string{
	"OPTIONS", "DESCRIBE", "SETUP", "PLAY", "PAUSE", "TEARDOWN", "ANNOUNCE",
	"RECORD", "GET_PARAMETER", "SET_PARAMETER", "REDIRECT", "PLAY_NOTIFY",
}

var rtspSchemesB = []string{"RTSP://", "RTSPS://", "RTSPU://"}

func rtspLineB(b []byte) (Confidence, evB) {
	if c, e := startLineB(b, rtspMethodsB, rtspSchemesB, true, "RTSP/1.0"); c != None {
		return c, e
	}
	return startLineB(b, rtspMethodsB, rtspSchemesB, true, "RTSP/2.0")
}

// maxStartLineB bounds how far a request line is searched for its end.
const maxStartLineB = 1024

// startLineB recognises "VERSION NNN reason" or "METHOD URI VERSION" where
// the URI's scheme (compared case-insensitively) is one of schemes, or "*"
// when star is set.
func startLineB(b []byte, methods, schemes []string, star bool, version string) (Confidence, evB) {
	if hasPrefixB(b, version) {
		s := b[len(version):]
		if len(s) >= 4 && s[0] == ' ' && '1' <= s[1] && s[1] <= '6' && isDigitB(s[2]) && isDigitB(s[3]) &&
			(len(s) == 4 || s[4] == ' ' || s[4] == '\r' || s[4] == '\n') {
			return High, evB{b: line(b, 64)}
		}
		return None, evB{}
	}
	sp := -1
	for i := 0; i < len(b) && i < 16; i++ {
		if b[i] == ' ' {
			sp = i
			break
		}
	}
	if sp < 1 || !methodInB(b[:sp], methods) {
		return None, evB{}
	}
	l, ok := fullLineB(b, maxStartLineB)
	v := len(l) - len(version)
	if !ok || v < sp+2 || l[v-1] != ' ' || string(l[v:]) != version {
		return None, evB{}
	}
	uri := l[sp+1 : v-1]
	if star && string(uri) == "*" {
		return High, evB{b: line(b, 64)}
	}
	for _, s := range schemes {
		if hasPrefixFoldB(uri, s) && len(uri) > len(s) {
			for _, c := range uri {
				if c <= ' ' || c == 0x7f {
					return None, evB{}
				}
			}
			return High, evB{b: line(b, 64)}
		}
	}
	return None, evB{}
}

func methodInB(m []byte, methods []string) bool {
	for _, k := range methods {
		if string(m) == k {
			return true
		}
	}
	return false
}
