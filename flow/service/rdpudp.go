package service

// RDP's UDP transport (MS-RDPEUDP), recognised by the SYN datagram that
// opens it, zero-padded to 1232 bytes, and the server's SYN+ACK.
var rdpUDPDetector = Detector{
	Name:       "rdp-udp",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		c, s := rdpUDPSyn(in.Client, false), rdpUDPSyn(in.Server, true)
		if c.conf != None && s.conf != None && be32(in.Server) == be32(in.Client[8:]) {
			s.conf = High // the SYN+ACK acknowledges the SYN's initial sequence number
		}
		r, ok := decide("rdp", in, c, s, nil)
		if ok {
			r.Detector = "rdp-udp"
		}
		return r, ok
	},
}

// RDPUDP_FEC_HEADER flags (MS-RDPEUDP 2.2.2.1).
const (
	rdpUDPSynFlag = 0x0001
	rdpUDPAckFlag = 0x0004
	rdpUDPFlags   = 0x1f7f // every flag defined, RDPUDP_FLAG_SACK_OPTION (0x0080) aside
)

// rdpUDPSyn checks a SYN (client: snSourceAck -1, SYN without ACK) or
// SYN+ACK (server) datagram of 1232 bytes: its flags defined ones, a
// receive window, then RDPUDP_SYNDATA_PAYLOAD's initial sequence number and
// up- and downstream MTUs of 1132 to 1232. A SYN is High: -1, the flags
// and two MTUs in range in a datagram of exactly that size; a SYN+ACK
// alone Medium.
func rdpUDPSyn(b []byte, server bool) verdict {
	if len(b) != 1232 {
		return verdict{}
	}
	flags := be16(b[6:])
	if flags&^rdpUDPFlags != 0 || flags&rdpUDPSynFlag == 0 || be16(b[4:]) == 0 {
		return verdict{}
	}
	up, down := be16(b[12:]), be16(b[14:])
	if up < 1132 || up > 1232 || down < 1132 || down > 1232 {
		return verdict{}
	}
	if server {
		if flags&rdpUDPAckFlag == 0 {
			return verdict{}
		}
		return verdict{Medium, b[:8]}
	}
	if flags&rdpUDPAckFlag != 0 || be32(b) != 0xffffffff {
		return verdict{}
	}
	return verdict{High, b[:8]}
}
