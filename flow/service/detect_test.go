package service

import (
	"encoding/hex"
	"strings"
	"testing"
)

// aDetectors lists the detectors of detect_a*.go in the priority order
// recommended for the registry: magic strings first, then fully parsed
// binary headers, then text banners that other protocols partly share.
var aDetectors = []*Detector{
	&http2Detector, &tlsDetector, &quicDetector, &sshDetector, &rdpDetector, &smbDetector,
	&httpDetector, &dnsDetector, &smtpDetector, &ftpDetector, &imapDetector, &pop3Detector,
}

type aWant struct {
	service string
	conf    Confidence
	dir     Dir
}

type aSample struct {
	name string
	in   Input
	want aWant // zero for foreign samples
}

// aHex decodes hex, ignoring white space, so samples can wrap.
func aHex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

func aSMB1Negotiate() []byte {
	return aHex(`0000002f ff534d42 72 00000000 18 53c8 0000 0000000000000000 0000
		ffff feff 0000 0000 00 0c00 02 4e54204c4d20302e3132 00`)
}

// aHandSamples are written by hand from the specifications, for forms the
// captures lack.
var aHandSamples = []aSample{
	{
		// HTTP/2 with prior knowledge: the preface, then a SETTINGS frame
		// (ENABLE_PUSH 0, MAX_CONCURRENT_STREAMS 100, INITIAL_WINDOW_SIZE
		// 65535); the server's SETTINGS frame.
		name: "http2-preface",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: append([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
				aHex("000012040000000000 000200000000 000300000064 00040000ffff")...),
			Server: aHex("000006040000000000 000300000080")},
		want: aWant{"http2", High, FromClient},
	},
	{
		// SSLv2-format ClientHello offering TLS 1.0: 9 cipher specs, no
		// session id, a 16-byte challenge; 52 bytes after the header.
		name: "sslv2-client-hello",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: aHex(`8034 01 0301 001b 0000 0010
				000004 010080 030080 0700c0 060040 020080 000035 00002f 0000ff
				8f2a6b1d3e4c5a69780f1e2d3c4b5a69`)},
		want: aWant{"tls", Medium, FromClient},
	},
	{
		// A client tries a greased version (0x1a2a3a4a); the server's
		// Version Negotiation swaps its connection IDs and offers v1, v2
		// and draft-29.
		name: "quic-version-negotiation",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: aHex(`c0 1a2a3a4a 08 1122334455667788 04 55667788
				0000000000000000000000000000000000000000000000000000000000000000`),
			Server: aHex(`ca 00000000 04 55667788 08 1122334455667788 00000001 6b3343cf ff00001d`)},
		want: aWant{"quic", Medium, FromServer},
	},
	{
		// X.224 Connection Request with an mstshash cookie and a
		// negotiation request for TLS and CredSSP.
		name: "rdp-cookie",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: append(aHex("0300002b 26 e0 0000 0000 00"),
				"Cookie: mstshash=admin\r\n\x01\x00\x08\x00\x03\x00\x00\x00"...)},
		want: aWant{"rdp", High, FromClient},
	},
	{
		// SMB1 Negotiate Protocol request offering only "NT LM 0.12".
		name: "smb1-negotiate",
		in:   Input{Transport: TCP, ClientFirst: true, Client: aSMB1Negotiate()},
		want: aWant{"smb", High, FromClient},
	},
	{
		// NetBIOS session request (port 139) that precedes SMB there.
		name: "netbios-session-request",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: aHex(`81000044 20 4345454646454545434143414341434143414341434143414341434143414141 00
				20 4545454645434546434143414341434143414341434143414341434143414341 00`)},
		want: aWant{"smb", Medium, FromClient},
	},
	{
		// A 220 banner naming neither SMTP nor FTP: the EHLO decides.
		name: "smtp-anonymous-banner",
		in: Input{Transport: TCP,
			Client: []byte("EHLO client.example.org\r\n"),
			Server: []byte("220 mail.example.net ready\r\n")},
		want: aWant{"smtp", High, FromClient},
	},
	{
		// The same kind of banner (multi-line) answered with USER: FTP,
		// as POP3 greets with +OK and SMTP clients start with EHLO/HELO.
		name: "ftp-anonymous-banner",
		in: Input{Transport: TCP,
			Client: []byte("USER alice\r\n"),
			Server: []byte("220-Welcome\r\n220 Service ready\r\n")},
		want: aWant{"ftp", Medium, FromClient},
	},
	{
		// POP3 greeting with an APOP timestamp (RFC 1939 §7), then APOP.
		name: "pop3-apop",
		in: Input{Transport: TCP,
			Client: []byte("APOP alice c4c9334bac560ecc979e58001b3e22fb\r\n"),
			Server: []byte("+OK mail.example.org ready <4711.1700000000@mail.example.org>\r\n")},
		want: aWant{"pop3", High, FromServer},
	},
	{
		// Only the client's first IMAP command was captured.
		name: "imap-login-only",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: []byte("a001 LOGIN alice secret\r\n")},
		want: aWant{"imap", Medium, FromClient},
	},
	{
		// mDNS PTR question for _ipp._tcp.local asking for a unicast
		// answer (class 0x8001).
		name: "mdns-query",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: aHex(`0000 0000 0001 0000 0000 0000 045f697070 045f746370 056c6f63616c 00 000c 8001`)},
		want: aWant{"dns", High, FromClient},
	},
	{
		// mDNS announcement: a response with no question, one A record
		// with the cache-flush bit, sent by the flow's originator.
		name: "mdns-announcement",
		in: Input{Transport: UDP, ClientFirst: true,
			Client: aHex(`0000 8400 0000 0001 0000 0000 077072696e746572 056c6f63616c 00
				0001 8001 00000078 0004 c0a80142`)},
		want: aWant{"dns", Medium, FromClient},
	},
	{
		// A server that sends a line before its identification (RFC 4253
		// §4.2), old Cisco style version 1.99.
		name: "ssh-preamble",
		in: Input{Transport: TCP,
			Server: []byte("Welcome to the router\r\nSSH-1.99-Cisco-1.25\r\n")},
		want: aWant{"ssh", High, FromServer},
	},
	{
		// zeek__ipv6-http-atomic-frag.pcap: an HTTP/0.9 request and its
		// bare HTML answer; client frame 16 (15 bytes), server frame 18
		// (88 bytes).
		name: "http-0.9",
		in: Input{Transport: TCP, ClientFirst: true,
			Client: aHex("474554202f6261642e68746d6c0d0a"),
			Server: aHex(`3c68746d6c3e0a093c686561643e0a09093c7469746c653e426164213c2f7469746c653e0a093c2f686561
				643e0a0a093c626f64793e0a09093c68313e426164213c2f68313e0a093c2f626f64793e0a3c2f68746d6c3e0a`)},
		want: aWant{"http", Medium, FromClient},
	},
	{
		// Only the server's status line was captured.
		name: "http-status-only",
		in: Input{Transport: TCP,
			Server: []byte("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")},
		want: aWant{"http", High, FromServer},
	},
}

// aAllSamples is every sample: positives first, then foreign ones.
func aAllSamples() []aSample {
	var all []aSample
	all = append(all, aCaptureSamples...)
	all = append(all, aHandSamples...)
	return append(all, aForeignSamples...)
}

// aSampleIn is the input of the sample called name.
func aSampleIn(name string) Input {
	for _, s := range aAllSamples() {
		if s.name == name {
			return s.in
		}
	}
	panic("no sample " + name)
}

func aDetect(d *Detector, in Input) (Result, bool) { return d.Detect(&in) }

// TestDetectASamples checks each positive sample's verdict from its own
// detector.
func TestDetectASamples(t *testing.T) {
	for _, s := range append(append([]aSample{}, aCaptureSamples...), aHandSamples...) {
		t.Run(s.name, func(t *testing.T) {
			var d *Detector
			for _, x := range aDetectors {
				if x.Name == s.want.service {
					d = x
				}
			}
			if d == nil {
				t.Fatalf("no detector for %q", s.want.service)
			}
			r, ok := aDetect(d, s.in)
			if !ok {
				t.Fatalf("%s: not detected", d.Name)
			}
			if r.Service != s.want.service || r.Detector != d.Name || r.Confidence != s.want.conf || r.Dir != s.want.dir {
				t.Errorf("got %s/%s %v from %v, want %s %v from %v",
					r.Service, r.Detector, r.Confidence, r.Dir, s.want.service, s.want.conf, s.want.dir)
			}
			if r.Evidence == "" {
				t.Errorf("no evidence")
			}
		})
	}
}

// TestDetectAEvidence pins the evidence strings.
func TestDetectAEvidence(t *testing.T) {
	want := map[string]string{
		"tls12-curl":            "\x16\x03\x01\x02\x00\x01",
		"tls13-google-chat":     "\x16\x03\x01\x02\x92\x01",
		"sslv2-client-hello":    "\x80\x34\x01\x03\x01",
		"quic-v1":               "\xc2\x00\x00\x00\x01",
		"quic-v2":               "\xd6\x6b\x33\x43\xcf",
		"ssh-openssh":           "SSH-2.0-OpenSSH_5.3",
		"ssh-preamble":          "SSH-1.99-Cisco-1.25",
		"http-get":              "GET / HTTP/1.1",
		"http-status-only":      "HTTP/1.0 404 Not Found",
		"http2-preface":         "PRI * HTTP/2.0",
		"smtp-sendmail":         "220 pigeon.eyrie.af.mil ESMTP Sendmail 8.8.7/8.8.7; Sat, 7 Aug 1",
		"smtp-anonymous-banner": "EHLO client.example.org",
		"imap-greeting":         "* OK IMAP4Rev1 Server Version 4.9.04.012",
		"pop3-greeting":         "+OK POP server ready H migmxus005",
		"ftp-vsftpd":            "220 (vsFTPd 3.0.3)",
		"ftp-anonymous-banner":  "USER alice",
		"rdp-negreq":            "\x03\x00\x00\x13\x0e\xe0\x00\x00\x00\x00\x00\x01\x00\x08\x00\x0b\x00\x00\x00",
		"rdp-cookie":            "Cookie: mstshash=admin",
		"smb2-negotiate":        "\x00\x00\x01\x78\xfeSMB",
		"dns-tcp":               "www.tcpdump.org",
		"dns-udp-aaaa":          "www.example.com",
		"dns-udp-edns-cd":       "weberlab.de",
		"dns-udp-any":           "www.gleeble.org",
		"mdns-query":            "_ipp._tcp.local",
		"mdns-announcement":     "printer.local",
	}
	for _, s := range aAllSamples() {
		ev, ok := want[s.name]
		if !ok {
			continue
		}
		delete(want, s.name)
		for _, d := range aDetectors {
			if d.Name != s.want.service {
				continue
			}
			if r, _ := aDetect(d, s.in); r.Evidence != ev {
				t.Errorf("%s: evidence %q, want %q", s.name, r.Evidence, ev)
			}
		}
	}
	for name := range want {
		t.Errorf("no sample %s", name)
	}
}

// TestDetectACrossCheck: every detector rejects every sample of another
// protocol, including the foreign ones none of them knows.
func TestDetectACrossCheck(t *testing.T) {
	for _, s := range aAllSamples() {
		for _, d := range aDetectors {
			if d.Name == s.want.service {
				continue
			}
			if r, ok := aDetect(d, s.in); ok {
				t.Errorf("%s: %s claims it: %v from %v, evidence %q", s.name, d.Name, r.Confidence, r.Dir, r.Evidence)
			}
		}
	}
}

// aPrefixes calls f with the states a flow passes through on its way to
// in: both directions cut to the same length, and in time order (the first
// speaker's bytes growing alone, then the other side's).
func aPrefixes(in Input, f func(kind string, n int, p Input)) {
	longest := max(len(in.Client), len(in.Server))
	for n := 0; n < longest; n++ {
		p := in
		p.Client, p.Server = aHead(in.Client, n), aHead(in.Server, n)
		f("both", n, p)
	}
	first, second := &in.Server, &in.Client
	if in.ClientFirst {
		first, second = second, first
	}
	full1, full2 := *first, *second
	for n := 0; n <= len(full1)+len(full2); n++ {
		p := in
		if in.ClientFirst {
			p.Client, p.Server = aHead(full1, n), aHead(full2, max(0, n-len(full1)))
		} else {
			p.Server, p.Client = aHead(full1, n), aHead(full2, max(0, n-len(full1)))
		}
		f("time", n, p)
	}
}

// TestDetectAPrefixes: no prefix of a sample gets a higher confidence from
// its own detector than the whole sample, and other detectors give a
// prefix at most Low (a bare "220 " is honestly ambiguous).
func TestDetectAPrefixes(t *testing.T) {
	for _, s := range aAllSamples() {
		full := map[string]Confidence{}
		for _, d := range aDetectors {
			r, _ := aDetect(d, s.in)
			full[d.Name] = r.Confidence
		}
		aPrefixes(s.in, func(kind string, n int, p Input) {
			for _, d := range aDetectors {
				r, ok := aDetect(d, p)
				if !ok {
					continue
				}
				limit := full[d.Name]
				if d.Name != s.want.service {
					limit = max(limit, Low)
				}
				if r.Confidence > limit {
					t.Errorf("%s %s prefix %d: %s says %v, whole sample %v",
						s.name, kind, n, d.Name, r.Confidence, full[d.Name])
				}
			}
		})
	}
}

// TestDetectATransport: a detector ignores the transport it does not run
// on, and a nil input.
func TestDetectATransport(t *testing.T) {
	for _, s := range aAllSamples() {
		for _, d := range aDetectors {
			other := s.in
			other.Transport = 1 - s.in.Transport
			ok := false
			for _, tr := range d.Transports {
				ok = ok || tr == other.Transport
			}
			if _, got := aDetect(d, other); got && !ok {
				t.Errorf("%s: %s answered over a transport it does not list", s.name, d.Name)
			}
		}
	}
	for _, d := range aDetectors {
		if _, ok := d.Detect(nil); ok {
			t.Errorf("%s: nil input detected", d.Name)
		}
	}
}

// TestDetectAAllocs: a detection allocates at most its evidence string.
func TestDetectAAllocs(t *testing.T) {
	for _, s := range aAllSamples() {
		in := s.in
		for _, d := range aDetectors {
			if n := testing.AllocsPerRun(20, func() { d.Detect(&in) }); n > 1 {
				t.Errorf("%s on %s: %v allocations", d.Name, s.name, n)
			}
		}
	}
}

// TestDetectACases covers the edges the samples do not reach.
func TestDetectACases(t *testing.T) {
	tcp := func(client, server string, clientFirst bool) Input {
		return Input{Transport: TCP, Client: []byte(client), Server: []byte(server), ClientFirst: clientFirst}
	}
	udp := func(client, server string) Input {
		return Input{Transport: UDP, Client: []byte(client), Server: []byte(server), ClientFirst: true}
	}
	// The start of the curl ClientHello and a ServerHello record.
	ch := string(aSampleIn("tls12-curl").Client)
	sh := string(aSampleIn("tls12-curl").Server[:107])
	quic1 := string(aSampleIn("quic-v1").Client)
	dnsQ := string(aSampleIn("mdns-query").Client)
	vn := aSampleIn("quic-version-negotiation").Server
	rdp := aSampleIn("rdp-negreq")
	cases := []struct {
		name string
		d    *Detector
		in   Input
		want Confidence
		dir  Dir
	}{
		{"tls record header and type only", &tlsDetector, tcp(ch[:6], "", true), Medium, FromClient},
		{"tls hello cut after its header", &tlsDetector, tcp(ch[:9], "", true), Medium, FromClient},
		{"tls hello cut after its version", &tlsDetector, tcp(ch[:11], "", true), High, FromClient},
		{"tls first segment of a long hello", &tlsDetector, tcp(ch[:100], "", true), High, FromClient},
		{"tls server hello alone", &tlsDetector, tcp("", sh, false), High, FromServer},
		{"tls hello spread over two records", &tlsDetector,
			tcp("\x16\x03\x01\x00\x80\x01\x00\x01\x00\x03\x03", "", true), Medium, FromClient},
		{"tls client record longer than its hello", &tlsDetector,
			tcp("\x16\x03\x01\x02\x01"+ch[5:], "", true), None, 0},
		{"tls ClientHello from the server", &tlsDetector, tcp("", ch, false), None, 0},
		{"tls ServerHello from the client", &tlsDetector, tcp(sh, "", true), None, 0},
		{"tls application data", &tlsDetector, tcp("\x17\x03\x03\x00\x20\x01\x02", "", true), None, 0},
		{"tls record version 3.5", &tlsDetector, tcp("\x16\x03\x05"+ch[3:], "", true), None, 0},
		{"tls oversized record", &tlsDetector, tcp("\x16\x03\x01\x50\x00\x01", "", true), None, 0},
		{"tls hello with a 33-byte session id", &tlsDetector,
			tcp(ch[:43]+"\x21"+ch[44:], "", true), None, 0},
		{"tls over udp", &tlsDetector, udp(ch, ""), None, 0},
		{"sslv2 header only", &tlsDetector, tcp("\x80\x34\x01\x03\x01", "", true), Low, FromClient},
		{"sslv2 lengths disagree", &tlsDetector,
			tcp("\x80\x35\x01\x03\x01\x00\x1b\x00\x00\x00\x10", "", true), None, 0},

		{"quic v1 initial under 1200 bytes", &quicDetector, udp(quic1[:600], ""), Medium, FromClient},
		{"quic header cut before the length", &quicDetector, udp(quic1[:16], ""), Low, FromClient},
		{"quic short dcid from a client", &quicDetector,
			udp("\xc0\x00\x00\x00\x01\x04\x01\x02\x03\x04\x00\x00\x41\x00"+strings.Repeat("\x00", 1300), ""), None, 0},
		{"quic handshake packet first", &quicDetector, udp("\xe0"+quic1[1:], ""), None, 0},
		{"quic unknown version", &quicDetector, udp("\xc0\x00\x00\x00\x07"+quic1[5:], ""), None, 0},
		{"quic short header", &quicDetector, udp("\x40"+quic1[1:], ""), None, 0},
		{"quic greased fixed bit", &quicDetector, udp("\x82"+quic1[1:], ""), Medium, FromClient},
		{"quic tiny payload length", &quicDetector,
			udp("\xc0\x00\x00\x00\x01\x08\x01\x02\x03\x04\x05\x06\x07\x08\x00\x00\x05"+strings.Repeat("\x00", 1300), ""), None, 0},
		{"quic version negotiation alone", &quicDetector,
			Input{Transport: UDP, Server: vn}, Low, FromServer},
		{"quic version negotiation for other ids", &quicDetector,
			udp("\xc0\x1a\x2a\x3a\x4a\x01\x99\x01\x98"+strings.Repeat("\x00", 40), string(vn)), None, 0},
		{"quic over tcp", &quicDetector, tcp(quic1, "", true), None, 0},

		{"http request cut in its target", &httpDetector, tcp("GET /index.ht", "", true), Medium, FromClient},
		{"http request cut in its version", &httpDetector, tcp("POST /x HTTP/1", "", true), Medium, FromClient},
		{"http absolute form", &httpDetector, tcp("GET http://example.com/ HTTP/1.0\r\n", "", true), High, FromClient},
		{"http connect", &httpDetector, tcp("CONNECT example.com:443 HTTP/1.1\r\n", "", true), High, FromClient},
		{"http webdav", &httpDetector, tcp("PROPFIND /dav/ HTTP/1.1\r\n", "", true), High, FromClient},
		{"http 0.9 request", &httpDetector, tcp("GET /\r\n", "", true), Medium, FromClient},
		{"http 0.9 style post", &httpDetector, tcp("POST /\r\n", "", true), None, 0},
		{"http 0.9 style get of no path", &httpDetector, tcp("GET x\r\n", "", true), None, 0},
		{"http lower-case method", &httpDetector, tcp("get / HTTP/1.1\r\n", "", true), None, 0},
		{"http unknown method", &httpDetector, tcp("FETCH / HTTP/1.1\r\n", "", true), None, 0},
		{"http/2 version in a request line", &httpDetector, tcp("GET / HTTP/2.0\r\n", "", true), None, 0},
		{"rtsp request", &httpDetector, tcp("OPTIONS rtsp://cam/stream RTSP/1.0\r\n", "", true), None, 0},
		{"sip request", &httpDetector, tcp("OPTIONS sip:bob@example.com SIP/2.0\r\n", "", true), None, 0},
		{"rtsp reply", &httpDetector, tcp("", "RTSP/1.0 200 OK\r\n", false), None, 0},
		{"http status cut in its code", &httpDetector, tcp("", "HTTP/1.1 20", false), Medium, FromServer},
		{"http status code 700", &httpDetector, tcp("", "HTTP/1.1 700 Odd\r\n", false), None, 0},
		{"http status code 2000", &httpDetector, tcp("", "HTTP/1.1 2000\r\n", false), None, 0},
		{"http request from the server", &httpDetector, tcp("", "GET / HTTP/1.1\r\n", false), None, 0},

		{"http2 preface cut", &http2Detector, tcp("PRI * HTTP/2.0\r\n", "", true), Medium, FromClient},
		{"http2 preface too short to say", &http2Detector, tcp("PRI * HTTP", "", true), None, 0},
		{"http2 preface from the server", &http2Detector, tcp("", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", false), None, 0},

		{"ssh 1.5", &sshDetector, tcp("", "SSH-1.5-OldServer\r\n", false), High, FromServer},
		{"ssh from the client only", &sshDetector, tcp("SSH-2.0-PuTTY_Release_0.80\r\n", "", true), High, FromClient},
		{"ssh unusual version", &sshDetector, tcp("", "SSH-1.3-x\r\n", false), Medium, FromServer},
		{"ssh cut in the version", &sshDetector, tcp("", "SSH-2.", false), Medium, FromServer},
		{"ssh without a version", &sshDetector, tcp("", "SSH-x\r\n", false), None, 0},
		{"ssh client line after other text", &sshDetector, tcp("hello\r\nSSH-2.0-x\r\n", "", true), None, 0},

		{"smtp helo alone", &smtpDetector, tcp("HELO example.org\r\n", "", true), High, FromClient},
		{"smtp anonymous banner alone", &smtpDetector, tcp("", "220 mx ready\r\n", false), Low, FromServer},
		{"smtp anonymous banner then QUIT", &smtpDetector, tcp("QUIT\r\n", "220 mx ready\r\n", false), None, 0},
		{"smtp banner naming ftp", &smtpDetector, tcp("", "220 ftp.example.org FTP server\r\n", false), None, 0},
		{"smtp banner naming both", &smtpDetector, tcp("", "220 ftp.example.org ESMTP\r\n", false), Low, FromServer},
		{"smtp multi-line banner", &smtpDetector, tcp("", "220-mx.example.org\r\n220 ESMTP ok\r\n", false), High, FromServer},
		{"smtp 554 banner", &smtpDetector, tcp("", "554 no service\r\n", false), None, 0},
		{"smtp banner answering the client", &smtpDetector, tcp("GET / HTTP/1.1\r\n", "220 ESMTP\r\n", true), None, 0},

		{"ftp auth tls alone", &ftpDetector, tcp("AUTH TLS\r\n", "", true), Medium, FromClient},
		{"ftp feat alone", &ftpDetector, tcp("FEAT\r\n", "", true), Medium, FromClient},
		{"ftp user alone", &ftpDetector, tcp("USER bob\r\n", "", true), Low, FromClient},
		{"ftp anonymous banner alone", &ftpDetector, tcp("", "220 Service ready\r\n", false), Low, FromServer},
		{"ftp anonymous banner then EHLO", &ftpDetector, tcp("EHLO x\r\n", "220 ready\r\n", false), None, 0},
		{"ftp banner naming smtp", &ftpDetector, tcp("USER x\r\n", "220 ESMTP\r\n", false), None, 0},
		{"ftp ProFTPD banner", &ftpDetector, tcp("", "220 ProFTPD Server (Debian)\r\n", false), High, FromServer},

		{"pop3 bare +OK", &pop3Detector, tcp("", "+OK\r\n", false), Medium, FromServer},
		{"pop3 anonymous greeting", &pop3Detector, tcp("", "+OK Dovecot ready.\r\n", false), Medium, FromServer},
		{"pop3 greeting naming pop3", &pop3Detector, tcp("", "+OK POP3 server ready\r\n", false), High, FromServer},
		{"pop3 capa alone", &pop3Detector, tcp("CAPA\r\n", "", true), Medium, FromClient},
		{"pop3 user alone", &pop3Detector, tcp("USER bob\r\n", "", true), Low, FromClient},
		{"redis +OK answering a client", &pop3Detector, tcp("*1\r\n$4\r\nQUIT\r\n", "+OK\r\n", true), None, 0},
		{"pop3 +OKAY", &pop3Detector, tcp("", "+OKAY\r\n", false), None, 0},
		{"pop3 -ERR greeting", &pop3Detector, tcp("USER bob\r\n", "-ERR busy\r\n", false), None, 0},

		{"imap anonymous greeting", &imapDetector, tcp("", "* OK ready\r\n", false), Medium, FromServer},
		{"imap preauth", &imapDetector, tcp("", "* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n", false), High, FromServer},
		{"imap greeting with capabilities", &imapDetector, tcp("", "* OK [CAPABILITY IMAP4rev2 STARTTLS] x\r\n", false), High, FromServer},
		{"imap untagged other response", &imapDetector, tcp("", "* BYE\r\n", false), None, 0},
		{"imap bad tag", &imapDetector, tcp("a*1 LOGIN x y\r\n", "", true), None, 0},
		{"imap post-login command first", &imapDetector, tcp("a1 SELECT INBOX\r\n", "", true), None, 0},
		{"imap command cut", &imapDetector, tcp("a1 CAPABILITY", "", true), None, 0},

		{"dns root ns query", &dnsDetector, udp("\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x01", ""), High, FromClient},
		{"dns query from the server side", &dnsDetector, Input{Transport: UDP, Server: []byte(dnsQ)}, Medium, FromServer},
		{"dns pointer in the first name", &dnsDetector,
			udp("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01", ""), None, 0},
		{"dns label over 63 bytes", &dnsDetector,
			udp("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x40"+strings.Repeat("a", 64)+"\x00\x00\x01\x00\x01", ""), None, 0},
		{"dns name over 255 bytes", &dnsDetector,
			udp("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"+strings.Repeat("\x3f"+strings.Repeat("a", 63), 4)+"\x00\x00\x01\x00\x01", ""), None, 0},
		{"dns opcode 3", &dnsDetector, udp("\x12\x34\x19\x00"+dnsQ[4:], ""), None, 0},
		{"dns z bit", &dnsDetector, udp("\x12\x34\x01\x40"+dnsQ[4:], ""), None, 0},
		{"dns query with an error code", &dnsDetector, udp("\x12\x34\x01\x03"+dnsQ[4:], ""), None, 0},
		{"dns counts beyond the message", &dnsDetector, udp(dnsQ[:6]+"\x00\x05"+dnsQ[8:], ""), None, 0},
		{"dns five questions", &dnsDetector, udp(dnsQ[:4]+"\x00\x05"+dnsQ[6:], ""), None, 0},
		{"dns class 2", &dnsDetector, udp(dnsQ[:len(dnsQ)-2]+"\x00\x02", ""), None, 0},
		{"dns qtype 0", &dnsDetector, udp(dnsQ[:len(dnsQ)-4]+"\x00\x00\x00\x01", ""), None, 0},
		{"dns control byte in a label", &dnsDetector,
			udp("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03a\x01b\x00\x00\x01\x00\x01", ""), None, 0},
		{"netbios name query", &dnsDetector,
			udp("\x80\x01\x01\x10\x00\x01\x00\x00\x00\x00\x00\x00\x20"+strings.Repeat("CA", 16)+"\x00\x00\x20\x00\x01", ""), None, 0},
		{"dns tcp length below a header", &dnsDetector,
			tcp("\x00\x0b"+dnsQ, "", true), None, 0},
		{"dns tcp two messages in a row", &dnsDetector,
			tcp("\x00\x21"+dnsQ+"\x00\x21"+dnsQ, "", true), High, FromClient},
		{"dns tcp without the prefix", &dnsDetector, tcp(dnsQ, "", true), None, 0},

		{"rdp bare connection request", &rdpDetector, tcp("\x03\x00\x00\x0b\x06\xe0\x00\x00\x00\x00\x00", "", true), Medium, FromClient},
		{"rdp routing token", &rdpDetector,
			tcp("\x03\x00\x00\x2f\x2a\xe0\x00\x00\x00\x00\x00Cookie: msts=3640205228.15629.0000\r\n", "", true), High, FromClient},
		{"rdp confirm alone", &rdpDetector,
			Input{Transport: TCP, Server: rdp.Server}, High, FromServer},
		{"rdp negotiation failure", &rdpDetector,
			tcp("", "\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00\x03\x00\x08\x00\x05\x00\x00\x00", false), High, FromServer},
		{"s7comm cotp request", &rdpDetector,
			tcp("\x03\x00\x00\x16\x11\xe0\x00\x00\x00\x01\x00\xc1\x02\x01\x00\xc2\x02\x01\x02\xc0\x01\x0a", "", true), None, 0},
		{"tpkt length disagreeing with x.224", &rdpDetector,
			tcp("\x03\x00\x00\x13\x0d\xe0\x00\x00\x00\x00\x00\x01\x00\x08\x00\x03\x00\x00\x00", "", true), None, 0},
		{"x.224 data tpdu", &rdpDetector, tcp("\x03\x00\x00\x0c\x02\xf0\x80\x7f\x65\x82\x01\x94", "", true), None, 0},
		{"rdp request from the server", &rdpDetector,
			Input{Transport: TCP, Server: rdp.Client}, None, 0},

		{"smb header alone", &smbDetector, tcp("\x00\x00\x00\x80\xfeSMB", "", true), High, FromClient},
		{"smb2 bad structure size", &smbDetector, tcp("\x00\x00\x00\x80\xfeSMB\x41\x00", "", true), None, 0},
		{"smb3 encrypted", &smbDetector, tcp("\x00\x00\x00\x80\xfdSMB", "", true), Medium, FromClient},
		{"smb1 too short", &smbDetector, tcp("\x00\x00\x00\x10\xffSMB", "", true), None, 0},
		{"smb other nbss type", &smbDetector, tcp("\x85\x00\x00\x00\xffSMB", "", true), None, 0},
		{"smb wrong magic", &smbDetector, tcp("\x00\x00\x00\x80\xfeSMC", "", true), None, 0},
		{"netbios request with a bad name", &smbDetector, tcp("\x81\x00\x00\x44\x20"+strings.Repeat("Z", 32), "", true), None, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, ok := aDetect(c.d, c.in)
			if ok != (c.want != None) || r.Confidence != c.want || (ok && r.Dir != c.dir) {
				t.Errorf("%s: got ok=%v %v from %v (evidence %q), want %v from %v",
					c.d.Name, ok, r.Confidence, r.Dir, r.Evidence, c.want, c.dir)
			}
		})
	}
}

// FuzzDetectA runs every detector on arbitrary input: no panic, and a
// verdict is well formed.
func FuzzDetectA(f *testing.F) {
	for _, s := range aAllSamples() {
		f.Add(uint8(s.in.Transport), s.in.ClientFirst, s.in.Client, s.in.Server)
	}
	f.Fuzz(func(t *testing.T, tr uint8, clientFirst bool, client, server []byte) {
		in := Input{Transport: Transport(tr % 2), ClientFirst: clientFirst, Client: client, Server: server}
		for _, d := range aDetectors {
			r, ok := d.Detect(&in)
			if !ok {
				if r != (Result{}) {
					t.Fatalf("%s: rejected with a non-zero result %+v", d.Name, r)
				}
				continue
			}
			if r.Service != d.Name || r.Detector != d.Name || r.Confidence < Low || r.Confidence > High ||
				r.Dir > FromServer || r.Evidence == "" || len(r.Evidence) > 256 {
				t.Fatalf("%s: malformed result %+v", d.Name, r)
			}
			side := client
			if r.Dir == FromServer {
				side = server
			}
			if len(side) == 0 {
				t.Fatalf("%s: decided from the empty %v side", d.Name, r.Dir)
			}
		}
	})
}
