package service

// SMB1/2/3, recognised by its header behind a NetBIOS session (or direct
// TCP) header, or over UDP in a NetBIOS datagram (mailslots: the browser
// announcements every Windows host broadcasts). File sharing: off its
// ports it matters most.
var smbProtocol = Protocol{
	Name: "smb", Transports: onBoth,
	// netbios-dgm (udp/138) carries SMB mailslot messages.
	Registry:  []string{"microsoft-ds", "netbios-ssn", "netbios-dgm"},
	OffPort:   SeverityHigh,
	Detectors: []*Detector{&smbDetector, &smbDatagramDetector},
}

// smbDatagramDetector finds SMB in a NetBIOS datagram.
var smbDatagramDetector = Detector{Name: "smb-datagram", Transports: onUDP, Detect: detectSMBDatagram}

// detectSMBDatagram checks a NetBIOS datagram (RFC 1002 §4.4.2: direct
// unique, direct group or broadcast, a first and only fragment at offset
// 0) whose length field agrees with the datagram, whose two names are
// NetBIOS-encoded, and whose user data is an SMB header. Every field
// agreeing, it is High.
func detectSMBDatagram(in *Input) (Result, bool) {
	if in == nil || in.Transport != UDP {
		return Result{}, false
	}
	r, ok := decide("smb", in, smbDatagram(in.Client), smbDatagram(in.Server), nil)
	if ok {
		r.Detector = "smb-datagram"
	}
	return r, ok
}

func smbDatagram(b []byte) verdict {
	// Header (14 bytes), two names of 34 bytes at least, an SMB header.
	if len(b) < 14+34+34+4 || b[0] < 0x10 || b[0] > 0x12 || b[1]&0x02 == 0 || be16(b[12:]) != 0 ||
		be16(b[10:]) != len(b)-14 {
		return verdict{}
	}
	off := 14
	for range 2 {
		end, ok := nbEncodedName(b, off)
		if !ok {
			return verdict{}
		}
		off = end
	}
	if len(b) < off+4 || string(b[off:off+4]) != "\xffSMB" {
		return verdict{}
	}
	return verdict{High, b[off : off+4]}
}

// nbEncodedName checks a NetBIOS name at off (RFC 1001 §14.1: a 32-byte
// label of the letters A to P, then scope labels, then a zero byte) and
// returns where it ends.
func nbEncodedName(b []byte, off int) (int, bool) {
	if off+34 > len(b) || b[off] != 32 {
		return 0, false
	}
	for _, c := range b[off+1 : off+33] {
		if c < 'A' || c > 'P' {
			return 0, false
		}
	}
	off += 33
	for n := 0; off < len(b) && n < 16; n++ {
		l := int(b[off])
		if l == 0 {
			return off + 1, true
		}
		if l > 63 || off+1+l > len(b) {
			return 0, false
		}
		off += 1 + l
	}
	return 0, false
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
