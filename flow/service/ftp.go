package service

// FTP control, recognised by a 220 greeting naming it or a first command.
// File transfer: off its port it matters most.
var ftpProtocol = Protocol{
	Name: "ftp", Transports: onTCP,
	Registry:  []string{"ftp"},
	OffPort:   SeverityHigh,
	Detectors: []*Detector{&ftpDetector},
}

var ftpDetector = Detector{Name: "ftp", Transports: onTCP, Detect: detectFTP}

// ftpCommand grades a client's first FTP command: AUTH TLS/SSL (RFC 4217)
// and FEAT are FTP's own; USER is shared with POP3, so only Low alone.
func ftpCommand(b []byte) Confidence {
	switch {
	case command(b, "auth tls"), command(b, "auth ssl"), command(b, "feat"):
		return Medium
	case prefixFold(b, "user ") && oneArg(b[5:]):
		return Low
	}
	return None
}

func detectFTP(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	c := verdict{ftpCommand(in.Client), firstLine(in.Client)}
	var s verdict
	if greets(in) && len(in.Server) > 0 {
		switch banner220Kind(in.Server) {
		case banner220FTP:
			s = verdict{High, firstLine(in.Server)}
		case banner220Unknown:
			switch {
			case len(in.Client) == 0:
				s = verdict{Low, firstLine(in.Server)}
			case c.conf == None:
				return Result{}, false
			default:
				// An FTP command after an anonymous 220 rules out SMTP
				// (and POP3, which greets with +OK).
				c.conf = Medium
			}
		default:
			return Result{}, false
		}
	}
	return decide("ftp", in, c, s, nil)
}
