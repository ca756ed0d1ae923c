package service

// Binary protocols recognised by their headers.
var (
	// dnsDetector parses a DNS message's header and first name, over UDP
	// or over TCP with its 2-byte length prefix (also mDNS and LLMNR,
	// which share the format).
	dnsDetector = Detector{Name: "dns", Transports: []Transport{UDP, TCP}, Detect: detectDNS}
	// rdpDetector finds the X.224 Connection Request or Confirm in TPKT
	// that opens an RDP connection.
	rdpDetector = Detector{Name: "rdp", Transports: []Transport{TCP}, Detect: detectRDP}
	// smbDetector finds an SMB1/SMB2/SMB3 header behind a NetBIOS
	// session (or direct TCP) header.
	smbDetector = Detector{Name: "smb", Transports: []Transport{TCP}, Detect: detectSMB}
)

func detectDNS(in *Input) (Result, bool) {
	if in == nil || (in.Transport != UDP && in.Transport != TCP) {
		return Result{}, false
	}
	tcp := in.Transport == TCP
	return aResult("dns", in, aDNS(in.Client, tcp, false), aDNS(in.Server, tcp, true), aDNSDotted)
}

// aDNS checks a DNS message and returns its first name as evidence: High
// for a query from the client or a response from the server with a parsed
// question, Medium when the roles are the other way round or when a
// response has no question (mDNS announcements).
func aDNS(b []byte, tcp, server bool) aSide {
	size := len(b)
	if tcp {
		if len(b) < 2 {
			return aSide{}
		}
		size = aBE16(b)
		b = aHead(b[2:], size)
	}
	if size < 12 || len(b) < 12 {
		return aSide{}
	}
	qr := b[2]&0x80 != 0
	op := b[2] >> 3 & 0xf
	rcode := b[3] & 0xf
	// Opcodes: query, inverse query, status, notify, update. The Z bit is
	// zero. A query carries no error code; responses use 0..10 without
	// EDNS.
	if op == 3 || op > 5 || b[3]&0x40 != 0 || (!qr && rcode != 0) || rcode > 10 {
		return aSide{}
	}
	qd, an, ns, ar := aBE16(b[4:]), aBE16(b[6:]), aBE16(b[8:]), aBE16(b[10:])
	// A question takes at least 5 bytes and a record 11: the counts must
	// fit in the message.
	if qd > 4 || 12+5*qd+11*(an+ns+ar) > size {
		return aSide{}
	}
	var conf Confidence
	end, ok := aDNSName(b, 12)
	switch {
	case !ok:
		return aSide{}
	case qd > 0:
		if end+4 > len(b) {
			return aSide{}
		}
		typ, class := aBE16(b[end:]), aBE16(b[end+2:])
		if !aDNSType(typ) || !aDNSClass(class) || aNBNSName(b[12:end], typ) {
			return aSide{}
		}
		conf = High
	case qr && an > 0:
		// No question: the name opens the first answer record.
		if end+10 > len(b) {
			return aSide{}
		}
		typ, class, rdlen := aBE16(b[end:]), aBE16(b[end+2:]), aBE16(b[end+8:])
		if !aDNSType(typ) || !aDNSClass(class) || end+10+rdlen > size {
			return aSide{}
		}
		conf = Medium
	default:
		return aSide{}
	}
	if qr != server {
		conf = min(conf, Medium)
	}
	return aSide{conf, b[12:end]}
}

// aDNSName walks the uncompressed name at b[off:] and returns the offset
// past its root label. The first name of a message has nothing earlier to
// point to, so a compression pointer there is invalid, as are the obsolete
// 0x40/0x80 label types and control characters.
func aDNSName(b []byte, off int) (end int, ok bool) {
	total := 0
	for {
		if off >= len(b) {
			return 0, false
		}
		l := int(b[off])
		if l == 0 {
			return off + 1, true
		}
		total += 1 + l
		// Labels up to 63 bytes, names up to 255 with the root byte.
		if l > 63 || total > 254 || off+1+l > len(b) {
			return 0, false
		}
		for _, c := range b[off+1 : off+1+l] {
			if c < 0x20 || c == 0x7f {
				return 0, false
			}
		}
		off += 1 + l
	}
}

// aDNSType accepts the assigned TYPE/QTYPE range, TA and DLV, and the
// private-use range.
func aDNSType(t int) bool {
	return (t > 0 && t <= 260) || t == 32768 || t == 32769 || (t >= 65280 && t <= 65534)
}

// aDNSClass accepts IN, CH, HS, NONE and ANY; mDNS sets the top bit of IN
// (unicast-response in a question, cache-flush in a record).
func aDNSClass(c int) bool {
	switch c {
	case 1, 3, 4, 254, 255, 0x8001:
		return true
	}
	return false
}

// aNBNSName reports a NetBIOS name-service question: the same message
// format, but a 32-letter encoded name and type NB or NBSTAT. It is not DNS.
func aNBNSName(name []byte, typ int) bool {
	if (typ != 0x20 && typ != 0x21) || len(name) < 34 || name[0] != 32 {
		return false
	}
	for _, c := range name[1:33] {
		if c < 'A' || c > 'P' {
			return false
		}
	}
	return true
}

// aDNSDotted writes a wire-format name checked by aDNSName in dotted
// form, "." for the root.
func aDNSDotted(w []byte) string {
	var buf [256]byte
	n := 0
	for i := 0; i < len(w) && w[i] != 0; {
		l := int(w[i])
		i++
		if i+l > len(w) {
			l = len(w) - i
		}
		if n > 0 && n < len(buf) {
			buf[n] = '.'
			n++
		}
		n += copy(buf[n:], w[i:i+l])
		i += l
	}
	if n == 0 {
		return "."
	}
	return string(buf[:n])
}

func detectRDP(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	return aResult("rdp", in, aRDP(in.Client, true), aRDP(in.Server, false), nil)
}

// aRDP checks TPKT (version 3) carrying an X.224 Connection Request from
// the client or Connection Confirm from the server, class 0, whose length
// indicator spans the TPDU. RDP puts its cookie or negotiation request
// (MS-RDPBCGR 2.2.1.1) where ISO transport would put parameters.
func aRDP(b []byte, client bool) aSide {
	if len(b) < 11 || b[0] != 3 || b[1] != 0 {
		return aSide{}
	}
	tl := aBE16(b[2:])
	if tl < 11 || tl > 1024 || int(b[4]) != tl-5 {
		return aSide{}
	}
	code := byte(0xd0)
	if client {
		code = 0xe0
	}
	// A request's destination reference is still unknown, so zero.
	if b[5]&0xf0 != code || (client && (b[6] != 0 || b[7] != 0)) || b[10] != 0 {
		return aSide{}
	}
	ev := aHead(b, min(tl, 19))
	if tl == 11 {
		return aSide{Medium, ev}
	}
	v := aHead(b[11:], tl-11)
	if len(v) == 0 {
		return aSide{Low, ev}
	}
	switch v[0] {
	case 0xc0, 0xc1, 0xc2:
		// TPDU size and TSAP parameters: ISO transport, as used by
		// S7comm or MMS, not RDP.
		return aSide{}
	}
	neg := byte(2) // RDP_NEG_RSP; RDP_NEG_FAILURE is 3
	if client {
		if aHasPrefix(v, "Cookie: mstshash=") || aHasPrefix(v, "Cookie: msts=") {
			return aSide{High, aLine(v)}
		}
		neg = 1 // RDP_NEG_REQ
	}
	if v[0] == neg || (!client && v[0] == 3) {
		if len(v) >= 4 && v[2] == 8 && v[3] == 0 {
			return aSide{High, ev}
		}
	}
	return aSide{Low, ev}
}

func detectSMB(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	return aResult("smb", in, aSMB(in.Client, true), aSMB(in.Server, false), nil)
}

// aSMB checks a NetBIOS session message (type 0, length up to 24 bits as
// SMB2 over direct TCP allows) holding an SMB header, or the NetBIOS
// session request a client sends first on port 139 before SMB.
func aSMB(b []byte, client bool) aSide {
	if client && len(b) > 0 && b[0] == 0x81 {
		return aNBSessionRequest(b)
	}
	if len(b) < 8 || b[0] != 0 || string(b[5:8]) != "SMB" {
		return aSide{}
	}
	n := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	ev := b[:8]
	switch b[4] {
	case 0xff: // SMB1, 32-byte header
		if n >= 32 {
			return aSide{High, ev}
		}
	case 0xfe: // SMB2/3, 64-byte header whose StructureSize says 64
		if n >= 64 && (len(b) < 10 || (b[8] == 64 && b[9] == 0)) {
			return aSide{High, ev}
		}
	case 0xfd, 0xfc: // SMB3 encryption (52 bytes) or compression header
		if n >= 16 {
			return aSide{Medium, ev}
		}
	}
	return aSide{}
}

// aNBSessionRequest checks a NetBIOS session request: two names, each 32
// letters A..P (RFC 1002 first-level encoding). Medium: it says NetBIOS,
// and SMB is what NetBIOS sessions carry in practice.
func aNBSessionRequest(b []byte) aSide {
	if len(b) < 5 || b[1] != 0 || aBE16(b[2:]) < 68 || b[4] != 32 {
		return aSide{}
	}
	for i := 5; i < 37; i++ {
		if i == len(b) {
			return aSide{Low, b[:5]}
		}
		if b[i] < 'A' || b[i] > 'P' {
			return aSide{}
		}
	}
	return aSide{Medium, b[:5]}
}
