package service

// MQTT, recognised by the client's CONNECT.
var mqttProtocol = Protocol{
	Name: "mqtt", Transports: onTCP,
	Registry:  []string{"mqtt"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&mqttDetector},
}

var mqttDetector = Detector{
	Name:       "mqtt",
	Transports: onTCP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != TCP {
			return Result{}, false
		}
		if r, ok := eitherSide(in, "mqtt", mqttConnect); ok {
			return r, true
		}
		// Four bytes of CONNACK are too little to stand on without the
		// client's CONNECT: only when the client's bytes are missing.
		if s := in.Server; len(in.Client) == 0 && len(s) >= 4 && s[0] == 0x20 && s[1] == 2 && s[2] <= 1 && s[3] <= 5 {
			return newResult("mqtt", Low, FromServer, evidence{b: s[:4]}), true
		}
		return Result{}, false
	},
}

// mqttConnect recognises a CONNECT packet: type 1 with no flags, a
// remaining-length varint, the protocol name and level, and connect flags
// whose reserved bit is clear and whose will and password bits agree.
func mqttConnect(b []byte) (Confidence, evidence) {
	if len(b) < 2 || b[0] != 0x10 {
		return None, evidence{}
	}
	rl, i := 0, 1
	for shift := 0; ; shift += 7 {
		if i >= len(b) || i > 4 {
			return None, evidence{}
		}
		c := b[i]
		i++
		rl |= int(c&0x7f) << shift
		if c&0x80 == 0 {
			break
		}
	}
	if len(b) < i+2 {
		return None, evidence{}
	}
	nl := be16(b[i:])
	// name length, name, level, flags, keep-alive, client id length
	if nl > 6 || rl < 2+nl+6 || len(b) < i+2+nl+2 {
		return None, evidence{}
	}
	name := b[i+2 : i+2+nl]
	level, flags := b[i+2+nl], b[i+3+nl]
	willQoS := flags >> 3 & 3
	if flags&1 != 0 || willQoS == 3 || (flags&0x04 == 0 && flags&0x38 != 0) {
		return None, evidence{}
	}
	var ev string
	switch {
	case string(name) == "MQTT" && level == 4:
		ev = "MQTT 3.1.1"
	case string(name) == "MQTT" && level == 5:
		ev = "MQTT 5.0"
	case string(name) == "MQIsdp" && level == 3:
		ev = "MQIsdp 3.1"
	default:
		return None, evidence{}
	}
	if level == 4 && flags&0x40 != 0 && flags&0x80 == 0 {
		return None, evidence{} // 3.1.1 forbids a password without a user name
	}
	return High, evidence{s: ev}
}
