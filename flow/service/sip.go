package service

// SIP, recognised by its request or status line.
var sipProtocol = Protocol{
	Name: "sip", Transports: onBoth,
	Registry:  []string{"sip"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&sipDetector},
}

var sipDetector = Detector{
	Name:       "sip",
	Transports: onBoth,
	Detect: func(in *Input) (Result, bool) {
		return eitherSide(in, "sip", sipLine)
	},
}

var sipMethods = []string{
	"INVITE", "REGISTER", "OPTIONS", "ACK", "BYE", "CANCEL", "SUBSCRIBE",
	"NOTIFY", "MESSAGE", "INFO", "PRACK", "UPDATE", "REFER", "PUBLISH",
}

var sipSchemes = []string{"SIP:", "SIPS:", "TEL:"}

func sipLine(b []byte) (Confidence, evidence) {
	return startLine(b, sipMethods, sipSchemes, false, "SIP/2.0")
}
