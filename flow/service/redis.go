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
