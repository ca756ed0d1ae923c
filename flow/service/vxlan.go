package service

// VXLAN, recognised by its header and the Ethernet frame it carries.
var vxlanProtocol = Protocol{
	Name: "vxlan", Transports: onUDP,
	Registry: []string{"vxlan"},
	// 8472: Linux's VXLAN default, older than IANA's 4789 (IANA gives
	// 8472 to otv).
	Alternates: []uint16{8472},
	OffPort:    SeverityMedium,
	Detectors:  []*Detector{&vxlanDetector},
}

var vxlanDetector = Detector{
	Name:       "vxlan",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		return eitherSide(in, "vxlan", vxlanCheck)
	},
}

// vxlanCheck checks the 8-byte header (only the I flag set, reserved bytes
// zero) and the Ethernet frame it must carry.
func vxlanCheck(b []byte) (Confidence, evidence) {
	if len(b) < 8+14 || b[0] != 0x08 || b[1]|b[2]|b[3]|b[7] != 0 || !innerEthernet(b[8:]) {
		return None, evidence{}
	}
	return High, evidence{b: b[:8]}
}
