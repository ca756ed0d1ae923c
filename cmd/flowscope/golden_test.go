package main

// Golden tests: run the built binary on every generated fixture in
// testdata/fixtures and compare its JSON output byte for byte with
// testdata/golden/<name>.json. The bytes alone would let a wrong golden pass,
// so each fixture also has its meaning spelled out below, from Zeek's
// conn_state and history definitions rather than from our output.
//
//	go test ./cmd/flowscope -run Golden -update   # rewrite the goldens

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	goldenFixtures = "../../testdata/fixtures"
	goldenDir      = "../../testdata/golden"
)

// -update is registered in init, which runs after every package-level
// variable, so that another test file of this package may define -update
// too: both then share one flag instead of panicking on a redefinition.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite testdata/golden/*.json from the current output")
	}
}

func goldenUpdating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

var (
	goldenBuildOnce sync.Once
	goldenBinDir    string
	goldenBinPath   string
	goldenBuildErr  error
)

// goldenBinary builds flowscope once per test process into a temporary
// directory and returns its path. TestGolden, its only caller, removes the
// directory when it ends.
func goldenBinary(t *testing.T) string {
	t.Helper()
	goldenBuildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "flowscope-golden-")
		if err != nil {
			goldenBuildErr = err
			return
		}
		goldenBinDir = dir
		bin := filepath.Join(dir, "flowscope")
		if runtime.GOOS == "windows" {
			bin += ".exe"
		}
		out, err := exec.Command(goldenGoTool(), "build", "-o", bin, ".").CombinedOutput()
		if err != nil {
			goldenBuildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		goldenBinPath = bin
	})
	if goldenBuildErr != nil {
		t.Fatal(goldenBuildErr)
	}
	if _, err := os.Stat(goldenBinPath); err != nil {
		t.Fatalf("golden binary gone (goldenBinary is meant for TestGolden only): %v", err)
	}
	return goldenBinPath
}

func goldenGoTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// goldenRun runs the binary and returns stdout, stderr and the exit code.
func goldenRun(t *testing.T, bin string, args ...string) (stdout, stderr []byte, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("run %v: %v", args, err)
	}
	return o.Bytes(), e.Bytes(), code
}

// goldenWant is what one record must say. Packet counts are per side as
// the record orients them (client = Zeek's originator).
type goldenWant struct {
	proto  string
	state  string // conn_state
	end    string // end_reason
	dir    string // direction_by
	hist   string // history
	cpk    uint64 // packets sent by the client
	spk    uint64 // packets sent by the server
	cip    string // client address
	cport  uint16 // client port (TCP/UDP)
	sport  uint16 // server port (TCP/UDP)
	tunnel string
	parent uint64 // tunnel_parent
	vlan   uint16
	frags  uint64 // ip_fragments
	ipv    uint8  // ip_version; 0 means 4
	// Checked only when set (the fragment fixtures, where attribution
	// of every fragment is the point): the client's IP bytes and frame
	// bytes as the capture holds them, and the flow's first frame.
	cbytes, cframe, firstFrame uint64
}

// goldenRecord is the part of a JSON record that goldenWant checks.
type goldenRecord struct {
	Proto     string `json:"proto"`
	IPVersion uint8  `json:"ip_version"`
	Client    struct {
		IP         string `json:"ip"`
		Port       uint16 `json:"port"`
		Packets    uint64 `json:"packets"`
		Bytes      uint64 `json:"bytes"`
		FrameBytes uint64 `json:"frame_bytes"`
	} `json:"client"`
	Server struct {
		Port    uint16 `json:"port"`
		Packets uint64 `json:"packets"`
	} `json:"server"`
	ConnState    string `json:"conn_state"`
	History      string `json:"history"`
	DirectionBy  string `json:"direction_by"`
	EndReason    string `json:"end_reason"`
	VLAN         uint16 `json:"vlan"`
	Tunnel       string `json:"tunnel"`
	TunnelParent uint64 `json:"tunnel_parent"`
	Fragments    uint64 `json:"ip_fragments"`
	FirstFrame   uint64 `json:"first_frame"`
}

// Fixture hosts and ports (testdata/gen/main.go).
const (
	gCli   = "203.0.113.10"
	gDNS   = "198.51.100.53"
	gVtepA = "192.0.2.1"
	gVtepB = "192.0.2.2"
	gIn1   = "10.1.0.1"
	gCli6  = "2001:db8:1::10"
	gEph   = 49732
	gEph2  = 49733
)

type goldenCase struct {
	name   string   // fixture and golden file name, without extension
	args   []string // flags beyond -q -o json -r FILE
	want   []goldenWant
	stderr []string // the summary (a run without -q) must contain each
}

// Records are in output order: by first packet time, then ID.
var goldenCases = []goldenCase{
	// Zeek conn_state. History letters: upper case from the originator;
	// S SYN, H SYN-ACK, A pure ACK, D data, F FIN, R RST; "^" when the
	// originator is not the first packet's sender.
	{name: "conn_s0", want: []goldenWant{
		// A retransmitted SYN (same sequence number) is not a new letter.
		{proto: "tcp", state: "S0", end: "eof", dir: "syn", hist: "S", cpk: 2, spk: 0, cip: gCli, cport: gEph, sport: 80},
	}},
	{name: "conn_s1", want: []goldenWant{
		{proto: "tcp", state: "S1", end: "eof", dir: "syn", hist: "ShADd", cpk: 3, spk: 2, cip: gCli, cport: gEph, sport: 80},
	}},
	{name: "conn_sf", want: []goldenWant{
		// Closed by FIN both ways: "fin" even at the end of input.
		{proto: "tcp", state: "SF", end: "fin", dir: "syn", hist: "ShADadFf", cpk: 5, spk: 4, cip: gCli, cport: gEph, sport: 80},
	}},
	{name: "conn_rej", want: []goldenWant{
		{proto: "tcp", state: "REJ", end: "rst", dir: "syn", hist: "Sr", cpk: 1, spk: 1, cip: gCli, cport: gEph, sport: 81},
	}},
	{name: "conn_s2", want: []goldenWant{
		{proto: "tcp", state: "S2", end: "eof", dir: "syn", hist: "ShADaF", cpk: 4, spk: 2, cip: gCli, cport: gEph, sport: 80},
	}},
	{name: "conn_s3", want: []goldenWant{
		{proto: "tcp", state: "S3", end: "eof", dir: "syn", hist: "ShAdf", cpk: 3, spk: 3, cip: gCli, cport: gEph, sport: 80},
	}},
	{name: "conn_rsto", want: []goldenWant{
		{proto: "tcp", state: "RSTO", end: "rst", dir: "syn", hist: "ShADdR", cpk: 4, spk: 2, cip: gCli, cport: gEph, sport: 80},
	}},
	{name: "conn_rstr", want: []goldenWant{
		{proto: "tcp", state: "RSTR", end: "rst", dir: "syn", hist: "ShADdr", cpk: 3, spk: 3, cip: gCli, cport: gEph, sport: 80},
	}},
	{name: "conn_rstos0", want: []goldenWant{
		{proto: "tcp", state: "RSTOS0", end: "rst", dir: "syn", hist: "SR", cpk: 2, spk: 0, cip: gCli, cport: gEph, sport: 80},
	}},
	{name: "conn_rstrh", want: []goldenWant{
		{proto: "tcp", state: "RSTRH", end: "rst", dir: "syn", hist: "^hr", cpk: 0, spk: 2, cip: gCli, cport: gEph, sport: 80},
	}},
	{name: "conn_sh", want: []goldenWant{
		// Only one side closed: not "fin", still open at the end.
		{proto: "tcp", state: "SH", end: "eof", dir: "syn", hist: "SF", cpk: 2, spk: 0, cip: gCli, cport: gEph, sport: 80},
	}},
	{name: "conn_shr", want: []goldenWant{
		{proto: "tcp", state: "SHR", end: "eof", dir: "syn", hist: "^hf", cpk: 0, spk: 2, cip: gCli, cport: gEph, sport: 80},
	}},
	{name: "conn_oth", want: []goldenWant{
		{proto: "tcp", state: "OTH", end: "eof", dir: "port", hist: "DadA", cpk: 2, spk: 2, cip: gCli, cport: gEph, sport: 22},
	}},
	{name: "udp_sf", want: []goldenWant{
		{proto: "udp", state: "SF", end: "eof", dir: "port", hist: "Dd", cpk: 1, spk: 1, cip: gCli, cport: gEph, sport: 53},
	}},
	{name: "udp_s0", want: []goldenWant{
		{proto: "udp", state: "S0", end: "eof", dir: "port", hist: "D", cpk: 2, spk: 0, cip: gCli, cport: gEph, sport: 53},
	}},
	{name: "icmp_echo", want: []goldenWant{
		{proto: "icmp", state: "OTH", end: "eof", dir: "icmp", hist: "", cpk: 2, spk: 2, cip: gCli},
	}},

	// End reasons.
	{name: "end_idle_udp", want: []goldenWant{
		{proto: "udp", state: "SF", end: "idle", dir: "port", hist: "Dd", cpk: 1, spk: 1, cip: gCli, cport: gEph, sport: 53},
		{proto: "udp", state: "SF", end: "eof", dir: "port", hist: "Dd", cpk: 1, spk: 1, cip: gCli, cport: gEph2, sport: 53},
	}},
	{name: "end_idle_tcp", want: []goldenWant{
		{proto: "tcp", state: "S1", end: "idle", dir: "syn", hist: "ShADd", cpk: 3, spk: 2, cip: gCli, cport: gEph, sport: 80},
		{proto: "udp", state: "SF", end: "eof", dir: "port", hist: "Dd", cpk: 1, spk: 1, cip: gCli, cport: gEph2, sport: 53},
	}},
	{name: "end_active", want: []goldenWant{
		// Data every 59 s from +59 s: the packet at +1829 s is the first
		// past 30 min and starts the second record, the one at +3658 s
		// (1829 s into it) the third. Each record's history covers its
		// own packets; the connection stays established (S1).
		{proto: "tcp", state: "S1", end: "active", dir: "syn", hist: "ShADa", cpk: 32, spk: 31, cip: gCli, cport: gEph, sport: 80},
		{proto: "tcp", state: "S1", end: "active", dir: "syn", hist: "Da", cpk: 31, spk: 31, cip: gCli, cport: gEph, sport: 80},
		{proto: "tcp", state: "S1", end: "eof", dir: "syn", hist: "Da", cpk: 3, spk: 3, cip: gCli, cport: gEph, sport: 80},
	}},
	{name: "end_fin", want: []goldenWant{
		{proto: "tcp", state: "SF", end: "fin", dir: "syn", hist: "ShADdFf", cpk: 5, spk: 3, cip: gCli, cport: gEph, sport: 80},
		{proto: "udp", state: "SF", end: "eof", dir: "port", hist: "Dd", cpk: 4, spk: 4, cip: gCli, cport: gEph2, sport: 53},
	}},
	{name: "end_rst", want: []goldenWant{
		{proto: "tcp", state: "RSTO", end: "rst", dir: "syn", hist: "ShADdR", cpk: 4, spk: 2, cip: gCli, cport: gEph, sport: 80},
		{proto: "udp", state: "SF", end: "eof", dir: "port", hist: "Dd", cpk: 4, spk: 4, cip: gCli, cport: gEph2, sport: 53},
	}},
	{name: "end_eof", want: []goldenWant{
		{proto: "tcp", state: "S1", end: "eof", dir: "syn", hist: "ShADd", cpk: 3, spk: 2, cip: gCli, cport: gEph, sport: 80},
		{proto: "udp", state: "SF", end: "eof", dir: "port", hist: "Dd", cpk: 1, spk: 1, cip: gCli, cport: gEph2, sport: 53},
	}},
	{name: "end_evicted", args: []string{"--max-flows", "2", "-j", "1"}, want: []goldenWant{
		// The third and fourth flows each push out the flow idle longest.
		{proto: "udp", state: "SF", end: "evicted", dir: "port", hist: "Dd", cpk: 1, spk: 1, cip: gCli, cport: gEph, sport: 53},
		{proto: "udp", state: "SF", end: "evicted", dir: "port", hist: "Dd", cpk: 1, spk: 1, cip: gCli, cport: gEph + 1, sport: 53},
		{proto: "udp", state: "SF", end: "eof", dir: "port", hist: "Dd", cpk: 1, spk: 1, cip: gCli, cport: gEph + 2, sport: 53},
		{proto: "udp", state: "SF", end: "eof", dir: "port", hist: "Dd", cpk: 1, spk: 1, cip: gCli, cport: gEph + 3, sport: 53},
	}},

	// Direction.
	{name: "dir_port_midstream", want: []goldenWant{
		{proto: "tcp", state: "OTH", end: "eof", dir: "port", hist: "^dADa", cpk: 2, spk: 2, cip: gCli, cport: gEph, sport: 443},
	}},
	{name: "dir_synack_first", want: []goldenWant{
		// Zeek: the SYN-ACK sender is established, the ACK establishes the
		// originator too, so S1.
		{proto: "tcp", state: "S1", end: "eof", dir: "syn", hist: "^hADd", cpk: 2, spk: 2, cip: gCli, cport: gEph, sport: 80},
	}},
	{name: "dir_udp_ephemeral", want: []goldenWant{
		{proto: "udp", state: "SF", end: "eof", dir: "first-packet", hist: "Dd", cpk: 2, spk: 1, cip: gCli, cport: gEph, sport: 50000},
	}},
	{name: "dir_port_reuse", want: []goldenWant{
		{proto: "tcp", state: "SF", end: "fin", dir: "syn", hist: "ShADdFf", cpk: 5, spk: 3, cip: gCli, cport: gEph, sport: 80},
		{proto: "tcp", state: "SF", end: "fin", dir: "syn", hist: "ShADdFf", cpk: 5, spk: 3, cip: gCli, cport: gEph, sport: 80},
	}},

	// Encapsulations: the outer flow says what it carries, the inner one
	// points at the outer flow that first carried it.
	{name: "encap_vxlan", want: []goldenWant{
		{proto: "udp", state: "S0", end: "eof", dir: "port", hist: "D", cpk: 3, spk: 0, cip: gVtepA, cport: 50001, sport: 4789, tunnel: "vxlan"},
		{proto: "tcp", state: "S1", end: "eof", dir: "syn", hist: "ShADd", cpk: 3, spk: 2, cip: gIn1, cport: gEph, sport: 80, parent: 10},
		{proto: "udp", state: "S0", end: "eof", dir: "port", hist: "D", cpk: 2, spk: 0, cip: gVtepB, cport: 50002, sport: 4789, tunnel: "vxlan"},
	}},
	{name: "encap_gre", want: []goldenWant{
		{proto: "gre", state: "OTH", end: "eof", dir: "first-packet", hist: "", cpk: 1, spk: 1, cip: gVtepA, tunnel: "gre"},
		{proto: "udp", state: "SF", end: "eof", dir: "port", hist: "Dd", cpk: 1, spk: 1, cip: gIn1, cport: gEph, sport: 53, parent: 10},
	}},
	{name: "encap_ipip", want: []goldenWant{
		{proto: "ipip", state: "OTH", end: "eof", dir: "first-packet", hist: "", cpk: 1, spk: 1, cip: gVtepA, tunnel: "ip-in-ip"},
		{proto: "icmp", state: "OTH", end: "eof", dir: "icmp", hist: "", cpk: 1, spk: 1, cip: gIn1, parent: 10},
	}},
	// GTP-U: echoes and G-PDUs share the outer flow (2152 both ways, so
	// the first sender is the client); the inner flow's parent is it.
	{name: "encap_gtpu", want: []goldenWant{
		{proto: "udp", state: "SF", end: "eof", dir: "first-packet", hist: "Dd", cpk: 4, spk: 3, cip: gVtepA, cport: 2152, sport: 2152, tunnel: "gtp"},
		{proto: "tcp", state: "S1", end: "eof", dir: "syn", hist: "ShADd", cpk: 3, spk: 2, cip: gIn1, cport: gEph, sport: 80, parent: 10},
	}},
	{name: "encap_capwap", want: []goldenWant{
		{proto: "udp", state: "SF", end: "eof", dir: "port", hist: "Dd", cpk: 1, spk: 1, cip: gVtepA, cport: 12380, sport: 5247, tunnel: "capwap"},
		{proto: "udp", state: "SF", end: "eof", dir: "port", hist: "Dd", cpk: 1, spk: 1, cip: gIn1, cport: gEph, sport: 53, parent: 10},
	}},
	{name: "encap_vlan_ipv6", want: []goldenWant{
		{proto: "tcp", state: "SF", end: "fin", dir: "syn", hist: "ShADdFf", cpk: 5, spk: 3, cip: gCli6, cport: gEph, sport: 443, vlan: 100, ipv: 6},
	}},
	// Every IP fragment counts as a packet of its datagram's flow, with
	// its bytes and its frame: fragments of 532, 532 and 204 IP bytes in
	// frames of 546, 546 and 218 bytes. A fragment that came before the
	// first one is still the flow's first packet.
	{name: "frag_udp", want: []goldenWant{
		{proto: "udp", state: "SF", end: "eof", dir: "port", hist: "Dd", cpk: 3, spk: 1, cip: gCli, cport: gEph, sport: 514, frags: 3,
			cbytes: 1268, cframe: 1310, firstFrame: 1},
	}},
	{name: "frag_reorder", want: []goldenWant{
		{proto: "udp", state: "SF", end: "eof", dir: "port", hist: "Dd", cpk: 3, spk: 1, cip: gCli, cport: gEph, sport: 514, frags: 3,
			cbytes: 1268, cframe: 1310, firstFrame: 1},
	}},
	{name: "frag_incomplete", stderr: []string{"incomplete datagrams 1"}, want: []goldenWant{
		{proto: "udp", state: "S0", end: "eof", dir: "port", hist: "D", cpk: 2, spk: 0, cip: gCli, cport: gEph, sport: 514, frags: 2,
			cbytes: 1064, cframe: 1092, firstFrame: 1},
	}},
	{name: "nonip_arp_lldp", stderr: []string{"non-ip 3", "arp 2", "lldp 1"}, want: []goldenWant{
		{proto: "icmp", state: "OTH", end: "eof", dir: "icmp", hist: "", cpk: 1, spk: 1, cip: gCli},
	}},
}

func TestGolden(t *testing.T) {
	bin := goldenBinary(t)
	t.Cleanup(func() { os.RemoveAll(goldenBinDir) })
	if goldenUpdating() {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			fixture := filepath.Join(goldenFixtures, c.name+".pcap")
			args := append([]string{"-q", "-o", "json", "-r", fixture}, c.args...)
			stdout, stderr, code := goldenRun(t, bin, args...)
			if code != 0 || len(stderr) > 0 {
				t.Fatalf("flowscope %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, stderr)
			}

			golden := filepath.Join(goldenDir, c.name+".json")
			if goldenUpdating() {
				if err := os.WriteFile(golden, stdout, 0o644); err != nil {
					t.Fatal(err)
				}
			} else if want, err := os.ReadFile(golden); err != nil {
				t.Errorf("%v (run with -update to create it)", err)
			} else if !bytes.Equal(stdout, want) {
				t.Errorf("output differs from %s (run with -update if the change is intended):\n%s", golden, goldenDiff(want, stdout))
			}

			goldenCheck(t, stdout, c.want)

			if len(c.stderr) > 0 {
				args := append([]string{"-o", "json", "-r", fixture}, c.args...)
				_, summary, code := goldenRun(t, bin, args...)
				if code != 0 {
					t.Fatalf("flowscope %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, summary)
				}
				for _, s := range c.stderr {
					if !bytes.Contains(summary, []byte(s)) {
						t.Errorf("summary lacks %q:\n%s", s, summary)
					}
				}
			}
		})
	}
}

// goldenCheck asserts each record's meaning, independently of the golden.
func goldenCheck(t *testing.T, out []byte, want []goldenWant) {
	t.Helper()
	var got []goldenRecord
	for i, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r goldenRecord
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("record %d: %v: %s", i+1, err, line)
		}
		got = append(got, r)
	}
	if len(got) != len(want) {
		t.Errorf("got %d records, want %d:\n%s", len(got), len(want), out)
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		ipv := w.ipv
		if ipv == 0 {
			ipv = 4
		}
		type field struct {
			name      string
			got, want any
		}
		fields := []field{
			{"proto", g.Proto, w.proto},
			{"conn_state", g.ConnState, w.state},
			{"end_reason", g.EndReason, w.end},
			{"direction_by", g.DirectionBy, w.dir},
			{"history", g.History, w.hist},
			{"client.packets", g.Client.Packets, w.cpk},
			{"server.packets", g.Server.Packets, w.spk},
			{"client.ip", g.Client.IP, w.cip},
			{"tunnel", g.Tunnel, w.tunnel},
			{"tunnel_parent", g.TunnelParent, w.parent},
			{"vlan", g.VLAN, w.vlan},
			{"ip_fragments", g.Fragments, w.frags},
			{"ip_version", g.IPVersion, ipv},
		}
		for _, f := range []field{{"client.bytes", g.Client.Bytes, w.cbytes}, {"client.frame_bytes", g.Client.FrameBytes, w.cframe}, {"first_frame", g.FirstFrame, w.firstFrame}} {
			if f.want != uint64(0) {
				fields = append(fields, f)
			}
		}
		if w.proto == "tcp" || w.proto == "udp" {
			fields = append(fields, field{"client.port", g.Client.Port, w.cport}, field{"server.port", g.Server.Port, w.sport})
		}
		for _, f := range fields {
			if f.got != f.want {
				t.Errorf("record %d %s = %v, want %v", i+1, f.name, f.got, f.want)
			}
		}
	}
}

// goldenDiff shows the first differing line of two outputs.
func goldenDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  want %s\n  got  %s", i+1, w, g)
		}
	}
	return "(same lines)"
}

// TestGoldenCoverage keeps the fixtures, the goldens and the table above in
// step: a fixture without expectations would be tested by bytes alone.
func TestGoldenCoverage(t *testing.T) {
	var cases []string
	for _, c := range goldenCases {
		cases = append(cases, c.name)
	}
	slices.Sort(cases)
	for _, d := range []struct{ dir, ext string }{{goldenFixtures, ".pcap"}, {goldenDir, ".json"}} {
		names := goldenNames(t, d.dir, d.ext)
		if !slices.Equal(names, cases) {
			t.Errorf("%s/*%s = %v\nwant one per golden case: %v", d.dir, d.ext, names, cases)
		}
	}
}

func goldenNames(t *testing.T, dir, ext string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ext); ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// TestGoldenFixturesDeterministic regenerates the fixtures into a temporary
// directory and compares them byte for byte with the committed ones, so a
// generator change cannot leave stale fixtures behind.
func TestGoldenFixturesDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator with go run")
	}
	tmp := t.TempDir()
	cmd := exec.Command(goldenGoTool(), "run", "./testdata/gen", "-out", tmp)
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./testdata/gen: %v\n%s", err, out)
	}
	fresh, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadDir(goldenFixtures)
	if err != nil {
		t.Fatal(err)
	}
	names := func(es []os.DirEntry) []string {
		var n []string
		for _, e := range es {
			n = append(n, e.Name())
		}
		return n
	}
	if !slices.Equal(names(fresh), names(committed)) {
		t.Fatalf("generator writes %v, testdata/fixtures holds %v", names(fresh), names(committed))
	}
	for _, e := range fresh {
		a, err := os.ReadFile(filepath.Join(tmp, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(goldenFixtures, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from a fresh run of the generator (run go run ./testdata/gen -out testdata/fixtures)", e.Name())
		}
	}
}
