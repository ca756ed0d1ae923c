package service

// GTP (3GPP GPRS Tunnelling Protocol). Version 1 user plane (GTP-U, TS
// 29.281) carries subscribers' IP packets between radio and core network
// nodes: its G-PDUs are unwrapped into inner flows by the decoder, and the
// outer flow, echoes and end markers included, is `gtp`. Version 2 is the
// control plane (GTPv2-C, TS 29.274): `gtp-c`.
var gtpProtocol = Protocol{
	Name: "gtp", Transports: onUDP,
	// GTPv1 path management (echo) is shared by the user plane and the
	// version 1 control plane on gtp-control's port.
	Registry:   []string{"gtp-user", "gtp-control"},
	OffPort:    SeverityMedium,
	FirstBytes: "a GTP-U header",
	Detectors:  []*Detector{&gtpDetector},
}

var gtpDetector = Detector{
	Name:       "gtp",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		return eitherSide(in, "gtp", gtpCheck)
	},
}

// gtpCheck checks a GTPv1-U message: version 1, protocol type GTP, a user
// plane message type, a length that is the datagram's, optional fields and
// extension headers that fit, and what the type requires: echoes carry a
// sequence number and TEID 0; a G-PDU an IP packet whose own length agrees.
// Only a G-PDU may be longer than the bytes kept (a cut datagram): then
// the lengths cannot be matched and it is Medium.
func gtpCheck(b []byte) (Confidence, evidence) {
	if len(b) < 8 || b[0]&0xf8 != 0x30 {
		return None, evidence{}
	}
	typ, n, teid := b[1], 8+be16(b[2:4]), be32(b[4:8])
	switch typ {
	case 1, 2, 26, 31, 253, 254, 255:
	default:
		return None, evidence{}
	}
	cut := n > len(b)
	if n < len(b) || cut && typ != 255 {
		return None, evidence{}
	}
	off := 8
	if b[0]&0x07 != 0 {
		off = 12
		if off > n || off > len(b) {
			return None, evidence{}
		}
		for next, i := b[11], 0; b[0]&0x04 != 0 && next != 0; i++ {
			if i == 8 || off >= len(b) {
				return None, evidence{}
			}
			l := int(b[off]) * 4
			if l == 0 || off+l > len(b) {
				return None, evidence{}
			}
			next = b[off+l-1]
			off += l
		}
	}
	ev := evidence{b: b[:8]}
	switch typ {
	case 1, 2: // echo request and response: sequence number, TEID 0
		if teid != 0 || b[0]&0x02 == 0 {
			return None, evidence{}
		}
		if typ == 2 && (off+2 > len(b) || b[off] != 14) { // the Recovery IE
			return None, evidence{}
		}
		return High, ev
	case 255:
		p := b[off:]
		if teid == 0 || len(p) == 0 {
			return None, evidence{}
		}
		ipLen := -1
		switch {
		case p[0]>>4 == 4 && p[0]&0x0f >= 5 && len(p) >= 4:
			ipLen = be16(p[2:4])
		case p[0]>>4 == 6 && len(p) >= 6:
			ipLen = 40 + be16(p[4:6])
		}
		switch {
		case ipLen < 0:
			return None, evidence{}
		case cut && ipLen == n-off:
			return Medium, ev
		case !cut && ipLen == len(p):
			return High, ev
		}
		return None, evidence{}
	}
	// Error indication, end marker, the notifications: the header alone.
	return Medium, ev
}

var gtpcProtocol = Protocol{
	Name: "gtp-c", Transports: onUDP,
	Registry:   []string{"gtp-control"},
	OffPort:    SeverityMedium,
	FirstBytes: "a GTPv2-C header",
	Detectors:  []*Detector{&gtpcDetector},
}

var gtpcDetector = Detector{
	Name:       "gtp-c",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		return eitherSide(in, "gtp-c", gtpcCheck)
	},
}

// gtpcCheck checks a GTPv2-C message: version 2, clear spare bits, a
// message type in use, a length that is the datagram's, and information
// elements (type, length, instance, value) that fill it exactly.
func gtpcCheck(b []byte) (Confidence, evidence) {
	if len(b) < 8 || b[0]&0xe0 != 0x40 || b[0]&0x03 != 0 {
		return None, evidence{}
	}
	typ := b[1]
	switch {
	case typ >= 1 && typ <= 3, typ >= 32 && typ <= 73, typ >= 95 && typ <= 191, typ >= 211 && typ <= 240:
	default:
		return None, evidence{}
	}
	// The length counts what follows its field; a piggybacked message
	// (P flag) may follow.
	if n := 4 + be16(b[2:4]); n < len(b) && b[0]&0x10 != 0 {
		b = b[:n]
	} else if n != len(b) {
		return None, evidence{}
	}
	off := 8 // sequence number and spare after the flags, type and length
	if b[0]&0x08 != 0 {
		off = 12 // the TEID first
	}
	if off > len(b) {
		return None, evidence{}
	}
	for off < len(b) {
		if off+4 > len(b) {
			return None, evidence{}
		}
		off += 4 + be16(b[off+1:off+3])
	}
	if off != len(b) {
		return None, evidence{}
	}
	return High, evidence{b: b[:4]}
}
