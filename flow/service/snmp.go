package service

// SNMP v1, v2c and v3, recognised by parsing the whole message.
var snmpProtocol = Protocol{
	Name: "snmp", Transports: onBoth,
	Registry:  []string{"snmp", "snmptrap"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&snmpDetector},
}

var snmpDetector = Detector{
	Name:       "snmp",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		return eitherSide(in, "snmp", snmpCheck)
	},
}

// snmpCheck parses an SNMP message: a BER SEQUENCE spanning the datagram, the
// INTEGER version, then for v1/v2c the community OCTET STRING and a PDU
// allowed in that version that ends the message, and for v3 the header
// data (msgID, msgMaxSize, a 1-byte msgFlags, msgSecurityModel). The
// community is a password, so evidence is only the version.
func snmpCheck(b []byte) (Confidence, evidence) {
	if len(b) < 2 || b[0] != 0x30 {
		return None, evidence{}
	}
	n, i, ok := berLen(b, 1)
	if !ok || i+n != len(b) || len(b) < i+3 || b[i] != 0x02 || b[i+1] != 1 {
		return None, evidence{}
	}
	v := b[i+2]
	i += 3
	switch v {
	case 0, 1:
		if i >= len(b) || b[i] != 0x04 {
			return None, evidence{}
		}
		cl, j, ok := berLen(b, i+1)
		if !ok || j+cl >= len(b) {
			return None, evidence{}
		}
		i = j + cl
		pdu := b[i]
		if pdu < 0xa0 || pdu > 0xa8 || (v == 0 && pdu > 0xa4) || (v == 1 && pdu == 0xa4) {
			return None, evidence{}
		}
		pl, j, ok := berLen(b, i+1)
		if !ok || j+pl != len(b) {
			return None, evidence{}
		}
		if v == 0 {
			return High, evidence{s: "SNMPv1"}
		}
		return High, evidence{s: "SNMPv2c"}
	case 3:
		if i >= len(b) || b[i] != 0x30 {
			return None, evidence{}
		}
		gl, j, ok := berLen(b, i+1)
		if !ok || j+gl > len(b) {
			return None, evidence{}
		}
		g := b[j : j+gl]
		for k := 0; k < 4; k++ {
			// msgID, msgMaxSize and msgSecurityModel are INTEGERs;
			// msgFlags is an OCTET STRING of one byte.
			tag, max := byte(0x02), 5
			if k == 2 {
				tag, max = 0x04, 1
			}
			if len(g) < 2 || g[0] != tag || g[1] < 1 || int(g[1]) > max || len(g) < 2+int(g[1]) {
				return None, evidence{}
			}
			if k == 3 && (g[1] != 1 || g[2] < 1 || g[2] > 4) {
				return None, evidence{} // security models 1–4: v1, v2c, USM, TSM
			}
			g = g[2+int(g[1]):]
		}
		if len(g) != 0 {
			return None, evidence{}
		}
		return High, evidence{s: "SNMPv3"}
	}
	return None, evidence{}
}

// berLen parses a BER definite length at b[i]: short form, or long form of
// one or two bytes. It returns the length and the index after it.
func berLen(b []byte, i int) (int, int, bool) {
	if i >= len(b) {
		return 0, 0, false
	}
	switch c := b[i]; {
	case c < 0x80:
		return int(c), i + 1, true
	case c == 0x81 && i+1 < len(b):
		return int(b[i+1]), i + 2, true
	case c == 0x82 && i+2 < len(b):
		return be16(b[i+1:]), i + 3, true
	}
	return 0, 0, false
}
