package report

import (
	"reflect"
	"testing"

	"github.com/flowscope/flowscope/flow"
)

func TestFindings(t *testing.T) {
	// Unidentified, but seen from the SYN and the client spoke.
	mute443 := svcRec(1, 443, "", "")
	mute443.ClientPrefix = "\x00\x01GET\x1b[31m"
	mute443.ClientFromSYN = true
	noSYN := mute443
	noSYN.DirectionBy, noSYN.ClientFromSYN = "port", false
	continued := svcRec(1, 2222, "ssh", "high")
	continued.Continues, continued.EarlierVerdict = 7, true // the record it continues carried the verdict
	decidedLater := svcRec(1, 2222, "ssh", "high")
	decidedLater.Continues = 7 // decided in this part
	mutedContinued := mute443
	mutedContinued.Continues = 7
	silent := svcRec(1, 443, "", "")
	udp := svcRec(1, 443, "", "")
	udp.Proto, udp.IPProto = "udp", 17
	udp.ClientPrefix = "\xde\xad"
	icmp := icmpRec()
	icmp.Service, icmp.ServiceConfidence = "ssh", "high"
	portless := svcRec(1, 0, "ssh", "high")
	// A TFTP request off udp/69 is worth an alarm; a transfer, between the
	// ports the two ends chose, is where it belongs.
	tftpReq := svcRec(1, 6969, "tftp", "high")
	tftpReq.Proto, tftpReq.IPProto = "udp", 17
	tftpXfer := tftpReq
	tftpXfer.Server.Port, tftpXfer.ServiceDetector = 46866, "tftp-transfer"

	sshOn2222 := Finding{Kind: KindNonstandardPort, Severity: "high", Service: "ssh", Port: "tcp/2222",
		ExpectedServices: []string{}, ExpectedPorts: []string{"tcp/22"}, Detector: "ssh", Confidence: "high",
		Frame: 4, Direction: "server", Evidence: `<ssh>\x0d\x0a`, Reason: "ssh on tcp/2222, not on its registered tcp/22"}
	httpPorts := []string{"tcp/80"}
	httpOn22 := Finding{Service: "http", Port: "tcp/22", ExpectedServices: []string{"ssh"}, ExpectedPorts: httpPorts,
		Detector: "http", Confidence: "medium", Frame: 4, Direction: "server", Evidence: `<http>\x0d\x0a`}
	httpOn22NS, httpOn22PM := httpOn22, httpOn22
	httpOn22NS.Kind, httpOn22NS.Severity = KindNonstandardPort, "low"
	httpOn22NS.Reason = "http on tcp/22, not on its registered tcp/80"
	httpOn22PM.Kind, httpOn22PM.Severity = KindPortMismatch, "medium"
	httpOn22PM.Reason = "tcp/22 is registered for ssh but carries http"

	tests := []struct {
		name string
		rec  flow.Record
		want []Finding
	}{
		{"ssh on tcp/2222", svcRec(1, 2222, "ssh", "high"), []Finding{sshOn2222}},
		{"http on tcp/9999", svcRec(1, 9999, "http", "medium"), []Finding{{Kind: KindNonstandardPort, Severity: "low",
			Service: "http", Port: "tcp/9999", ExpectedServices: []string{}, ExpectedPorts: httpPorts, Detector: "http",
			Confidence: "medium", Frame: 4, Direction: "server", Evidence: `<http>\x0d\x0a`,
			Reason: "http on tcp/9999, not on its registered tcp/80"}}},
		// 8080 is http-alt in the registry, not http: HTTP there is still off
		// its standard port (nDPI flags it too), but on a conventional
		// alternate, so only info.
		{"http on tcp/8080", svcRec(1, 8080, "http", "high"), []Finding{{Kind: KindNonstandardPort, Severity: "info",
			Service: "http", Port: "tcp/8080", ExpectedServices: []string{}, ExpectedPorts: httpPorts, Detector: "http",
			Confidence: "high", Frame: 4, Direction: "server", Evidence: `<http>\x0d\x0a`,
			Reason: "http on tcp/8080, a conventional alternate of its registered tcp/80"}}},
		// 8443 is pcsync-https in the registry: the same policy as http on
		// 8080, and nothing else there is a port-mismatch.
		{"tls on tcp/8443", svcRec(1, 8443, "tls", "high"), []Finding{{Kind: KindNonstandardPort, Severity: "info",
			Service: "tls", Port: "tcp/8443", ExpectedServices: []string{},
			ExpectedPorts: []string{"tcp/443", "tcp/465", "tcp/563", "tcp/636", "tcp/853", "tcp/989", "tcp/990", "tcp/992",
				"tcp/993", "tcp/995", "tcp/5061", "tcp/5671", "tcp/6697", "tcp/8883"},
			Detector: "tls", Confidence: "high", Frame: 4, Direction: "server", Evidence: `<tls>\x0d\x0a`,
			Reason: "tls on tcp/8443, a conventional alternate of its registered tcp/443, tcp/465, tcp/563, " +
				"tcp/636, tcp/853, tcp/989, tcp/990, tcp/992, tcp/993, tcp/995, tcp/5061, tcp/5671, tcp/6697, tcp/8883"}}},
		{"rtsp on tcp/8554", svcRec(1, 8554, "rtsp", "high"), []Finding{{Kind: KindNonstandardPort, Severity: "info",
			Service: "rtsp", Port: "tcp/8554", ExpectedServices: []string{}, ExpectedPorts: []string{"tcp/554"},
			Detector: "rtsp", Confidence: "high", Frame: 4, Direction: "server", Evidence: `<rtsp>\x0d\x0a`,
			Reason: "rtsp on tcp/8554, a conventional alternate of its registered tcp/554"}}},
		// The alternate of one service is no excuse for another.
		{"ssh on tcp/8080", svcRec(1, 8080, "ssh", "high"), []Finding{{Kind: KindNonstandardPort, Severity: "high",
			Service: "ssh", Port: "tcp/8080", ExpectedServices: []string{}, ExpectedPorts: []string{"tcp/22"},
			Detector: "ssh", Confidence: "high", Frame: 4, Direction: "server", Evidence: `<ssh>\x0d\x0a`,
			Reason: "ssh on tcp/8080, not on its registered tcp/22"}}},
		{"telnet on tcp/23", svcRec(1, 23, "telnet", "high"), nil},
		{"vnc on tcp/5901", svcRec(1, 5901, "vnc", "high"), []Finding{{Kind: KindNonstandardPort, Severity: "info",
			Service: "vnc", Port: "tcp/5901", ExpectedServices: []string{}, ExpectedPorts: []string{"tcp/5900"},
			Detector: "vnc", Confidence: "high", Frame: 4, Direction: "server", Evidence: `<vnc>\x0d\x0a`,
			Reason: "vnc on tcp/5901, a conventional alternate of its registered tcp/5900"}}},
		{"http on tcp/22", svcRec(1, 22, "http", "medium"), []Finding{httpOn22NS, httpOn22PM}},
		{"tls on tcp/443", svcRec(1, 443, "tls", "high"), nil},
		{"unidentified tcp/443 from the SYN", mute443, []Finding{{Kind: KindPortMismatch, Severity: "medium",
			Port: "tcp/443", ExpectedServices: []string{"tls"}, ExpectedPorts: []string{}, Direction: "client",
			Evidence: `\x00\x01GET\x1b[31m`, Reason: "first client payload is not a TLS record (no detector recognised it)"}}},
		{"unidentified, direction by port", noSYN, nil},
		{"continuation of a split flow", continued, nil},
		{"continuation in which the service was decided", decidedLater, []Finding{sshOn2222}},
		{"continuation of an unidentified flow", mutedContinued, nil},
		{"unidentified, client sent nothing", silent, nil},
		{"unidentified udp", udp, nil},
		{"low confidence", svcRec(1, 2222, "ssh", "low"), nil},
		{"icmp", icmp, nil},
		{"server port 0", portless, nil},
		{"tftp request on udp/6969", tftpReq, []Finding{{Kind: KindNonstandardPort, Severity: "high",
			Service: "tftp", Port: "udp/6969", ExpectedServices: []string{}, ExpectedPorts: []string{"udp/69"},
			Detector: "tftp", Confidence: "high", Frame: 4, Direction: "server", Evidence: `<tftp>\x0d\x0a`,
			Reason: "tftp on udp/6969, not on its registered udp/69"}}},
		{"tftp transfer on udp/46866", tftpXfer, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Findings(&tt.rec)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"GET / HTTP/1.1", "GET / HTTP/1.1"},
		{"\x1b[31mred", `\x1b[31mred`},
		{`a\b`, `a\\b`},
		{"\r\n\t\x00\x7f\xff", `\x0d\x0a\x09\x00\x7f\xff`},
		{"é", `\xc3\xa9`},
		{`"quoted",`, `"quoted",`},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestProtocolMismatch: a record whose two sides speak different protocols
// gets a protocol-mismatch finding about the other side, besides its port
// findings; a record that continues another does not repeat it, unless the
// other side was decided only in the continuation.
func TestProtocolMismatch(t *testing.T) {
	r := svcRec(1, 22, "ssh", "high")
	r.OtherSide = &flow.OtherSide{OtherService: "http", OtherConfidence: "high", OtherDetector: "http", OtherEvidence: "GET / HTTP/1.1", OtherDir: "client"}
	want := Finding{Kind: KindProtocolMismatch, Severity: "high", Service: "http", Port: "tcp/22",
		ExpectedServices: []string{"ssh"}, ExpectedPorts: []string{"tcp/80"}, Detector: "http", Confidence: "high",
		Direction: "client", Evidence: "GET / HTTP/1.1", Reason: "the client speaks http, the server ssh"}
	if got := Findings(&r); !reflect.DeepEqual(got, []Finding{want}) {
		t.Errorf("got %+v\nwant %+v", got, []Finding{want})
	}
	r.Continues, r.EarlierVerdict, r.EarlierOtherSide = 7, true, true
	if got := Findings(&r); len(got) != 0 {
		t.Errorf("continuing record: %+v", got)
	}
	// The other side decided only after the split: the continuation says so.
	r.EarlierOtherSide = false
	if got := Findings(&r); !reflect.DeepEqual(got, []Finding{want}) {
		t.Errorf("continuation that decided the other side: got %+v", got)
	}
}
