package service

// DHCP (and BOOTP), recognised by the fixed header and magic cookie.
var dhcpProtocol = Protocol{
	Name: "dhcp", Transports: onUDP,
	Registry:  []string{"bootps", "bootpc"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&dhcpDetector},
}

var dhcpDetector = Detector{
	Name:       "dhcp",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		return eitherSide(in, "dhcp", dhcpCheck)
	},
}

// dhcpMsgTypes names DHCP message types (option 53) 1–8 for evidence.
var dhcpMsgTypes = [...]string{
	"", "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST", "DHCPDECLINE",
	"DHCPACK", "DHCPNAK", "DHCPRELEASE", "DHCPINFORM",
}

// dhcpCheck checks the BOOTP header (op 1 or 2, Ethernet hardware type and
// address length, a sane hop count, only the broadcast flag) and the magic
// cookie at offset 236. Evidence is the message type when option 53 is
// found, else the BOOTP op.
func dhcpCheck(b []byte) (Confidence, evidence) {
	if len(b) < 240 || (b[0] != 1 && b[0] != 2) || b[1] != 1 || b[2] != 6 || b[3] > 16 ||
		b[10]&0x7f != 0 || b[11] != 0 || string(b[236:240]) != "\x63\x82\x53\x63" {
		return None, evidence{}
	}
	ev := evidence{s: "BOOTREQUEST"}
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
		if o[0] == 53 && o[1] == 1 && o[2] >= 1 && int(o[2]) < len(dhcpMsgTypes) {
			return High, evidence{s: dhcpMsgTypes[o[2]]}
		}
		o = o[2+int(o[1]):]
	}
	return High, ev
}
