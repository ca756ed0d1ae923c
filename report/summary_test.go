package report

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/flowscope/flowscope/flow"
)

func fullSummary() *Summary {
	mk := func(id uint64, proto, c string, cp uint16, s string, sp uint16, cb, sb uint64, end string) flow.Record {
		ipProto := map[string]uint8{"tcp": 6, "udp": 17, "icmp": 1}[proto]
		return flow.Record{ID: id, Proto: proto, IPProto: ipProto, EndReason: end,
			Client: flow.Side{IP: netip.MustParseAddr(c), Port: cp, Bytes: cb},
			Server: flow.Side{IP: netip.MustParseAddr(s), Port: sp, Bytes: sb}}
	}
	s := &Summary{
		Inputs: []Input{
			{Path: "testdata/a-very-long-directory-name/capture-2019-05-27.pcapng.zst", Format: "pcapng (zstd)",
				Packets: 1000, LinkTypes: []string{"ethernet"}},
			{Path: "b.pcap", Format: "pcap", Packets: 12, LinkTypes: []string{"raw", "linux-sll"},
				Problem: "truncated at byte 4096:\nunexpected EOF"},
		},
		Stats: flow.Stats{Frames: 1012, FrameBytes: 1_234_567, IPPackets: 1000,
			Skipped:          map[string]uint64{"non-ip": 10, "truncated": 2, "tunnel-non-ip": 1, "fragment-pending": 3, "malformed": 0},
			NonIP:            map[string]uint64{"lldp": 2, "arp": 8},
			UnknownLinkTypes: map[uint32]uint64{147: 3},
			Fragments:        10, FragmentsUnattributed: 2, DatagramsIncomplete: 1,
			Flows: 6, EndReasons: map[string]uint64{"fin": 2, "idle": 1, "eof": 2, "rst": 1}, MaxActive: 3},
		Records: []flow.Record{
			mk(1, "tcp", "10.0.0.1", 51234, "10.0.0.2", 80, 400, 1200, "fin"),
			mk(2, "udp", "2001:db8:85a3::8a2e:370:7334", 5353, "2001:db8::53", 53, 3000, 100, "idle"),
			mk(3, "icmp", "192.168.100.200", 8, "8.8.8.8", 0, 84, 84, "eof"),
			mk(4, "tcp", "192.168.100.200", 65535, "255.255.255.255", 443, 12_345_678, 1_100_000_000, "rst"),
			mk(5, "tcp", "10.0.0.1", 40000, "10.0.0.2", 443, 999_950, 1500, "fin"),
			mk(6, "udp", "127.0.0.1", 9, "127.0.0.1", 9, 10, 0, "eof"),
		},
		FilterExpr: "tcp or udp",
		Filtered:   12,
	}
	s.Records[0].Service = "http"
	s.Records[1].Client.PayloadBytes = 40 // unrecognised
	s.Records[2].Client.PayloadBytes = 56 // ICMP: no detector looks
	s.Records[3].Service, s.Records[3].ServiceConfidence = "ssh", "high"
	s.Records[4].Service, s.Records[4].ServiceConfidence = "tls", "high"
	return s
}

const fullSummaryWant = `inputs:
  testdata/a-very-long…19-05-27.pcapng.zst: pcapng (zstd), 1000 packets, ethernet
  b.pcap:                                   pcap, 12 packets, raw+linux-sll
    ! truncated at byte 4096: unexpected EOF
packets:
  frames read:  1012
  ip packets:   1000
  frame bytes:  1234567 (1.2 MB)
  ip fragments: 10
  filter:       tcp or udp
  filtered:     12 packets rejected
flows:
  records:       6
  by proto:      tcp 3, udp 2, icmp 1
  by end reason: eof 2, fin 2, idle 1, rst 1
  max open:      3
skipped 15 of 1012 frames: non-ip 10 (arp 8, lldp 2); unknown-link-type 3 (linktype-147 3); truncated 2
  tunnels:   tunnel-non-ip 1 (outer packets counted)
  fragments: pending 3, unattributed 2, incomplete datagrams 1 (of 10 seen)
top talkers (IP bytes):
  192.168.100.200  1.1 GB  2 flows
  255.255.255.255  1.1 GB  1 flow
  10.0.0.1         1.0 MB  2 flows
  10.0.0.2         1.0 MB  2 flows
  2001:db8::53     3.1 kB  1 flow
top server ports (IP bytes):
  tcp/443  2 flows  1.1 GB
  tcp/80   1 flow   1.6 kB
  udp/9    1 flow   10 B
  udp/53   1 flow   3.1 kB
services: http 1, ssh 1, tls 1; 1 flow with payload not recognised
findings: 2 (nonstandard-port 1, port-mismatch 1; high 2)
`

func writeSummary(t *testing.T, s *Summary, opt Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteSummary(&buf, s, opt); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestWriteSummaryFull(t *testing.T) {
	got := writeSummary(t, fullSummary(), Options{Width: 80, Bytes: IPBytes})
	if got != fullSummaryWant {
		t.Errorf("got\n%s\nwant\n%s", got, fullSummaryWant)
	}
	// Maps iterate randomly: the text must not.
	for range 50 {
		if again := writeSummary(t, fullSummary(), Options{Width: 80, Bytes: IPBytes}); again != got {
			t.Fatalf("output changed between runs:\n%s", again)
		}
	}
}

func TestWriteSummarySections(t *testing.T) {
	tests := []struct {
		name    string
		s       *Summary
		want    []string // in this order
		notWant []string
	}{
		{"empty", &Summary{}, []string{"skipped: nothing\n"},
			[]string{"inputs:", "packets:", "flows:", "top talkers", "top server ports", "services:", "findings:"}},
		{"clean run", &Summary{
			Inputs: []Input{{Path: "a.pcap", Format: "pcap", Packets: 3}},
			Stats:  flow.Stats{Frames: 3, IPPackets: 3, Fragments: 2, Flows: 1},
			Records: []flow.Record{{ID: 1, Proto: "icmp", EndReason: "eof",
				Client: flow.Side{IP: netip.MustParseAddr("10.0.0.1")}, Server: flow.Side{IP: netip.MustParseAddr("10.0.0.2")}}},
		}, []string{"inputs:\n  a.pcap: pcap, 3 packets\n", "packets:\n", "  ip fragments: 2\n", "flows:\n",
			"  by end reason: eof 1\n", "skipped: nothing\n", "top talkers (frame bytes):\n  10.0.0.1  0 B  1 flow\n"},
			[]string{"top server ports", "filter", "max open", "!", "services:"}},
		{"only partial skips", &Summary{Stats: flow.Stats{Frames: 5, Skipped: map[string]uint64{"tunnel-too-deep": 4}}},
			[]string{"skipped:\n  tunnels: tunnel-too-deep 4 (outer packets counted)\n"}, []string{"nothing", "of 5 frames"}},
		{"tunnel fragments are partial skips", &Summary{Stats: flow.Stats{Frames: 5, Skipped: map[string]uint64{"tunnel-fragment": 2}}},
			[]string{"skipped:\n  tunnels: tunnel-fragment 2 (outer packets counted)\n"}, []string{"nothing", "of 5 frames"}},
		{"broken inner packets are partial skips", &Summary{Stats: flow.Stats{Frames: 5, Skipped: map[string]uint64{"tunnel-payload-malformed": 1, "tunnel-payload-truncated": 2}}},
			[]string{"skipped:\n  tunnels: tunnel-payload-truncated 2, tunnel-payload-malformed 1 (outer packets counted)\n"}, []string{"nothing", "of 5 frames"}},
		{"only lost fragments", &Summary{Stats: flow.Stats{Frames: 5, Fragments: 4, DatagramsIncomplete: 1}},
			[]string{"skipped:\n  fragments: incomplete datagrams 1 (of 4 seen)\n"}, []string{"nothing"}},
		{"breakdown without its reason", &Summary{Stats: flow.Stats{Frames: 9,
			NonIP: map[string]uint64{"arp": 2}, UnknownLinkTypes: map[uint32]uint64{9: 1, 300: 1}}},
			[]string{"skipped 4 of 9 frames: non-ip 2 (arp 2); unknown-link-type 2 (linktype-300 1, linktype-9 1)\n"}, nil},
		{"unknown reason counts as frames", &Summary{Stats: flow.Stats{Frames: 1, Skipped: map[string]uint64{"new-reason": 1}}},
			[]string{"skipped 1 of 1 frame: new-reason 1\n"}, nil},
		{"filter rejected everything", &Summary{FilterExpr: "port 1", Filtered: 7, Stats: flow.Stats{Frames: 7}},
			[]string{"  filter:      port 1\n", "  filtered:    7 packets rejected\n"}, []string{"flows:"}},
		{"flow to itself counts once", &Summary{Records: []flow.Record{{Proto: "udp", Client: flow.Side{
			IP: netip.MustParseAddr("127.0.0.1"), Port: 9, Bytes: 10, FrameBytes: 24}, Server: flow.Side{IP: netip.MustParseAddr("127.0.0.1"), Port: 9}}}},
			[]string{"top talkers (frame bytes):\n  127.0.0.1  24 B  1 flow\n", "top server ports (frame bytes):\n  udp/9  1 flow  24 B\n"}, nil},
		{"records without stats", &Summary{Records: []flow.Record{{Proto: "tcp", EndReason: "rst"}, {Proto: "tcp", EndReason: "fin"}}},
			[]string{"flows:\n  records:       2\n  by proto:      tcp 2\n  by end reason: fin 1, rst 1\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := writeSummary(t, tt.s, Options{})
			at := 0
			for _, w := range tt.want {
				i := strings.Index(got[at:], w)
				if i < 0 {
					t.Errorf("missing (or out of order) %q in\n%s", w, got)
					continue
				}
				at += i + len(w)
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("unexpected %q in\n%s", w, got)
				}
			}
		})
	}
}

func TestSummarySectionOrder(t *testing.T) {
	got := writeSummary(t, fullSummary(), Options{})
	at := -1
	for _, title := range []string{"inputs:", "packets:", "flows:", "skipped ", "top talkers (", "top server ports (",
		"services:", "findings:"} {
		i := strings.Index(got, "\n"+title)
		if title == "inputs:" && strings.HasPrefix(got, title) {
			i = 0
		}
		if i <= at {
			t.Errorf("section %q at %d, after %d", title, i, at)
		}
		at = i
	}
}

func TestSummaryServicesAndFindings(t *testing.T) {
	mute := svcRec(9, 443, "", "")
	mute.ClientPrefix = "\x00"
	mute.ClientFromSYN = true
	mute.Client.PayloadBytes = 1
	noPayload := svcRec(10, 443, "", "")
	noPayload.Client.PayloadBytes, noPayload.Server.PayloadBytes = 0, 0
	mixed := []flow.Record{
		svcRec(1, 2222, "ssh", "high"),  // nonstandard-port high
		svcRec(2, 22, "http", "medium"), // nonstandard-port low, port-mismatch medium
		svcRec(3, 8888, "http", "high"), // nonstandard-port info
		svcRec(4, 2222, "ssh", "low"),   // a guess: nothing
		svcRec(5, 443, "tls", "high"),   // expected
		mute,                            // port-mismatch medium
		noPayload,                       // not counted as unrecognised
	}
	var many []flow.Record
	for i, svc := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"} {
		for range 10 - i {
			many = append(many, svcRec(uint64(len(many)+1), 80, svc, "high"))
		}
	}
	tests := []struct {
		name     string
		recs     []flow.Record
		allow    string
		services string
		findings string
	}{
		{"mixed", mixed, "", "services: http 2, ssh 2, tls 1; 1 flow with payload not recognised",
			"findings: 5 (nonstandard-port 3, port-mismatch 2; high 1, medium 2, low 1, info 1)"},
		{"suppressed", mixed, "http *\n* tcp/443 port-mismatch", "services: http 2, ssh 2, tls 1; 1 flow with payload not recognised",
			"findings: 1 (nonstandard-port 1; high 1), 4 suppressed by the allowlist"},
		{"all suppressed", mixed, "* *", "services: http 2, ssh 2, tls 1; 1 flow with payload not recognised",
			"findings: none, 5 suppressed by the allowlist"},
		{"nothing recognised", []flow.Record{mute, noPayload}, "", "services: none; 1 flow with payload not recognised",
			"findings: 1 (port-mismatch 1; medium 1)"},
		{"no payload", []flow.Record{noPayload}, "", "", "findings: none"},
		{"top services", many, "", "services: a 10, b 9, c 8, d 7, e 6, f 5, g 4, h 3 (+2 others, 3 flows)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := writeSummary(t, &Summary{Records: tt.recs}, Options{Allow: mustAllowlist(t, tt.allow)})
			var services, findings string
			for _, l := range strings.Split(got, "\n") {
				if strings.HasPrefix(l, "services:") {
					services = l
				}
				if strings.HasPrefix(l, "findings:") {
					findings = l
				}
			}
			if services != tt.services {
				t.Errorf("got %q, want %q", services, tt.services)
			}
			if tt.findings != "" && findings != tt.findings {
				t.Errorf("got %q, want %q", findings, tt.findings)
			}
		})
	}
}

// TestSummaryFromTally checks that a summary tallied record by record (live
// capture, which keeps no records) reads exactly like one from the records.
func TestSummaryFromTally(t *testing.T) {
	full := fullSummary()
	for _, tc := range []struct {
		name  string
		recs  []flow.Record
		allow string
	}{
		{"full", full.Records, ""},
		{"full, allowlist", full.Records, "* *"},
		{"services", []flow.Record{svcRec(1, 2222, "ssh", "high"), svcRec(2, 22, "http", "medium"), svcRec(3, 443, "tls", "high")}, "http *"},
		{"none", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			allow := mustAllowlist(t, tc.allow)
			fromRecs := *full
			fromRecs.Records = tc.recs
			tallied := fromRecs
			tallied.Records = nil
			tallied.Tally = NewTally(allow, "")
			for i := range tc.recs {
				tallied.Tally.Add(&tc.recs[i])
			}
			want := writeSummary(t, &fromRecs, Options{Allow: allow})
			if got := writeSummary(t, &tallied, Options{Allow: allow}); got != want {
				t.Errorf("tallied summary differs:\n%s\nfrom records:\n%s", got, want)
			}
		})
	}
}
