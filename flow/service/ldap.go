package service

// LDAP (RFC 4511), recognised by an LDAPMessage: a BER SEQUENCE holding a
// messageID and a protocolOp; over UDP too (CLDAP, the "LDAP ping" Active
// Directory clients send to udp/389).
var ldapProtocol = Protocol{
	Name: "ldap", Transports: onBoth,
	Registry:  []string{"ldap"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&ldapDetector},
}

var ldapDetector = Detector{
	Name:       "ldap",
	Transports: onBoth,
	Detect:     detectLDAP,
}

// LDAP protocolOp tags: [APPLICATION n], constructed (0x60|n) except
// unbind, delete and abandon, which are primitive (0x40|n).
const (
	ldapBindReq     = 0x60
	ldapBindResp    = 0x61
	ldapUnbind      = 0x42
	ldapSearchReq   = 0x63
	ldapExtendedReq = 0x77
)

// ldapMsg is a parsed LDAPMessage header.
type ldapMsg struct {
	id    uint32
	op    byte
	body  []byte // the protocolOp's contents, as far as the buffer goes
	whole bool   // the whole message is in the buffer
}

// detectLDAP: a client's bind or search request whose fields parse is
// High once the whole message is there (Medium while cut), other requests
// Medium. A response alone is a guess; one answering the client's
// messageID confirms a Medium request.
func detectLDAP(in *Input) (Result, bool) {
	if in == nil || (in.Transport != TCP && in.Transport != UDP) {
		return Result{}, false
	}
	c, cm := ldapRequest(in.Client)
	if c == None {
		if s, _ := ldapRequest(in.Server); s != None {
			return newResult("ldap", s, FromServer, evidence{b: head(in.Server, 16)}), true
		}
		if m, ok := ldapParse(in.Server); ok && len(in.Client) == 0 && ldapResponse(m) {
			return newResult("ldap", Low, FromServer, evidence{b: head(in.Server, 16)}), true
		}
		return Result{}, false
	}
	if c == Medium {
		if m, ok := ldapParse(in.Server); ok && m.id == cm.id && ldapResponse(m) {
			c = High
		}
	}
	return newResult("ldap", c, FromClient, evidence{b: head(in.Client, 16)}), true
}

// ldapLen parses a BER definite length at b[i] (short form, or long form
// of one to four bytes, which Active Directory uses). It returns the
// length and the index after it.
func ldapLen(b []byte, i int) (int, int, bool) {
	if i >= len(b) {
		return 0, 0, false
	}
	c := b[i]
	if c < 0x80 {
		return int(c), i + 1, true
	}
	n := int(c & 0x7f)
	if n == 0 || n > 4 || i+n >= len(b) {
		return 0, 0, false
	}
	l := 0
	for _, d := range b[i+1 : i+1+n] {
		l = l<<8 | int(d)
	}
	return l, i + 1 + n, l < 1<<24
}

// ldapParse reads the SEQUENCE, the messageID and the protocolOp's tag and
// length, which must fit in the SEQUENCE.
func ldapParse(b []byte) (ldapMsg, bool) {
	if len(b) < 7 || b[0] != 0x30 {
		return ldapMsg{}, false
	}
	n, i, ok := ldapLen(b, 1)
	if !ok || n < 5 || i+2 >= len(b) || b[i] != 0x02 || b[i+1] < 1 || b[i+1] > 4 {
		return ldapMsg{}, false
	}
	end := i + n
	il := int(b[i+1])
	i += 2
	if i+il >= len(b) || b[i]&0x80 != 0 {
		return ldapMsg{}, false
	}
	var id uint32
	for _, d := range b[i : i+il] {
		id = id<<8 | uint32(d)
	}
	i += il
	op := b[i]
	ol, j, ok := ldapLen(b, i+1)
	if !ok || j+ol > end || op&0xc0 != 0x40 || op&0x1f > 25 {
		return ldapMsg{}, false
	}
	return ldapMsg{id: id, op: op, body: b[j:min(len(b), j+ol)], whole: len(b) >= end && len(b) >= j+ol}, true
}

// ldapRequest judges a client's message.
func ldapRequest(b []byte) (Confidence, ldapMsg) {
	m, ok := ldapParse(b)
	if !ok {
		return None, m
	}
	var c Confidence
	switch m.op {
	case ldapBindReq:
		// version 1 to 3, a name, then simple [0] or SASL [3] credentials
		p := m.body
		if len(p) >= 5 && p[0] == 0x02 && p[1] == 1 && p[2] >= 1 && p[2] <= 3 && p[3] == 0x04 {
			if nl, k, ok := ldapLen(p, 4); ok && k+nl < len(p) && (p[k+nl] == 0x80 || p[k+nl] == 0xa3) {
				c = High
			} else if !m.whole {
				c = Medium
			}
		}
	case ldapSearchReq:
		// baseObject, then scope 0-2 and derefAliases 0-3 as ENUMERATEDs
		p := m.body
		if len(p) >= 2 && p[0] == 0x04 {
			if bl, k, ok := ldapLen(p, 1); ok {
				switch q := p[min(k+bl, len(p)):]; {
				case len(q) >= 6 && q[0] == 0x0a && q[1] == 1 && q[2] <= 2 && q[3] == 0x0a && q[4] == 1 && q[5] <= 3:
					c = High
				case len(q) < 6 && !m.whole:
					c = Medium
				}
			}
		}
	case ldapExtendedReq:
		// requestName [0], an OID such as StartTLS's 1.3.6.1.4.1.1466.20037
		if p := m.body; len(p) >= 3 && p[0] == 0x80 && p[2] == '1' {
			c = Medium
		}
	case ldapUnbind:
		if len(m.body) == 0 && m.whole {
			c = Medium
		}
	}
	if c == High && !m.whole {
		c = Medium
	}
	return c, m
}

// ldapResponse checks an LDAPResult: resultCode ENUMERATED, matchedDN and
// diagnosticMessage OCTET STRINGs, in a response op (odd tags 1 to 25 but
// 3, and 4, a search result entry, which starts with its DN).
func ldapResponse(m ldapMsg) bool {
	p := m.body
	switch m.op {
	case 0x64: // SearchResultEntry: objectName, attributes
		return len(p) >= 2 && p[0] == 0x04
	case 0x61, 0x65, 0x67, 0x69, 0x6b, 0x6d, 0x6f, 0x78:
		return len(p) >= 5 && p[0] == 0x0a && p[1] == 1 && p[3] == 0x04
	}
	return false
}
