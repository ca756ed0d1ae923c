package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowscope/flowscope/report/rules/schematest"
)

func writeRules(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCheck runs `flowscope check` over shared captures: exit codes, the
// human list, and the JUnit and SARIF files, which must also be valid
// against the schemas in testdata/schemas/.
func TestCheck(t *testing.T) {
	ssh := capturePath(t, "ndpi__ssh.pcap")
	fuzz := capturePath(t, "ndpi__fuzz-2021-10-13.pcap") // cut part-way: untrusted
	cases := []struct {
		name     string
		rules    string
		captures []string // before ndpi__ssh.pcap
		code     int
		out      []string // substrings of stdout
	}{
		{"expect holds", "rules:\n  - expect: {service: ssh, port: tcp/22}\n", nil, checkPass, []string{"PASS"}},
		{"forbid nonstandard port", "rules:\n  - forbid: {finding: nonstandard-port}\n", nil, checkFail,
			[]string{"FAIL", "rules.yaml:2", "8000"}},
		{"allowed by the rules file", "rules:\n  - forbid: {finding: nonstandard-port}\n  - allow: \"ssh tcp/8000\"\n", nil, checkPass, []string{"PASS"}},
		{"expect fails", "rules:\n  - expect: {service: http}\n", nil, checkFail, []string{"FAIL"}},
		{"limit flows", "rules:\n  - limit: {flows: 1}\n", nil, checkFail, []string{"FAIL"}},
		{"two captures, one untrusted", "rules:\n  - limit: {flows: 100}\n", []string{fuzz}, checkPass, []string{"UNTRUSTED", "2 passed"}},
		{"two captures failing", "rules:\n  - forbid: {service: ssh}\n  - expect: {service: dns}\n", []string{fuzz}, checkFail, []string{"FAIL", "PASS"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rulesPath := writeRules(t, tc.rules)
			dir := t.TempDir()
			junit, sarif := filepath.Join(dir, "j.xml"), filepath.Join(dir, "s.sarif")
			args := append([]string{"check", "--rules", rulesPath, "--junit", junit, "--sarif", sarif}, tc.captures...)
			res := mustRun(t, tc.code, nil, append(args, ssh)...)
			for _, want := range tc.out {
				if !strings.Contains(string(res.stdout), want) {
					t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
				}
			}
			var suites struct {
				Suites []struct {
					Tests    int `xml:"tests,attr"`
					Failures int `xml:"failures,attr"`
				} `xml:"testsuite"`
			}
			jb, err := os.ReadFile(junit)
			if err != nil {
				t.Fatal(err)
			}
			if err := xml.Unmarshal(jb, &suites); err != nil || len(suites.Suites) != len(tc.captures)+1 {
				t.Fatalf("junit: %v\n%s", err, jb)
			}
			fails := 0
			for _, s := range suites.Suites {
				fails += s.Failures
			}
			if (fails > 0) != (tc.code == checkFail) {
				t.Errorf("junit failures %d for exit %d", fails, tc.code)
			}
			t.Run("junit schema", func(t *testing.T) {
				// Its own subtest: without xmllint only this part skips.
				if err := schematest.ValidateJUnitFile(schematest.XMLLint(t), junit); err != nil {
					t.Errorf("junit breaks %s: %v\n%s", schematest.JUnitSchema, err, jb)
				}
			})
			var s struct {
				Version string `json:"version"`
				Runs    []struct {
					Results []json.RawMessage `json:"results"`
				} `json:"runs"`
			}
			sb, err := os.ReadFile(sarif)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(sb, &s); err != nil || s.Version != "2.1.0" || len(s.Runs) != 1 ||
				(len(s.Runs[0].Results) > 0) != (tc.code == checkFail) {
				t.Errorf("sarif: %v %+v", err, s)
			}
			if err := schematest.ValidateSARIF(sb); err != nil {
				t.Errorf("sarif breaks the SARIF 2.1.0 schema: %v\n%s", err, sb)
			}
		})
	}

	t.Run("deterministic", func(t *testing.T) {
		rulesPath := writeRules(t, "rules:\n  - forbid: {finding: nonstandard-port}\n")
		var outs [2][]byte
		for i := range outs {
			p := filepath.Join(t.TempDir(), "j.xml")
			mustRun(t, checkFail, nil, "check", "--rules", rulesPath, "--junit", p, ssh)
			outs[i], _ = os.ReadFile(p)
		}
		if !bytes.Equal(outs[0], outs[1]) {
			t.Error("JUnit differs between two runs")
		}
	})
	t.Run("usage and inputs", func(t *testing.T) {
		bad := writeRules(t, "rules:\n  - forbid: {sevrer: 10.0.0.1}\n")
		res := mustRun(t, checkUsage, nil, "check", "--rules", bad, ssh)
		if !strings.Contains(string(res.stderr), "rules.yaml:2") {
			t.Errorf("rules error without position: %s", res.stderr)
		}
		ok := writeRules(t, "rules:\n  - limit: {flows: 100}\n")
		mustRun(t, checkUsage, nil, "check", ssh)
		mustRun(t, checkBadInput, nil, "check", "--rules", ok, filepath.Join(t.TempDir(), "missing.pcap"))
		// A truncated capture passes the rules, but not under --strict.
		fuzz := capturePath(t, "ndpi__fuzz-2021-10-13.pcap")
		mustRun(t, checkPass, nil, "check", "--rules", ok, fuzz)
		mustRun(t, checkFail, nil, "check", "--strict", "--rules", ok, fuzz)
	})
	t.Run("github annotations", func(t *testing.T) {
		rulesPath := writeRules(t, "rules:\n  - forbid: {finding: nonstandard-port}\n")
		cmd := exec.Command(binPath, "check", "--rules", rulesPath, ssh)
		cmd.Env = append(os.Environ(), "GITHUB_ACTIONS=true")
		out, _ := cmd.Output()
		if !strings.Contains(string(out), "::error file=") {
			t.Errorf("no GitHub annotation:\n%s", out)
		}
	})
}

// TestBaselineRoundTrip: a baseline passes on the captures it came from and
// fails on one with other servers, ports, services or findings.
func TestBaselineRoundTrip(t *testing.T) {
	for _, name := range []string{"ndpi__ssh.pcap", "ndpi__netflix.pcap", "ndpi__vxlan.pcap", "ndpi__openvpn.pcap",
		"ndpi__dns_fragmented.pcap", "ndpi__6in4tunnel.pcap", "zeek__gre-sample.pcap", "ndpi__quic-v2.pcapng"} {
		t.Run(name, func(t *testing.T) {
			file := capturePath(t, name)
			res := mustRun(t, checkPass, nil, "baseline", file)
			// Every selector pins a service ("none" included): one without
			// would let any service through.
			for _, line := range strings.Split(string(res.stdout), "\n") {
				if strings.HasPrefix(line, "      - {") && !strings.Contains(line, ", service: ") {
					t.Errorf("selector without a service: %s", line)
				}
			}
			rulesPath := writeRules(t, string(res.stdout))
			out := mustRun(t, checkPass, nil, "check", "--rules", rulesPath, file)
			if !strings.Contains(string(out.stdout), "0 failed") {
				t.Errorf("check on its own baseline:\n%s", out.stdout)
			}
		})
	}
	res := mustRun(t, checkPass, nil, "baseline", capturePath(t, "ndpi__ssh.pcap"))
	rulesPath := writeRules(t, string(res.stdout))
	out := mustRun(t, checkFail, nil, "check", "--rules", rulesPath, capturePath(t, "ndpi__http-manipulated.pcap"))
	if !strings.Contains(string(out.stdout), "not among the listed flows") {
		t.Errorf("new servers not reported:\n%s", out.stdout)
	}
}

// TestBaselineServiceNone: where the baseline recognised no service on a
// server and port it writes "service: none", so a recognised service there
// later fails the check, and the other way round. conn_s0.pcap holds a SYN
// to 198.51.100.20:80 with no payload (no service), conn_sf.pcap an HTTP
// exchange with the same server and port.
func TestBaselineServiceNone(t *testing.T) {
	bare := filepath.Join(goldenFixtures, "conn_s0.pcap")
	http := filepath.Join(goldenFixtures, "conn_sf.pcap")
	cases := []struct {
		name     string
		by       string
		baseline string
		selector string // a line of the baseline
		check    string
		code     int
		out      string // in stdout
	}{
		{"no service, same capture", "name", bare, `{proto: tcp, server: "198.51.100.20", port: tcp/80, service: none}`, bare, checkPass, "0 failed"},
		{"no service, then http", "name", bare, `{proto: tcp, server: "198.51.100.20", port: tcp/80, service: none}`, http, checkFail,
			"198.51.100.20:80 (tcp http): not among the listed flows"},
		{"http, same capture", "address", http, `{proto: tcp, server: "198.51.100.20", port: tcp/80, service: http}`, http, checkPass, "0 failed"},
		{"http by name", "name", http, `{proto: tcp, server_name: "www.example.com", port: tcp/80, service: http}`, http, checkPass, "0 failed"},
		{"http by cidr", "cidr", http, `{proto: tcp, server: "198.51.100.0/24", port: tcp/80, service: http}`, http, checkPass, "0 failed"},
		{"http by name, then no service", "name", http, `{proto: tcp, server_name: "www.example.com", port: tcp/80, service: http}`, bare, checkFail,
			"198.51.100.20:80 (tcp): not among the listed flows"},
		{"http, then no service", "address", http, `{proto: tcp, server: "198.51.100.20", port: tcp/80, service: http}`, bare, checkFail,
			"198.51.100.20:80 (tcp): not among the listed flows"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := mustRun(t, checkPass, nil, "baseline", "--by", tc.by, tc.baseline)
			if !strings.Contains(string(res.stdout), "\n      - "+tc.selector+"\n") {
				t.Fatalf("baseline lacks %s:\n%s", tc.selector, res.stdout)
			}
			rulesPath := writeRules(t, string(res.stdout))
			out := mustRun(t, tc.code, nil, "check", "--rules", rulesPath, tc.check)
			if !strings.Contains(string(out.stdout), tc.out) {
				t.Errorf("stdout lacks %q:\n%s", tc.out, out.stdout)
			}
		})
	}
}

// TestCheckControlChars: terminal escapes in a rule's name, a capture's file
// name and a missing capture's name reach neither stdout nor stderr raw
// (with GITHUB_ACTIONS annotations too), and the JUnit and SARIF files stay
// well-formed.
func TestCheckControlChars(t *testing.T) {
	dir := t.TempDir()
	capture := filepath.Join(dir, "ssh\x1b[31m\a.pcap")
	if err := os.Symlink(capturePath(t, "ndpi__ssh.pcap"), capture); err != nil {
		t.Fatal(err)
	}
	rulesPath := writeRules(t, "rules:\n  - forbid: {service: ssh}\n    name: \"\\e]0;pwned\\a\\0\"\n")
	junit, sarif := filepath.Join(dir, "j.xml"), filepath.Join(dir, "s.sarif")
	cmd := exec.Command(binPath, "check", "--rules", rulesPath, "--junit", junit, "--sarif", sarif,
		capture, filepath.Join(dir, "gone\x1b[2J.pcap"))
	cmd.Env = append(os.Environ(), "GITHUB_ACTIONS=true")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != checkBadInput {
		t.Fatalf("exit %v, want %d; stderr:\n%s", err, checkBadInput, stderr.String())
	}
	for name, out := range map[string][]byte{"stdout": stdout.Bytes(), "stderr": stderr.Bytes()} {
		if i := bytes.IndexAny(out, "\x1b\a\x00"); i >= 0 {
			t.Errorf("raw control byte in %s at %d:\n%q", name, i, out)
		}
	}
	for _, want := range []string{`\x1b]0;pwned\x07\x00`, `ssh\x1b[31m\x07.pcap`, "::error "} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %s:\n%s", want, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), `gone\x1b[2J.pcap`) {
		t.Errorf("stderr lacks the escaped missing capture:\n%s", stderr.String())
	}
	x, _ := os.ReadFile(junit)
	if err := xml.Unmarshal(x, new(struct{})); err != nil || bytes.IndexAny(x, "\x1b\a") >= 0 {
		t.Errorf("JUnit not clean XML (%v):\n%s", err, x)
	}
	if s, _ := os.ReadFile(sarif); !json.Valid(s) {
		t.Errorf("SARIF not JSON:\n%s", s)
	}
}

// TestBaselineBy: every --by mode gives a baseline its own captures pass;
// name pins the names flows have (never an address literal), address only
// addresses, cidr the /24 or /64 around them.
func TestBaselineBy(t *testing.T) {
	for _, name := range []string{"ndpi__netflix.pcap", "ndpi__quic-v2.pcapng", "ndpi__6in4tunnel.pcap"} {
		for _, by := range []string{"name", "address", "cidr"} {
			t.Run(name+"/"+by, func(t *testing.T) {
				file := capturePath(t, name)
				res := mustRun(t, checkPass, nil, "baseline", "--by", by, file)
				out := string(res.stdout)
				hasName, hasCIDR := strings.Contains(out, "server_name: "), strings.Contains(out, `/24", port`) || strings.Contains(out, `/64", port`)
				if hasName != (by == "name") || hasCIDR != (by == "cidr") {
					t.Errorf("--by %s: names %v, cidrs %v:\n%s", by, hasName, hasCIDR, out)
				}
				if by == "name" && regexp.MustCompile(`server_name: "[0-9.]+"`).MatchString(out) {
					t.Errorf("an address pinned as a name:\n%s", out)
				}
				rulesPath := writeRules(t, out)
				if res := mustRun(t, checkPass, nil, "check", "--rules", rulesPath, file); !strings.Contains(string(res.stdout), "0 failed") {
					t.Errorf("check on its own baseline:\n%s", res.stdout)
				}
			})
		}
	}
	mustRun(t, checkUsage, nil, "baseline", "--by", "host", capturePath(t, "ndpi__ssh.pcap"))
	mustRun(t, checkPass, nil, "baseline", "--help")
}

// TestCheckCILog: check's text output for CI logs: the kind once per rule
// ("forbid finding=…", "only the …"), at most --max-violations lines per
// rule then "… and N more" (0: all), and a flow's SNI or Host as evidence
// rather than its first bytes.
func TestCheckCILog(t *testing.T) {
	netflix := capturePath(t, "ndpi__netflix.pcap")
	rulesPath := writeRules(t, "rules:\n  - forbid: {proto: tcp}\n  - forbid: {finding: nonstandard-port}\n  - only: [{proto: udp}]\n")
	count := func(out, prefix string) int {
		n := 0
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, prefix) {
				n++
			}
		}
		return n
	}
	def := string(mustRun(t, checkFail, nil, "check", "--rules", rulesPath, netflix).stdout)
	for _, bad := range []string{"forbid forbid", "only only", `\x16\x03`} {
		if strings.Contains(def, bad) {
			t.Errorf("output has %q:\n%s", bad, def)
		}
	}
	for _, want := range []string{"FAIL " + rulesPath + ":2 forbid proto=tcp (", "only the 1 listed kinds of flow", "evidence: sni=", "    … and "} {
		if !strings.Contains(def, want) {
			t.Errorf("output lacks %q:\n%s", want, def)
		}
	}
	if n := count(def, "    - "); n > 2*10+1 { // two long lists capped at 10, the finding rule holds
		t.Errorf("%d violation lines with the default cap:\n%s", n, def)
	}
	one := string(mustRun(t, checkFail, nil, "check", "--max-violations", "1", "--rules", rulesPath, netflix).stdout)
	all := string(mustRun(t, checkFail, nil, "check", "--max-violations", "0", "--rules", rulesPath, netflix).stdout)
	if count(one, "    - ") != 2 || count(one, "    … and ") != 2 || count(all, "    … and ") != 0 || count(all, "    - ") <= 2*10 {
		t.Errorf("--max-violations 1:\n%s\n--max-violations 0:\n%s", one, all)
	}
	if !strings.Contains(all, "evidence: host=") || strings.Contains(all, `\x16\x03`) {
		t.Errorf("HTTP flows without their Host, or TLS bytes as evidence:\n%s", all)
	}
	mustRun(t, checkUsage, nil, "check", "--max-violations", "-1", "--rules", rulesPath, netflix)
}

// TestCheckHostileRules: rules files built to crash or exhaust check end at
// once with exit 2 and the offending file:line:column on stderr.
func TestCheckHostileRules(t *testing.T) {
	laughs := "x0: &l0 [a, a, a, a, a, a, a, a, a, a]\n"
	for i := 1; i <= 9; i++ {
		laughs += fmt.Sprintf("x%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	cases := []struct{ name, rules, want string }{
		{"self alias", "rules:\n  - forbid: &a {service: [*a]}\n", "rules.yaml:2:27: alias *a is inside the node it stands for"},
		{"billion laughs", laughs + "rules:\n  - forbid: {service: *l9}\n", ": aliases expand to more than 10000 nodes"},
		{"deep", "rules:\n  - forbid: {service: " + strings.Repeat("[", 5000) + "\n", "rules.yaml:2:1022: nested deeper than 16 levels"},
		{"huge", "rules:\n" + strings.Repeat("#\n", 600_000), "rules.yaml:524286:2: rules file is larger than 1048576 bytes"},
		{"typo", "rules:\n  - forbid: {service: htttp}\n", `rules.yaml:2:23: unknown service "htttp" (did you mean "http"?)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rulesPath := writeRules(t, tc.rules)
			cmd := exec.Command(binPath, "check", "--rules", rulesPath, capturePath(t, "ndpi__ssh.pcap"))
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != checkUsage {
				t.Fatalf("exit %v, want %d; stderr:\n%s", err, checkUsage, stderr.String())
			}
			// CPU time, not wall time: a loaded CI machine must not fail it.
			if took := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(); took > time.Second {
				t.Errorf("took %v of CPU", took)
			}
			if !strings.Contains(stderr.String(), tc.want) || stdout.Len() != 0 {
				t.Errorf("stderr %q, want %q; stdout %q", stderr.String(), tc.want, stdout.String())
			}
		})
	}
}

// TestCheckMinSeverity: http on 8080, a conventional alternate, is an info
// nonstandard-port finding; it fails a forbid rule unless --min-severity
// leaves info out, as it does for every output.
func TestCheckMinSeverity(t *testing.T) {
	capture := capturePath(t, "ndpi__http-manipulated.pcap")
	rulesPath := writeRules(t, "rules:\n  - forbid: {finding: nonstandard-port}\n")
	out := string(mustRun(t, checkFail, nil, "check", "--rules", rulesPath, capture).stdout)
	if !strings.Contains(out, "nonstandard-port") {
		t.Errorf("no nonstandard-port violation:\n%s", out)
	}
	mustRun(t, checkPass, nil, "check", "--min-severity", "low", "--rules", rulesPath, capture)
	mustRun(t, checkUsage, nil, "check", "--min-severity", "loud", "--rules", rulesPath, capture)
}

// TestCheckStrictTunnelPorts: datagrams on GTP-U's and CAPWAP's ports whose
// bytes are not those tunnels' (or are cut before telling) are plain UDP,
// counted in their flows; --strict does not call the capture untrusted.
func TestCheckStrictTunnelPorts(t *testing.T) {
	udp := func(sport, dport uint16, payload []byte, caplen int) []byte {
		p := []byte{0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
		p = binary.BigEndian.AppendUint16(p, sport)
		p = binary.BigEndian.AppendUint16(p, dport)
		p = binary.BigEndian.AppendUint16(p, uint16(8+len(payload)))
		p = append(append(p, 0, 0), payload...)
		binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
		return p[:min(caplen, len(p))]
	}
	seq := bytes.Repeat([]byte{1, 2, 3, 4}, 10)
	gpdu := append([]byte{0x30, 0xff, 0, 28, 0, 0, 0x12, 0x34}, ipv4UDP()...)
	path := writePcap(t, 228, // raw IPv4
		udp(40000, 5247, append([]byte{0, 5, 0, 0}, seq...), 100),          // HLEN 0: not CAPWAP
		udp(5247, 40000, append([]byte{0, 6, 0, 0}, seq...), 100),          // nor the answer
		udp(40001, 2152, append([]byte{0x32, 0xff, 0xff, 0}, seq...), 100), // GTP-U length past the datagram
		udp(40002, 2152, gpdu, 20+8+5),                                     // a G-PDU header cut by the capture
	)
	rulesPath := writeRules(t, "rules:\n  - forbid: {service: [telnet]}\n")
	out := string(mustRun(t, checkPass, nil, "check", "--strict", "--rules", rulesPath, path).stdout)
	if strings.Contains(out, "UNTRUSTED") || !strings.Contains(out, "PASS") {
		t.Errorf("check --strict:\n%s", out)
	}
	out = string(mustRun(t, 0, nil, "-r", path).stdout)
	for _, want := range []string{"skipped: nothing", "ip packets:  4", "records:       4", "udp/5247  2 flows"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

// TestCheckStrictTunnelPayloadMalformed: a tunnel whose inner packet is
// malformed counts its outer packet, says so as a partial skip rather than
// a skipped frame, and leaves the capture untrusted for --strict (the inner
// flow is missing from the analysis).
func TestCheckStrictTunnelPayloadMalformed(t *testing.T) {
	gre := func(inner []byte) []byte {
		p := []byte{0x45, 0, 0, 0, 0, 1, 0, 0, 64, 47, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
		p = append(append(p, 0, 0, 0x08, 0x00), inner...)
		binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
		return p
	}
	bad := append([]byte{0x55}, ipv4UDP()[1:]...) // IP version 5
	path := writePcap(t, 228, gre(ipv4UDP()), gre(bad))
	rulesPath := writeRules(t, "rules:\n  - forbid: {service: [telnet]}\n")
	res := mustRun(t, checkFail, nil, "check", "--strict", "--rules", rulesPath, path)
	if !strings.Contains(string(res.stderr), "1 frames tunnel-payload-malformed") {
		t.Errorf("check --strict stderr:\n%s", res.stderr)
	}
	mustRun(t, checkPass, nil, "check", "--rules", rulesPath, path)
	out := string(mustRun(t, 0, nil, "-r", path).stdout)
	for _, want := range []string{"tunnels: tunnel-payload-malformed 1 (outer packets counted)", "ip packets:  3"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "of 2 frames") {
		t.Errorf("the frame whose outer packet counted is called skipped:\n%s", out)
	}
}
