package rules

import (
	"cmp"
	"net/netip"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/flow/service"
	"github.com/flowscope/flowscope/report"
)

// testRec builds a record; times are offsets from a fixed epoch.
func testRec(id uint64, proto, client, server, service string, dur time.Duration) flow.Record {
	c, s := netip.MustParseAddrPort(client), netip.MustParseAddrPort(server)
	ipProto := map[string]uint8{"tcp": 6, "udp": 17}[proto]
	t0 := time.Date(2024, 7, 11, 7, 55, 0, 0, time.UTC)
	r := flow.Record{
		ID: id, Proto: proto, IPProto: ipProto, IPVersion: 4,
		Client:    flow.Side{IP: c.Addr(), Port: c.Port(), Packets: 10, Bytes: 1000},
		Server:    flow.Side{IP: s.Addr(), Port: s.Port(), Packets: 10, Bytes: 2000},
		FirstSeen: t0, LastSeen: t0.Add(dur), Service: service,
	}
	if service != "" {
		r.ServiceConfidence, r.ServiceDetector = "high", service
	}
	return r
}

// testCaptureRecs mirror what flowscope reports for ndpi__ssh.pcap (ssh on
// tcp/22, then ssh on tcp/8000) and ndpi__http-manipulated.pcap (two HTTP
// flows on tcp/8080), renumbered as one merged capture.
func testCaptureRecs() []flow.Record {
	ssh22 := testRec(1, "tcp", "172.16.238.1:58395", "172.16.238.168:22", "ssh", 4*time.Minute+8*time.Second)
	ssh22.Client.Packets, ssh22.Client.Bytes, ssh22.Server.Packets, ssh22.Server.Bytes = 159, 13389, 99, 18545
	ssh22.Evidence, ssh22.EvidenceDir, ssh22.EvidenceFrame = "SSH-2.0-OpenSSH_5.3", "server", 4
	ssh8000 := testRec(2, "tcp", "127.0.0.1:58496", "127.0.0.1:8000", "ssh", 2176*time.Millisecond)
	ssh8000.Client.Packets, ssh8000.Client.Bytes, ssh8000.Server.Packets, ssh8000.Server.Bytes = 20, 5318, 17, 3595
	ssh8000.Evidence, ssh8000.EvidenceDir, ssh8000.EvidenceFrame = "SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.11", "client", 262
	http1 := testRec(3, "tcp", "192.168.0.20:33632", "192.168.0.7:8080", "http", time.Millisecond)
	http1.Client.Packets, http1.Client.Bytes, http1.Server.Packets, http1.Server.Bytes = 6, 328, 4, 749
	http1.Evidence, http1.EvidenceDir, http1.EvidenceFrame, http1.ServerName = "GET / HTTP/1.1", "client", 4, "wwww.lan"
	http2 := testRec(4, "tcp", "192.168.0.20:33684", "192.168.0.7:8080", "http", 74*time.Millisecond)
	http2.Client.Packets, http2.Client.Bytes, http2.Server.Packets, http2.Server.Bytes = 15, 1333, 15, 42069
	http2.Evidence, http2.EvidenceDir, http2.EvidenceFrame, http2.ServerName = "HTTP/1.1 200 OK", "server", 16, "www.lan"
	return []flow.Record{ssh22, ssh8000, http1, http2}
}

// testSynthRecs cover what the captures lack: DNS, TLS with SNI and versions.
func testSynthRecs() []flow.Record {
	dns := testRec(10, "udp", "10.0.0.5:40000", "10.0.0.53:53", "dns", time.Second)
	api := testRec(11, "tcp", "10.0.0.5:41000", "93.184.216.34:443", "tls", time.Minute)
	api.ServerName, api.TLS = "api.example.com", &flow.TLSInfo{SNI: "api.example.com", Version: "TLS 1.3"}
	old := testRec(12, "tcp", "10.0.0.5:41001", "10.1.2.3:443", "tls", 45*time.Second)
	old.ServerName, old.TLS = "c2.evil.example", &flow.TLSInfo{SNI: "c2.evil.example", Version: "TLS 1.0"}
	old.Server.Packets = 20000
	return []flow.Record{dns, api, old}
}

func testParse(t *testing.T, src string) []*Rule {
	t.Helper()
	rs, err := Parse(strings.NewReader(src), "rules.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return rs
}

func TestCheck(t *testing.T) {
	recs := append(testCaptureRecs(), testSynthRecs()...)
	tests := []struct {
		name string
		rule string // one rule, as a list item
		pass bool
		ids  []uint64 // flow IDs of every violation, in order
		msg  string   // in the first violation's message
		evid string   // the first violation's evidence
	}{
		{"expect holds", `expect: {service: dns, server: 10.0.0.53, port: udp/53}`, true, nil, "", ""},
		{"expect bare port", `expect: {service: dns, port: 53}`, true, nil, "", ""},
		{"expect missing", `expect: {service: dns, server: 10.0.0.54}`, false, nil, "expected at least 1 flow matching service=dns server=10.0.0.54, found 0", ""},
		{"expect wrong proto", `expect: {port: tcp/53}`, false, nil, "found 0", ""},
		{"expect range holds", `expect: {sni: api.example.com, min: 1, max: 3}`, true, nil, "", ""},
		{"expect over max", `expect: {service: http, max: 1}`, false, []uint64{3, 4}, "expected at most 1 flow matching service=http, found 2: flow 3 192.168.0.20:33632 → 192.168.0.7:8080 (tcp http)", ""},
		{"expect under min", `expect: {service: ssh, min: 3}`, false, []uint64{1, 2}, "expected at least 3 flows matching service=ssh, found 2", ""},
		{"expect client cidr", `expect: {client: 10.0.0.0/24, proto: udp}`, true, nil, "", ""},
		{"forbid finding", `forbid: {finding: nonstandard-port}`, false, []uint64{2, 3, 4}, "flow 2 127.0.0.1:58496 → 127.0.0.1:8000 (tcp ssh): nonstandard-port: ssh on tcp/8000, not on its registered tcp/22", "SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.11"},
		{"forbid finding holds", `forbid: {finding: port-mismatch}`, true, nil, "", ""},
		{"forbid service list", `forbid: {service: [http, telnet, ftp]}`, false, []uint64{3, 4}, "matches forbidden service=[http,telnet,ftp]", "name=wwww.lan"},
		{"forbid service holds", `forbid: {service: [telnet, ftp]}`, true, nil, "", ""},
		{"forbid server_not_in", `forbid: {server_not_in: [10.0.0.0/8, 192.168.0.0/16, 127.0.0.1]}`, false, []uint64{1, 11}, "server 172.16.238.168 is outside 10.0.0.0/8, 192.168.0.0/16, 127.0.0.1", "SSH-2.0-OpenSSH_5.3"},
		{"forbid server_not_in holds", `forbid: {server_not_in: [0.0.0.0/0]}`, true, nil, "", ""},
		{"forbid tls_below", `forbid: {tls_below: "1.2"}`, false, []uint64{12}, "negotiated TLS 1.0, below TLS 1.2", "TLS 1.0 sni=c2.evil.example"},
		{"forbid tls_below holds", `forbid: {tls_below: "1.0"}`, true, nil, "", ""},
		{"forbid tls_version", `forbid: {tls_version: [TLSv1.0, 1.1]}`, false, []uint64{12}, "matches forbidden", "TLS 1.0 sni=c2.evil.example"},
		{"forbid sni glob", `forbid: {sni: "*.evil.example"}`, false, []uint64{12}, "flow 12 10.0.0.5:41001 → 10.1.2.3:443 (tcp tls)", "sni=c2.evil.example"},
		{"forbid sni glob case", `forbid: {server_name: "*.EVIL.example"}`, false, []uint64{12}, "", "sni=c2.evil.example"},
		{"forbid sni holds", `forbid: {sni: "evil.example"}`, true, nil, "", ""},
		{"forbid glob middle", `forbid: {sni: "w*.l*n"}`, false, []uint64{3, 4}, "", "name=wwww.lan"},
		{"limit bytes holds", `limit: {bytes: 1MB}`, true, nil, "", ""},
		{"limit bytes", `limit: {bytes: 10KiB, service: http}`, false, nil, "44479 IP bytes in 2 flows matching service=http, over the limit of 10KiB (10240 bytes); largest: flow 4", ""},
		{"limit flows", `limit: {flows: 6}`, false, nil, "7 flows matching any flow, over the limit of 6", ""},
		{"limit flows holds", `limit: {flows: 2, service: ssh}`, true, nil, "", ""},
		{"limit per_flow", `limit: {per_flow: {duration: 30s, packets: 10000, bytes: 1MB}, service: tls}`, false, []uint64{11, 12}, "flow 11 10.0.0.5:41000 → 93.184.216.34:443 (tcp tls): lasted 1m0s, over 30s", ""},
		{"limit per_flow several", `limit: {per_flow: {duration: 50s, packets: 10000}, server: 10.1.2.3}`, false, []uint64{12}, "20010 packets, over 10000", ""},
		{"limit per_flow holds", `limit: {per_flow: {bytes: 50KB}}`, true, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := testParse(t, "rules:\n  - "+tt.rule+"\n")
			out := Check(rs, "cap.pcap", recs, nil, 0)
			if len(out) != 1 {
				t.Fatalf("got %d outcomes, want 1", len(out))
			}
			o := out[0]
			if o.Passed != tt.pass || o.Capture != "cap.pcap" || o.Rule != rs[0] {
				t.Fatalf("passed %v, want %v: %+v", o.Passed, tt.pass, o.Violations)
			}
			var ids []uint64
			for _, v := range o.Violations {
				ids = append(ids, v.FlowIDs...)
			}
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("flow IDs %v, want %v", ids, tt.ids)
			}
			if tt.pass {
				return
			}
			if v := o.Violations[0]; !strings.Contains(v.Message, tt.msg) || v.Evidence != tt.evid {
				t.Errorf("violation %q evidence %q; want message with %q, evidence %q", v.Message, v.Evidence, tt.msg, tt.evid)
			}
		})
	}
}

// TestRealCaptures checks testdata/ci.yaml against records mirroring the
// ndpi__ssh.pcap and ndpi__http-manipulated.pcap captures.
func TestRealCaptures(t *testing.T) {
	f, err := os.Open("testdata/ci.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs, err := Parse(f, "testdata/ci.yaml")
	if err != nil {
		t.Fatal(err)
	}
	recs := testCaptureRecs()
	// The findings the rules see must be the ones flowscope reports.
	for i, want := range [][]string{nil, {report.KindNonstandardPort}, {report.KindNonstandardPort}, {report.KindNonstandardPort}} {
		var kinds []string
		for _, f := range report.Findings(&recs[i]) {
			kinds = append(kinds, f.Kind)
		}
		if !slices.Equal(kinds, want) {
			t.Fatalf("flow %d findings %v, want %v", recs[i].ID, kinds, want)
		}
	}
	out := Check(rs, "merged.pcap", recs, Allowlist(rs), 0)
	want := []struct {
		name string
		pass bool
		ids  []uint64
	}{
		{"expect ssh on its port", true, nil},
		{"forbid finding=nonstandard-port", false, []uint64{3, 4}}, // flow 2 is allowed
		{"forbid no plaintext", false, []uint64{3, 4}},
		{"forbid server_not_in=[127.0.0.0/8,172.16.0.0/12,192.168.0.0/16]", true, nil},
		{"expect sni=*.lan min=1 max=2", true, nil},
		{"limit bytes=100KB", true, nil},
		{"limit flows=4 per_flow.duration=5m per_flow.packets=1000", true, nil},
	}
	if len(out) != len(want) {
		t.Fatalf("got %d outcomes, want %d", len(out), len(want))
	}
	for i, w := range want {
		o := out[i]
		var ids []uint64
		for _, v := range o.Violations {
			ids = append(ids, v.FlowIDs...)
		}
		if wTitle(o.Rule) != w.name || o.Passed != w.pass || !slices.Equal(ids, w.ids) {
			t.Errorf("outcome %d: %q passed %v ids %v; want %q %v %v (%+v)", i, wTitle(o.Rule), o.Passed, ids, w.name, w.pass, w.ids, o.Violations)
		}
	}
	if r := rs[1]; r.File != "testdata/ci.yaml" || r.Line != 5 || r.Column != 5 || r.Kind != "forbid" {
		t.Errorf("rule position %s:%d:%d kind %s", r.File, r.Line, r.Column, r.Kind)
	}
	// Without the file's allow rules, or with them passed as allow, the
	// outcome is the same: Check always applies them.
	if again := Check(rs, "merged.pcap", recs, nil, 0); !reflect.DeepEqual(again, out) {
		t.Errorf("Check without allow differs")
	}
}

func TestAllowlist(t *testing.T) {
	recs := testCaptureRecs()
	tests := []struct {
		name    string
		src     string
		nilList bool
		allowed []bool // per record: is its first finding allowed
	}{
		{"none", "rules:\n  - forbid: {service: ftp}\n", true, nil},
		{"port", "rules:\n  - allow: \"http tcp/8080\"\n", false, []bool{false, true, true}},
		{"address and kind", "rules:\n  - allow: \"* 127.0.0.1 nonstandard-port\" # lab\n  - allow: 'ssh 10.0.0.0/8'\n", false, []bool{true, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Allowlist(testParse(t, tt.src))
			if (a == nil) != tt.nilList {
				t.Fatalf("Allowlist nil = %v, want %v", a == nil, tt.nilList)
			}
			for i, want := range tt.allowed {
				r := &recs[i+1]
				if got := a.Allowed(r, &report.Findings(r)[0]); got != want {
					t.Errorf("flow %d allowed %v, want %v", r.ID, got, want)
				}
			}
		})
	}
}

func TestParseNames(t *testing.T) {
	rs := testParse(t, `rules:
  - expect: {service: dns, server: 10.0.0.53, port: udp/53}
  - forbid: {sni: "*.evil.example"}
    name: no evil
  - allow: "http   tcp/8080"
  - limit: {per_flow: {duration: 30s}, service: tls}
`)
	want := []struct{ kind, name string }{
		{"expect", "service=dns server=10.0.0.53 port=udp/53"},
		{"forbid", "no evil"},
		{"allow", "http tcp/8080"},
		{"limit", "per_flow.duration=30s service=tls"},
	}
	for i, w := range want {
		if rs[i].Kind != w.kind || rs[i].Name != w.name || rs[i].Line != i+2+boolInt(i > 1) {
			t.Errorf("rule %d: %s %q line %d; want %s %q", i, rs[i].Kind, rs[i].Name, rs[i].Line, w.kind, w.name)
		}
	}
	// Allow rules produce no outcome.
	if out := Check(rs, "c", nil, nil, 0); len(out) != 3 || out[0].Passed || !out[1].Passed || !out[2].Passed {
		t.Errorf("outcomes on no records: %+v", out)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", "rules.yaml: empty rules file"},
		{"syntax", "rules:\n  - expect: {service: dns\n", "rules.yaml:1: did not find expected"},
		{"not mapping", "- a\n", "rules.yaml:1:1: want a mapping"},
		{"no rules", "version: 1\n", `rules.yaml:1:1: unknown field "version"`},
		{"rules not list", "rules: 3\n", `rules.yaml:1:8: "rules" must be a list`},
		{"typo", "rules:\n  - expect: {service: dns, sevrer: 10.0.0.53}\n", `rules.yaml:2:28: unknown field "sevrer" (did you mean "server"?)`},
		{"unknown kind", "rules:\n  - exepct: {service: dns}\n", `rules.yaml:2:5: unknown field "exepct" (did you mean "expect"?)`},
		{"far unknown", "rules:\n  - forbid: {colour: red}\n", `unknown field "colour" (want one of proto, service`},
		{"no kind", "rules:\n  - name: x\n", "rules.yaml:2:5: rule needs one of expect, forbid, limit or allow"},
		{"two kinds", "rules:\n  - expect: {service: dns}\n    forbid: {service: ftp}\n", "rules.yaml:3:5: rule has both expect and forbid"},
		{"duplicate", "rules:\n  - forbid: {service: ftp, service: http}\n", `rules.yaml:2:28: duplicate field "service"`},
		{"bad server", "rules:\n  - expect: {server: 10.0.0.300}\n", `rules.yaml:2:22: bad server "10.0.0.300"`},
		{"bad cidr in list", "rules:\n  - forbid: {server_not_in: [10.0.0.0/8, 10/8]}\n", `rules.yaml:2:42: bad server_not_in "10/8" (did you mean "10.0.0.0/8"?)`},
		{"bad port", "rules:\n  - expect: {port: icmp/3}\n", `rules.yaml:2:20: bad port "icmp/3"`},
		{"port zero", "rules:\n  - expect: {port: 0}\n", `rules.yaml:2:20: bad port "0" (want 1-65535)`},
		{"bad finding", "rules:\n  - forbid: {finding: odd-port}\n", `rules.yaml:2:23: unknown finding kind "odd-port"`},
		{"bad tls", "rules:\n  - forbid: {tls_below: \"2.0\"}\n", `rules.yaml:2:25: unknown TLS version "2.0"`},
		{"tls list", "rules:\n  - forbid: {tls_below: [1.2]}\n", "rules.yaml:2:25: want a single value, not a list"},
		{"missing value", "rules:\n  - forbid: {service: }\n", "rules.yaml:2:23: missing value"},
		{"empty list", "rules:\n  - forbid: {service: []}\n", "rules.yaml:2:23: empty list"},
		{"empty service", "rules:\n  - forbid: {service: \"\"}\n", `rules.yaml:2:23: unknown service "" (want one of ` + wantServices},
		{"bad service in only", "rules:\n  - only:\n      - {server: 10.0.0.1, service: [none, \"h t\"]}\n", `rules.yaml:3:44: unknown service "h t" (want one of ` + wantServices + `, none)`},
		{"empty forbid", "rules:\n  - forbid: {}\n", "rules.yaml:2:13: forbid needs at least one of"},
		{"forbid scalar", "rules:\n  - forbid: http\n", "rules.yaml:2:13: forbid wants a mapping"},
		{"max below min", "rules:\n  - expect: {service: dns, min: 3, max: 2}\n", "rules.yaml:2:33: max 2 is below min 3"},
		{"bad count", "rules:\n  - expect: {service: dns, min: -1}\n", `rules.yaml:2:33: bad count "-1"`},
		{"min in forbid", "rules:\n  - forbid: {service: dns, min: 1}\n", `rules.yaml:2:28: unknown field "min"`},
		{"bad size", "rules:\n  - limit: {bytes: 10XB}\n", `rules.yaml:2:20: bad bytes "10XB": unknown unit "XB"`},
		{"empty limit", "rules:\n  - limit: {service: dns}\n", "rules.yaml:2:12: limit needs bytes, flows or per_flow"},
		{"bad duration", "rules:\n  - limit: {per_flow: {duration: 30}}\n", `rules.yaml:2:34: bad duration "30"`},
		{"per_flow typo", "rules:\n  - limit: {per_flow: {packet: 10}}\n", `rules.yaml:2:24: unknown field "packet" (did you mean "packets"?)`},
		{"bad allow", "rules:\n  - allow: \"http tcp/0\"\n", `rules.yaml:2:12: bad target "tcp/0": bad port "0"`},
		{"allow kind", "rules:\n  - allow: \"http tcp/80 weird\"\n", `rules.yaml:2:12: unknown finding kind "weird"`},
		{"empty allow", "rules:\n  - allow: \"# nothing\"\n", "rules.yaml:2:12: empty allow rule"},
		{"service typo", "rules:\n  - forbid: {service: htttp}\n", `rules.yaml:2:23: unknown service "htttp" (did you mean "http"?)`},
		{"service typo in a list", "rules:\n  - forbid: {service: [ftp, telent]}\n", `rules.yaml:2:29: unknown service "telent" (did you mean "telnet"?)`},
		{"none typo", "rules:\n  - only: [{service: nome}]\n", `rules.yaml:2:22: unknown service "nome" (did you mean "none"?)`},
		{"service unknown", "rules:\n  - forbid: {service: gopher}\n", `rules.yaml:2:23: unknown service "gopher" (want one of ` + wantServices},
		{"proto typo", "rules:\n  - forbid: {proto: tpc}\n", `rules.yaml:2:21: unknown proto "tpc" (did you mean "tcp"?)`},
		{"proto unknown", "rules:\n  - forbid: {proto: ip-256}\n", `rules.yaml:2:21: unknown proto "ip-256" (want icmp, igmp, ipip, tcp, udp,`},
		{"port transport typo", "rules:\n  - expect: {port: upd/53}\n", `rules.yaml:2:20: bad port "upd/53" (did you mean "udp/53"?)`},
		{"port too big", "rules:\n  - expect: {port: 70000}\n", `rules.yaml:2:20: bad port "70000" (want 1-65535)`},
		{"finding typo", "rules:\n  - forbid: {finding: nonstandard-prot}\n", `rules.yaml:2:23: unknown finding kind "nonstandard-prot" (did you mean "nonstandard-port"?)`},
		{"cidr bits", "rules:\n  - forbid: {server_not_in: 10.0.0.0/40}\n", `rules.yaml:2:29: bad server_not_in "10.0.0.0/40" (did you mean "10.0.0.0/32"?)`},
		{"cidr short", "rules:\n  - forbid: {server_not_in: [10/8, 192.168/16]}\n", `rules.yaml:2:30: bad server_not_in "10/8" (did you mean "10.0.0.0/8"?)`},
		{"cidr short second", "rules:\n  - forbid: {server_not_in: [10.0.0.0/8, 172.16/12]}\n", `rules.yaml:2:42: bad server_not_in "172.16/12" (did you mean "172.16.0.0/12"?)`},
		{"cidr garbage", "rules:\n  - forbid: {client: 10.0.0.x/8}\n", `rules.yaml:2:22: bad client "10.0.0.x/8" (want an IP address or CIDR)`},
		{"server name", "rules:\n  - forbid: {server: evil.example}\n", `rules.yaml:2:22: bad server "evil.example" (want an IP address or CIDR; match server names with sni or server_name)`},
		{"size unit typo", "rules:\n  - limit: {bytes: 10MiBB}\n", `rules.yaml:2:20: bad bytes "10MiBB": unknown unit "MiBB" (did you mean "MiB"?)`},
		{"allow service typo", "rules:\n  - allow: \"htp tcp/8080\"\n", `rules.yaml:2:12: unknown service "htp" (did you mean "http"?)`},
		{"two documents", "rules: []\n---\nrules: []\n", "rules.yaml:2:1: a second YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := Parse(strings.NewReader(tt.src), "rules.yaml")
			if err == nil {
				t.Fatalf("no error; rules %+v", rs)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestCheckServiceNone: "service: none" selects the flows with no recognised
// service, so that an only rule (what a baseline writes) can pin "no
// service" on a server and port; a selector without service takes any.
func TestCheckServiceNone(t *testing.T) {
	bare := testRec(20, "tcp", "10.0.0.5:42000", "10.0.0.80:8080", "", time.Second)
	http := testRec(21, "tcp", "10.0.0.5:42001", "10.0.0.80:8080", "http", time.Second)
	dns := testRec(22, "udp", "10.0.0.5:42002", "10.0.0.53:53", "dns", time.Second)
	tests := []struct {
		name string
		rule string
		recs []flow.Record
		ids  []uint64 // flows of the violations; nil when the rule holds
	}{
		{"only none holds", "only: [{proto: tcp, server: 10.0.0.80, port: tcp/8080, service: none}]", []flow.Record{bare}, nil},
		{"only none, a service appears", "only: [{proto: tcp, server: 10.0.0.80, port: tcp/8080, service: none}]", []flow.Record{bare, http}, []uint64{21}},
		{"only a service, none appears", "only: [{proto: tcp, server: 10.0.0.80, port: tcp/8080, service: http}]", []flow.Record{bare, http}, []uint64{20}},
		{"only without service takes any", "only: [{proto: tcp, server: 10.0.0.80, port: tcp/8080}]", []flow.Record{bare, http}, nil},
		{"only none or a service", "only: [{server: 10.0.0.80, service: [none, http]}]", []flow.Record{bare, http, dns}, []uint64{22}},
		{"upper case", "only: [{server: 10.0.0.80, service: NONE}]", []flow.Record{bare, http}, []uint64{21}},
		{"forbid none", "forbid: {service: none}", []flow.Record{bare, http, dns}, []uint64{20}},
		{"expect none", "expect: {service: none, port: tcp/8080}", []flow.Record{http}, []uint64{}},
		{"expect none holds", "expect: {service: none, port: tcp/8080, max: 1}", []flow.Record{bare, http}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := testParse(t, "rules:\n  - "+tt.rule+"\n")
			out := Check(rs, "c.pcap", tt.recs, nil, 0)
			if len(out) != 1 {
				t.Fatalf("%d outcomes", len(out))
			}
			if out[0].Passed != (tt.ids == nil) {
				t.Fatalf("passed %v, want %v: %+v", out[0].Passed, tt.ids == nil, out[0].Violations)
			}
			ids := []uint64{}
			for _, v := range out[0].Violations {
				ids = append(ids, v.FlowIDs...)
			}
			if tt.ids != nil && !slices.Equal(ids, tt.ids) {
				t.Errorf("violations on flows %v, want %v", ids, tt.ids)
			}
		})
	}
}

// Every error of a file is reported, not just the first.
func TestParseErrorsAll(t *testing.T) {
	_, err := Parse(strings.NewReader("rules:\n  - expect: {sevrer: x}\n  - forbid: {finding: y}\n"), "r.yaml")
	if err == nil || !strings.Contains(err.Error(), "r.yaml:2:") || !strings.Contains(err.Error(), "r.yaml:3:") {
		t.Errorf("error %v, want both lines", err)
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"1500", 1500, true},
		{"10MB", 10_000_000, true},
		{"1.5 KiB", 1536, true},
		{"2gb", 2_000_000_000, true},
		{"64B", 64, true},
		{"MB", 0, false},
		{"-1KB", 0, false},
		{"5 parsecs", 0, false},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestEvalGlob(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"api.example.com", "api.example.com", true},
		{"api.example.com", "xapi.example.com", false},
		{"*.evil.example", "a.b.evil.example", true},
		{"*.evil.example", "evil.example", false},
		{"*", "anything", true},
		{"a*a", "a", false},
		{"a*a", "aa", true},
		{"*mid*", "xxmidyy", true},
	}
	for _, tt := range tests {
		if got := evalGlob(tt.pattern, tt.name); got != tt.want {
			t.Errorf("evalGlob(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

// Outcomes depend on the records, not on their order, and the violation
// list is capped at maxViolations with "… and N more" (0: all).
func TestCheckDeterministicAndCapped(t *testing.T) {
	var recs []flow.Record
	for i := uint64(1); i <= 120; i++ {
		recs = append(recs, testRec(i, "tcp", "10.0.0.1:40000", "10.0.0.2:23", "telnet", time.Second))
	}
	rs := testParse(t, "rules:\n  - forbid: {service: telnet}\n")
	rev := slices.Clone(recs)
	slices.Reverse(rev)
	if a, b := Check(rs, "c", recs, nil, 10), Check(rs, "c", rev, nil, 10); !reflect.DeepEqual(a, b) {
		t.Fatal("outcome depends on record order")
	}
	tests := []struct {
		max, lines int
		more       string
	}{
		{10, 11, "… and 110 more"},
		{1, 2, "… and 119 more"},
		{119, 120, "… and 1 more"},
		{120, 120, ""},
		{0, 120, ""},
	}
	for _, tt := range tests {
		vs := Check(rs, "c", recs, nil, tt.max)[0].Violations
		if len(vs) != tt.lines || vs[0].FlowIDs[0] != 1 {
			t.Fatalf("max %d: %d violations, want %d", tt.max, len(vs), tt.lines)
		}
		last := vs[len(vs)-1]
		if tt.more != "" && (last.Message != tt.more || last.More != 120-tt.max || last.FlowIDs != nil) {
			t.Errorf("max %d: last violation %+v, want %q", tt.max, last, tt.more)
		}
		if tt.more == "" && last.More != 0 {
			t.Errorf("max %d: last violation %+v", tt.max, last)
		}
	}
}

func TestCheckContinuations(t *testing.T) {
	a := testRec(1, "udp", "10.0.0.5:40000", "10.0.0.53:53", "dns", time.Second)
	a.EndReason = flow.EndActive.String() // as every record another continues
	b := a
	b.ID, b.Continues, b.EndReason = 2, 1, flow.EndIdle.String()
	rs := testParse(t, "rules:\n  - expect: {service: dns, max: 1}\n  - limit: {flows: 1}\n  - limit: {bytes: 6000}\n")
	out := Check(rs, "c", []flow.Record{a, b}, nil, 0)
	if !out[0].Passed || !out[1].Passed || !out[2].Passed {
		t.Errorf("outcomes %+v", out)
	}
}

// TestCheckerStreams: records added in any order (continuations after what
// they continue, as the pipeline writes them) give Check's outcomes, and
// a rule keeps only the violations it lists, however many flows match.
func TestCheckerStreams(t *testing.T) {
	rs := testParse(t, "rules:\n  - forbid: {service: telnet}\n  - expect: {service: telnet, max: 3}\n  - limit: {flows: 2, bytes: 1KB, per_flow: {packets: 1}}\n  - only: [{service: dns}]\n")
	var recs []flow.Record
	for i := uint64(1); i <= 50000; i++ {
		recs = append(recs, testRec(i, "tcp", "10.0.0.1:40000", "10.0.0.2:23", "telnet", time.Second))
	}
	want := Check(rs, "c", recs, nil, 10)
	c := NewChecker(rs, "c", nil, 10)
	for i := len(recs) - 1; i >= 0; i-- { // the reverse of id order
		c.Add(&recs[i])
		for _, st := range c.rules {
			if len(st.listed) > max(10, evalShowFlows) || len(st.open) > 0 {
				t.Fatalf("rule %s keeps %d entries, %d open", st.ru.Kind, len(st.listed), len(st.open))
			}
		}
	}
	if got := c.Outcomes(); !reflect.DeepEqual(got, want) {
		t.Errorf("streamed outcomes differ from Check's:\n%+v\n%+v", got, want)
	}
	if n := len(want[0].Violations); n != 11 || want[0].Violations[10].More != 49990 {
		t.Errorf("forbid: %d violations, last %+v", n, want[0].Violations[n-1])
	}
}

// wantServices is the list of service names errors offer: every one the
// catalogue has, so adding a protocol does not change these tests.
var wantServices = strings.Join(service.Names(), ", ")

// testChain builds one flow an active timeout split into records with the
// given ids, each 20 s long (starting 20 s apart), 20 packets and 3000 IP
// bytes (testRec's); every record but the last ends "active" and each
// continues the one before. final false leaves the last one active too, as
// when the input ends before the flow's final record.
func testChain(server string, final bool, ids ...uint64) []flow.Record {
	var recs []flow.Record
	for i, id := range ids {
		r := testRec(id, "tcp", "10.0.0.5:41000", server, "tls", 20*time.Second)
		r.FirstSeen = r.FirstSeen.Add(time.Duration(i) * 20 * time.Second)
		r.LastSeen = r.FirstSeen.Add(20 * time.Second)
		r.EndReason = flow.EndActive.String()
		if i > 0 {
			r.Continues = ids[i-1]
		}
		recs = append(recs, r)
	}
	if final {
		recs[len(recs)-1].EndReason = flow.EndFIN.String()
	}
	return recs
}

// TestCheckPerFlowChains: per_flow limits judge a split flow whole (the
// sum of its records' packets and bytes, its first record's first_seen to
// its last's last_seen), once, named by its first record.
func TestCheckPerFlowChains(t *testing.T) {
	chain := testChain("10.0.0.80:443", true, 20, 25, 31) // 60 s, 60 packets, 9000 bytes
	single := testRec(22, "tcp", "10.0.0.6:41000", "10.0.0.81:443", "tls", 30*time.Second)
	recs := append(slices.Clone(chain), single)
	const name = "flow 20 10.0.0.5:41000 → 10.0.0.80:443 (tcp tls), split by the active timeout into 3 records (20 … 31): "
	noService := slices.Clone(recs)
	noService[0].Service, noService[0].ServiceConfidence = "", "" // named only from the second record on
	other := testChain("10.0.0.82:443", true, 21, 24, 26)
	tests := []struct {
		name string
		recs []flow.Record
		rule string
		max  int
		msgs []string // every violation's message, in order
		ids  []uint64
	}{
		{"bytes over whole", recs, `limit: {per_flow: {bytes: 5KB}}`, 0, []string{name + "9000 IP bytes, over 5000"}, []uint64{20}},
		{"packets over whole", recs, `limit: {per_flow: {packets: 50}}`, 0, []string{name + "60 packets, over 50"}, []uint64{20}},
		{"duration over whole", recs, `limit: {per_flow: {duration: 50s}}`, 0, []string{name + "lasted 1m0s, over 50s"}, []uint64{20}},
		{"all three", recs, `limit: {per_flow: {duration: 50s, packets: 50, bytes: 5KB}, service: tls}`, 0,
			[]string{name + "lasted 1m0s, over 50s; 60 packets, over 50; 9000 IP bytes, over 5000"}, []uint64{20}},
		{"holds", recs, `limit: {per_flow: {duration: 61s, packets: 60, bytes: 9KB}}`, 0, nil, nil},
		{"every record over, one violation", recs, `limit: {per_flow: {packets: 10}}`, 0,
			[]string{name + "60 packets, over 10", "flow 22 10.0.0.6:41000 → 10.0.0.81:443 (tcp tls): 20 packets, over 10"}, []uint64{20, 22}},
		{"selector misses", recs, `limit: {per_flow: {packets: 10}, service: ssh}`, 0, nil, nil},
		{"service named late", noService, `limit: {per_flow: {bytes: 5KB}, service: tls}`, 0, []string{name + "9000 IP bytes, over 5000"}, []uint64{20}},
		{"final record never came", testChain("10.0.0.80:443", false, 20, 25), `limit: {per_flow: {bytes: 5KB}}`, 0,
			[]string{"flow 20 10.0.0.5:41000 → 10.0.0.80:443 (tcp tls), split by the active timeout into 2 records (20 … 25): 6000 IP bytes, over 5000"}, []uint64{20}},
		// Chain 21 ends first (26 < 31) but lists after 20: by first id, capped.
		{"capped by first id", append(slices.Clone(other), recs...), `limit: {per_flow: {bytes: 5KB}}`, 1,
			[]string{name + "9000 IP bytes, over 5000", "… and 1 more"}, []uint64{20}},
		{"largest flow whole", recs, `limit: {bytes: 10KB}`, 0,
			[]string{"12000 IP bytes in 2 flows matching any flow, over the limit of 10KB (10000 bytes); largest: " + strings.TrimSuffix(name, ": ") + ", 9000 bytes"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := testParse(t, "rules:\n  - "+tt.rule+"\n")
			// Streamed in the pipeline's order (end time, then id), and by id: the same.
			byEnd := slices.Clone(tt.recs)
			slices.SortStableFunc(byEnd, func(a, b flow.Record) int {
				if c := a.LastSeen.Compare(b.LastSeen); c != 0 {
					return c
				}
				return cmp.Compare(a.ID, b.ID)
			})
			c := NewChecker(rs, "c", nil, tt.max)
			for i := range byEnd {
				c.Add(&byEnd[i])
			}
			out := c.Outcomes()
			if want := Check(rs, "c", tt.recs, nil, tt.max); !reflect.DeepEqual(out, want) {
				t.Errorf("streamed by end time %+v, by id %+v", out, want)
			}
			var msgs []string
			var ids []uint64
			for _, v := range out[0].Violations {
				msgs = append(msgs, v.Message)
				ids = append(ids, v.FlowIDs...)
			}
			if !slices.Equal(msgs, tt.msgs) || !slices.Equal(ids, tt.ids) || out[0].Passed != (len(tt.msgs) == 0) {
				t.Errorf("violations %q ids %v passed %v; want %q %v", msgs, ids, out[0].Passed, tt.msgs, tt.ids)
			}
		})
	}
}

// TestCheckPerFlowChainsBounded: a chain is kept only while its last
// record so far is active, and only when a limit needs it.
func TestCheckPerFlowChainsBounded(t *testing.T) {
	recs := testChain("10.0.0.80:443", true, 20, 25, 31)
	c := NewChecker(testParse(t, "rules:\n  - limit: {per_flow: {bytes: 5KB}}\n"), "c", nil, 0)
	for i, want := range []int{1, 1, 0} {
		c.Add(&recs[i])
		if len(c.chains) != want {
			t.Errorf("after record %d: %d chains kept, want %d", recs[i].ID, len(c.chains), want)
		}
	}
	c = NewChecker(testParse(t, "rules:\n  - forbid: {service: telnet}\n  - limit: {flows: 3}\n"), "c", nil, 0)
	c.Add(&recs[0])
	if c.chains != nil {
		t.Error("chains kept with no limit that needs them")
	}
}

// TestCheckPerFlowChainsRepeatedIDs: captures merged into one Check may
// repeat ids; a chain another one displaces is judged, not dropped.
func TestCheckPerFlowChainsRepeatedIDs(t *testing.T) {
	a := testChain("10.0.0.80:443", false, 20)
	b := testChain("10.0.0.81:443", true, 20, 25)
	rs := testParse(t, "rules:\n  - limit: {per_flow: {packets: 10}}\n")
	var msgs []string
	for _, v := range Check(rs, "c", append(a, b...), nil, 0)[0].Violations {
		msgs = append(msgs, v.Message)
	}
	want := []string{
		"flow 20 10.0.0.5:41000 → 10.0.0.80:443 (tcp tls): 20 packets, over 10",
		"flow 20 10.0.0.5:41000 → 10.0.0.81:443 (tcp tls), split by the active timeout into 2 records (20 … 25): 40 packets, over 10",
	}
	if !slices.Equal(msgs, want) {
		t.Errorf("violations %q, want %q", msgs, want)
	}
}
