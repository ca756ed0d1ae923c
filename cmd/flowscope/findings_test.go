package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFindingsCLI runs --findings-only and --allow on a capture with SSH on
// tcp/8000 (and on 22) and HTTP on tcp/8080.
func TestFindingsCLI(t *testing.T) {
	ssh, http := capturePath(t, "ndpi__ssh.pcap"), capturePath(t, "ndpi__http-manipulated.pcap")

	// JSON: one finding a line, with the flow's identity and the evidence.
	res := mustRun(t, exitOK, nil, "-q", "--findings-only", "-o", "json", "-r", ssh)
	lines := strings.Split(strings.TrimSpace(string(res.stdout)), "\n")
	if len(lines) != 1 {
		t.Fatalf("want 1 finding, got %d:\n%s", len(lines), res.stdout)
	}
	var f struct {
		finding
		Server      side   `json:"server"`
		CommunityID string `json:"community_id"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &f); err != nil {
		t.Fatal(err)
	}
	if f.Kind != "nonstandard-port" || f.Service != "ssh" || f.Port != "tcp/8000" || f.Severity != "high" ||
		f.Server.Port != 8000 || !strings.HasPrefix(f.Evidence, "SSH-2.0-") || f.Frame == 0 || f.CommunityID == "" {
		t.Errorf("finding %+v", f)
	}

	// The allowlist suppresses it, and the summary counts what it suppressed.
	allow := filepath.Join(t.TempDir(), "allow.txt")
	if err := os.WriteFile(allow, []byte("# SSH test server\nssh 127.0.0.1:8000\nhttp tcp/8080 nonstandard-port\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res = mustRun(t, exitOK, nil, "--findings-only", "--allow", allow, "-r", ssh, "-r", http)
	if out := string(res.stdout); !strings.Contains(out, "no findings") || !strings.Contains(out, "3 suppressed") {
		t.Errorf("allowlisted run:\n%s", out)
	}
	res = mustRun(t, exitOK, nil, "-o", "json", "--allow", allow, "-r", ssh)
	if !strings.Contains(string(res.stderr), "suppressed") {
		t.Errorf("summary does not count suppressed findings:\n%s", res.stderr)
	}
	for _, fl := range parseJSONFlows(t, res.stdout) {
		if len(fl.Findings) != 0 {
			t.Errorf("allowlisted finding still in JSON: %+v", fl.Findings)
		}
	}

	// A bad allowlist is a usage error naming the file and line.
	bad := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(bad, []byte("ssh tcp/22\nssh tcp/22 sideways\n"), 0o644)
	res = mustRun(t, exitUsage, nil, "--allow", bad, "-r", ssh)
	if !strings.Contains(string(res.stderr), "bad.txt:2:") {
		t.Errorf("stderr %q does not name bad.txt:2", res.stderr)
	}

	// The table shows the findings section after the flows.
	res = mustRun(t, exitOK, nil, "-r", http)
	if out := string(res.stdout); !strings.Contains(out, "findings:") || !strings.Contains(out, "http on tcp/8080") {
		t.Errorf("table without findings:\n%s", out)
	}
}

// TestFlowsOnly: --flows-only keeps every flow and its counts but skips
// services, metadata and features.
func TestFlowsOnly(t *testing.T) {
	file := capturePath(t, "ndpi__443-curl.pcap")
	full := parseJSONFlows(t, mustRun(t, exitOK, nil, "-q", "-o", "json", "-r", file).stdout)
	res := mustRun(t, exitOK, nil, "-q", "-o", "json", "--flows-only", "-r", file)
	if strings.Contains(string(res.stdout), `"features"`) {
		t.Errorf("features with --flows-only: %s", res.stdout)
	}
	var fo []flowRec
	for _, line := range strings.Split(strings.TrimSpace(string(res.stdout)), "\n") {
		var f flowRec
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatal(err)
		}
		fo = append(fo, f)
	}
	if len(fo) != len(full) || len(fo) == 0 {
		t.Fatalf("%d flows, want %d", len(fo), len(full))
	}
	for i := range fo {
		if fo[i].Service != "" || fo[i].TLS != nil || fo[i].Client.Packets != full[i].Client.Packets ||
			fo[i].Server.Bytes != full[i].Server.Bytes || fo[i].ConnState != full[i].ConnState {
			t.Errorf("flow %d: %+v vs %+v", i, fo[i], full[i])
		}
	}
}

// TestMinSeverityCLI: HTTP on tcp/8080 (a conventional alternate) is an
// info finding, and --min-severity leaves it out of every output while SSH
// on tcp/8000 (high) stays; an unknown level is a usage error.
func TestMinSeverityCLI(t *testing.T) {
	ssh, http := capturePath(t, "ndpi__ssh.pcap"), capturePath(t, "ndpi__http-manipulated.pcap")
	count := func(out, s string) int { return strings.Count(out, s) }

	res := mustRun(t, exitOK, nil, "-q", "--findings-only", "-o", "json", "-r", ssh, "-r", http)
	if out := string(res.stdout); count(out, `"severity":"info"`) != 2 || count(out, `"port":"tcp/8080"`) != 2 ||
		!strings.Contains(out, "a conventional alternate of its registered tcp/80") || count(out, `"severity":"high"`) != 1 {
		t.Errorf("default: want 2 info findings on tcp/8080 and 1 high:\n%s", out)
	}
	for _, args := range [][]string{
		{"-q", "--findings-only", "-o", "json"},
		{"-q", "--findings-only", "-o", "csv"},
		{"--findings-only"},
		{"-q", "-o", "json"},
		{"-q", "-o", "csv"},
		{},
	} {
		args = append(args, "--min-severity", "low", "-r", ssh, "-r", http)
		out := string(mustRun(t, exitOK, nil, args...).stdout)
		if strings.Contains(out, "info") || !strings.Contains(out, "tcp/8000") {
			t.Errorf("%v: want the tcp/8000 finding and no info one:\n%s", args, out)
		}
	}
	res = mustRun(t, exitOK, nil, "-o", "json", "--min-severity", "high", "-r", http)
	if !strings.Contains(string(res.stderr), "findings: none") {
		t.Errorf("summary counts findings below --min-severity:\n%s", res.stderr)
	}
	res = mustRun(t, exitUsage, nil, "--min-severity", "critical", "-r", ssh)
	if !strings.Contains(string(res.stderr), "--min-severity") {
		t.Errorf("stderr %q does not name the flag", res.stderr)
	}
}
