package service

// NetBIOS name service (RFC 1001/1002), recognised by a DNS-like header
// whose first name is a NetBIOS name in first-level encoding (32 letters
// A-P) with type NB or NBSTAT. The dns detector refuses these names.
var nbnsProtocol = Protocol{
	Name: "nbns", Transports: onUDP,
	Registry:   []string{"netbios-ns"},
	OffPort:    SeverityMedium,
	FirstBytes: "a NetBIOS name service message",
	Detectors:  []*Detector{&nbnsDetector},
}

var nbnsDetector = Detector{
	Name:       "nbns",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		return decide("nbns", in, nbnsSide(in.Client), nbnsSide(in.Server), nbnsName16)
	},
}

// nbnsSide checks a name service packet: opcode query, registration,
// release, WACK, refresh or multi-homed registration; the reserved flag
// bits clear; a question (requests) or one answer record (responses,
// which carry no question); the encoded name, any scope labels after it,
// then type NB (0x20) or NBSTAT (0x21) and class IN. Its evidence is the
// 32 encoded letters.
func nbnsSide(b []byte) verdict {
	if len(b) < 12+34+4 {
		return verdict{}
	}
	switch b[2] >> 3 & 0xf {
	case 0, 5, 6, 7, 8, 9:
	default:
		return verdict{}
	}
	qd, an, ns, ar := be16(b[4:]), be16(b[6:]), be16(b[8:]), be16(b[10:])
	if b[3]&0x60 != 0 || qd+an != 1 || ns > 1 || ar > 1 {
		return verdict{}
	}
	if b[12] != 32 {
		return verdict{}
	}
	for _, c := range b[13:45] {
		if c < 'A' || c > 'P' {
			return verdict{}
		}
	}
	end, ok := dnsName(b, 12)
	if !ok || end+4 > len(b) {
		return verdict{}
	}
	if typ := be16(b[end:]); (typ != 0x20 && typ != 0x21) || be16(b[end+2:]) != 1 {
		return verdict{}
	}
	return verdict{High, b[13:45]}
}

// nbnsName16 decodes a first-level encoded name into its 15 characters,
// trailing spaces trimmed, and its suffix: "WORKGROUP<00>".
func nbnsName16(enc []byte) string {
	var buf [15 + 4]byte
	n := 0
	for i := 0; i+1 < len(enc) && i < 30; i += 2 {
		buf[n] = (enc[i]-'A')<<4 | (enc[i+1] - 'A')
		n++
	}
	for n > 0 && buf[n-1] == ' ' {
		n--
	}
	const hexdigits = "0123456789abcdef"
	if len(enc) >= 32 {
		s := (enc[30]-'A')<<4 | (enc[31] - 'A')
		buf[n], buf[n+1], buf[n+2], buf[n+3] = '<', hexdigits[s>>4], hexdigits[s&15], '>'
		n += 4
	}
	return string(buf[:n])
}
