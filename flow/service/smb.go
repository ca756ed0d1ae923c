package service

// SMB1/2/3, recognised by its header behind a NetBIOS session (or direct
// TCP) header. File sharing: off its ports it matters most.
var smbProtocol = Protocol{
	Name: "smb", Transports: onTCP,
	Registry:  []string{"microsoft-ds", "netbios-ssn"},
	OffPort:   SeverityHigh,
	Detectors: []*Detector{&smbDetector},
}

var smbDetector = Detector{Name: "smb", Transports: onTCP, Detect: detectSMB}

func detectSMB(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	return decide("smb", in, smbSide(in.Client, true), smbSide(in.Server, false), nil)
}

// smbSide checks a NetBIOS session message (type 0, length up to 24 bits as
// SMB2 over direct TCP allows) holding an SMB header, or the NetBIOS
// session request a client sends first on port 139 before SMB.
func smbSide(b []byte, client bool) verdict {
	if client && len(b) > 0 && b[0] == 0x81 {
		return nbSessionRequest(b)
	}
	if len(b) < 8 || b[0] != 0 || string(b[5:8]) != "SMB" {
		return verdict{}
	}
	n := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	ev := b[:8]
	switch b[4] {
	case 0xff: // SMB1, 32-byte header
		if n >= 32 {
			return verdict{High, ev}
		}
	case 0xfe: // SMB2/3, 64-byte header whose StructureSize says 64
		if n >= 64 && (len(b) < 10 || (b[8] == 64 && b[9] == 0)) {
			return verdict{High, ev}
		}
	case 0xfd, 0xfc: // SMB3 encryption (52 bytes) or compression header
		if n >= 16 {
			return verdict{Medium, ev}
		}
	}
	return verdict{}
}

// nbSessionRequest checks a NetBIOS session request: two names, each 32
// letters A..P (RFC 1002 first-level encoding). Medium: it says NetBIOS,
// and SMB is what NetBIOS sessions carry in practice.
func nbSessionRequest(b []byte) verdict {
	if len(b) < 5 || b[1] != 0 || be16(b[2:]) < 68 || b[4] != 32 {
		return verdict{}
	}
	for i := 5; i < 37; i++ {
		if i == len(b) {
			return verdict{Low, b[:5]}
		}
		if b[i] < 'A' || b[i] > 'P' {
			return verdict{}
		}
	}
	return verdict{Medium, b[:5]}
}
