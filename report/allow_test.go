package report

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/internal/testcaps"
)

func mustAllowlist(t *testing.T, text string) *Allowlist {
	t.Helper()
	a, err := ParseAllowlist(strings.NewReader(text), "allow.txt")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestParseAllowlistForms(t *testing.T) {
	text := "\ufeff# known exceptions\n" +
		"\n" +
		"http tcp/8080\n" +
		"  ssh 10.0.0.5:2222   # jump host\r\n" +
		"* 192.168.0.0/16 port-mismatch\n" +
		"TLS [2001:db8::1]:8443 nonstandard-port\n" +
		"dns udp/5353\n" +
		"sip sctp/5060\n" +
		"ssh 10.0.0.7\n" +
		"ssh 2001:db8::7\n" +
		"ssh fe80::1%eth0\n" +
		"* 10.1.2.3/8\n" +
		"* ::ffff:10.9.9.9\n" +
		"rdp *\n" +
		"\t\n"
	a := mustAllowlist(t, text)
	want := []allowRule{
		{service: "http", target: targetProtoPort, proto: "tcp", port: 8080},
		{service: "ssh", target: targetAddrPort, addr: netip.MustParseAddr("10.0.0.5"), port: 2222},
		{kind: KindPortMismatch, target: targetPrefix, prefix: netip.MustParsePrefix("192.168.0.0/16")},
		{service: "tls", kind: KindNonstandardPort, target: targetAddrPort, addr: netip.MustParseAddr("2001:db8::1"), port: 8443},
		{service: "dns", target: targetProtoPort, proto: "udp", port: 5353},
		{service: "sip", target: targetProtoPort, proto: "sctp", port: 5060},
		{service: "ssh", target: targetAddr, addr: netip.MustParseAddr("10.0.0.7")},
		{service: "ssh", target: targetAddr, addr: netip.MustParseAddr("2001:db8::7")},
		{service: "ssh", target: targetAddr, addr: netip.MustParseAddr("fe80::1")},
		{target: targetPrefix, prefix: netip.MustParsePrefix("10.0.0.0/8")},
		{target: targetAddr, addr: netip.MustParseAddr("10.9.9.9")},
		{service: "rdp", target: targetAny},
	}
	if len(a.rules) != len(want) {
		t.Fatalf("%d rules, want %d: %+v", len(a.rules), len(want), a.rules)
	}
	for i := range want {
		if a.rules[i] != want[i] {
			t.Errorf("rule %d: got %+v, want %+v", i+1, a.rules[i], want[i])
		}
	}
}

func TestParseAllowlistEmpty(t *testing.T) {
	for _, text := range []string{"", "\n\n# nothing\n   \n"} {
		a := mustAllowlist(t, text)
		if len(a.rules) != 0 {
			t.Errorf("%q: %d rules", text, len(a.rules))
		}
	}
}

// Errors name file:line:column of the field at fault, and values that
// cannot exist (a misspelt service, kind or transport) are refused with a
// suggestion rather than accepted as a rule that never matches.
func TestParseAllowlistErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"http", `allow.txt:1:1: want SERVICE TARGET [KIND], got 1 field`},
		{"# ok\n\nhttp tcp/80 port-mismatch extra", `allow.txt:3:27: want SERVICE TARGET [KIND], got 4 fields`},
		{"http tcp/80\nssh * foo", `allow.txt:2:7: unknown finding kind "foo" (want one of nonstandard-port, port-mismatch, protocol-mismatch, beacon)`},
		{"ssh * port-mismach", `allow.txt:1:7: unknown finding kind "port-mismach" (did you mean "port-mismatch"?)`},
		{"htttp tcp/80", `allow.txt:1:1: unknown service "htttp" (did you mean "http"?)`},
		{"  SHH tcp/22", `allow.txt:1:3: unknown service "shh" (did you mean "ssh"?)`},
		{"\ufeffgopher tcp/70", `allow.txt:1:2: unknown service "gopher" (want one of bittorrent, capwap, dhcp, dns,`},
		{"ht/tp tcp/80", `allow.txt:1:1: unknown service "ht/tp"`},
		{"http tpc/80", `allow.txt:1:6: bad target "tpc/80": unknown transport "tpc" (did you mean "tcp/80"?)`},
		{"http tcp/0", `allow.txt:1:6: bad target "tcp/0": bad port "0" (want 1-65535)`},
		{"http tcp/65536", `allow.txt:1:6: bad target "tcp/65536": bad port "65536"`},
		{"http tcp/", `allow.txt:1:6: bad target "tcp/": bad port ""`},
		{"http icmp/8", `allow.txt:1:6: bad target "icmp/8": want tcp/PORT`},
		{"http 10.0.0.0/33", `allow.txt:1:6: bad target "10.0.0.0/33" (did you mean "10.0.0.0/32"?)`},
		{"* 192.168/16", `allow.txt:1:3: bad target "192.168/16" (did you mean "192.168.0.0/16"?)`},
		{"* 2001:db8::/129", `allow.txt:1:3: bad target "2001:db8::/129" (did you mean "2001:db8::/128"?)`},
		{"* 10.0.x/8", `allow.txt:1:3: bad target "10.0.x/8": want tcp/PORT`},
		{"http 10.0.0.5:0", `allow.txt:1:6: bad target "10.0.0.5:0": bad port "0"`},
		{"http 10.0.0.5:http", `allow.txt:1:6: bad target "10.0.0.5:http": bad port "http"`},
		{"http 10.0.0.256:80", `allow.txt:1:6: bad target "10.0.0.256:80": want tcp/PORT`},
		{"http 2001:db8::1]:80", `allow.txt:1:6: bad target "2001:db8::1]:80"`},
		{"http [10.0.0.5]:80", `allow.txt:1:6: bad target "[10.0.0.5]:80": brackets are for IPv6 addresses`},
		{"http example.com", `allow.txt:1:6: bad target "example.com": want tcp/PORT`},
		{"http\t" + strings.Repeat("x", 70_000), `allow.txt:1:6: bad target "` + strings.Repeat("x", 64) + `"...(+69936 bytes): want`},
		{"# big\n" + strings.Repeat("http tcp/80\n", 100_000), `allow.txt:87382:11: allowlist is larger than 1048576 bytes`},
	}
	for _, tt := range tests {
		start := testcaps.CPUTime(t)
		_, err := ParseAllowlist(strings.NewReader(tt.text), "allow.txt")
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%.40q: err = %v, want prefix %s", tt.text, err, tt.want)
		}
		if took := testcaps.CPUTime(t) - start; took > time.Second {
			t.Errorf("%.40q: took %v", tt.text, took)
		}
	}
}

func TestAllowed(t *testing.T) {
	sshOn2222 := svcRec(1, 2222, "ssh", "high")
	sshOn2222.Server.IP = netip.MustParseAddr("10.0.0.5")
	httpOn22 := svcRec(2, 22, "http", "medium")
	httpOn22.Server.IP = netip.MustParseAddr("192.168.1.1")
	mute := svcRec(3, 443, "", "")
	mute.ClientPrefix = "\x00"
	mute.ClientFromSYN = true
	mute.Server.IP = netip.MustParseAddr("2001:db8::1")
	udpDNS := svcRec(4, 5300, "dns", "high")
	udpDNS.Proto, udpDNS.IPProto = "udp", 17

	tests := []struct {
		name, rules string
		rec         flow.Record
		want        []bool // per finding of rec, in Findings order
	}{
		{"no rule", "", sshOn2222, []bool{false}},
		{"proto/port", "ssh tcp/2222", sshOn2222, []bool{true}},
		{"other proto", "ssh udp/2222", sshOn2222, []bool{false}},
		{"other port", "ssh tcp/2223", sshOn2222, []bool{false}},
		{"other service", "http tcp/2222", sshOn2222, []bool{false}},
		{"service case", "SSH tcp/2222", sshOn2222, []bool{true}},
		{"ip:port", "ssh 10.0.0.5:2222", sshOn2222, []bool{true}},
		{"ip:other port", "ssh 10.0.0.5:22", sshOn2222, []bool{false}},
		{"client side is not the target", "ssh 10.0.0.1", sshOn2222, []bool{false}},
		{"ip", "ssh 10.0.0.5", sshOn2222, []bool{true}},
		{"mapped ip", "ssh ::ffff:10.0.0.5", sshOn2222, []bool{true}},
		{"cidr", "ssh 10.0.0.0/24", sshOn2222, []bool{true}},
		{"cidr miss", "ssh 10.0.1.0/24", sshOn2222, []bool{false}},
		{"any target", "ssh *", sshOn2222, []bool{true}},
		{"any service", "* tcp/2222", sshOn2222, []bool{true}},
		{"kind match", "ssh * nonstandard-port", sshOn2222, []bool{true}},
		{"kind miss", "ssh * port-mismatch", sshOn2222, []bool{false}},
		{"one kind of two", "http tcp/22 port-mismatch", httpOn22, []bool{false, true}},
		{"both kinds", "http 192.168.0.0/16", httpOn22, []bool{true, true}},
		{"any service, one kind", "* 192.168.0.0/16 port-mismatch", httpOn22, []bool{false, true}},
		{"unidentified needs *", "tls tcp/443", mute, []bool{false}},
		{"unidentified, *", "* [2001:db8::1]:443", mute, []bool{true}},
		{"unidentified, v6 cidr", "* 2001:db8::/32 port-mismatch", mute, []bool{true}},
		{"udp", "dns udp/5300", udpDNS, []bool{true}},
		{"udp, tcp rule", "dns tcp/5300", udpDNS, []bool{false}},
		{"second rule", "ssh tcp/22\nssh tcp/2222", sshOn2222, []bool{true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mustAllowlist(t, tt.rules)
			fs := Findings(&tt.rec)
			if len(fs) != len(tt.want) {
				t.Fatalf("%d findings, want %d: %+v", len(fs), len(tt.want), fs)
			}
			var kept []string
			for i := range fs {
				if got := a.Allowed(&tt.rec, &fs[i]); got != tt.want[i] {
					t.Errorf("%s: Allowed = %v, want %v", fs[i].Kind, got, tt.want[i])
				}
				if !tt.want[i] {
					kept = append(kept, fs[i].Kind)
				}
			}
			gotKept, n := a.Filter(&tt.rec)
			if n != len(fs)-len(kept) || len(gotKept) != len(kept) {
				t.Fatalf("Filter kept %d, suppressed %d; want %v", len(gotKept), n, kept)
			}
			for i := range kept {
				if gotKept[i].Kind != kept[i] {
					t.Errorf("Filter kept %s, want %s", gotKept[i].Kind, kept[i])
				}
			}
		})
	}
}

func TestNilAllowlist(t *testing.T) {
	var a *Allowlist
	r := svcRec(1, 22, "http", "medium")
	fs, n := a.Filter(&r)
	if len(fs) != 2 || n != 0 {
		t.Errorf("nil Filter: %d kept, %d suppressed", len(fs), n)
	}
	if a.Allowed(&r, &fs[0]) {
		t.Error("nil Allowlist allowed a finding")
	}
}

// A did-you-mean quotes the user's text escaped, like the rest of the
// message: an ESC in a port cannot reach the terminal.
func TestSuggestionEscaped(t *testing.T) {
	_, err := ParseAllowlist(strings.NewReader("ssh tpc/2\x1b[31mRED\n"), "a.txt")
	if err == nil || strings.ContainsRune(err.Error(), 0x1b) || !strings.Contains(err.Error(), `did you mean "tcp/2\x1b[31mRED"`) {
		t.Errorf("error %q", err)
	}
}
