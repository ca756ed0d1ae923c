package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/flow/beacon"
	"github.com/flowscope/flowscope/internal/synth"
	"github.com/flowscope/flowscope/pipeline"
	"github.com/flowscope/flowscope/report/rules"
)

// perFlowCapture writes a capture of long UDP flows to 10.0.0.80:5000:
// flow i (client 10.0.0.5:41000+i) starts 7·i s in and, for 100 minutes,
// sends 1000 payload bytes every 30 s, answered with 200 a second later:
// 400 packets, 251,200 IP bytes (200 × 1028 + 200 × 228), lasting
// 99 min 31 s. The default --active-timeout (30 min) splits each into 4
// records of at most 120 packets, 75,360 bytes and 29 min 31 s. One short
// flow (10.0.0.6:42000, 4 packets in 3 s) comes last.
func perFlowCapture(t *testing.T, long int) string {
	t.Helper()
	udp := func(ts time.Duration, client uint16, fromClient bool, payload int) synth.Frame {
		b := make([]byte, 14+20+8+payload)
		copy(b[0:12], []byte{0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1})
		binary.BigEndian.PutUint16(b[12:], 0x0800)
		ip := b[14:34]
		ip[0], ip[8], ip[9] = 0x45, 64, 17
		binary.BigEndian.PutUint16(ip[2:], uint16(20+8+payload))
		src, dst := []byte{10, 0, 0, 5}, []byte{10, 0, 0, 80}
		if client >= 42000 {
			src[3] = 6
		}
		sp, dp := client, uint16(5000)
		if !fromClient {
			src, dst, sp, dp = dst, src, dp, sp
		}
		copy(ip[12:], src)
		copy(ip[16:], dst)
		binary.BigEndian.PutUint16(b[34:], sp)
		binary.BigEndian.PutUint16(b[36:], dp)
		binary.BigEndian.PutUint16(b[38:], uint16(8+payload))
		for i := range payload {
			b[42+i] = byte('a' + i%26)
		}
		return synth.Frame{Data: b, TS: int64(1_700_000_000*time.Second + ts)}
	}
	var frames []synth.Frame
	for i := range long {
		start := time.Duration(i) * 7 * time.Second
		for k := range 200 {
			at := start + time.Duration(k)*30*time.Second
			frames = append(frames, udp(at, uint16(41000+i), true, 1000), udp(at+time.Second, uint16(41000+i), false, 200))
		}
	}
	last := time.Duration(long)*7*time.Second + 100*time.Minute
	for k := range 4 {
		frames = append(frames, udp(last+time.Duration(k)*time.Second, 42000, k%2 == 0, 100))
	}
	slices.SortStableFunc(frames, func(a, b synth.Frame) int { return int(a.TS - b.TS) })
	path := filepath.Join(t.TempDir(), "long.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := synth.NewPcapWriter(f)
	for i := 0; err == nil && i < len(frames); i++ {
		err = w.Write(frames[i])
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCheckPerFlowSplit: `flowscope check` holds per_flow limits to a
// whole flow, not to the records the active timeout split it into: limits
// only the whole flow passes fail (once, naming its first record), one it
// stays under passes, and the report is the same on 1 and 4 workers.
func TestCheckPerFlowSplit(t *testing.T) {
	capture := perFlowCapture(t, 1)
	// The flow's records, as the JSON output numbers them.
	var ids []string
	for _, line := range strings.Split(string(mustRun(t, 0, nil, "-o", "json", "-r", capture).stdout), "\n") {
		if strings.Contains(line, `"port":41000`) {
			ids = append(ids, regexp.MustCompile(`^\{"id":(\d+)`).FindStringSubmatch(line)[1])
		}
	}
	if len(ids) != 4 {
		t.Fatalf("the long flow made %d records, want 4 (30 min active timeout)", len(ids))
	}
	name := fmt.Sprintf("flow %s 10.0.0.5:41000 → 10.0.0.80:5000 (udp), split by the active timeout into 4 records (%s … %s): ", ids[0], ids[0], ids[3])
	cases := []struct {
		name, limit string
		code        int
		want        string // the violation's line
	}{
		{"bytes", "bytes: 200KB", checkFail, name + "251200 IP bytes, over 200000 [flow " + ids[0] + "]"},
		{"packets", "packets: 300", checkFail, name + "400 packets, over 300 [flow " + ids[0] + "]"},
		{"duration", "duration: 1h", checkFail, name + "lasted 1h39m31s, over 1h0m0s [flow " + ids[0] + "]"},
		{"under", "duration: 2h, packets: 400, bytes: 300KB", checkPass, ""},
		// Every record is over too: still one violation, for the flow.
		{"every record over", "packets: 100", checkFail, name + "400 packets, over 100 [flow " + ids[0] + "]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rulesPath := writeRules(t, "rules:\n  - limit: {per_flow: {"+tc.limit+"}, proto: udp}\n")
			out := string(mustRun(t, tc.code, nil, "check", "--rules", rulesPath, capture).stdout)
			var lines []string
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(l, "    - ") {
					lines = append(lines, strings.TrimPrefix(l, "    - "))
				}
			}
			if tc.want == "" && len(lines) != 0 || tc.want != "" && !slices.Equal(lines, []string{tc.want}) {
				t.Errorf("violations %q, want %q:\n%s", lines, tc.want, out)
			}
		})
	}

	t.Run("workers", func(t *testing.T) {
		// check runs GOMAXPROCS workers (-j's default): the same report on 1 and 4.
		capture := perFlowCapture(t, 6)
		rulesPath := writeRules(t, "rules:\n  - limit: {per_flow: {bytes: 200KB, duration: 1h}}\n  - limit: {per_flow: {packets: 100}, proto: udp}\n")
		var outs []string
		for _, procs := range []string{"1", "4"} {
			cmd := exec.Command(binPath, "check", "--max-violations", "2", "--rules", rulesPath, capture)
			cmd.Env = append(os.Environ(), "GOMAXPROCS="+procs)
			out, err := cmd.Output()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != checkFail {
				t.Fatalf("GOMAXPROCS=%s: %v\n%s", procs, err, out)
			}
			outs = append(outs, string(out))
		}
		if outs[0] != outs[1] {
			t.Errorf("reports differ:\nGOMAXPROCS=1:\n%s\nGOMAXPROCS=4:\n%s", outs[0], outs[1])
		}
		if n := strings.Count(outs[0], "split by the active timeout into 4 records"); n != 4 || strings.Count(outs[0], "… and 4 more") != 2 {
			t.Errorf("want 2 flows listed per rule, then 4 more:\n%s", outs[0])
		}
	})
}

// TestCheckPerFlowActiveTimeout: whatever the active timeout splits a flow
// into (one record a packet at 1 s, four at 30 min, none at 0) and however
// many workers, per_flow limits find the same totals; only the records the
// violation names differ.
func TestCheckPerFlowActiveTimeout(t *testing.T) {
	capture := perFlowCapture(t, 3)
	rs, err := rules.Parse(strings.NewReader("rules:\n  - limit: {per_flow: {duration: 1h, packets: 300, bytes: 200KB}}\n  - limit: {per_flow: {duration: 2h, packets: 400, bytes: 300KB}}\n"), "rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	split := regexp.MustCompile(`, split by the active timeout into \d+ records \(\d+ … \d+\)`)
	want := []string{
		"10.0.0.5:41000 → 10.0.0.80:5000 (udp): lasted 1h39m31s, over 1h0m0s; 400 packets, over 300; 251200 IP bytes, over 200000",
		"10.0.0.5:41001 → 10.0.0.80:5000 (udp): lasted 1h39m31s, over 1h0m0s; 400 packets, over 300; 251200 IP bytes, over 200000",
		"10.0.0.5:41002 → 10.0.0.80:5000 (udp): lasted 1h39m31s, over 1h0m0s; 400 packets, over 300; 251200 IP bytes, over 200000",
	}
	var first []rules.Outcome
	for _, tc := range []struct {
		active  time.Duration
		records int // per long flow
	}{{time.Second, 400}, {30 * time.Minute, 4}, {0, 1}} {
		for _, workers := range []int{1, 4} {
			cfg := flow.DefaultConfig()
			cfg.Active = tc.active
			ck := rules.NewChecker(rs, "long.pcap", nil, 0)
			res := pipeline.RunFiles([]string{capture}, pipeline.Config{Flow: cfg, Workers: workers, Beacon: &beacon.Config{}}, ck, nil)
			if len(res.Errors) > 0 {
				t.Fatal(res.Errors)
			}
			out := ck.Outcomes()
			if !out[1].Passed || out[0].Passed {
				t.Fatalf("active %v, -j %d: %+v", tc.active, workers, out)
			}
			var got []string
			for _, v := range out[0].Violations {
				if tc.records > 1 && !strings.Contains(v.Message, fmt.Sprintf("into %d records", tc.records)) {
					t.Errorf("active %v: %q, want %d records", tc.active, v.Message, tc.records)
				}
				got = append(got, regexp.MustCompile(`^flow \d+ `).ReplaceAllString(split.ReplaceAllString(v.Message, ""), ""))
			}
			if !slices.Equal(got, want) {
				t.Errorf("active %v, -j %d: violations\n%q\nwant\n%q", tc.active, workers, got, want)
			}
			if workers == 1 {
				first = out
			} else if !reflect.DeepEqual(out, first) {
				t.Errorf("active %v: -j 4 %+v, -j 1 %+v", tc.active, out, first)
			}
		}
	}
}
