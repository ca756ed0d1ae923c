package service

import "bytes"

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

// detectMemcached judges the client's request and, once the server has
// answered, by the answer: one to the request makes it High, any other
// memcached answer leaves it, anything else makes it Low, and a RESP
// (Redis) answer rejects it. The server alone is a guess ("END", "STORED"
// or a VERSION line may come from other servers).
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
			// The server has spoken (over UDP, perhaps without a frame
			// header): its answer confirms the request, is one memcached
			// gives to some command (set ... noreply leaves the answer to
			// the next), or contradicts it. Redis takes the same words
			// inline and answers in RESP; no memcached line starts with a
			// RESP type byte.
			switch {
			case len(in.Server) == 0 && kind == mcStore && in.Transport == TCP:
				// Sure in form, but Redis takes "set k 0 0 5" inline too:
				// Medium keeps the flow looking until the server answers.
				// Over UDP the frame header says memcached (Redis has none).
				c = Medium
			case len(in.Server) == 0:
			case len(sb) > 0 && memcachedAnswers(kind, cb, sb):
				c = High
			case len(sb) > 0 && kind != mcBinary && memcachedReply(sb):
			case len(sb) > 0 && isRESPType(sb[0]):
				return Result{}, false
			default:
				c = Low
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
// with its numeric fields is High (Medium over TCP until answered, see
// detectMemcached); get, gets and delete with a key, and
// incr, decr and touch with their numbers are Medium; the meta commands
// (mg, md, ma), a key led by '/' and bare words (version, stats) are Low
// until the server answers them. Commands are lower case: the protocol is
// case-sensitive.
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
	case "get", "gets", "delete":
		// get and gets take keys; delete one key, then at most the
		// legacy time 0 and noreply.
		if !memcachedKey(args) || string(cmd) == "delete" && !memcachedDelete(args) {
			break
		}
		// Keys are names like "user:42"; a key led by '/' is a path in
		// some other line protocol until memcached answers it.
		if args[0] == '/' {
			return Low, mcGet, ev
		}
		return Medium, mcGet, ev
	case "mg", "md", "ma":
		// Two letters and a word are any protocol's; the answer decides.
		if memcachedKey(args) {
			return Low, mcGet, ev
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

// memcachedDelete checks delete's arguments after the key: nothing, "0",
// "noreply" or "0 noreply".
func memcachedDelete(args []byte) bool {
	i := bytes.IndexByte(args, ' ')
	if i < 0 {
		return true
	}
	switch string(args[i+1:]) {
	case "0", "noreply", "0 noreply":
		return true
	}
	return false
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
	case mcStore:
		// STORED, NOT_STORED, EXISTS, NOT_FOUND, or after noreply the
		// next command's answer.
		return memcachedReply(b)
	case mcGet:
		// get's hit or miss, delete's answers, the meta commands' codes
		return string(l) == "END" || hasPrefix(l, "VALUE ") || string(l) == "DELETED" || string(l) == "NOT_FOUND" ||
			mcMeta(l, "VA") || mcMeta(l, "HD") || mcMeta(l, "EN") || mcMeta(l, "NF") || mcMeta(l, "NS") || mcMeta(l, "EX")
	case mcVersion:
		return hasPrefix(l, "VERSION ") && len(l) > 8 && isDigit(l[8])
	case mcStats:
		return hasPrefix(l, "STAT ")
	case mcOther:
		return string(l) == "NOT_FOUND" || string(l) == "TOUCHED" || len(l) > 0 && isDigit(l[0])
	}
	return false
}

// mcMeta reports whether l is the meta response code given, alone or
// followed by flags.
func mcMeta(l []byte, code string) bool {
	return hasPrefix(l, code) && (len(l) == len(code) || l[len(code)] == ' ')
}

// memcachedReplies are the first words of memcached's text answers
// (protocol.txt): storage, retrieval, deletion, touch, errors, version,
// stats, the meta commands' codes. A number (incr, decr) is one too.
var memcachedReplies = [...]string{"STORED", "NOT_STORED", "EXISTS", "NOT_FOUND", "END", "VALUE", "DELETED",
	"TOUCHED", "ERROR", "CLIENT_ERROR", "SERVER_ERROR", "VERSION", "STAT", "OK", "RESET",
	"VA", "HD", "EN", "NF", "NS", "EX", "MN", "ME"}

// memcachedReply reports whether the server's first line is one memcached
// gives to some command, if not the one asked: after "set ... noreply"
// the first answer is the next command's. A line memcached has not
// finished is judged by its first word so far.
func memcachedReply(b []byte) bool {
	l, ok := fullLine(b, 512)
	if !ok {
		l = head(b, 512)
	}
	if len(l) > 0 && isDigit(l[0]) {
		for _, c := range l {
			if !isDigit(c) {
				return false
			}
		}
		return true
	}
	w := l
	if i := bytes.IndexByte(l, ' '); i >= 0 {
		w = l[:i]
	}
	for _, r := range memcachedReplies {
		if string(w) == r || !ok && len(w) == len(l) && len(w) > 0 && len(w) <= len(r) && r[:len(w)] == string(w) {
			return true
		}
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

// isRESPType reports whether c is a RESP (Redis) type byte: simple
// string, error, integer, bulk string, array.
func isRESPType(c byte) bool {
	return c == '+' || c == '-' || c == ':' || c == '$' || c == '*'
}
