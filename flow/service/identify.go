package service

// excerpt returns up to max bytes of b as evidence (raw bytes; the report
// escapes them before they reach a terminal or a CSV cell).
func excerpt(b []byte, max int) string {
	if len(b) > max {
		b = b[:max]
	}
	return string(b)
}

// line returns b up to its first CR or LF (at most max bytes).
func line(b []byte, max int) []byte {
	for i, c := range b {
		if c == '\r' || c == '\n' || i == max {
			return b[:i]
		}
	}
	if len(b) > max {
		return b[:max]
	}
	return b
}

// detectors lists every detector in priority order: when two are equally
// sure, the earlier wins. Protocols with a magic or a version string come
// first; those recognised by plausible structure alone (NTP, DNS) last.
var detectors = []Detector{
	tlsDetector, quicDetector, sshDetector, http2Detector, httpDetector, rtspDetector, sipDetector,
	rdpDetector, smbDetector, mysqlDetector, postgresqlDetector, redisDetector, mqttDetector,
	bittorrentDetector, wireguardDetector, openvpnDetector, vxlanDetector, geneveDetector, dhcpDetector,
	snmpDetector, smtpDetector, imapDetector, pop3Detector, ftpDetector, socksDetector, dnsDetector, ntpDetector,
}

// Identify runs the detectors for the input's transport and returns the
// most confident verdict.
func Identify(in *Input) (Result, bool) {
	var best Result
	for i := range detectors {
		d := &detectors[i]
		if !d.handles(in.Transport) {
			continue
		}
		if r, ok := d.Detect(in); ok && r.Confidence > best.Confidence {
			if r.Detector == "" {
				r.Detector = d.Name
			}
			best = r
			if best.Confidence == High {
				break
			}
		}
	}
	return best, best.Confidence > None
}

func (d *Detector) handles(t Transport) bool {
	for _, x := range d.Transports {
		if x == t {
			return true
		}
	}
	return false
}
