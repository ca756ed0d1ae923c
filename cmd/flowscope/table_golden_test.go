package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestGoldenTable runs the table on real captures at 80 and 120 columns
// ($COLUMNS) and with --wide, and compares the table (up to the findings
// and the summary, which have tests of their own) with
// testdata/golden/table/*.txt. go test ./cmd/flowscope -run Golden -update
// rewrites them; review the diff.
func TestGoldenTable(t *testing.T) {
	dir := filepath.Join(goldenDir, "table")
	if goldenUpdating() {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	type want struct {
		contains []string // in the table, besides the golden bytes
		absent   []string
	}
	cases := []struct {
		capture string
		width   string // COLUMNS, or "wide" for --wide
		args    []string
		want
	}{
		// tshark -z conv says 4260 bytes client to server and 69 kB back
		// (expected/tshark/ndpi__443-curl.pcap.txt): frame bytes, the default.
		{"ndpi__443-curl.pcap", "80", nil, want{[]string{"SERVICE", "tls", "4.3 kB", "69.7 kB", "BYTES: frames", "… hidden (--wide): #, START, NAME, PORT, STATE, PKTS, DURATION"}, nil}},
		{"ndpi__443-curl.pcap", "120", nil, want{[]string{"NAME", "www.ntop.org", "https (wk)", "… hidden (--wide): START, PKTS, DURATION"}, nil}},
		{"ndpi__443-curl.pcap", "wide", nil, want{[]string{"START", "22:05:20.474", "DURATION", "C→S PKTS", "4.3 kB", "START: UTC"}, []string{"hidden"}}},
		{"ndpi__443-curl.pcap", "wide", []string{"--bytes", "ip"}, want{[]string{"3.5 kB", "68.9 kB", "BYTES: IP packets"}, []string{"hidden"}}},
		{"zeek__5-pings.pcap", "80", nil, want{[]string{"icmp 8/0", "icmp T/C: type/code"}, nil}},
		{"zeek__5-pings.pcap", "wide", nil, want{[]string{"icmp 8/0"}, []string{"hidden"}}},
		{"zeek__ipv6-http-atomic-frag.pcap", "80", nil, want{[]string{"SERVICE", "http", "icmp6 135/136", "]:80"}, nil}},
		{"zeek__ipv6-http-atomic-frag.pcap", "120", nil, want{[]string{"[2001:db8:1::2]:36951"}, nil}},
		{"zeek__ipv6-http-atomic-frag.pcap", "wide", nil, want{nil, []string{"hidden"}}},
		{"ndpi__ssh.pcap", "80", nil, want{[]string{"SERVICE", "ssh"}, nil}},
		{"ndpi__ssh.pcap", "120", nil, want{[]string{"irdmi (reg)"}, nil}},
		{"ndpi__ssh.pcap", "wide", nil, want{nil, []string{"hidden"}}},
	}
	for _, c := range cases {
		name := strings.TrimSuffix(c.capture, filepath.Ext(c.capture)) + "." + c.width + strings.Join(c.args, "")
		t.Run(name, func(t *testing.T) {
			args := append([]string{"-r", c.capture}, c.args...)
			cmd := exec.Command(binPath, args...)
			cmd.Dir = capturesDir(t) // the path in the output stays the same
			cmd.Env = append(os.Environ(), "COLUMNS="+c.width)
			if c.width == "wide" {
				cmd.Args = append(cmd.Args, "--wide")
				cmd.Env = append(os.Environ(), "COLUMNS=60") // --wide wins
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("flowscope %v: %v\n%s", cmd.Args[1:], err, stderr.String())
			}
			table, _, _ := bytes.Cut(out, []byte("\n\n"))
			table = append(table, '\n')
			golden := filepath.Join(dir, name+".txt")
			if goldenUpdating() {
				if err := os.WriteFile(golden, table, 0o644); err != nil {
					t.Fatal(err)
				}
			} else if wantb, err := os.ReadFile(golden); err != nil {
				t.Errorf("%v (run with -update to create it)", err)
			} else if !bytes.Equal(table, wantb) {
				t.Errorf("table differs from %s (run with -update if the change is intended):\n%s", golden, goldenDiff(wantb, table))
			}
			text := string(table)
			for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
				if n := utf8.RuneCountInString(line); c.width == "80" && n > 80 || c.width == "120" && n > 120 {
					t.Errorf("line of %d runes at %s columns: %q", n, c.width, line)
				}
			}
			for _, w := range c.contains {
				if !strings.Contains(text, w) {
					t.Errorf("table lacks %q:\n%s", w, text)
				}
			}
			for _, w := range c.absent {
				if strings.Contains(text, w) {
					t.Errorf("table has %q:\n%s", w, text)
				}
			}
		})
	}
}

// TestSummaryBytesFollowTable: the summary's top talkers and ports count
// the bytes the table counts. ndpi__443-curl.pcap is 73982 frame bytes
// (tshark's io,phs: "eth frames:109 bytes:73982") and 72456 IP bytes.
func TestSummaryBytesFollowTable(t *testing.T) {
	curl := capturePath(t, "ndpi__443-curl.pcap")
	for _, c := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"top talkers (frame bytes):\n  178.62.197.130  74.0 kB  1 flow\n", "top server ports (frame bytes):\n  tcp/443  1 flow  74.0 kB\n"}},
		{[]string{"--bytes", "ip"}, []string{"top talkers (IP bytes):\n  178.62.197.130  72.5 kB  1 flow\n", "top server ports (IP bytes):\n  tcp/443  1 flow  72.5 kB\n"}},
		{[]string{"-o", "json", "--bytes", "ip"}, nil}, // stderr, below
	} {
		res := mustRun(t, exitOK, nil, append([]string{"-r", curl}, c.args...)...)
		for _, w := range c.want {
			if !bytes.Contains(res.stdout, []byte(w)) {
				t.Errorf("%v: summary lacks %q:\n%s", c.args, w, res.stdout)
			}
		}
		if c.want == nil && !bytes.Contains(res.stderr, []byte("top talkers (IP bytes):")) {
			t.Errorf("%v: the summary on stderr ignores --bytes:\n%s", c.args, res.stderr)
		}
	}
}
