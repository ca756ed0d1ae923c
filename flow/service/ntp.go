package service

// NTP, recognised by a request answered in the matching mode, or a mode-7
// response whose item count and size agree with its length.
var ntpProtocol = Protocol{
	Name: "ntp", Transports: onUDP,
	Registry:  []string{"ntp"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&ntpDetector},
}

var ntpDetector = Detector{
	Name:       "ntp",
	Transports: onUDP,
	Detect:     detectNTP,
}

// detectNTP needs both directions to name a flow: a lone 48-byte datagram
// whose first bytes happen to fit is common (KCP, PTP, NetBIOS datagrams
// and QUIC Initials all do), a request answered in the matching mode is
// not. The answer's origin timestamp echoing the request's transmit
// timestamp (RFC 5905 §8) makes it High.
func detectNTP(in *Input) (Result, bool) {
	if in == nil || in.Transport != UDP {
		return Result{}, false
	}
	cm, cok := ntpMode(in.Client)
	sm, sok := ntpMode(in.Server)
	switch {
	case cok && sok && ((cm == 3 && sm == 4) || (cm == 1 && (sm == 1 || sm == 2))):
		conf := Medium
		if string(in.Server[24:32]) == string(in.Client[40:48]) && !allZero(in.Client[40:48]) {
			conf = High
		}
		return newResult("ntp", conf, FromClient, evidence{b: in.Client[:4]}), true
	case ntpPrivateResponse(in.Server):
		return newResult("ntp", Medium, FromServer, evidence{b: in.Server[:4]}), true
	case ntpPrivateResponse(in.Client):
		return newResult("ntp", Medium, FromClient, evidence{b: in.Client[:4]}), true
	case cok && ntpCurrent(in.Client):
		return newResult("ntp", Low, FromClient, evidence{b: in.Client[:4]}), true
	case sok && ntpCurrent(in.Server):
		return newResult("ntp", Low, FromServer, evidence{b: in.Server[:4]}), true
	}
	return Result{}, false
}

// ntpCurrent reports an NTP version deployed today (3 or 4): a lone
// datagram claiming NTPv1 or v2 is more likely another protocol's bytes (a
// QUIC long header's first byte reads as version 1).
func ntpCurrent(b []byte) bool { return b[0]>>3&7 >= 3 }

// ntpMode checks an NTP header: 48 bytes plus 4-byte-aligned extension
// fields or MAC, version 1–4, mode 1–5 (control and private modes are out
// of scope), stratum at most 16 and a poll exponent in the range servers
// and clients use (-7..17).
func ntpMode(b []byte) (byte, bool) {
	if len(b) < 48 || (len(b)-48)%4 != 0 {
		return 0, false
	}
	vn, mode := b[0]>>3&7, b[0]&7
	poll := int8(b[2])
	if vn < 1 || vn > 4 || mode < 1 || mode > 5 || b[1] > 16 || poll < -7 || poll > 17 {
		return 0, false
	}
	return mode, true
}

// ntpPrivateResponse checks a mode-7 (private, ntpdc) response: the
// response bit, version 1-4, implementation 0, 2 or 3 (universal, xntpd
// old and new), and a data area of exactly nitems items of itemsize bytes
// behind the 8-byte header. MON_GETLIST answers to forged requests are a
// classic amplification, so a lone one matters; its lengths agreeing is
// what tells it from random bytes.
func ntpPrivateResponse(b []byte) bool {
	if len(b) < 8 || b[0]&0x87 != 0x87 || b[0]>>3&7 == 0 || b[0]>>3&7 > 4 {
		return false
	}
	if b[2] != 0 && b[2] != 2 && b[2] != 3 {
		return false
	}
	nitems, size := be16(b[4:])&0x0fff, be16(b[6:])&0x0fff
	return b[6]&0xf0 == 0 && nitems > 0 && size > 0 && len(b) == 8+nitems*size
}
