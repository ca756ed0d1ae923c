package service

// UDP infrastructure protocols: NTP, DHCP, SNMP.

var ntpDetector = Detector{
	Name:       "ntp",
	Transports: []Transport{UDP},
	Detect:     detectNTPB,
}

// detectNTPB needs both directions for High: a lone 48-byte datagram whose
// first bytes happen to fit is common, a request answered in the matching
// mode is not.
func detectNTPB(in *Input) (Result, bool) {
	if in.Transport != UDP {
		return Result{}, false
	}
	cm, cok := ntpModeB(in.Client)
	sm, sok := ntpModeB(in.Server)
	switch {
	case cok && sok && ((cm == 3 && sm == 4) || (cm == 1 && (sm == 1 || sm == 2))):
		return resultB("ntp", High, FromClient, evB{b: in.Client[:4]}), true
	case cok:
		return resultB("ntp", Low, FromClient, evB{b: in.Client[:4]}), true
	case sok:
		return resultB("ntp", Low, FromServer, evB{b: in.Server[:4]}), true
	}
	return Result{}, false
}

// ntpModeB checks an NTP header: 48 bytes plus 4-byte-aligned extension
// fields or MAC, version 1–4, mode 1–5 (control and private modes are out
// of scope), stratum at most 16 and a poll exponent in the range servers
// and clients use (-7..17).
func ntpModeB(b []byte) (byte, bool) {
	if len(b) < 48 || (len(b)-48)%4 != 0 {
		return 0, false
	}
	vn, mode := b[0]>>3&7, b[0]&7
	poll := int8(b[2])
	if vn < 1 || vn > 4 || mode < 1 || mode > 5 || b[1] > 16 || poll < -7 || poll > 17 {
		return 0, false
	}
	return mode, true
}

var dhcpDetector = Detector{
	Name:       "dhcp",
	Transports: []Transport{UDP},
	Detect: func(in *Input) (Result, bool) {
		if in.Transport != UDP {
			return Result{}, false
		}
		return sidesB(in, "dhcp", dhcpB)
	},
}

// dhcpMsgTypesB names DHCP message types (option 53) 1–8 for evidence.
var dhcpMsgTypesB = [...]string{
	"", "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST", "DHCPDECLINE",
	"DHCPACK", "DHCPNAK", "DHCPRELEASE", "DHCPINFORM",
}

// dhcpB checks the BOOTP header (op 1 or 2, Ethernet hardware type and
// address length, a sane hop count, only the broadcast flag) and the magic
// cookie at offset 236. Evidence is the message type when option 53 is
// found, else the BOOTP op.
func dhcpB(b []byte) (Confidence, evB) {
	if len(b) < 240 || (b[0] != 1 && b[0] != 2) || b[1] != 1 || b[2] != 6 || b[3] > 16 ||
		b[10]&0x7f != 0 || b[11] != 0 || string(b[236:240]) != "\x63\x82\x53\x63" {
		return None, evB{}
	}
	ev := evB{s: "BOOTREQUEST"}
	if b[0] == 2 {
		ev.s = "BOOTREPLY"
	}
	for o := b[240:]; len(o) > 0; {
		switch o[0] {
		case 0: // pad
			o = o[1:]
			continue
		case 255: // end
			return High, ev
		}
		if len(o) < 2 || len(o) < 2+int(o[1]) {
			return High, ev
		}
		if o[0] == 53 && o[1] == 1 && o[2] >= 1 && int(o[2]) < len(dhcpMsgTypesB) {
			return High, evB{s: dhcpMsgTypesB[o[2]]}
		}
		o = o[2+int(o[1]):]
	}
	return High, ev
}

var snmpDetector = Detector{
	Name:       "snmp",
	Transports: []Transport{UDP},
	Detect: func(in *Input) (Result, bool) {
		if in.Transport != UDP {
			return Result{}, false
		}
		return sidesB(in, "snmp", snmpB)
	},
}

// snmpB parses an SNMP message: a BER SEQUENCE spanning the datagram, the
// INTEGER version, then for v1/v2c the community OCTET STRING and a PDU
// allowed in that version that ends the message, and for v3 the header
// data (msgID, msgMaxSize, a 1-byte msgFlags, msgSecurityModel). The
// community is a password, so evidence is only the version.
func snmpB(b []byte) (Confidence, evB) {
	if len(b) < 2 || b[0] != 0x30 {
		return None, evB{}
	}
	n, i, ok := berLenB(b, 1)
	if !ok || i+n != len(b) || len(b) < i+3 || b[i] != 0x02 || b[i+1] != 1 {
		return None, evB{}
	}
	v := b[i+2]
	i += 3
	switch v {
	case 0, 1:
		if i >= len(b) || b[i] != 0x04 {
			return None, evB{}
		}
		cl, j, ok := berLenB(b, i+1)
		if !ok || j+cl >= len(b) {
			return None, evB{}
		}
		i = j + cl
		pdu := b[i]
		if pdu < 0xa0 || pdu > 0xa8 || (v == 0 && pdu > 0xa4) || (v == 1 && pdu == 0xa4) {
			return None, evB{}
		}
		pl, j, ok := berLenB(b, i+1)
		if !ok || j+pl != len(b) {
			return None, evB{}
		}
		if v == 0 {
			return High, evB{s: "SNMPv1"}
		}
		return High, evB{s: "SNMPv2c"}
	case 3:
		if i >= len(b) || b[i] != 0x30 {
			return None, evB{}
		}
		gl, j, ok := berLenB(b, i+1)
		if !ok || j+gl > len(b) {
			return None, evB{}
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
				return None, evB{}
			}
			if k == 3 && (g[1] != 1 || g[2] < 1 || g[2] > 4) {
				return None, evB{} // security models 1–4: v1, v2c, USM, TSM
			}
			g = g[2+int(g[1]):]
		}
		if len(g) != 0 {
			return None, evB{}
		}
		return High, evB{s: "SNMPv3"}
	}
	return None, evB{}
}

// berLenB parses a BER definite length at b[i]: short form, or long form of
// one or two bytes. It returns the length and the index after it.
func berLenB(b []byte, i int) (int, int, bool) {
	if i >= len(b) {
		return 0, 0, false
	}
	switch c := b[i]; {
	case c < 0x80:
		return int(c), i + 1, true
	case c == 0x81 && i+1 < len(b):
		return int(b[i+1]), i + 2, true
	case c == 0x82 && i+2 < len(b):
		return be16B(b[i+1:]), i + 3, true
	}
	return 0, 0, false
}
