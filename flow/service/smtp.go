package service

// SMTP, recognised by a 220 greeting naming it or the client's EHLO/HELO.
var smtpProtocol = Protocol{
	Name: "smtp", Transports: onTCP,
	Registry:  []string{"smtp", "submission"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&smtpDetector},
}

var smtpDetector = Detector{Name: "smtp", Transports: onTCP, Detect: detectSMTP}

func detectSMTP(in *Input) (Result, bool) {
	if in == nil || in.Transport != TCP {
		return Result{}, false
	}
	var c, s verdict
	// EHLO/HELO with a space is what every SMTP client sends first.
	if prefixFold(in.Client, "ehlo ") || prefixFold(in.Client, "helo ") {
		c = verdict{High, firstLine(in.Client)}
	}
	if greets(in) && len(in.Server) > 0 {
		switch banner220Kind(in.Server) {
		case banner220SMTP:
			s = verdict{High, firstLine(in.Server)}
		case banner220Unknown:
			// An anonymous 220 is also FTP's; a client that answered
			// with something other than EHLO/HELO settles it.
			if len(in.Client) > 0 && c.conf == None {
				return Result{}, false
			}
			s = verdict{Low, firstLine(in.Server)}
		default:
			return Result{}, false
		}
	}
	return decide("smtp", in, c, s, nil)
}
