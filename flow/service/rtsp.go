package service

// RTSP, recognised by its request or status line.
var rtspProtocol = Protocol{
	Name: "rtsp", Transports: onTCP,
	Registry: []string{"rtsp"},
	// 8554: IANA's rtsp-alt, the usual alternate (live555, MediaMTX).
	Alternates: []uint16{8554},
	OffPort:    SeverityMedium,
	Detectors:  []*Detector{&rtspDetector},
}

var rtspDetector = Detector{
	Name:       "rtsp",
	Transports: onTCP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != TCP {
			return Result{}, false
		}
		return eitherSide(in, "rtsp", rtspLine)
	},
}

var rtspMethods = []string{
	"OPTIONS", "DESCRIBE", "SETUP", "PLAY", "PAUSE", "TEARDOWN", "ANNOUNCE",
	"RECORD", "GET_PARAMETER", "SET_PARAMETER", "REDIRECT", "PLAY_NOTIFY",
}

var rtspSchemes = []string{"RTSP://", "RTSPS://", "RTSPU://"}

func rtspLine(b []byte) (Confidence, evidence) {
	if c, e := startLine(b, rtspMethods, rtspSchemes, true, "RTSP/1.0"); c != None {
		return c, e
	}
	return startLine(b, rtspMethods, rtspSchemes, true, "RTSP/2.0")
}
