package main

// Live capture tests: real traffic between two network namespaces joined
// by a veth pair, captured by the real binary. They need root (CI runs
// as root); elsewhere they skip and say so. Only the namespaces' own
// addresses are used.

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

const (
	helperEnv  = "FLOWSCOPE_LIVE_HELPER"
	liveClient = "10.201.0.1"
	liveServer = "10.201.0.2"
)

// requireRoot skips a test that needs root and ip(8), except in CI, where
// skipping would hide that live capture went untested.
func requireRoot(t testing.TB) {
	t.Helper()
	why := ""
	if os.Geteuid() != 0 {
		why = "live capture tests need root (network namespaces and CAP_NET_RAW); run them with sudo -E go test ./cmd/flowscope -run Live"
	} else if _, err := exec.LookPath("ip"); err != nil {
		why = "live capture tests need ip(8) from iproute2 (apt-get install iproute2)"
	}
	if why == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// netnsPair is two network namespaces joined by a veth pair.
type netnsPair struct {
	client, server     string // namespace names
	clientIf, serverIf string // veth ends
}

var netnsSeq atomic.Int32

func mustExec(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// newNetns makes the namespaces with 10.201.0.1 (client) and 10.201.0.2
// (server) and removes them when the test ends.
func newNetns(t testing.TB) *netnsPair {
	t.Helper()
	requireRoot(t)
	id := fmt.Sprintf("%dx%d", os.Getpid()%100000, netnsSeq.Add(1))
	p := &netnsPair{client: "fsc" + id, server: "fss" + id, clientIf: "fsc" + id, serverIf: "fss" + id}
	mustExec(t, "ip", "netns", "add", p.client)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", p.client).Run() })
	mustExec(t, "ip", "netns", "add", p.server)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", p.server).Run() })
	mustExec(t, "ip", "link", "add", p.clientIf, "type", "veth", "peer", "name", p.serverIf)
	mustExec(t, "ip", "link", "set", p.clientIf, "netns", p.client)
	mustExec(t, "ip", "link", "set", p.serverIf, "netns", p.server)
	for _, ns := range []struct{ ns, dev, addr string }{{p.client, p.clientIf, liveClient}, {p.server, p.serverIf, liveServer}} {
		mustExec(t, "ip", "-n", ns.ns, "addr", "add", ns.addr+"/24", "dev", ns.dev)
		mustExec(t, "ip", "-n", ns.ns, "link", "set", ns.dev, "up")
		mustExec(t, "ip", "-n", ns.ns, "link", "set", "lo", "up")
	}
	return p
}

// startHelper runs this test binary as a helper (server or client) inside
// a namespace.
func startHelper(t *testing.T, ns, role string, extraEnv ...string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{helperEnv + "=" + role}, extraEnv...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close() // the server helper exits when its stdin closes
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
		}
	})
	return cmd, bufio.NewReader(out)
}

// startServer starts the server helper in p's server namespace and waits
// until it listens.
func startServer(t *testing.T, p *netnsPair) {
	t.Helper()
	_, out := startHelper(t, p.server, "server")
	if line, err := out.ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("server helper: %q, %v", line, err)
	}
}

// liveCapture is a flowscope process capturing in a namespace.
type liveCapture struct {
	cmd    *exec.Cmd
	stdout lockedBuffer // read while it runs, to see what is streamed
	stderr *lockedBuffer
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startCapture starts flowscope in ns and waits until it captures.
func startCapture(t *testing.T, ns string, args ...string) *liveCapture {
	t.Helper()
	c := &liveCapture{stderr: &lockedBuffer{}}
	c.cmd = exec.Command("ip", append([]string{"netns", "exec", ns, binPath}, args...)...)
	c.cmd.Stdout = &c.stdout
	c.cmd.Stderr = c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.cmd.Process.Kill() })
	c.waitCapturing(t)
	return c
}

// waitCapturing waits for the line that says the capture runs.
func (c *liveCapture) waitCapturing(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(c.stderr.String(), "flowscope: capturing on") {
		if time.Now().After(deadline) {
			t.Fatalf("flowscope did not start capturing: %s", c.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends sig and returns the exit code.
func (c *liveCapture) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	// Let the last packets reach the ring buffer.
	time.Sleep(300 * time.Millisecond)
	if err := c.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	return c.wait(t)
}

func (c *liveCapture) wait(t *testing.T) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(15 * time.Second):
		c.cmd.Process.Kill()
		t.Fatalf("flowscope did not stop; stderr:\n%s", c.stderr.String())
	}
	return -1
}

// exchange is what the client helper did on one connection.
type exchange struct {
	Name  string `json:"name"`
	Proto string `json:"proto"`
	Port  uint16 `json:"port"`
	Local uint16 `json:"local"` // client port
	Sent  uint64 `json:"sent"`  // payload bytes the client wrote
	Recv  uint64 `json:"recv"`  // payload bytes the client read
}

// runClient runs the client helper to completion and returns its exchanges.
func runClient(t *testing.T, ns string) []exchange {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=client")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("client helper: %v", err)
	}
	var exs []exchange
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var e exchange
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("client helper output %q: %v", line, err)
		}
		exs = append(exs, e)
	}
	return exs
}

func findExchangeFlow(t *testing.T, flows []flowRec, e exchange) *flowRec {
	t.Helper()
	for i := range flows {
		f := &flows[i]
		if f.Proto == e.Proto && f.Client.IP == liveClient && f.Client.Port == e.Local &&
			f.Server.IP == liveServer && f.Server.Port == e.Port {
			return f
		}
	}
	t.Fatalf("no %s flow %s:%d -> %s:%d among %d flows", e.Proto, liveClient, e.Local, liveServer, e.Port, len(flows))
	return nil
}

func findingKinds(f *flowRec) string {
	var ks []string
	for _, fd := range f.Findings {
		ks = append(ks, fd.Kind+":"+fd.Service)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

var droppedZero = regexp.MustCompile(`(?m)^  dropped: +0 by the kernel, 0 by the interface$`)

// TestLiveCapture captures real HTTP, TLS, SSH and DNS exchanges on a veth,
// checks each flow's service, payload bytes and findings against what the
// client did, stops with SIGINT, and checks that the -w file analysed
// offline gives the same flows.
func TestLiveCapture(t *testing.T) {
	for _, tc := range []struct{ name, engine, file string }{
		{"pcap", "libpcap", "live.pcap"}, {"pcapng", "libpcap", "live.pcapng"},
		{"afpacket-pcap", "afpacket", "live.pcap"}, {"afpacket-pcapng", "afpacket", "live.pcapng"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newNetns(t)
			startServer(t, p)
			pcapPath := filepath.Join(t.TempDir(), tc.file)
			c := startCapture(t, p.server, "-i", p.serverIf, "--engine", tc.engine, "-o", "json", "-w", pcapPath, "host", liveServer)
			exs := runClient(t, p.client)
			if code := c.stop(t, syscall.SIGINT); code != 0 {
				t.Fatalf("exit %d after SIGINT; stderr:\n%s", code, c.stderr.String())
			}
			stderr := c.stderr.String()
			if !strings.Contains(stderr, "stopped: signal SIGINT") || !droppedZero.MatchString(stderr) {
				t.Errorf("summary does not show a clean stop with zero drops:\n%s", stderr)
			}
			live := parseJSONFlows(t, c.stdout.Bytes())
			// The summary tallies the streamed flows without keeping them.
			if m := regexp.MustCompile(`records: +(\d+)`).FindStringSubmatch(stderr); m == nil || m[1] != strconv.Itoa(len(live)) {
				t.Errorf("summary records %v, want %d streamed:\n%s", m, len(live), stderr)
			}
			for _, want := range []string{"services: http 2, dns 1, ssh 1, tls 1", "findings: 5 (nonstandard-port 4, port-mismatch 1;", "tcp/8081  1 flow"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("summary lacks %q:\n%s", want, stderr)
				}
			}

			want := map[string]struct {
				service, findings string
			}{
				"dns":         {"dns", ""},
				"http-8081":   {"http", "nonstandard-port:http"},
				"tls-8443":    {"tls", "nonstandard-port:tls"}, // 8443 is TLS's conventional alternate: an info finding
				"ssh-2222":    {"ssh", "nonstandard-port:ssh"},
				"http-on-443": {"http", "nonstandard-port:http,port-mismatch:http"},
			}
			if len(exs) != len(want) {
				t.Fatalf("client did %d exchanges, want %d", len(exs), len(want))
			}
			for _, e := range exs {
				f := findExchangeFlow(t, live, e)
				w := want[e.Name]
				if f.Service != w.service || findingKinds(f) != w.findings {
					t.Errorf("%s: service %q findings %q, want %q %q", e.Name, f.Service, findingKinds(f), w.service, w.findings)
				}
				if f.Client.PayloadBytes != e.Sent || f.Server.PayloadBytes != e.Recv {
					t.Errorf("%s: payload %d/%d bytes, the client sent %d and received %d", e.Name,
						f.Client.PayloadBytes, f.Server.PayloadBytes, e.Sent, e.Recv)
				}
				if e.Proto == "tcp" && f.ConnState != "SF" {
					t.Errorf("%s: conn_state %s, want SF (history %s)", e.Name, f.ConnState, f.History)
				}
				switch e.Name {
				case "dns":
					if f.DNS == nil || f.DNS.Query != "live.test" || len(f.DNS.Answers) != 1 || f.DNS.Answers[0] != liveServer {
						t.Errorf("dns: %+v", f.DNS)
					}
				case "tls-8443":
					if f.TLS == nil || f.TLS.SNI != "live.test" || f.TLS.JA4 == "" {
						t.Errorf("tls: %+v", f.TLS)
					}
				case "http-8081":
					if f.HTTP == nil || f.HTTP.Host != "live.test:8081" || f.HTTP.Status != 200 || f.ServerName != "live.test" {
						t.Errorf("http: %+v, server_name %q", f.HTTP, f.ServerName)
					}
				}
			}

			if strings.HasSuffix(tc.name, "pcapng") {
				// libpcap's counters are in the file, for Wireshark to show.
				out, err := exec.Command("capinfos", pcapPath).CombinedOutput()
				if err != nil || !strings.Contains(string(out), "Number of stat entries = 1") {
					t.Errorf("capinfos (from tshark's packages) finds no interface statistics: %v\n%s", err, out)
				}
			}
			// The file written while capturing gives the same flows offline.
			off := mustRun(t, 0, nil, "-r", pcapPath, "-o", "json")
			offline := parseJSONFlows(t, off.stdout)
			if a, b := canonicalFlows(t, c.stdout.Bytes()), canonicalFlows(t, off.stdout); a != b {
				t.Errorf("live and offline flows differ:\nlive:\n%s\noffline:\n%s", a, b)
			}
			if len(offline) != len(live) {
				t.Errorf("%d flows live, %d offline", len(live), len(offline))
			}
		})
	}
}

// canonicalFlows renders JSON lines sorted by id with end_reason removed:
// live capture ends idle flows on the clock, a file ends them at its end.
func canonicalFlows(t *testing.T, out []byte) string {
	t.Helper()
	var objs []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		delete(m, "end_reason")
		objs = append(objs, m)
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i]["id"].(float64) < objs[j]["id"].(float64) })
	var b strings.Builder
	for _, m := range objs {
		js, _ := json.Marshal(m)
		b.Write(js)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestLiveStops checks -c, --duration and SIGTERM, each with a complete
// -w file and the right packet counts.
func TestLiveStops(t *testing.T) {
	p := newNetns(t)
	startServer(t, p)
	for _, tc := range []struct {
		name   string
		args   []string
		signal syscall.Signal
		reason string
	}{
		{"count", []string{"-c", "7"}, 0, "after 7 packets (-c)"},
		{"snaplen-immediate", []string{"-c", "40", "-s", "100", "--immediate", "-p"}, 0, "after 40 packets (-c)"},
		{"afpacket-snaplen", []string{"--engine", "afpacket", "-c", "40", "-s", "100", "-p"}, 0, "after 40 packets (-c)"},
		{"afpacket-sigterm", []string{"--engine", "afpacket"}, syscall.SIGTERM, "signal SIGTERM"},
		{"afpacket-duration", []string{"--engine", "afpacket", "--duration", "1500ms"}, 0, "after 1.5s (--duration)"},
		{"duration", []string{"--duration", "1500ms"}, 0, "after 1.5s (--duration)"},
		{"sigterm", nil, syscall.SIGTERM, "signal SIGTERM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pcapPath := filepath.Join(t.TempDir(), "stop.pcap")
			args := append([]string{"-i", p.serverIf, "-w", pcapPath, "-o", "csv"}, tc.args...)
			c := startCapture(t, p.server, append(args, "tcp")...)
			runClient(t, p.client)
			var code int
			if tc.signal != 0 {
				code = c.stop(t, tc.signal)
			} else {
				code = c.wait(t)
			}
			stderr := c.stderr.String()
			if code != 0 || !strings.Contains(stderr, "stopped: "+tc.reason) {
				t.Fatalf("exit %d, want 0 and stop reason %q:\n%s", code, tc.reason, stderr)
			}
			m := regexp.MustCompile(`captured: +(\d+) packets`).FindStringSubmatch(stderr)
			w := regexp.MustCompile(`written: +(\d+) packets`).FindStringSubmatch(stderr)
			if m == nil || w == nil || m[1] != w[1] {
				t.Fatalf("captured and written counts missing or different:\n%s", stderr)
			}
			if tc.name == "count" && m[1] != "7" {
				t.Errorf("captured %s packets with -c 7", m[1])
			}
			if strings.Contains(tc.name, "duration") {
				ran := regexp.MustCompile(`ran: +([0-9.]+)s,`).FindStringSubmatch(stderr)
				if ran == nil {
					t.Fatalf("no run time:\n%s", stderr)
				}
				if secs, _ := strconv.ParseFloat(ran[1], 64); secs < 1.5 || secs > 2.5 {
					t.Errorf("--duration 1500ms ran %ss", ran[1])
				}
			}
			if strings.Contains(tc.name, "snaplen") {
				file, err := os.ReadFile(pcapPath)
				if err != nil || len(file) < 24 {
					t.Fatalf("reading %s: %v", pcapPath, err)
				}
				if snap := binary.LittleEndian.Uint32(file[16:20]); snap != 100 {
					t.Errorf("-s 100: the file says snaplen %d", snap)
				}
				// Every record cut to 100 bytes, keeping its wire length.
				longer := 0
				for off := 24; off+16 <= len(file); {
					capLen, wireLen := binary.LittleEndian.Uint32(file[off+8:]), binary.LittleEndian.Uint32(file[off+12:])
					if capLen > 100 || wireLen < capLen {
						t.Fatalf("record at %d: captured %d of %d bytes with -s 100", off, capLen, wireLen)
					}
					if wireLen > 100 {
						longer++
					}
					off += 16 + int(capLen)
				}
				if longer == 0 {
					t.Errorf("no packet longer than the snap length: the cut is untested")
				}
				if !strings.Contains(stderr, "snaplen 100") {
					t.Errorf("summary lacks the snap length:\n%s", stderr)
				}
			}
			// The file is complete: every packet reads back, no error.
			off := mustRun(t, 0, nil, "-r", pcapPath, "-o", "csv")
			if !strings.Contains(string(off.stderr), m[1]+" packet") {
				t.Errorf("the -w file does not hold %s packets:\n%s", m[1], off.stderr)
			}
			if got, want := csvRows(off.stdout), csvRows(c.stdout.Bytes()); got != want {
				t.Errorf("offline CSV differs from live:\n%s\nvs\n%s", got, want)
			}
		})
	}
}

// TestLiveStopAtOnce stops the capture the moment it says it runs: still
// a clean stop with a summary, never a kill.
func TestLiveStopAtOnce(t *testing.T) {
	p := newNetns(t)
	for i := 0; i < 10; i++ {
		c := startCapture(t, p.server, "-i", p.serverIf, "-o", "json", "-w", filepath.Join(t.TempDir(), "once.pcap"))
		if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		if code := c.wait(t); code != 0 || !strings.Contains(c.stderr.String(), "stopped: signal SIGINT") {
			t.Fatalf("run %d: exit %d:\n%s", i, code, c.stderr.String())
		}
	}
}

// csvRows sorts CSV data rows, the order being end order live and start
// order offline, with end_reason blanked.
func csvRows(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\r\n")
	if len(lines) == 0 {
		return ""
	}
	hdr := strings.Split(lines[0], ",")
	col := -1
	for i, h := range hdr {
		if h == "end_reason" {
			col = i
		}
	}
	rows := lines[1:]
	for i, r := range rows {
		if col >= 0 {
			cells := strings.Split(r, ",")
			if col < len(cells) {
				cells[col] = ""
			}
			rows[i] = strings.Join(cells, ",")
		}
	}
	sort.Strings(rows)
	return lines[0] + "\n" + strings.Join(rows, "\n")
}

// TestLiveInterval checks the periodic reports: streamed JSON with a
// counters line on stderr, and a refreshed table with open flows.
func TestLiveInterval(t *testing.T) {
	p := newNetns(t)
	startServer(t, p)
	t.Run("json", func(t *testing.T) {
		c := startCapture(t, p.server, "-i", p.serverIf, "-o", "json", "--interval", "300ms", "--udp-timeout", "1s")
		runClient(t, p.client)
		// Streamed: each flow is out once it ends, before the capture stops
		// (DNS on its 1 s idle timeout, the TCP flows 5 s after their FINs),
		// while no packet arrives.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if n := bytes.Count(c.stdout.Bytes(), []byte("\n")); n == 5 {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("%d flows streamed before the stop, want the 5 that ended", n)
			}
		}
		lines := 0
		for _, l := range strings.Split(c.stderr.String(), "\n") {
			if strings.HasPrefix(l, "flowscope ") && strings.Contains(l, "libpcap: ") && strings.Contains(l, "dropped by kernel") {
				lines++
			}
		}
		if lines < 3 {
			t.Errorf("%d interval lines on stderr, want several:\n%s", lines, c.stderr.String())
		}
		if code := c.stop(t, syscall.SIGINT); code != 0 {
			t.Fatalf("exit %d", code)
		}
		flows := parseJSONFlows(t, c.stdout.Bytes())
		var dns *flowRec
		for i := range flows {
			if flows[i].Service == "dns" {
				dns = &flows[i]
			}
		}
		if dns == nil || dns.EndReason != "idle" {
			t.Errorf("the DNS flow should end on its idle timeout while nothing arrives: %+v", dns)
		}
	})
	t.Run("table", func(t *testing.T) {
		c := startCapture(t, p.server, "-i", p.serverIf, "--interval", "200ms", "--tcp-timeout", "1h", "tcp")
		// One connection stays open across reports.
		_, hold := startHelper(t, p.client, "hold")
		if line, err := hold.ReadString('\n'); err != nil || line != "open\n" {
			t.Fatalf("hold helper: %q %v", line, err)
		}
		time.Sleep(700 * time.Millisecond)
		if code := c.stop(t, syscall.SIGINT); code != 0 {
			t.Fatalf("exit %d", code)
		}
		out, final, ok := strings.Cut(c.stdout.String(), "flowscope: capture stopped (signal SIGINT); all flows:")
		if !ok {
			t.Fatalf("no final table:\n%s", c.stdout.String())
		}
		reports := regexp.MustCompile(`(?m)^flowscope \d\d:\d\d:\d\d \+.*; libpcap: \d+ received, 0 dropped by kernel, 0 by interface$`).FindAllString(out, -1)
		if len(reports) < 2 || !regexp.MustCompile(`(?m)^\d+ +\d\d:\d\d:\d\d\.\d{3} +10\.201\.0\.1:\d+ +10\.201\.0\.2:2222 .*ssh`).MatchString(out) {
			t.Errorf("want several interval reports showing the open SSH flow, got %d:\n%s", len(reports), out)
		}
		if !strings.Contains(final, "10.201.0.2:2222") {
			t.Errorf("the final table lacks the flow:\n%s", final)
		}
	})
}

// TestLiveEngineFilters checks filters the afpacket engine refuses or
// cannot compile, on a real Ethernet interface.
func TestLiveEngineFilters(t *testing.T) {
	p := newNetns(t)
	for _, tc := range []struct {
		filter []string
		want   string
	}{
		{[]string{"tcp", "port", "nonsense"}, `invalid filter "tcp port nonsense"`},
		{[]string{"vlan", "10"}, "vlan filters need --engine libpcap"},
	} {
		r := runCommand(t, nil, "ip", append([]string{"netns", "exec", p.server, binPath, "-i", p.serverIf, "--engine", "afpacket"}, tc.filter...)...)
		if r.code != exitBadFilter || !bytes.Contains(r.stderr, []byte(tc.want)) {
			t.Errorf("%v: exit %d, want %d and %q:\n%s", tc.filter, r.code, exitBadFilter, tc.want, r.stderr)
		}
	}
}

// TestLiveInterfaceGone removes the captured interface mid-capture: the
// capture fails with a message and exit 9, and the flows seen are reported.
func TestLiveInterfaceGone(t *testing.T) {
	for _, engine := range []string{"libpcap", "afpacket"} {
		t.Run(engine, func(t *testing.T) { testInterfaceGone(t, engine) })
	}
}

func testInterfaceGone(t *testing.T, engine string) {
	p := newNetns(t)
	startServer(t, p)
	pcapPath := filepath.Join(t.TempDir(), "gone.pcap")
	c := startCapture(t, p.server, "-i", p.serverIf, "--engine", engine, "-o", "json", "-w", pcapPath, "tcp")
	runClient(t, p.client)
	time.Sleep(300 * time.Millisecond)
	mustExec(t, "ip", "-n", p.server, "link", "del", p.serverIf)
	code := c.wait(t)
	stderr := c.stderr.String()
	if code != exitReadError || !strings.Contains(stderr, "interface "+p.serverIf+": capture failed: The interface ") {
		t.Fatalf("exit %d, want %d and a message naming the interface:\n%s", code, exitReadError, stderr)
	}
	if n := len(parseJSONFlows(t, c.stdout.Bytes())); n != 4 {
		t.Errorf("%d flows reported after the interface went away, want the 4 TCP exchanges", n)
	}
	off := mustRun(t, 0, nil, "-r", pcapPath, "-o", "json")
	if canonicalFlows(t, off.stdout) != canonicalFlows(t, c.stdout.Bytes()) {
		t.Errorf("the -w file does not hold what was reported")
	}
}

// TestLiveBrokenPipe stops reading flowscope's JSON mid-capture (as when jq
// or head quits): the capture stops cleanly, says why, and the -w file is
// complete.
func TestLiveBrokenPipe(t *testing.T) {
	p := newNetns(t)
	startServer(t, p)
	pcapPath := filepath.Join(t.TempDir(), "pipe.pcapng")
	cmd := exec.Command("ip", "netns", "exec", p.server, binPath, "-i", p.serverIf, "-o", "json", "-w", pcapPath, "--udp-timeout", "1s")
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	c := &liveCapture{cmd: cmd, stderr: stderr}
	c.waitCapturing(t)
	runClient(t, p.client)
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		t.Fatalf("no flow streamed: %v", err)
	}
	out.Close()
	runClient(t, p.client) // more flows, written to the closed pipe
	code := c.wait(t)
	if code != exitReadError || !strings.Contains(stderr.String(), "broken pipe") || !strings.Contains(stderr.String(), "stopped: output failed") {
		t.Fatalf("exit %d, want %d with a clean stop after a broken pipe:\n%s", code, exitReadError, stderr.String())
	}
	m := regexp.MustCompile(`written: +(\d+) packets`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no written count:\n%s", stderr.String())
	}
	off := mustRun(t, 0, nil, "-r", pcapPath, "-o", "json")
	if !strings.Contains(string(off.stderr), "pcapng, "+m[1]+" packets") {
		t.Errorf("the -w file is not complete (%s packets written):\n%s", m[1], off.stderr)
	}
}

// TestLiveTableTop checks the final table of a live capture, which keeps
// only the top N flows and those with findings: the "more flows" count and
// every finding still come out right.
func TestLiveTableTop(t *testing.T) {
	p := newNetns(t)
	startServer(t, p)
	c := startCapture(t, p.server, "-i", p.serverIf, "--top", "2", "host", liveServer)
	runClient(t, p.client)
	if code := c.stop(t, syscall.SIGINT); code != 0 {
		t.Fatalf("exit %d", code)
	}
	out := c.stdout.String()
	rows := regexp.MustCompile(`(?m)^ *\d+ +\d\d:\d\d:\d\d\.\d{3} +10\.201\.0\.1:\d+ +10\.201\.0\.2:\d+ `).FindAllString(out, -1)
	if len(rows) != 2 || !strings.Contains(out, "… 3 more flows (use --top 0 for all)") {
		t.Errorf("want 2 rows and 3 more flows:\n%s", out)
	}
	if n := strings.Count(out, "nonstandard-port  "); n != 4 || !strings.Contains(out, "port-mismatch  ") {
		t.Errorf("want every finding (4 nonstandard-port, 1 port-mismatch), %d nonstandard-port:\n%s", n, out)
	}
	if !strings.Contains(out, "10.201.0.2:8443") {
		t.Errorf("the largest flow (TLS) is not in the table:\n%s", out)
	}
}

// TestLiveAnySLL2 captures on "any": Linux cooked v2 frames.
func TestLiveAnySLL2(t *testing.T) {
	p := newNetns(t)
	startServer(t, p)
	pcapPath := filepath.Join(t.TempDir(), "any.pcapng")
	c := startCapture(t, p.server, "-i", "any", "-o", "json", "-w", pcapPath, "tcp port 8081")
	exs := runClient(t, p.client)
	if code := c.stop(t, syscall.SIGINT); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(c.stderr.String(), "link type linux-sll2") {
		t.Errorf("-i any did not capture SLL2:\n%s", c.stderr.String())
	}
	flows := parseJSONFlows(t, c.stdout.Bytes())
	for _, e := range exs {
		if e.Name == "http-8081" {
			f := findExchangeFlow(t, flows, e)
			if f.Client.PayloadBytes != e.Sent || f.Server.PayloadBytes != e.Recv {
				t.Errorf("payload %d/%d, want %d/%d", f.Client.PayloadBytes, f.Server.PayloadBytes, e.Sent, e.Recv)
			}
		}
	}
	if len(flows) != 1 {
		t.Errorf("filter tcp port 8081: %d flows, want 1", len(flows))
	}
	off := mustRun(t, 0, nil, "-r", pcapPath, "-o", "json")
	if canonicalFlows(t, off.stdout) != canonicalFlows(t, c.stdout.Bytes()) {
		t.Errorf("offline flows differ from live")
	}
}

// TestLivePrivileges checks -Z (the parsers run as the user, the -w file
// is theirs), that every thread has no_new_privs (Landlock's file system
// lock is tested in internal/privdrop), and the message without
// CAP_NET_RAW.
func TestLivePrivileges(t *testing.T) {
	p := newNetns(t)
	// The test binary's directory is root's; nobody needs to run it.
	dir, err := os.MkdirTemp("", "flowscope-priv-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "flowscope")
	data, err := os.ReadFile(binPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}

	startServer(t, p)
	// The -w file is created after the drop, as the user: in a directory it may write to.
	outDir := filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	os.Chmod(outDir, 0o777|os.ModeSticky)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SUDO_") {
			env = append(env, kv)
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		env  []string
		uid  string
		warn bool
	}{
		{"Z-nobody", []string{"-Z", "nobody"}, nil, "65534", false},
		{"sudo-user", nil, []string{"SUDO_USER=nobody", "SUDO_UID=65534", "SUDO_GID=65534"}, "65534", false},
		{"root-warns", nil, nil, "0", true},
		{"Z-root", []string{"-Z", "root"}, []string{"SUDO_USER=nobody", "SUDO_UID=65534", "SUDO_GID=65534"}, "0", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pcapPath := filepath.Join(outDir, tc.name+".pcap")
			c := &liveCapture{stderr: &lockedBuffer{}}
			args := append([]string{"netns", "exec", p.server, bin, "-i", p.serverIf, "-w", pcapPath, "-o", "json"}, tc.args...)
			c.cmd = exec.Command("ip", args...)
			c.cmd.Env = append(append([]string{}, env...), tc.env...)
			c.cmd.Stdout, c.cmd.Stderr = &c.stdout, c.stderr
			if err := c.cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.cmd.Process.Kill() })
			c.waitCapturing(t)
			// Every thread: the one that parses packets may be any of them.
			tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", c.cmd.Process.Pid))
			if len(tasks) == 0 {
				t.Fatal("no threads found in /proc")
			}
			for _, task := range tasks {
				status, err := os.ReadFile(task)
				if err != nil {
					t.Fatal(err)
				}
				uid := regexp.MustCompile(`(?m)^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)`).FindStringSubmatch(string(status))
				if uid == nil || uid[1] != tc.uid || uid[2] != tc.uid || uid[3] != tc.uid || uid[4] != tc.uid {
					t.Errorf("%s: runs as %v, want uid %s", task, uid, tc.uid)
				}
				if capEff := regexp.MustCompile(`(?m)^CapEff:\s+(\w+)`).FindStringSubmatch(string(status)); tc.uid != "0" && (capEff == nil || capEff[1] != "0000000000000000") {
					t.Errorf("%s: effective capabilities %v after dropping root", task, capEff)
				}
				// Root or not, nothing the parsers run can gain privileges.
				if nnp := regexp.MustCompile(`(?m)^NoNewPrivs:\s+(\d)`).FindStringSubmatch(string(status)); nnp == nil || nnp[1] != "1" {
					t.Errorf("%s: NoNewPrivs %v, want 1", task, nnp)
				}
			}
			runClient(t, p.client)
			if code := c.stop(t, syscall.SIGINT); code != 0 {
				t.Fatalf("exit %d: %s", code, c.stderr.String())
			}
			if n := len(parseJSONFlows(t, c.stdout.Bytes())); n < 5 {
				t.Errorf("%d flows captured", n)
			}
			if !strings.Contains(c.stderr.String(), "flowscope: confined: no_new_privs") {
				t.Errorf("no confinement reported:\n%s", c.stderr.String())
			}
			if got := strings.Contains(c.stderr.String(), "packets are parsed as root"); got != tc.warn {
				t.Errorf("root warning shown: %v, want %v:\n%s", got, tc.warn, c.stderr.String())
			}
			st, err := os.Stat(pcapPath)
			if err != nil {
				t.Fatal(err)
			}
			if s := st.Sys().(*syscall.Stat_t); strconv.Itoa(int(s.Uid)) != tc.uid {
				t.Errorf("-w file owned by uid %d, want %s", s.Uid, tc.uid)
			}
		})
	}
	t.Run("w-where-the-user-may-not", func(t *testing.T) {
		r := runCommand(t, nil, "ip", "netns", "exec", p.server, bin, "-i", p.serverIf, "-Z", "nobody", "-c", "1", "-w", filepath.Join(dir, "root-only.pcap"))
		if r.code != exitPermission || !bytes.Contains(r.stderr, []byte("permission denied")) || !bytes.Contains(r.stderr, []byte("keep root with -Z root")) {
			t.Errorf("exit %d, want %d and a hint:\n%s", r.code, exitPermission, r.stderr)
		}
	})
	t.Run("no-cap-net-raw", func(t *testing.T) {
		cmd := exec.Command(bin, "-i", "lo", "-c", "1")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != exitPermission {
			t.Fatalf("as nobody: %v, want exit %d; stderr: %s", err, exitPermission, stderr.String())
		}
		for _, want := range []string{"interface lo: permission denied: capturing needs the CAP_NET_RAW capability", "sudo setcap cap_net_raw,cap_net_admin=eip " + bin} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("message lacks %q:\n%s", want, stderr.String())
			}
		}
	})
}

// TestLiveErrors checks the messages and exit codes of live set-up errors.
func TestLiveErrors(t *testing.T) {
	requireRoot(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no-such-interface", []string{"-i", "nosuchif0", "-c", "1"}, exitNotFound, "flowscope: interface nosuchif0: no such interface (flowscope -D lists the interfaces)\n"},
		{"bad-filter", []string{"-i", "lo", "-c", "1", "tcp", "port", "nonsense"}, exitBadFilter, `invalid filter "tcp port nonsense"`},
		{"both-inputs", []string{"-i", "lo", "-r", "x.pcap"}, exitUsage, "-r and -i cannot be combined"},
		{"w-without-i", []string{"-r", "x.pcap", "-w", "y.pcap"}, exitUsage, "apply to live capture"},
		{"w-stdout", []string{"-i", "lo", "-w", "-"}, exitUsage, "-w - is not supported"},
		{"afpacket-any", []string{"-i", "any", "--engine", "afpacket"}, exitReadError, "interface any: the afpacket engine captures one interface; use --engine libpcap for any"},
		{"afpacket-loopback", []string{"-i", "lo", "--engine", "afpacket"}, exitReadError, "not hardware type 772; use --engine libpcap"},
		{"afpacket-no-such-interface", []string{"-i", "nosuchif0", "--engine", "afpacket"}, exitNotFound, "interface nosuchif0: no such interface"},
		{"unknown-engine", []string{"-i", "lo", "--engine", "dpdk"}, exitUsage, `unknown capture engine "dpdk"`},
		{"unknown-user", []string{"-i", "lo", "-c", "1", "-Z", "no-such-user-x"}, exitUsage, `no user "no-such-user-x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runFlowscope(t, nil, tc.args...)
			if r.code != tc.code || !strings.Contains(string(r.stderr), tc.want) {
				t.Errorf("exit %d, want %d; stderr %q lacks %q", r.code, tc.code, r.stderr, tc.want)
			}
		})
	}
	t.Run("list", func(t *testing.T) {
		r := mustRun(t, 0, nil, "-D")
		if !regexp.MustCompile(`(?m)^\d+\.lo \[Up, Running, Loopback\] 127\.0\.0\.1/8`).Match(r.stdout) {
			t.Errorf("-D:\n%s", r.stdout)
		}
	})
}

// liveHelper runs a helper role; called from TestMain when helperEnv is set.
func liveHelper(role string) int {
	var err error
	switch role {
	case "server":
		err = helperServer()
	case "client":
		err = helperClient()
	case "hold":
		err = helperHold()
	case "beacon":
		err = helperBeacon()
	default:
		err = fmt.Errorf("unknown helper role %q", role)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "helper %s: %v\n", role, err)
		return 1
	}
	return 0
}

// helperServer listens on 10.201.0.2: DNS udp/53, HTTP tcp/8081 and
// tcp/443 (plain HTTP where TLS is expected), TLS tcp/8443, SSH tcp/2222.
// It says "ready" and runs until stdin closes.
func helperServer() error {
	httpSrv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "hello from %s %s\n", r.Host, r.URL.Path)
	})}
	for _, port := range []string{"8081", "443"} {
		ln, err := net.Listen("tcp", net.JoinHostPort(liveServer, port))
		if err != nil {
			return err
		}
		go httpSrv.Serve(ln)
	}
	cert, err := selfSigned()
	if err != nil {
		return err
	}
	tlsLn, err := tls.Listen("tcp", liveServer+":8443", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		return err
	}
	go serveEach(tlsLn, func(c net.Conn) {
		line, _ := bufio.NewReader(c).ReadString('\n')
		fmt.Fprintf(c, "pong %s", line)
	})
	sshLn, err := net.Listen("tcp", liveServer+":2222")
	if err != nil {
		return err
	}
	go serveEach(sshLn, func(c net.Conn) {
		io.WriteString(c, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
		bufio.NewReader(c).ReadString('\n')
	})
	pc, err := net.ListenPacket("udp", liveServer+":53")
	if err != nil {
		return err
	}
	go serveDNS(pc)
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	return nil
}

func serveEach(ln net.Listener, fn func(net.Conn)) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			fn(c)
		}()
	}
}

// serveDNS answers every A query with 10.201.0.2.
func serveDNS(pc net.PacketConn) {
	buf := make([]byte, 1500)
	for {
		n, addr, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		var m dnsmessage.Message
		if m.Unpack(buf[:n]) != nil || len(m.Questions) != 1 {
			continue
		}
		m.Header.Response, m.Header.Authoritative = true, true
		m.Answers = []dnsmessage.Resource{{
			Header: dnsmessage.ResourceHeader{Name: m.Questions[0].Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 60},
			Body:   &dnsmessage.AResource{A: [4]byte{10, 201, 0, 2}},
		}}
		if out, err := m.Pack(); err == nil {
			pc.WriteTo(out, addr)
		}
	}
}

func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "live.test"}, DNSNames: []string{"live.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// countConn counts the payload bytes a client writes and reads.
type countConn struct {
	net.Conn
	sent, recv uint64
}

func (c *countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.recv += uint64(n)
	return n, err
}

func (c *countConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.sent += uint64(n)
	return n, err
}

// helperClient runs one exchange per service in order, each read to the
// server's close, and prints them as JSON lines.
func helperClient() error {
	enc := json.NewEncoder(os.Stdout)
	// DNS first, so that later flows to the server can be named from it.
	udp, err := net.Dial("udp", liveServer+":53")
	if err != nil {
		return err
	}
	q := dnsmessage.Message{Header: dnsmessage.Header{ID: 0x4242, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: dnsmessage.MustNewName("live.test."), Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}}}
	qb, _ := q.Pack()
	if _, err := udp.Write(qb); err != nil {
		return err
	}
	udp.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp := make([]byte, 1500)
	n, err := udp.Read(resp)
	if err != nil {
		return fmt.Errorf("dns: %w", err)
	}
	enc.Encode(exchange{Name: "dns", Proto: "udp", Port: 53, Local: localPort(udp), Sent: uint64(len(qb)), Recv: uint64(n)})
	udp.Close()

	tcp := func(name string, port uint16, talk func(c net.Conn) error) error {
		raw, err := net.Dial("tcp", net.JoinHostPort(liveServer, strconv.Itoa(int(port))))
		if err != nil {
			return err
		}
		raw.SetDeadline(time.Now().Add(5 * time.Second))
		cc := &countConn{Conn: raw}
		if err := talk(cc); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if _, err := io.Copy(io.Discard, cc); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		raw.Close()
		return enc.Encode(exchange{Name: name, Proto: "tcp", Port: port, Local: localPort(raw), Sent: cc.sent, Recv: cc.recv})
	}
	httpGet := func(host string) func(c net.Conn) error {
		return func(c net.Conn) error {
			_, err := fmt.Fprintf(c, "GET /index.html HTTP/1.1\r\nHost: %s\r\nUser-Agent: flowscope-live-test\r\nConnection: close\r\n\r\n", host)
			return err
		}
	}
	if err := tcp("http-8081", 8081, httpGet("live.test:8081")); err != nil {
		return err
	}
	if err := tcp("http-on-443", 443, httpGet("live.test")); err != nil {
		return err
	}
	if err := tcp("tls-8443", 8443, func(c net.Conn) error {
		tc := tls.Client(c, &tls.Config{ServerName: "live.test", InsecureSkipVerify: true})
		if _, err := io.WriteString(tc, "ping\n"); err != nil {
			return err
		}
		_, err := io.Copy(io.Discard, tc) // to the server's close_notify
		return err
	}); err != nil {
		return err
	}
	return tcp("ssh-2222", 2222, func(c net.Conn) error {
		if _, err := bufio.NewReader(io.LimitReader(c, 64)).ReadString('\n'); err != nil {
			return err
		}
		_, err := io.WriteString(c, "SSH-2.0-flowscope_live_test\r\n")
		return err
	})
}

// helperHold opens an SSH-like connection, says "open" and keeps it until
// stdin closes.
func helperHold() error {
	c, err := net.Dial("tcp", liveServer+":2222")
	if err != nil {
		return err
	}
	defer c.Close()
	line := make([]byte, 64)
	if _, err := c.Read(line); err != nil {
		return err
	}
	fmt.Println("open")
	io.Copy(io.Discard, os.Stdin)
	return nil
}

func localPort(c net.Conn) uint16 {
	_, p, _ := net.SplitHostPort(c.LocalAddr().String())
	n, _ := strconv.Atoi(p)
	return uint16(n)
}
