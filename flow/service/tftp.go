package service

// TFTP (RFC 1350, options RFC 2347), recognised by a read or write
// request: the file's name and a transfer mode, each ending in a NUL.
// The transfer itself runs between two other ports, so only the request
// to the server's port is named.
var tftpProtocol = Protocol{
	Name: "tftp", Transports: onUDP,
	Registry:   []string{"tftp"},
	OffPort:    SeverityHigh,
	FirstBytes: "a TFTP request",
	Detectors:  []*Detector{&tftpDetector},
}

var tftpDetector = Detector{
	Name:       "tftp",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		return eitherSide(in, "tftp", tftpRequest)
	},
}

// tftpRequest checks opcode 1 (RRQ) or 2 (WRQ), a printable file name,
// then mode netascii, octet or mail (any case), then option and value
// pairs, each NUL-terminated, to the datagram's end. The evidence is the
// file name.
func tftpRequest(b []byte) (Confidence, evidence) {
	if len(b) < 4 || b[0] != 0 || (b[1] != 1 && b[1] != 2) {
		return None, evidence{}
	}
	name, rest, ok := tftpString(b[2:])
	if !ok || len(name) == 0 {
		return None, evidence{}
	}
	mode, rest, ok := tftpString(rest)
	if !ok || !(equalFold(mode, "netascii") || equalFold(mode, "octet") || equalFold(mode, "mail")) {
		return None, evidence{}
	}
	for len(rest) > 0 {
		if _, rest, ok = tftpString(rest); !ok {
			return None, evidence{}
		}
	}
	return High, evidence{b: head(name, 64)}
}

// tftpString splits a NUL-terminated printable string off b.
func tftpString(b []byte) (s, rest []byte, ok bool) {
	for i, c := range b {
		if c == 0 {
			return b[:i], b[i+1:], true
		}
		if c < 0x20 || c == 0x7f {
			return nil, nil, false
		}
	}
	return nil, nil, false
}
