package service

// Microsoft SQL Server's TDS, recognised by its packet header and the
// client's first message: PRELOGIN with its option table, LOGIN7 with a
// TDS version, or (a connection joined late) a SQL batch.
var tdsProtocol = Protocol{
	Name: "tds", Transports: onTCP,
	Registry:   []string{"ms-sql-s"},
	FirstBytes: "a TDS packet",
	OffPort:    SeverityMedium,
	Detectors:  []*Detector{&tdsDetector},
}

var tdsDetector = Detector{
	Name:       "tds",
	Transports: onTCP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != TCP {
			return Result{}, false
		}
		c, ce := tdsClient(in.Client)
		if c != None {
			return newResult("tds", c, FromClient, ce), true
		}
		// The server's PRELOGIN answer (a tabular response with the
		// same option table) alone is a guess.
		if len(in.Client) == 0 {
			if h, ok := tdsHeader(in.Server); ok && in.Server[0] == tdsResponse && tdsOptions(in.Server[8:min(len(in.Server), h)], h-8) {
				return newResult("tds", Low, FromServer, evidence{b: in.Server[:8]}), true
			}
		}
		return Result{}, false
	},
}

// TDS packet types.
const (
	tdsSQLBatch = 0x01
	tdsResponse = 0x04
	tdsLogin7   = 0x10
	tdsPrelogin = 0x12
)

// tdsHeader checks the 8-byte packet header: status bits that are defined
// (end of message, ignore, reset connection, reset keeping transaction),
// a length from 8 to the 32767 bytes a packet may have, window 0. It
// returns the packet's length.
func tdsHeader(b []byte) (int, bool) {
	if len(b) < 8 || b[1]&^0x1b != 0 || b[7] != 0 {
		return 0, false
	}
	n := be16(b[2:])
	return n, n > 8 && n <= 32767
}

// tdsClient judges a client's first packet.
func tdsClient(b []byte) (Confidence, evidence) {
	n, ok := tdsHeader(b)
	if !ok {
		return None, evidence{}
	}
	p := b[8:min(len(b), n)]
	ev := evidence{b: b[:8]}
	switch b[0] {
	case tdsPrelogin:
		if tdsOptions(p, n-8) {
			return High, ev
		}
	case tdsLogin7:
		// Length (the whole LOGIN7 record) and TDSVersion, little-endian
		if len(p) >= 8 && int(le32(p)) >= 94 && int(le32(p)) <= 65535 {
			switch le32(p[4:]) {
			case 0x70000000, 0x71000000, 0x71000001, 0x72090002, 0x730a0003, 0x730b0003, 0x74000004:
				return High, ev
			}
		}
	case tdsSQLBatch:
		// ALL_HEADERS (TDS 7.2 on): total 22, one 18-byte transaction
		// descriptor header (type 2).
		if len(p) >= 10 && le32(p) == 22 && le32(p[4:]) == 18 && p[8] == 2 && p[9] == 0 {
			return Medium, ev
		}
	}
	return None, evidence{}
}

// tdsOptions walks a PRELOGIN option table: tokens 0 to 8 in increasing
// order, each with an offset and length (big-endian) inside the plen
// bytes of the message,
// the first data right after the 0xff terminator. Only a whole table
// counts.
func tdsOptions(p []byte, plen int) bool {
	i, last, first := 0, -1, -1
	for ; i < len(p) && p[i] != 0xff; i += 5 {
		if i+5 > len(p) || int(p[i]) <= last || p[i] > 8 {
			return false
		}
		last = int(p[i])
		off, l := be16(p[i+1:]), be16(p[i+3:])
		if first < 0 {
			first = off
		}
		if off+l > plen {
			return false
		}
	}
	return i < len(p) && i > 0 && first == i+1
}
