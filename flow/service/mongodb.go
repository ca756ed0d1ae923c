package service

// MongoDB, recognised by its wire protocol: a client's request (OP_MSG,
// OP_QUERY, OP_COMPRESSED) and the server's reply to it.
var mongodbProtocol = Protocol{
	Name: "mongodb", Transports: onTCP,
	Registry: []string{"mongodb"},
	// mongod --shardsvr and --configsvr listen on 27018 and 27019 by default.
	Defaults:  []uint16{27018, 27019},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&mongodbDetector},
}

var mongodbDetector = Detector{
	Name:       "mongodb",
	Transports: onTCP,
	Detect:     detectMongoDB,
}

// MongoDB opcodes.
const (
	mongoOpReply      = 1
	mongoOpQuery      = 2004
	mongoOpCompressed = 2012
	mongoOpMsg        = 2013
	mongoMaxMessage   = 48 << 20 // the server's maxMessageSizeBytes
)

// mongoHeader is a parsed 16-byte message header (all little-endian).
type mongoHeader struct {
	length             int
	requestID, replyTo uint32
	op                 uint32
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func mongoParse(b []byte) (mongoHeader, bool) {
	if len(b) < 16 {
		return mongoHeader{}, false
	}
	h := mongoHeader{length: int(le32(b)), requestID: le32(b[4:]), replyTo: le32(b[8:]), op: le32(b[12:])}
	return h, h.length >= 16+5 && h.length <= mongoMaxMessage
}

// detectMongoDB: a client's request whose body parses is Medium, High when
// the whole message is there and its document fills it; the server's
// reply is High with that request when it answers its requestID. A reply
// alone is no more than a guess: a client never sends one, so an opening
// message with OP_REPLY's code (as in nDPI's mongo_false_positive capture,
// a TLS-port flow whose first bytes happen to read so) names nothing.
func detectMongoDB(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	c, ce, req := mongoRequest(in.Client)
	if c == None {
		// The roles may be swapped (a capture that missed the start).
		if c, ce, _ = mongoRequest(in.Server); c != None {
			return newResult("mongodb", c, FromServer, ce), true
		}
		if len(in.Client) == 0 {
			if h, ok := mongoParse(in.Server); ok && mongoReplyOK(in.Server, h) {
				return newResult("mongodb", Low, FromServer, evidence{s: mongoOpName(h.op)}), true
			}
		}
		return Result{}, false
	}
	if h, ok := mongoParse(in.Server); ok && h.replyTo == req.requestID && mongoReplyOK(in.Server, h) {
		c = High
	}
	return newResult("mongodb", c, FromClient, ce), true
}

func mongoOpName(op uint32) string {
	switch op {
	case mongoOpReply:
		return "OP_REPLY"
	case mongoOpQuery:
		return "OP_QUERY"
	case mongoOpCompressed:
		return "OP_COMPRESSED"
	case mongoOpMsg:
		return "OP_MSG"
	}
	return ""
}

// mongoRequest judges a client's first message. Requests answer nothing:
// responseTo is 0 (some drivers send -1).
func mongoRequest(b []byte) (Confidence, evidence, mongoHeader) {
	h, ok := mongoParse(b)
	if !ok || (h.replyTo != 0 && h.replyTo != 0xffffffff) {
		return None, evidence{}, h
	}
	body := b[16:min(len(b), h.length)]
	var c Confidence
	switch h.op {
	case mongoOpQuery:
		c = mongoQuery(body, h.length-16)
	case mongoOpMsg:
		c = mongoMsg(body, h.length-16)
	case mongoOpCompressed:
		// originalOpcode, uncompressedSize, compressorId (0 noop,
		// 1 snappy, 2 zlib, 3 zstd); the rest is compressed.
		if len(body) >= 9 {
			op := le32(body)
			if (op == mongoOpQuery || op == mongoOpMsg) && le32(body[4:]) >= 5 && body[8] <= 3 {
				c = Medium
			}
		}
	}
	if c == None {
		return None, evidence{}, h
	}
	return c, evidence{s: mongoOpName(h.op)}, h
}

// mongoQuery checks OP_QUERY: flags (reserved bit 0 clear), a NUL-ended
// "db.collection" name, skip, limit, then a BSON document.
func mongoQuery(p []byte, room int) Confidence {
	if len(p) < 4 || p[0]&1 != 0 {
		return None
	}
	name := p[4:]
	end, dot := -1, false
	for i, c := range name {
		if c == 0 {
			end = i
			break
		}
		if c < 0x20 || c > 0x7e || i >= 256 {
			return None
		}
		dot = dot || (c == '.' && i > 0)
	}
	if end < 3 || !dot || len(name) < end+1+8 {
		return None
	}
	return bsonDoc(name[end+1+8:], room-4-(end+1)-8)
}

// mongoMsg checks OP_MSG: flag bits (only checksumPresent, moreToCome and
// exhaustAllowed are defined) and a first section of kind 0, a document,
// or 1, a document sequence (a size, then a NUL-ended identifier).
func mongoMsg(p []byte, room int) Confidence {
	if len(p) < 5 || le32(p)&^0x00010003 != 0 {
		return None
	}
	switch p[4] {
	case 0:
		return bsonDoc(p[5:], room-5)
	case 1:
		if len(p) >= 10 && int(le32(p[5:])) <= room-5 && isLetter(p[9]) {
			return Medium
		}
	}
	return None
}

// bsonDoc checks a BSON document in room bytes of the message: its length
// fits, its first element has a defined type and a printable NUL-ended
// name (Medium); High once the whole document is there, ending in NUL.
func bsonDoc(d []byte, room int) Confidence {
	if len(d) < 5 {
		return None
	}
	n := int(le32(d))
	if n < 5 || n > room {
		return None
	}
	t := d[4]
	if n == 5 {
		if t != 0 {
			return None
		}
		return High
	}
	if !(t >= 0x01 && t <= 0x13 && t != 0x06 && t != 0x0c || t == 0x7f || t == 0xff) {
		return None
	}
	name := d[5:]
	end := -1
	for i, c := range name {
		if c == 0 {
			end = i
			break
		}
		if c < 0x20 || c > 0x7e || i >= 128 {
			return None
		}
	}
	if end < 1 || 5+end+1 > n {
		return None
	}
	if len(d) >= n {
		if d[n-1] != 0 {
			return None
		}
		return High
	}
	return Medium
}

// mongoReplyOK checks a server's reply: OP_REPLY's flags (four defined
// bits), cursor, start and count; or OP_MSG's flags and section kind.
func mongoReplyOK(b []byte, h mongoHeader) bool {
	p := b[16:]
	switch h.op {
	case mongoOpReply:
		return len(p) >= 20 && le32(p)&^0xf == 0 && int(le32(p[16:])) <= (h.length-36)/5
	case mongoOpMsg:
		return len(p) >= 5 && le32(p)&^0x00010003 == 0 && p[4] <= 1
	case mongoOpCompressed:
		return len(p) >= 9 && p[8] <= 3
	}
	return false
}
