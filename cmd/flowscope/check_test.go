package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
// human list, and the JUnit and SARIF files.
func TestCheck(t *testing.T) {
	ssh := capturePath(t, "ndpi__ssh.pcap")
	cases := []struct {
		name  string
		rules string
		args  []string
		code  int
		out   []string // substrings of stdout
	}{
		{"expect holds", "rules:\n  - expect: {service: ssh, port: tcp/22}\n", nil, checkPass, []string{"PASS"}},
		{"forbid nonstandard port", "rules:\n  - forbid: {finding: nonstandard-port}\n", nil, checkFail,
			[]string{"FAIL", "rules.yaml:2", "8000"}},
		{"allowed by the rules file", "rules:\n  - forbid: {finding: nonstandard-port}\n  - allow: \"ssh tcp/8000\"\n", nil, checkPass, []string{"PASS"}},
		{"expect fails", "rules:\n  - expect: {service: http}\n", nil, checkFail, []string{"FAIL"}},
		{"limit flows", "rules:\n  - limit: {flows: 1}\n", nil, checkFail, []string{"FAIL"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rulesPath := writeRules(t, tc.rules)
			dir := t.TempDir()
			junit, sarif := filepath.Join(dir, "j.xml"), filepath.Join(dir, "s.sarif")
			args := append([]string{"check", "--rules", rulesPath, "--junit", junit, "--sarif", sarif}, tc.args...)
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
			if err := xml.Unmarshal(jb, &suites); err != nil || len(suites.Suites) != 1 {
				t.Fatalf("junit: %v\n%s", err, jb)
			}
			if fails := suites.Suites[0].Failures; (fails > 0) != (tc.code == checkFail) {
				t.Errorf("junit failures %d for exit %d", fails, tc.code)
			}
			var s struct {
				Version string `json:"version"`
				Runs    []struct {
					Results []json.RawMessage `json:"results"`
				} `json:"runs"`
			}
			sb, _ := os.ReadFile(sarif)
			if err := json.Unmarshal(sb, &s); err != nil || s.Version != "2.1.0" || len(s.Runs) != 1 ||
				(len(s.Runs[0].Results) > 0) != (tc.code == checkFail) {
				t.Errorf("sarif: %v %+v", err, s)
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
