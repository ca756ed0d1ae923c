package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/flowscope/flowscope/internal/synth"
)

// writeBeaconScene writes a generated scene (never committed) to a temp
// capture and returns its path and the beacons planted in it.
func writeBeaconScene(t *testing.T, spec synth.BeaconSpec) (string, []synth.PlantedBeacon) {
	t.Helper()
	frames, planted := synth.BeaconScene(spec)
	path := filepath.Join(t.TempDir(), fmt.Sprintf("beacons-%d.pcap", spec.Seed))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := synth.NewPcapWriter(f)
	if err == nil {
		for _, fr := range frames {
			if err = pw.Write(fr); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = pw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return path, planted
}

// beaconLine is a beacon finding as JSON writes it.
type beaconLine struct {
	ID     uint64 `json:"id"`
	Kind   string `json:"kind"`
	Port   string `json:"port"`
	Client side   `json:"client"`
	Beacon struct {
		Period  float64  `json:"period"`
		Jitter  float64  `json:"jitter"`
		Count   int      `json:"count"`
		Score   float64  `json:"score"`
		Name    string   `json:"name"`
		FlowIDs []uint64 `json:"flow_ids"`
	} `json:"beacon"`
}

func beaconLines(t *testing.T, out []byte) []beaconLine {
	t.Helper()
	var bs []beaconLine
	for line := range bytes.Lines(out) {
		if !bytes.Contains(line, []byte(`"kind":"beacon"`)) {
			continue
		}
		var b beaconLine
		if err := json.Unmarshal(line, &b); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		bs = append(bs, b)
	}
	return bs
}

// TestBeaconsFound runs generated scenes with one beacon of each kind among
// browsing clients: every beacon is found with its period, nothing else
// is. It logs the precision/recall table the README shows.
func TestBeaconsFound(t *testing.T) {
	const seeds = 5
	found := make([]int, 6)
	var tp, fp, fn int
	for seed := int64(1); seed <= seeds; seed++ {
		path, planted := writeBeaconScene(t, synth.BeaconSpec{Seed: seed})
		res := mustRun(t, exitOK, nil, "-q", "-o", "json", "--findings-only", "-r", path)
		os.Remove(path) // tens of MB each
		got := beaconLines(t, res.stdout)
		for _, p := range planted {
			i := slices.IndexFunc(got, func(b beaconLine) bool { return b.Client.IP == p.Client.String() })
			if i < 0 {
				fn++
				t.Errorf("seed %d: %s beacon from %s not found", seed, p.Kind, p.Client)
				continue
			}
			tp++
			found[p.Kind]++
			b := got[i]
			if math.Abs(b.Beacon.Period-p.Period) > 0.1*p.Period || b.Beacon.Count < 10 || len(b.Beacon.FlowIDs) != b.Beacon.Count ||
				b.Beacon.FlowIDs[len(b.Beacon.FlowIDs)-1] != b.ID {
				t.Errorf("seed %d: %s beacon: %+v, want period %v", seed, p.Kind, b, p.Period)
			}
			if p.Kind == synth.BeaconCDN && (b.Beacon.Name != "updates.cdn.example" || b.Beacon.Count < 200) {
				t.Errorf("seed %d: CDN beacon not grouped by its name: %+v", seed, b)
			}
		}
		for _, b := range got {
			if !slices.ContainsFunc(planted, func(p synth.PlantedBeacon) bool { return b.Client.IP == p.Client.String() }) {
				fp++
				t.Errorf("seed %d: false beacon %+v", seed, b)
			}
		}
	}
	t.Logf("%d scenes: %d found, %d false, %d missed; precision %.3f, recall %.3f", seeds, tp, fp, fn,
		float64(tp)/float64(max(1, tp+fp)), float64(tp)/float64(max(1, tp+fn)))
	for k, n := range found {
		t.Logf("  %-18s %d/%d", synth.BeaconKind(k), n, seeds)
	}
}

// TestBeaconOutputs checks the beacon findings in every format, the same
// bytes whatever the worker count, the summary, and check's rules.
func TestBeaconOutputs(t *testing.T) {
	path, planted := writeBeaconScene(t, synth.BeaconSpec{Seed: 7, Duration: 3600, Browsers: 3})
	var outs [2][]byte
	for i, j := range []string{"1", "2"} {
		res := mustRun(t, exitOK, nil, "-o", "json", "-j", j, "-r", path)
		outs[i] = res.stdout
		if !strings.Contains(string(res.stderr), fmt.Sprintf("beacons: %d (", len(planted))) {
			t.Errorf("-j %s: summary does not count %d beacons:\n%s", j, len(planted), res.stderr)
		}
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Error("JSON differs between -j 1 and -j 2")
	}
	// The beacon lines follow the flows; the flow lines carry no beacon.
	lines := bytes.Split(bytes.TrimSpace(outs[0]), []byte("\n"))
	n := len(beaconLines(t, outs[0]))
	if n != len(planted) {
		t.Fatalf("%d beacon lines, want %d", n, len(planted))
	}
	for i, l := range lines {
		if isBeacon := bytes.Contains(l, []byte(`"kind":"beacon"`)); isBeacon != (i >= len(lines)-n) {
			t.Fatalf("line %d of %d: beacon %v: %s", i, len(lines), isBeacon, l)
		}
	}

	res := mustRun(t, exitOK, nil, "-q", "-o", "csv", "--fields", "id,client_ip,client_bytes,findings", "-r", path)
	rows := strings.Split(strings.TrimSpace(string(res.stdout)), "\r\n")
	var beaconRows []string
	for _, r := range rows {
		if strings.Contains(r, "beacon:") {
			beaconRows = append(beaconRows, r)
		}
	}
	if len(beaconRows) != len(planted) || strings.Count(beaconRows[0], ",") != 3 ||
		strings.Split(beaconRows[0], ",")[2] != "" {
		t.Errorf("CSV beacon rows (want %d, counters empty): %q", len(planted), beaconRows)
	}

	res = mustRun(t, exitOK, nil, "-r", path)
	out := string(res.stdout)
	if strings.Count(out, "  beacon  ") != len(planted) || !strings.Contains(out, "connections to c2-0.example every 60s ± 0s (0 %)") ||
		!strings.Contains(out, "  10.1.0.1 → 203.0.113.10:443\n") {
		t.Errorf("table findings:\n%s", out)
	}

	// zeek: conn.log has no place for them, and stays a conn.log.
	res = mustRun(t, exitOK, nil, "-q", "-o", "zeek", "-r", path)
	if bytes.Contains(res.stdout, []byte("beacon")) {
		t.Error("beacon in conn.log")
	}

	// The allowlist suppresses one by its server; --min-severity high all.
	allow := filepath.Join(t.TempDir(), "allow.txt")
	os.WriteFile(allow, []byte("* 203.0.113.10 beacon\n"), 0o644)
	res = mustRun(t, exitOK, nil, "-q", "-o", "json", "--findings-only", "--allow", allow, "-r", path)
	if n := len(beaconLines(t, res.stdout)); n != len(planted)-1 {
		t.Errorf("allowlist: %d beacons, want %d", n, len(planted)-1)
	}
	res = mustRun(t, exitOK, nil, "-q", "-o", "json", "--findings-only", "--min-severity", "high", "-r", path)
	if n := len(beaconLines(t, res.stdout)); n != 0 {
		t.Errorf("--min-severity high: %d beacons", n)
	}
	// --beacon-min-count 0 turns detection off; a score above every
	// group's finds none.
	for _, args := range [][]string{{"--beacon-min-count", "0"}, {"--beacon-min", "1", "--beacon-min-count", "256"}} {
		res = mustRun(t, exitOK, nil, append([]string{"-q", "-o", "json", "--findings-only", "-r", path}, args...)...)
		if n := len(beaconLines(t, res.stdout)); n != 0 {
			t.Errorf("%v: %d beacons", args, n)
		}
	}

	// --zeek-logs: each beacon is a notice; --ipfix beside it changes nothing.
	zdir := t.TempDir()
	mustRun(t, exitOK, nil, "-q", "-o", "json", "--zeek-logs", zdir, "-r", path)
	notice, err := os.ReadFile(filepath.Join(zdir, "notice.log"))
	if err != nil {
		t.Fatal(err)
	}
	if c := strings.Count(string(notice), "\tFlowScope::Beacon\t"); c != len(planted) {
		t.Errorf("notice.log has %d beacons, want %d:\n%s", c, len(planted), notice)
	}

	// check: forbid fails on each beacon, named by its last flow.
	rules := writeRules(t, "rules:\n  - forbid: {finding: beacon}\n")
	res = mustRun(t, checkFail, nil, "check", "--rules", rules, path)
	if c := strings.Count(string(res.stdout), ": beacon: "); c != len(planted) {
		t.Errorf("check lists %d beacons, want %d:\n%s", c, len(planted), res.stdout)
	}
	// A baseline forbids beacons but allows those it saw: check passes.
	res = mustRun(t, exitOK, nil, "baseline", path)
	if !bytes.Contains(res.stdout, []byte("forbid: {finding: beacon}")) || !bytes.Contains(res.stdout, []byte(`allow: "tls tcp/443 beacon"`)) {
		t.Errorf("baseline:\n%s", res.stdout)
	}
	mustRun(t, checkPass, nil, "check", "--rules", writeRules(t, string(res.stdout)), path)
	res = mustRun(t, exitUsage, nil, "check", "--rules", writeRules(t, "rules:\n  - forbid: {finding: beacn}\n"), path)
	if !strings.Contains(string(res.stderr), `did you mean "beacon"`) {
		t.Errorf("misspelt kind: %s", res.stderr)
	}
}

// TestBeaconGroupsBounded floods the detector with more groups than
// --beacon-groups: the summary says how many it forgot.
func TestBeaconGroupsBounded(t *testing.T) {
	path, _ := writeBeaconScene(t, synth.BeaconSpec{Groups: 3000})
	res := mustRun(t, exitOK, nil, "-o", "json", "--beacon-groups", "100", "-r", path)
	if !strings.Contains(string(res.stderr), "beacons: none (100 connection groups tracked); 2900 groups forgotten at the limit of 100") {
		t.Errorf("summary:\n%s", res.stderr)
	}
}

// TestBeaconFlags: out-of-range values are usage errors naming the flag.
func TestBeaconFlags(t *testing.T) {
	pcap := capturePath(t, "zeek__5-pings.pcap")
	for _, args := range [][]string{
		{"--beacon-min", "0"}, {"--beacon-min", "1.5"}, {"--beacon-min-count", "3"},
		{"--beacon-min-count", "257"}, {"--beacon-groups", "0"},
	} {
		res := mustRun(t, exitUsage, nil, append(args, "-r", pcap)...)
		if !strings.Contains(string(res.stderr), args[0]) {
			t.Errorf("%v: %s", args, res.stderr)
		}
	}
	mustRun(t, exitOK, nil, "-q", "--beacon-min-count", "0", "-r", pcap)
}

// TestLiveBeaconInterval captures a client that asks the server's DNS every
// second from a new port: the beacon is written at an --interval report
// while the capture runs (as soon as five have ended), and only once.
func TestLiveBeaconInterval(t *testing.T) {
	p := newNetns(t)
	startServer(t, p)
	c := startCapture(t, p.server, "-i", p.serverIf, "-o", "json", "--interval", "500ms", "--udp-timeout", "1s",
		"--beacon-min-count", "5", "--beacon-min", "0.5", "udp")
	_, out := startHelper(t, p.client, "beacon")
	if line, err := out.ReadString('\n'); err != nil || line != "done\n" {
		t.Fatalf("beacon helper: %q, %v", line, err)
	}
	for deadline := time.Now().Add(10 * time.Second); len(beaconLines(t, c.stdout.Bytes())) == 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no beacon reported while capturing:\n%s\n%s", c.stdout.String(), c.stderr.String())
		}
	}
	if code := c.stop(t, syscall.SIGINT); code != 0 {
		t.Fatalf("exit %d", code)
	}
	bs := beaconLines(t, c.stdout.Bytes())
	if len(bs) != 1 || bs[0].Client.IP != liveClient || bs[0].Port != "udp/53" || bs[0].Beacon.Count < 5 || bs[0].Beacon.Count > 7 || bs[0].Beacon.Period != 1 {
		t.Errorf("beacons %+v", bs)
	}
	if !strings.Contains(c.stderr.String(), "findings: 1 (beacon 1; medium 1)") {
		t.Errorf("summary:\n%s", c.stderr.String())
	}
}

// helperBeacon sends 7 DNS queries a second apart, each from a new socket,
// then says "done".
func helperBeacon() error {
	q := dnsmessage.Message{Header: dnsmessage.Header{ID: 0x4243, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: dnsmessage.MustNewName("beacon.test."), Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}}}
	qb, _ := q.Pack()
	next := time.Now()
	for range 7 {
		time.Sleep(time.Until(next))
		next = next.Add(time.Second)
		udp, err := net.Dial("udp", liveServer+":53")
		if err != nil {
			return err
		}
		if _, err := udp.Write(qb); err != nil {
			return err
		}
		udp.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := udp.Read(make([]byte, 1500)); err != nil {
			return fmt.Errorf("dns: %w", err)
		}
		udp.Close()
	}
	fmt.Println("done")
	return nil
}
