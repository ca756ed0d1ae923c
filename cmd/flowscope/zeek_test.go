package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/flowscope/flowscope/internal/testcaps"
)

// zeekOnlyFields are conn.log fields the comparison with Zeek's baselines
// leaves out, and why (README "Zeek logs" lists them too).
var zeekOnlyFields = map[string]string{
	"ts":             "masked in the baselines",
	"uid":            "Zeek's are random; ours are derived from the flow id",
	"local_orig":     "the baselines' tests configure Site::local_nets; without it Zeek, like flowscope, leaves it unset",
	"local_resp":     "as local_orig",
	"missed_bytes":   "flowscope does not count stream gaps and leaves it unset",
	"tunnel_parents": "holds uids, which differ; checked for presence and for naming a logged flow",
}

// TestZeekOutput runs -o zeek on the captures Zeek's test suite has a
// conn.log baseline for, reads the log back by its #fields header (as
// zeek-cut does) and compares every flow Zeek logged, field by field.
func TestZeekOutput(t *testing.T) {
	dir := capturesDir(t)
	logs, err := filepath.Glob(filepath.Join(dir, "expected", "zeek", "*", "*conn.log"))
	if err != nil || len(logs) < 2 {
		t.Fatalf("want Zeek's conn.log baselines, found %v (%v)", logs, err)
	}
	for _, log := range logs {
		file := filepath.Base(filepath.Dir(log))
		t.Run(file, func(t *testing.T) {
			want, err := parseZeekLog(log)
			if err != nil {
				t.Fatal(err)
			}
			r := mustRun(t, exitOK, nil, "-q", "-o", "zeek", "-r", filepath.Join(dir, file))
			out := filepath.Join(t.TempDir(), "conn.log")
			if err := os.WriteFile(out, r.stdout, 0o644); err != nil {
				t.Fatal(err)
			}
			checkZeekHeader(t, string(r.stdout))
			got, err := parseZeekLog(out)
			if err != nil {
				t.Fatal(err)
			}
			uids := map[string]bool{}
			for _, g := range got {
				uids[g["uid"]] = true
			}
			// --zeek-json: the same lines as JSON objects, unset fields left out.
			js := mustRun(t, exitOK, nil, "-q", "-o", "zeek", "--zeek-json", "-r", filepath.Join(dir, file))
			jl := strings.Split(strings.TrimSuffix(string(js.stdout), "\n"), "\n")
			if len(jl) != len(got) {
				t.Fatalf("%d JSON lines, %d TSV lines", len(jl), len(got))
			}
			for i, line := range jl {
				var m map[string]any
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Fatalf("JSON line %d: %v", i+1, err)
				}
				for field, v := range got[i] {
					j, ok := m[field]
					switch {
					case v == "-" && ok:
						t.Errorf("line %d: JSON has unset %s", i+1, field)
					case v != "-" && !ok:
						t.Errorf("line %d: JSON lacks %s", i+1, field)
					case ok && fmt.Sprint(j) != v && fmt.Sprintf("%.6f", j) != v && fmt.Sprint(j) != "["+v+"]":
						t.Errorf("line %d: %s JSON %v, TSV %s", i+1, field, j, v)
					}
				}
			}
			for _, z := range want {
				conn := z["proto"] + " " + net2(z["id.orig_h"], z["id.orig_p"]) + " > " + net2(z["id.resp_h"], z["id.resp_p"])
				var g zeekConn
				for _, c := range got {
					if c["proto"] == z["proto"] && c["id.orig_h"] == z["id.orig_h"] && c["id.orig_p"] == z["id.orig_p"] &&
						c["id.resp_h"] == z["id.resp_h"] && c["id.resp_p"] == z["id.resp_p"] {
						g = c
					}
				}
				if g == nil {
					t.Errorf("%s: not in our conn.log", conn)
					continue
				}
				for field, w := range z {
					if _, skip := zeekOnlyFields[field]; skip {
						continue
					}
					if g[field] != w {
						t.Errorf("%s: %s %q, Zeek %q", conn, field, g[field], w)
					}
				}
				if (z["tunnel_parents"] == "-") != (g["tunnel_parents"] == "-") {
					t.Errorf("%s: tunnel_parents %q, Zeek %q", conn, g["tunnel_parents"], z["tunnel_parents"])
				}
				if p := g["tunnel_parents"]; p != "-" && !uids[p] {
					t.Errorf("%s: tunnel parent %s is no uid of the log", conn, p)
				}
			}
		})
	}
}

// checkZeekHeader checks the lines a Zeek ASCII conn.log starts and ends with.
func checkZeekHeader(t *testing.T, log string) {
	t.Helper()
	checkZeekHeaderPath(t, log, "conn")
}

// checkZeekHeaderPath checks the lines a Zeek ASCII log of path starts and
// ends with.
func checkZeekHeaderPath(t *testing.T, log, path string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(log, "\n"), "\n")
	stamp := `\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d`
	for i, re := range []string{`^#separator \\x09$`, "^#set_separator\t,$", "^#empty_field\t\\(empty\\)$",
		"^#unset_field\t-$", "^#path\t" + path + "$", "^#open\t" + stamp + "$", "^#fields\tts\tuid\t", "^#types\ttime\tstring\t"} {
		if i >= len(lines) || !regexp.MustCompile(re).MatchString(lines[i]) {
			t.Errorf("header line %d does not match %s", i+1, re)
		}
	}
	if last := lines[len(lines)-1]; !regexp.MustCompile("^#close\t" + stamp + "$").MatchString(last) {
		t.Errorf("last line %q is not #close", last)
	}
}

// TestZeekFindingsOnly: -o zeek --findings-only is Zeek's notice.log.
func TestZeekFindingsOnly(t *testing.T) {
	capture := capturePath(t, "ndpi__ssh.pcap")
	r := mustRun(t, exitOK, nil, "-q", "-o", "zeek", "--findings-only", "-r", capture)
	out := string(r.stdout)
	if !strings.Contains(out, "#path\tnotice\n") || !strings.Contains(out, "\tFlowScope::Nonstandard_Port\tssh on tcp/8000") {
		t.Errorf("notice.log:\n%s", out)
	}
	checkZeekHeaderPath(t, out, "notice")
}

// TestZeekLogsDir writes --zeek-logs for a capture with Zeek baselines of
// dns.log and ssh.log, compares the fields both write, and checks that
// every log's uids are conn.log's (the logs join).
func TestZeekLogsDir(t *testing.T) {
	dir := capturesDir(t)
	file := "zeek__gre-sample.pcap"
	out := t.TempDir()
	mustRun(t, exitOK, nil, "-q", "-o", "json", "--zeek-logs", out, "-r", filepath.Join(dir, file))
	read := func(name string) []zeekConn {
		rows, err := parseZeekLog(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	uids := map[string]bool{}
	for _, c := range read("conn.log") {
		uids[c["uid"]] = true
	}
	for _, tc := range []struct {
		log, baseline string
		fields        []string
	}{
		{"dns.log", "core.tunnels.gre__dns.log", []string{"id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "query", "qtype", "qtype_name", "answers"}},
		{"ssh.log", "core.tunnels.gre__ssh.log", []string{"id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "version", "client", "server"}},
	} {
		got := read(tc.log)
		want, err := parseZeekLog(filepath.Join(dir, "expected", "zeek", file, tc.baseline))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || len(want) == 0 {
			t.Fatalf("%s: %d lines, Zeek %d", tc.log, len(got), len(want))
		}
		// Zeek writes a dns.log line per transaction, flowscope one per flow.
		for _, w := range want {
			for _, f := range tc.fields {
				if got[0][f] != w[f] {
					t.Errorf("%s: %s %q, Zeek %q", tc.log, f, got[0][f], w[f])
				}
			}
		}
		for _, g := range got {
			if !uids[g["uid"]] {
				t.Errorf("%s: uid %s is not in conn.log", tc.log, g["uid"])
			}
		}
	}
	// Every log reads back by its #fields header, as zeek-cut reads it,
	// including those this capture has no line in; and from a capture with
	// TLS, HTTP and a finding, each has its lines.
	web := t.TempDir()
	mustRun(t, exitOK, nil, "-q", "-o", "json", "--zeek-logs", web, "-r", filepath.Join(dir, "ndpi__ssh.pcap"),
		"-r", filepath.Join(dir, "ndpi__443-curl.pcap"), "-r", filepath.Join(dir, "ndpi__http.pcapng"))
	for _, name := range []string{"conn.log", "dns.log", "ssl.log", "http.log", "ssh.log", "notice.log"} {
		rows, err := parseZeekLog(filepath.Join(out, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if rows, err = parseZeekLog(filepath.Join(web, name)); err != nil || (name != "dns.log" && len(rows) == 0) {
			t.Errorf("%s of the web captures: %d lines, %v", name, len(rows), err)
		}
	}
}

// TestZeekLogsErrors: --zeek-logs where flowscope may not write exits 4,
// --zeek-json needs a Zeek output.
func TestZeekLogsErrors(t *testing.T) {
	capture := capturePath(t, "zeek__gre-sample.pcap")
	ro := t.TempDir()
	if err := os.Chmod(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	args := []string{"-q", "-o", "json", "--zeek-logs", filepath.Join(ro, "logs"), "-r", capture}
	var r result
	if os.Geteuid() == 0 {
		if err := os.Chmod(filepath.Dir(ro), 0o755); err != nil {
			t.Fatal(err)
		}
		r = runCommandAs(t, testcaps.Nobody, nil, binPath, args...)
	} else {
		r = runFlowscope(t, nil, args...)
	}
	if r.code != exitPermission || !strings.Contains(string(r.stderr), "--zeek-logs") {
		t.Errorf("exit %d, want %d: %s", r.code, exitPermission, r.stderr)
	}
	mustRun(t, exitUsage, nil, "-q", "-o", "json", "--zeek-json", "-r", capture)
}
