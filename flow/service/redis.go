package service

// Redis, recognised by a RESP command (or, alone, a reply).
var redisProtocol = Protocol{
	Name: "redis", Transports: onTCP,
	Registry:  []string{"redis"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&redisDetector},
}

var redisDetector = Detector{
	Name:       "redis",
	Transports: onTCP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != TCP {
			return Result{}, false
		}
		if r, ok := eitherSide(in, "redis", redisCommand); ok {
			return r, true
		}
		// An inline command ("get foo", typed over telnet or sent by a
		// simple client) is named only by the RESP reply that answers it:
		// memcached and other line protocols share such lines.
		if in.ClientFirst {
			if cmd, ok := redisInline(in.Client); ok && redisReplyShape(in.Server) {
				return newResult("redis", Medium, FromClient, evidence{b: cmd}), true
			}
		}
		// A reply alone is weak: POP3 also answers "+OK" and "-ERR".
		if len(in.Client) == 0 {
			if c, e := redisReply(in.Server); c != None {
				return newResult("redis", c, FromServer, e), true
			}
		}
		return Result{}, false
	},
}

// redisCommands are commands a client commonly opens a connection with;
// RESP arrays carry them case-insensitively.
var redisCommands = [...]string{
	"PING", "AUTH", "HELLO", "SELECT", "INFO", "COMMAND", "CLIENT", "CONFIG",
	"GET", "SET", "SETEX", "SETNX", "MGET", "MSET", "DEL", "UNLINK", "EXISTS",
	"EXPIRE", "TTL", "TYPE", "KEYS", "SCAN", "INCR", "DECR", "INCRBY", "APPEND",
	"HGET", "HSET", "HMGET", "HMSET", "HGETALL", "HDEL", "LPUSH", "RPUSH",
	"LPOP", "RPOP", "LRANGE", "BLPOP", "BRPOP", "SADD", "SREM", "SMEMBERS",
	"ZADD", "ZRANGE", "ZREM", "ZSCORE", "XADD", "XREAD", "XREADGROUP",
	"SUBSCRIBE", "PSUBSCRIBE", "PUBLISH", "MULTI", "EXEC", "WATCH", "EVAL",
	"EVALSHA", "SCRIPT", "FLUSHDB", "FLUSHALL", "DBSIZE", "CLUSTER", "READONLY",
	"ECHO", "TIME", "QUIT", "MONITOR", "REPLCONF", "PSYNC", "SYNC",
}

// redisCommand recognises a RESP array of bulk strings ("*N\r\n$M\r\n"
// then the command), or the inline "PING\r\n" a health check sends.
func redisCommand(b []byte) (Confidence, evidence) {
	if len(b) > 0 && b[0] != '*' {
		if l, ok := fullLine(b, 8); ok && equalFold(l, "PING") && len(b) > len(l) && b[len(l)] == '\r' {
			return Medium, evidence{b: l}
		}
		return None, evidence{}
	}
	n, i, ok := respNum(b, 1)
	if !ok || n < 1 || n > 1<<20 || i >= len(b) || b[i] != '$' {
		return None, evidence{}
	}
	m, i, ok := respNum(b, i+1)
	if !ok || m < 1 || m > 64 || len(b) < i+m {
		return None, evidence{}
	}
	cmd := b[i : i+m]
	for _, k := range redisCommands {
		if equalFold(cmd, k) {
			return High, evidence{b: cmd}
		}
	}
	// An unknown command (a module's "JSON.GET", say) in a well-formed
	// array is still distinctive once its CRLF is there.
	if !hasPrefix(b[i+m:], "\r\n") {
		return None, evidence{}
	}
	for _, c := range cmd {
		if !(c == '.' || c == '_' || c == '|' || c == '-' || isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')) {
			return None, evidence{}
		}
	}
	return Medium, evidence{b: cmd}
}

// respNum parses a RESP length: 1–7 decimal digits then CRLF. It returns
// the value and the index after the CRLF.
func respNum(b []byte, i int) (int, int, bool) {
	n, d := 0, 0
	for ; i < len(b) && isDigit(b[i]); i++ {
		if d++; d > 7 {
			return 0, 0, false
		}
		n = n*10 + int(b[i]-'0')
	}
	if d == 0 || !hasPrefix(b[i:], "\r\n") {
		return 0, 0, false
	}
	return n, i + 2, true
}

// redisInline recognises an inline command: a known command word, then a
// space or the line's end, on a whole line. It returns the command word.
func redisInline(b []byte) ([]byte, bool) {
	l, ok := fullLine(b, 1024)
	if !ok || len(b) <= len(l) || b[len(l)] != '\r' {
		return nil, false
	}
	w := l
	for i, c := range l {
		if c == ' ' {
			w = l[:i]
			break
		}
	}
	// POP3 clients send QUIT and AUTH too, and its server answers "+OK"
	// and "-ERR" as Redis does.
	if equalFold(w, "QUIT") || equalFold(w, "AUTH") {
		return nil, false
	}
	for _, k := range redisCommands {
		if equalFold(w, k) {
			return w, true
		}
	}
	return nil, false
}

// redisReplyShape reports whether b starts with a RESP reply: a type byte,
// then for a simple string or error a line, for an integer digits, for a
// bulk string or array a length (-1 for none), each ending in CRLF.
func redisReplyShape(b []byte) bool {
	l, ok := fullLine(b, 512)
	if !ok || len(l) < 2 || len(b) <= len(l) || b[len(l)] != '\r' {
		return false
	}
	switch l[0] {
	case '+':
		return true
	case '-':
		// "-ERR unknown command" is what POP3 and others say to a word
		// they do not know; Redis's own error codes are its.
		for _, code := range redisErrorCodes {
			if hasPrefix(l[1:], code) {
				return true
			}
		}
		return false
	case ':', '$', '*':
		n := l[1:]
		if n[0] == '-' {
			n = n[1:]
		}
		if len(n) == 0 || len(n) > 19 {
			return false
		}
		for _, c := range n {
			if !isDigit(c) {
				return false
			}
		}
		return true
	}
	return false
}

// redisErrorCodes are error prefixes only Redis sends.
var redisErrorCodes = [...]string{"WRONGTYPE ", "NOAUTH ", "WRONGPASS ", "NOPERM ", "LOADING ", "READONLY ", "MOVED ", "ASK ", "BUSY ", "NOSCRIPT ", "EXECABORT "}

// redisReply recognises a lone server reply typical of Redis.
func redisReply(b []byte) (Confidence, evidence) {
	l, ok := fullLine(b, 64)
	if !ok {
		return None, evidence{}
	}
	switch {
	case string(l) == "+PONG", string(l) == "+OK",
		hasPrefix(l, "-ERR "), hasPrefix(l, "-NOAUTH "), hasPrefix(l, "-WRONGPASS "):
		return Low, evidence{b: l}
	}
	return None, evidence{}
}
