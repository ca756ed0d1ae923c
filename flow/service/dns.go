package service

// DNS over UDP and TCP, recognised by its header and first name. mDNS
// and LLMNR share the format: they refine it (mdns.go).
var dnsProtocol = Protocol{
	Name: "dns", Transports: onBoth,
	Registry:  []string{"domain"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&dnsDetector},
}

// dnsDetector parses a DNS message's header and first name, over UDP or
// over TCP with its 2-byte length prefix.
var dnsDetector = Detector{Name: "dns", Transports: onBoth, Detect: detectDNS}

func detectDNS(in *Input) (Result, bool) {
	if in == nil || (in.Transport != UDP && in.Transport != TCP) {
		return Result{}, false
	}
	tcp := in.Transport == TCP
	return decide("dns", in, dnsSide(in.Client, tcp, false), dnsSide(in.Server, tcp, true), dnsDotted)
}

// dnsSide checks a DNS message and returns its first name as evidence: High
// for a query from the client or a response from the server with a parsed
// question, Medium when the roles are the other way round or when a
// response has no question (mDNS announcements).
func dnsSide(b []byte, tcp, server bool) verdict {
	size := len(b)
	if tcp {
		if len(b) < 2 {
			return verdict{}
		}
		size = be16(b)
		b = head(b[2:], size)
	}
	if size < 12 || len(b) < 12 {
		return verdict{}
	}
	qr := b[2]&0x80 != 0
	op := b[2] >> 3 & 0xf
	rcode := b[3] & 0xf
	// Opcodes: query, inverse query, status, notify, update. The Z bit is
	// zero. A query carries no error code; responses use 0..10 without
	// EDNS.
	if op == 3 || op > 5 || b[3]&0x40 != 0 || (!qr && rcode != 0) || rcode > 10 {
		return verdict{}
	}
	qd, an, ns, ar := be16(b[4:]), be16(b[6:]), be16(b[8:]), be16(b[10:])
	// A question takes at least 5 bytes and a record 11: the counts must
	// fit in the message.
	if qd > 4 || 12+5*qd+11*(an+ns+ar) > size {
		return verdict{}
	}
	var conf Confidence
	end, ok := dnsName(b, 12)
	switch {
	case !ok:
		return verdict{}
	case qd > 0:
		if end+4 > len(b) {
			return verdict{}
		}
		typ, class := be16(b[end:]), be16(b[end+2:])
		if !dnsType(typ) || !dnsClass(class) || nbnsName(b[12:end], typ) {
			return verdict{}
		}
		conf = High
	case qr && an > 0:
		// No question: the name opens the first answer record.
		if end+10 > len(b) {
			return verdict{}
		}
		typ, class, rdlen := be16(b[end:]), be16(b[end+2:]), be16(b[end+8:])
		if !dnsType(typ) || !dnsClass(class) || end+10+rdlen > size || nbnsName(b[12:end], typ) {
			return verdict{}
		}
		conf = Medium
	default:
		return verdict{}
	}
	if qr != server {
		conf = min(conf, Medium)
	}
	return verdict{conf, b[12:end]}
}

// dnsName walks the uncompressed name at b[off:] and returns the offset
// past its root label. The first name of a message has nothing earlier to
// point to, so a compression pointer there is invalid, as are the obsolete
// 0x40/0x80 label types and control characters.
func dnsName(b []byte, off int) (end int, ok bool) {
	total := 0
	for {
		if off >= len(b) {
			return 0, false
		}
		l := int(b[off])
		if l == 0 {
			return off + 1, true
		}
		total += 1 + l
		// Labels up to 63 bytes, names up to 255 with the root byte.
		if l > 63 || total > 254 || off+1+l > len(b) {
			return 0, false
		}
		for _, c := range b[off+1 : off+1+l] {
			if c < 0x20 || c == 0x7f {
				return 0, false
			}
		}
		off += 1 + l
	}
}

// dnsType accepts the assigned TYPE/QTYPE range, TA and DLV, and the
// private-use range.
func dnsType(t int) bool {
	return (t > 0 && t <= 260) || t == 32768 || t == 32769 || (t >= 65280 && t <= 65534)
}

// dnsClass accepts IN, CH, HS, NONE and ANY; mDNS sets the top bit of IN
// (unicast-response in a question, cache-flush in a record).
func dnsClass(c int) bool {
	switch c {
	case 1, 3, 4, 254, 255, 0x8001:
		return true
	}
	return false
}

// nbnsName reports a NetBIOS name-service question: the same message
// format, but a 32-letter encoded name and type NB or NBSTAT. It is not DNS.
func nbnsName(name []byte, typ int) bool {
	if (typ != 0x20 && typ != 0x21) || len(name) < 34 || name[0] != 32 {
		return false
	}
	for _, c := range name[1:33] {
		if c < 'A' || c > 'P' {
			return false
		}
	}
	return true
}

// dnsDotted writes a wire-format name checked by dnsName in dotted
// form, "." for the root.
func dnsDotted(w []byte) string {
	var buf [256]byte
	n := 0
	for i := 0; i < len(w) && w[i] != 0; {
		l := int(w[i])
		i++
		if i+l > len(w) {
			l = len(w) - i
		}
		if n > 0 && n < len(buf) {
			buf[n] = '.'
			n++
		}
		n += copy(buf[n:], w[i:i+l])
		i += l
	}
	if n == 0 {
		return "."
	}
	return string(buf[:n])
}
