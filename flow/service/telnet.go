package service

// Telnet, recognised by the option negotiation (RFC 854, 855) both sides
// open with. Remote access: off its port it matters most.
var telnetProtocol = Protocol{
	Name: "telnet", Transports: onTCP,
	Registry:  []string{"telnet"},
	OffPort:   SeverityHigh,
	Detectors: []*Detector{&telnetDetector},
}

var telnetDetector = Detector{
	Name:       "telnet",
	Transports: onTCP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != TCP {
			return Result{}, false
		}
		return eitherSide(in, "telnet", telnetNegotiation)
	},
}

// Telnet command bytes.
const (
	telnetIAC  = 0xff // interpret as command
	telnetSE   = 0xf0 // end of subnegotiation
	telnetSB   = 0xfa // start of subnegotiation
	telnetWILL = 0xfb // WILL, WONT, DO, DONT: 0xfb to 0xfe
	telnetDONT = 0xfe
)

// telnetOption reports whether o is an option IANA lists (0–49, the three
// of 138–140, and EXOPL): random bytes after an IAC rarely are.
func telnetOption(o byte) bool { return o <= 49 || (o >= 138 && o <= 140) || o == 255 }

// telnetNegotiation counts the commands a direction opens with: IAC
// WILL/WONT/DO/DONT option, or IAC SB option ... IAC SE. Two or more are
// High (clients and servers send a burst of them); one alone, three bytes,
// is only Low.
func telnetNegotiation(b []byte) (Confidence, evidence) {
	n, i := 0, 0
	for i+2 < len(b) && b[i] == telnetIAC && telnetOption(b[i+2]) {
		c := b[i+1]
		if c >= telnetWILL && c <= telnetDONT {
			i += 3
			n++
			continue
		}
		if c != telnetSB {
			break
		}
		end := -1
		for j := i + 3; j+1 < len(b); j++ {
			if b[j] == telnetIAC && b[j+1] == telnetSE {
				end = j + 2
				break
			}
		}
		if end < 0 {
			break // cut by the buffer
		}
		i = end
		n++
	}
	switch {
	case n >= 2:
		return High, evidence{b: head(b[:i], 16)}
	case n == 1:
		return Low, evidence{b: head(b[:i], 16)} // a subnegotiation may be long
	}
	return None, evidence{}
}
