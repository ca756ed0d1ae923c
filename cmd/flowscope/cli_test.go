package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/flowscope/flowscope/capture"
)

// TestHelp: help goes to stdout with exit 0, however it is asked for, and
// lists the commands with examples.
func TestHelp(t *testing.T) {
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"commands:", "  check ", "  baseline ", "  help ", "  version ", "examples:", "--wide", "--bytes KIND", "-V, --version"}},
		{[]string{"-h"}, []string{"commands:", "examples:"}},
		{[]string{"help"}, []string{"commands:", "examples:"}},
		{[]string{"-r", "x.pcap", "--help"}, []string{"commands:"}},
		{[]string{"help", "check"}, []string{"usage: flowscope check", "--rules FILE"}},
		{[]string{"check", "--help"}, []string{"usage: flowscope check", "--rules FILE"}},
		{[]string{"check", "--rules", "r.yaml", "-h"}, []string{"usage: flowscope check"}},
		{[]string{"help", "baseline"}, []string{"usage: flowscope baseline"}},
		{[]string{"baseline", "--help"}, []string{"usage: flowscope baseline"}},
		{[]string{"help", "version"}, []string{"usage: flowscope version"}},
		{[]string{"help", "--help"}, []string{"commands:"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			res := runFlowscope(t, nil, c.args...)
			if res.code != exitOK || len(res.stderr) > 0 {
				t.Fatalf("exit %d, stderr %q; want 0 and nothing on stderr", res.code, res.stderr)
			}
			for _, w := range c.want {
				if !bytes.Contains(res.stdout, []byte(w)) {
					t.Errorf("stdout lacks %q:\n%s", w, res.stdout)
				}
			}
		})
	}
	res := runFlowscope(t, nil, "help", "frobnicate")
	if res.code != exitUsage || !bytes.Contains(res.stderr, []byte(`unknown command "frobnicate"`)) {
		t.Errorf("help frobnicate: exit %d, stderr %q", res.code, res.stderr)
	}
}

// TestVersion holds --version to what the toolchain stamped into the
// binary (go version -m reads it independently) and to the libpcap this
// build links.
func TestVersion(t *testing.T) {
	out, err := exec.Command(goTool(), "version", "-m", binPath).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	settings := map[string]string{}
	modVersion := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) >= 2 && f[0] == "build":
			k, v, _ := strings.Cut(f[1], "=")
			settings[k] = v
		case len(f) >= 3 && f[0] == "mod":
			modVersion = f[2]
		}
	}
	rev := settings["vcs.revision"]
	if rev == "" {
		rev = "unknown"
	}
	lib, build := capture.LibraryVersion(), "libpcap (cgo)"
	if lib == "" {
		lib, build = "none", "pure Go (no libpcap)"
	}
	want := []string{
		"flowscope " + modVersion + "\n",
		"  revision: " + rev,
		"  go:       " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n",
		"  libpcap:  " + lib + "\n",
		"  build:    " + build,
	}
	if d := settings["vcs.time"]; d != "" {
		want = append(want, "  date:     "+d+"\n")
	}
	for _, args := range [][]string{{"--version"}, {"-V"}, {"version"}} {
		res := mustRun(t, exitOK, nil, args...)
		for _, w := range want {
			if !bytes.Contains(res.stdout, []byte(w)) {
				t.Errorf("%v: output lacks %q:\n%s", args, w, res.stdout)
			}
		}
	}
}

// TestUsageTraps: what a tcpdump user types first gets a message that
// says what to do instead.
func TestUsageTraps(t *testing.T) {
	a, b := capturePath(t, "zeek__5-pings.pcap"), capturePath(t, "ndpi__dns.pcap")
	cases := []struct {
		name   string
		args   []string
		code   int
		want   []string // on stderr
		reject []string
	}{
		{"second file without -r", []string{"-r", a, b}, exitBadFilter,
			[]string{`"` + b + `" is a file, not a filter`, "-r " + a + " -r " + b}, nil},
		{"bare file", []string{a}, exitUsage, []string{`"` + a + `" is a file`, "read it with -r " + a}, nil},
		{"no input", []string{}, exitUsage, []string{"no input: give a capture file with -r FILE"}, nil},
		{"negative top", []string{"--top", "-1", "-r", a}, exitUsage, []string{"--top"}, []string{"--max-flows"}},
		{"fields with json", []string{"-o", "json", "--fields", "id,service", "-r", a}, exitUsage,
			[]string{"--fields", "-o csv", "jq"}, nil},
		{"unknown table field", []string{"--fields", "nope", "-r", a}, exitUsage, []string{`unknown table field "nope"`}, nil},
		{"bad --bytes", []string{"--bytes", "wire", "-r", a}, exitUsage, []string{`--bytes "wire": want frame or ip`}, nil},
		{"unknown flag", []string{"--frobnicate"}, exitUsage, []string{"unknown flag: --frobnicate", "flowscope --help"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runFlowscope(t, nil, c.args...)
			if res.code != c.code {
				t.Errorf("exit %d, want %d", res.code, c.code)
			}
			for _, w := range c.want {
				if !bytes.Contains(res.stderr, []byte(w)) {
					t.Errorf("stderr lacks %q:\n%s", w, res.stderr)
				}
			}
			for _, r := range c.reject {
				if bytes.Contains(res.stderr, []byte(r)) {
					t.Errorf("stderr names %q:\n%s", r, res.stderr)
				}
			}
		})
	}
}

// TestFindingsOnlySummary: with --findings-only the table's summary stays
// on stdout, after the findings, as without it; JSON's stays on stderr.
func TestFindingsOnlySummary(t *testing.T) {
	ssh := capturePath(t, "ndpi__ssh.pcap")
	for _, c := range []struct {
		args           []string
		stdout, stderr bool // where the summary is
	}{
		{[]string{"-r", ssh}, true, false},
		{[]string{"--findings-only", "-r", ssh}, true, false},
		{[]string{"--findings-only", "-o", "json", "-r", ssh}, false, true},
		{[]string{"--findings-only", "-q", "-o", "json", "-r", ssh}, false, false},
	} {
		res := mustRun(t, exitOK, nil, c.args...)
		const mark = "\nflows:\n"
		if got := bytes.Contains(res.stdout, []byte(mark)); got != c.stdout {
			t.Errorf("%v: summary on stdout %v, want %v:\n%s", c.args, got, c.stdout, res.stdout)
		}
		if got := bytes.Contains(res.stderr, []byte(mark)); got != c.stderr {
			t.Errorf("%v: summary on stderr %v, want %v:\n%s", c.args, got, c.stderr, res.stderr)
		}
		if c.stdout && bytes.Index(res.stdout, []byte("nonstandard-port")) > bytes.Index(res.stdout, []byte(mark)) {
			t.Errorf("%v: the summary comes before the findings:\n%s", c.args, res.stdout)
		}
	}
}

// A file named like a filter word is no reason for a hint when the filter
// compiles.
func TestFilterFileNoFalseHint(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "icmp"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, "-q", "-o", "json", "-r", capturePath(t, "zeek__5-pings.pcap"), "icmp")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Errorf("filter icmp with a file named icmp: %v\n%s", err, stderr.String())
	}
}
