package service

import "bytes"

// SSH, recognised by the identification string either side sends first.
// Remote access: off its port it matters most.
var sshProtocol = Protocol{
	Name: "ssh", Transports: onTCP,
	Registry: []string{"ssh"},
	OffPort:  SeverityHigh, FirstBytes: "an SSH identification string", Meta: MetaSSH,
	Detectors: []*Detector{&sshDetector},
}

var sshDetector = Detector{Name: "ssh", Transports: onTCP, Detect: detectSSH}

func detectSSH(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	return decide("ssh", in, sshIdent(in.Client, false), sshIdent(in.Server, true), nil)
}

// sshIdent finds "SSH-protoversion-softwareversion". A server may send
// other lines before it (RFC 4253 §4.2), so a few are skipped there.
func sshIdent(b []byte, server bool) verdict {
	for i := 0; i < 8 && len(b) > 0; i++ {
		if s := sshLine(b); s.conf != None || !server {
			return s
		}
		nl := bytes.IndexByte(head(b, 256), '\n')
		if nl < 0 {
			break
		}
		b = b[nl+1:]
	}
	return verdict{}
}

// sshLine checks one identification line: 2.0, 1.99 (either) and 1.5
// are the versions deployed; another digits.digits version is Medium, as
// is an identification the buffer ends inside of.
func sshLine(b []byte) verdict {
	if !hasPrefix(b, "SSH-") {
		return verdict{}
	}
	v := b[4:]
	for _, known := range [...]string{"2.0-", "1.99-", "1.5-"} {
		if hasPrefix(v, known) {
			return verdict{High, firstLine(b)}
		}
		if len(v) > 0 && isPrefixOf(v, known) {
			return verdict{Medium, firstLine(b)}
		}
	}
	// Some other version: digits "." digits "-".
	i := 0
	for i < len(v) && i < 4 && isDigit(v[i]) {
		i++
	}
	if i == 0 || i == len(v) || v[i] != '.' {
		return verdict{}
	}
	j := i + 1
	for j < len(v) && j < i+5 && isDigit(v[j]) {
		j++
	}
	if j == i+1 || j == len(v) || v[j] != '-' {
		return verdict{}
	}
	return verdict{Medium, firstLine(b)}
}
