package service

// MySQL and MariaDB, recognised by the server's greeting.
var mysqlProtocol = Protocol{
	Name: "mysql", Transports: onTCP,
	Registry:  []string{"mysql"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&mysqlDetector},
}

var mysqlDetector = Detector{
	Name:       "mysql",
	Transports: onTCP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != TCP {
			return Result{}, false
		}
		return eitherSide(in, "mysql", mysqlGreeting)
	},
}

// mysqlGreeting recognises the server's initial handshake packet: a 3-byte
// little-endian length, sequence 0, protocol version 10 and a NUL-ended
// version string. The string must start with a digit and the length must
// leave room for the fixed fields that follow it (thread id, 8 bytes of
// scramble, filler), which a chance match of the first bytes rarely does.
func mysqlGreeting(b []byte) (Confidence, evidence) {
	if len(b) < 7 || b[3] != 0 || b[4] != 10 {
		return None, evidence{}
	}
	n := int(b[0]) | int(b[1])<<8 | int(b[2])<<16
	v := b[5:]
	end := -1
	for i, c := range v {
		if c == 0 {
			end = i
			break
		}
		if c < 0x20 || c > 0x7e || i >= 64 {
			return None, evidence{}
		}
	}
	if end < 1 || !isDigit(v[0]) || n < 1+end+1+4+8+1 || n > 1<<16 {
		return None, evidence{}
	}
	return High, evidence{b: v[:end]}
}
