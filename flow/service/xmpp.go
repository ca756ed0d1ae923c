package service

// XMPP (Jabber, RFC 6120), recognised by the stream header both sides open
// with: an optional XML declaration, then <stream:stream in the streams
// namespace.
var xmppProtocol = Protocol{
	Name: "xmpp", Transports: onTCP,
	Registry:  []string{"xmpp-client", "xmpp-server"},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&xmppDetector, &xmppMidStreamDetector},
}

var xmppDetector = Detector{
	Name:       "xmpp",
	Transports: onTCP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != TCP {
			return Result{}, false
		}
		return eitherSide(in, "xmpp", xmppStream)
	},
}

// xmppNS are the namespaces a stream header declares: the streams
// namespace (its prefix bound on the element) and the content namespace
// (jabber:client or jabber:server).
var xmppNS = [...]string{"http://etherx.jabber.org/streams", "jabber:client", "jabber:server"}

// xmppStream finds <stream:stream at the start of a side (after an XML
// declaration and white space): High once the start tag declares one of
// the XMPP namespaces, Medium before (or without) it. An XML declaration
// alone names nothing: any XML protocol starts so.
func xmppStream(b []byte) (Confidence, evidence) {
	i := 0
	if hasPrefix(b, "<?xml") {
		end := -1
		for j := 5; j+1 < len(b) && j < 128; j++ {
			if b[j] == '?' && b[j+1] == '>' {
				end = j + 2
				break
			}
		}
		if end < 0 {
			return None, evidence{}
		}
		i = end
	}
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	const tag = "<stream:stream"
	if !hasPrefix(b[i:], tag) || len(b) == i+len(tag) || (b[i+len(tag)] != ' ' && b[i+len(tag)] != '\t' &&
		b[i+len(tag)] != '\r' && b[i+len(tag)] != '\n' && b[i+len(tag)] != '>') {
		return None, evidence{}
	}
	start := b[i:]
	t := head(start, bannerScan)
	for j, c := range t {
		if c == '>' {
			t = t[:j]
			break
		}
	}
	for _, ns := range xmppNS {
		if indexFold(t, ns) >= 0 {
			return High, evidence{b: head(start, 64)}
		}
	}
	return Medium, evidence{b: head(start, 64)}
}

// xmppMidStreamDetector finds XMPP in a connection joined late, after its
// stream headers: a side that starts with a stanza (<iq, <presence or
// <message) carrying a Jabber namespace in its first bytes, or with the
// stream's end tag. Other XML could start so, hence Medium.
var xmppMidStreamDetector = Detector{
	Name:       "xmpp-midstream",
	Transports: onTCP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != TCP || !in.MidStream {
			return Result{}, false
		}
		r, ok := eitherSide(in, "xmpp", xmppStanza)
		if ok {
			r.Detector = "xmpp-midstream"
		}
		return r, ok
	},
}

// xmppStanzas are the top-level elements of an XMPP stream (RFC 6120 8).
var xmppStanzas = [...]string{"<iq", "<presence", "<message"}

func xmppStanza(b []byte) (Confidence, evidence) {
	if hasPrefix(b, "</stream:stream>") {
		return Medium, evidence{b: b[:16]}
	}
	for _, s := range xmppStanzas {
		if !hasPrefix(b, s) || len(b) == len(s) || (b[len(s)] != ' ' && b[len(s)] != '>') {
			continue
		}
		if t := head(b, bannerScan); indexFold(t, "jabber:") >= 0 || indexFold(t, "jabber.org/") >= 0 {
			return Medium, evidence{b: firstLine(b)}
		}
	}
	return None, evidence{}
}
