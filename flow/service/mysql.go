package service

// Database and message-broker protocols: MySQL, PostgreSQL, Redis, MQTT.

var mysqlDetector = Detector{
	Name:       "mysql",
	Transports: []Transport{TCP},
	Detect: func(in *Input) (Result, bool) {
		if in.Transport != TCP {
			return Result{}, false
		}
		return sidesB(in, "mysql", mysqlGreetingB)
	},
}

// mysqlGreetingB recognises the server's initial handshake packet: a 3-byte
// little-endian length, sequence 0, protocol version 10 and a NUL-ended
// version string. The string must start with a digit and the length must
// leave room for the fixed fields that follow it (thread id, 8 bytes of
// scramble, filler), which a chance match of the first bytes rarely does.
func mysqlGreetingB(b []byte) (Confidence, evB) {
	if len(b) < 7 || b[3] != 0 || b[4] != 10 {
		return None, evB{}
	}
	n := int(b[0]) | int(b[1])<<8 | int(b[2])<<16
	v := b[5:]
	end := -1
	for i, c := range v {
		if c == 0 {
			end = i
			break
		}
		if c < 0x20 || c > 0x7e || i >= 64 {
			return None, evB{}
		}
	}
	if end < 1 || !isDigitB(v[0]) || n < 1+end+1+4+8+1 || n > 1<<16 {
		return None, evB{}
	}
	return High, evB{b: v[:end]}
}

var postgresqlDetector = Detector{
	Name:       "postgresql",
	Transports: []Transport{TCP},
	Detect: func(in *Input) (Result, bool) {
		if in.Transport != TCP {
			return Result{}, false
		}
		return sidesB(in, "postgresql", pgStartB)
	},
}

// PostgreSQL's first client messages carry no type byte: a 4-byte length
// then a 4-byte code, either the protocol version or one of these.
const (
	pgProto3B     = 0x00030000
	pgSSLB        = 80877103
	pgGSSENCB     = 80877104
	pgCancelB     = 80877102
	pgMaxStartupB = 10000 // servers refuse longer startup packets
)

func pgStartB(b []byte) (Confidence, evB) {
	if len(b) < 8 {
		return None, evB{}
	}
	n := be32B(b)
	ev := evB{b: b[:8]}
	switch be32B(b[4:]) {
	case pgSSLB:
		if n == 8 {
			return High, ev
		}
	case pgGSSENCB:
		if n == 8 {
			return Medium, ev
		}
	case pgCancelB:
		// Sent on a connection of its own, so nothing else vouches for it.
		if n == 16 {
			return Medium, ev
		}
	case pgProto3B:
		if n > 8 && n <= pgMaxStartupB {
			return pgParamsB(b[8:min(len(b), int(n))]), ev
		}
	}
	return None, evB{}
}

// pgParamsB walks a StartupMessage's NUL-terminated name/value pairs. The
// protocol requires a "user" parameter, so finding it is High; a first
// well-formed parameter name without it (yet) is Medium.
func pgParamsB(p []byte) Confidence {
	c := None
	for len(p) > 0 && p[0] != 0 {
		k := 0
		for k < len(p) && p[k] != 0 {
			ch := p[k]
			if !(ch == '_' || ch == '.' || isDigitB(ch) || ('a' <= ch && ch <= 'z') || ('A' <= ch && ch <= 'Z')) {
				return c
			}
			k++
		}
		if k == len(p) {
			return c // name cut short
		}
		if string(p[:k]) == "user" {
			return High
		}
		c = Medium
		p = p[k+1:]
		v := 0
		for v < len(p) && p[v] != 0 {
			v++
		}
		if v == len(p) {
			return c
		}
		p = p[v+1:]
	}
	return c
}

var redisDetector = Detector{
	Name:       "redis",
	Transports: []Transport{TCP},
	Detect: func(in *Input) (Result, bool) {
		if in.Transport != TCP {
			return Result{}, false
		}
		if r, ok := sidesB(in, "redis", redisCommandB); ok {
			return r, true
		}
		// A reply alone is weak: POP3 also answers "+OK" and "-ERR".
		if len(in.Client) == 0 {
			if c, e := redisReplyB(in.Server); c != None {
				return resultB("redis", c, FromServer, e), true
			}
		}
		return Result{}, false
	},
}

// redisCommandsB are commands a client commonly opens a connection with;
// RESP arrays carry them case-insensitively.
var redisCommandsB = [...]string{
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

// redisCommandB recognises a RESP array of bulk strings ("*N\r\n$M\r\n"
// then the command), or the inline "PING\r\n" a health check sends.
func redisCommandB(b []byte) (Confidence, evB) {
	if len(b) > 0 && b[0] != '*' {
		if l, ok := fullLineB(b, 8); ok && equalFoldB(l, "PING") && len(b) > len(l) && b[len(l)] == '\r' {
			return Medium, evB{b: l}
		}
		return None, evB{}
	}
	n, i, ok := respNumB(b, 1)
	if !ok || n < 1 || n > 1<<20 || i >= len(b) || b[i] != '$' {
		return None, evB{}
	}
	m, i, ok := respNumB(b, i+1)
	if !ok || m < 1 || m > 64 || len(b) < i+m {
		return None, evB{}
	}
	cmd := b[i : i+m]
	for _, k := range redisCommandsB {
		if equalFoldB(cmd, k) {
			return High, evB{b: cmd}
		}
	}
	// An unknown command (a module's "JSON.GET", say) in a well-formed
	// array is still distinctive once its CRLF is there.
	if !hasPrefixB(b[i+m:], "\r\n") {
		return None, evB{}
	}
	for _, c := range cmd {
		if !(c == '.' || c == '_' || c == '|' || c == '-' || isDigitB(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')) {
			return None, evB{}
		}
	}
	return Medium, evB{b: cmd}
}

// respNumB parses a RESP length: 1–7 decimal digits then CRLF. It returns
// the value and the index after the CRLF.
func respNumB(b []byte, i int) (int, int, bool) {
	n, d := 0, 0
	for ; i < len(b) && isDigitB(b[i]); i++ {
		if d++; d > 7 {
			return 0, 0, false
		}
		n = n*10 + int(b[i]-'0')
	}
	if d == 0 || !hasPrefixB(b[i:], "\r\n") {
		return 0, 0, false
	}
	return n, i + 2, true
}

// redisReplyB recognises a lone server reply typical of Redis.
func redisReplyB(b []byte) (Confidence, evB) {
	l, ok := fullLineB(b, 64)
	if !ok {
		return None, evB{}
	}
	switch {
	case string(l) == "+PONG", string(l) == "+OK",
		hasPrefixB(l, "-ERR "), hasPrefixB(l, "-NOAUTH "), hasPrefixB(l, "-WRONGPASS "):
		return Low, evB{b: l}
	}
	return None, evB{}
}

var mqttDetector = Detector{
	Name:       "mqtt",
	Transports: []Transport{TCP},
	Detect: func(in *Input) (Result, bool) {
		if in.Transport != TCP {
			return Result{}, false
		}
		if r, ok := sidesB(in, "mqtt", mqttConnectB); ok {
			return r, true
		}
		// Four bytes of CONNACK are too little to stand on without the
		// client's CONNECT: only when the client's bytes are missing.
		if s := in.Server; len(in.Client) == 0 && len(s) >= 4 && s[0] == 0x20 && s[1] == 2 && s[2] <= 1 && s[3] <= 5 {
			return resultB("mqtt", Low, FromServer, evB{b: s[:4]}), true
		}
		return Result{}, false
	},
}

// mqttConnectB recognises a CONNECT packet: type 1 with no flags, a
// remaining-length varint, the protocol name and level, and connect flags
// whose reserved bit is clear and whose will and password bits agree.
func mqttConnectB(b []byte) (Confidence, evB) {
	if len(b) < 2 || b[0] != 0x10 {
		return None, evB{}
	}
	rl, i := 0, 1
	for shift := 0; ; shift += 7 {
		if i >= len(b) || i > 4 {
			return None, evB{}
		}
		c := b[i]
		i++
		rl |= int(c&0x7f) << shift
		if c&0x80 == 0 {
			break
		}
	}
	if len(b) < i+2 {
		return None, evB{}
	}
	nl := be16B(b[i:])
	// name length, name, level, flags, keep-alive, client id length
	if nl > 6 || rl < 2+nl+6 || len(b) < i+2+nl+2 {
		return None, evB{}
	}
	name := b[i+2 : i+2+nl]
	level, flags := b[i+2+nl], b[i+3+nl]
	willQoS := flags >> 3 & 3
	if flags&1 != 0 || willQoS == 3 || (flags&0x04 == 0 && flags&0x38 != 0) {
		return None, evB{}
	}
	var ev string
	switch {
	case string(name) == "MQTT" && level == 4:
		ev = "MQTT 3.1.1"
	case string(name) == "MQTT" && level == 5:
		ev = "MQTT 5.0"
	case string(name) == "MQIsdp" && level == 3:
		ev = "MQIsdp 3.1"
	default:
		return None, evB{}
	}
	if level == 4 && flags&0x40 != 0 && flags&0x80 == 0 {
		return None, evB{} // 3.1.1 forbids a password without a user name
	}
	return High, evB{s: ev}
}
