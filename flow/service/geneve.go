package service

// Geneve, recognised by its header, options and the frame it carries.
var geneveProtocol = Protocol{
	Name: "geneve", Transports: onUDP,
	Registry:  []string{"geneve"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&geneveDetector},
}

var geneveDetector = Detector{
	Name:       "geneve",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		return eitherSide(in, "geneve", geneveCheck)
	},
}

// geneveCheck checks version 0, clear reserved bits, a protocol type a tunnel
// carries and an options area that its own TLVs fill exactly. An inner
// frame or packet that fits the protocol type makes it High; one too short
// to judge leaves it Medium, and one that contradicts it rejects.
func geneveCheck(b []byte) (Confidence, evidence) {
	if len(b) < 8 || b[0]>>6 != 0 || b[1]&0x3f != 0 || b[7] != 0 {
		return None, evidence{}
	}
	optLen := int(b[0]&0x3f) * 4
	if b[1]&0x40 != 0 && optLen == 0 { // critical-options flag with no options
		return None, evidence{}
	}
	hl := 8 + optLen
	if len(b) < hl {
		return None, evidence{}
	}
	i := 8
	for i < hl {
		if i+4 > hl {
			return None, evidence{}
		}
		i += 4 + int(b[i+3]&0x1f)*4
	}
	if i != hl {
		return None, evidence{}
	}
	inner := b[hl:]
	ev := evidence{b: b[:8]}
	var fits bool
	switch t := be16(b[2:4]); t {
	case 0x6558: // Transparent Ethernet Bridging
		if len(inner) < 14 {
			return Medium, ev // too short to judge the frame
		}
		fits = innerEthernet(inner)
	case 0x0800, 0x86dd:
		if len(inner) == 0 {
			return Medium, ev
		}
		fits = innerIP(t, inner)
	default:
		return None, evidence{}
	}
	if !fits {
		return None, evidence{}
	}
	return High, ev
}
