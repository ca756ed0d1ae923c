package service

// memcached, recognised by its text commands (and the server's answers to
// them), its binary protocol's request and response headers, and, over
// UDP, the frame header before either.
var memcachedProtocol = Protocol{
	Name: "memcached", Transports: onBoth,
	Registry:  []string{"memcache"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&memcachedDetector},
}

var memcachedDetector = Detector{
	Name:       "memcached",
	Transports: onBoth,
	Detect:     detectMemcached,
}

// memcachedUDPHeader is the frame header every UDP datagram starts with:
// request id, sequence number, datagram count, reserved (0).
const memcachedUDPHeader = 8

// detectMemcached judges the client's request and, when the request alone
// is not sure, confirms it by the server's answer. The server alone is a
// guess ("END", "STORED" or a VERSION line may come from other servers).
func detectMemcached(in *Input) (Result, bool) {
	if in == nil {
		return Result{}, false
	}
	cb, sb := in.Client, in.Server
	if in.Transport == UDP {
		var ok bool
		if cb, ok = memcachedFrame(cb, true); !ok {
			cb = nil
		}
		if sb, ok = memcachedFrame(sb, false); !ok {
			sb = nil
		}
	} else if in.Transport != TCP {
		return Result{}, false
	}
	if len(cb) > 0 {
		c, kind, ev := memcachedRequest(cb)
		if c != None {
			if c < High && len(sb) > 0 && memcachedAnswers(kind, cb, sb) {
				c = High
			}
			return newResult("memcached", c, FromClient, ev), true
		}
	}
	if len(in.Client) == 0 && len(sb) > 0 {
		if c, _, _ := memcachedRequest(sb); c != None {
			return Result{}, false // a request from the server: not a reply
		}
		if l, ok := fullLine(sb, 64); ok && (hasPrefix(l, "VERSION ") || hasPrefix(l, "STAT ")) {
			return newResult("memcached", Low, FromServer, evidence{b: l}), true
		}
	}
	return Result{}, false
}

// memcachedFrame strips a UDP frame header: a request is datagram 0 of 1,
// a response datagram seq of count.
func memcachedFrame(b []byte, request bool) ([]byte, bool) {
	if len(b) <= memcachedUDPHeader || be16(b[6:]) != 0 {
		return nil, false
	}
	seq, n := be16(b[2:]), be16(b[4:])
	if request && (seq != 0 || n != 1) || !request && (n == 0 || seq >= n) {
		return nil, false
	}
	return b[memcachedUDPHeader:], true
}

// Kinds of request, for matching the answer.
const (
	mcNone = iota
	mcStore
	mcGet
	mcVersion
	mcStats
	mcOther
	mcBinary
)

// memcachedStore are the storage commands: key, flags, exptime, bytes
// (cas adds a unique), optionally noreply.
var memcachedStore = [...]string{"set", "add", "replace", "append", "prepend", "cas"}

// memcachedRequest judges a client's first command. A storage command
// with its numeric fields is High; get, gets, delete, incr, decr, touch
// and the meta commands with a key are Medium; bare words (version,
// stats) are Low until the server answers them. Commands are lower case:
// the protocol is case-sensitive.
func memcachedRequest(b []byte) (Confidence, int, evidence) {
	if len(b) > 0 && b[0] == 0x80 {
		if memcachedBinary(b, true) {
			return Medium, mcBinary, evidence{b: head(b, 8)}
		}
		return None, mcNone, evidence{}
	}
	l, ok := fullLine(b, 2048)
	if !ok || len(b) == len(l) || b[len(l)] != '\r' {
		return None, mcNone, evidence{}
	}
	ev := evidence{b: head(l, 64)}
	sp := 0
	for sp < len(l) && l[sp] != ' ' {
		sp++
	}
	cmd, args := l[:sp], l[min(sp+1, len(l)):]
	for _, s := range memcachedStore {
		if string(cmd) == s {
			n := 4
			if s == "cas" {
				n = 5
			}
			if memcachedArgs(args, n) {
				return High, mcStore, ev
			}
			return None, mcNone, evidence{}
		}
	}
	switch string(cmd) {
	case "get", "gets", "delete", "mg", "md", "ma":
		if memcachedKey(args) {
			return Medium, mcGet, ev
		}
	case "incr", "decr", "touch":
		if memcachedArgs(args, 2) {
			return Medium, mcOther, ev
		}
	case "version":
		if len(args) == 0 {
			return Low, mcVersion, ev
		}
	case "stats":
		if len(args) == 0 || isLetter(args[0]) {
			return Low, mcStats, ev
		}
	}
	return None, mcNone, evidence{}
}

// memcachedKey checks that args start with a key: 1 to 250 bytes, no
// control characters, ending at a space or the end.
func memcachedKey(args []byte) bool {
	n := 0
	for n < len(args) && args[n] != ' ' {
		if args[n] < 0x21 || args[n] == 0x7f {
			return false
		}
		n++
	}
	return n > 0 && n <= 250
}

// memcachedArgs checks a key followed by n-1 decimal numbers (a leading
// '-' allowed: exptime may be negative), then at most "noreply".
func memcachedArgs(args []byte, n int) bool {
	if !memcachedKey(args) {
		return false
	}
	k, f := 0, 0
	for i := 0; i <= len(args); i++ {
		if i < len(args) && args[i] != ' ' {
			continue
		}
		field := args[f:i]
		f = i + 1
		switch {
		case k == 0: // the key
		case k < n:
			if len(field) == 0 || len(field) > 20 {
				return false
			}
			for j, c := range field {
				if !isDigit(c) && (j > 0 || c != '-' || len(field) == 1) {
					return false
				}
			}
		case k == n:
			if string(field) != "noreply" {
				return false
			}
		default:
			return false
		}
		k++
	}
	return k >= n
}

// memcachedAnswers reports whether the server's first bytes answer the
// client's request of the kind given.
func memcachedAnswers(kind int, req, b []byte) bool {
	if kind == mcBinary {
		return memcachedBinary(b, false) && b[1] == req[1] && string(b[12:16]) == string(req[12:16])
	}
	l, ok := fullLine(b, 512)
	if !ok {
		return false
	}
	switch kind {
	case mcGet:
		// get's hit or miss, delete's answers, the meta commands' codes
		return string(l) == "END" || hasPrefix(l, "VALUE ") || string(l) == "DELETED" || string(l) == "NOT_FOUND" ||
			hasPrefix(l, "VA ") || string(l) == "HD" || string(l) == "EN" || string(l) == "NF"
	case mcVersion:
		return hasPrefix(l, "VERSION ") && len(l) > 8 && isDigit(l[8])
	case mcStats:
		return hasPrefix(l, "STAT ")
	case mcOther:
		return string(l) == "NOT_FOUND" || string(l) == "TOUCHED" || len(l) > 0 && isDigit(l[0])
	}
	return false
}

// memcachedBinary checks a binary protocol header: magic 0x80 (request)
// or 0x81 (response), raw data type 0, extras and key within the body,
// a body under memcached's 1 MiB item limit plus headroom, an opcode in
// the defined range (0x00 to 0x48), and a response status that is
// defined.
func memcachedBinary(b []byte, request bool) bool {
	if len(b) < 24 || b[5] != 0 || b[1] > 0x48 {
		return false
	}
	if request && b[0] != 0x80 || !request && b[0] != 0x81 {
		return false
	}
	key, extras, body := be16(b[2:]), int(b[4]), be32(b[8:])
	if uint32(key+extras) > body || body > 2<<20 {
		return false
	}
	if request {
		return be16(b[6:]) < 1024 // vbucket
	}
	st := be16(b[6:])
	return st <= 0x0a || st >= 0x20 && st <= 0x24 || st >= 0x81 && st <= 0x86
}
