package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ipfixCaptures are exported in the tests: TCP, UDP with VLAN tags, IPv6,
// 6in4, GRE and VXLAN tunnels (inner and outer flows), ICMP.
var ipfixCaptures = []string{
	"ndpi__443-curl.pcap", "ndpi__dns.pcap", "ndpi__6in4tunnel.pcap", "zeek__gre-sample.pcap",
	"ndpi__vxlan.pcap", "zeek__ipv6-http-atomic-frag.pcap", "zeek__5-pings.pcap",
	"ndpi__netflix.pcap", // 61 flows: several messages
}

// nfdumpFormat is what nfdump prints of each flow, for ipfixWant.
const nfdumpFormat = "fmt:%ts|%te|%pr|%sa|%sp|%da|%dp|%ipkt|%ibyt|%opkt|%obyt|%flg|%svln"

// TestIPFIXNfcapd exports each capture over UDP to nfcapd (Debian's
// nfdump) and reads the collector's file back with nfdump: the same flows,
// with the same times, packets and bytes each way, flags and VLAN, as
// flowscope's JSON of the same run.
func TestIPFIXNfcapd(t *testing.T) {
	nfcapd, err1 := exec.LookPath("nfcapd")
	nfdump, err2 := exec.LookPath("nfdump")
	if err1 != nil || err2 != nil {
		t.Skip("nfcapd/nfdump not installed (apt-get install nfdump)")
	}
	for _, file := range ipfixCaptures {
		t.Run(file, func(t *testing.T) {
			dir := t.TempDir()
			port := startNfcapd(t, nfcapd, dir)
			r := mustRun(t, exitOK, nil, "-o", "json", "-r", capturePath(t, file), "--ipfix", "udp://127.0.0.1:"+port)
			flows := parseJSONFlows(t, r.stdout)
			checkExportLine(t, r.stderr, len(flows))
			udpDrained(t, port)
			stopNfcapd(t)
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, nfdump, "-6", "-N", "-q", "-R", dir, "-o", nfdumpFormat)
			cmd.Env = append(os.Environ(), "TZ=UTC")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("nfdump: %v\n%s", err, out)
			}
			var got, want []string
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if line != "" {
					got = append(got, normNfdump(t, line))
				}
			}
			for i := range flows {
				want = append(want, ipfixWant(&flows[i]))
			}
			slices.Sort(got)
			slices.Sort(want)
			if len(flows) == 0 {
				t.Fatal("no flows in the capture")
			}
			if !slices.Equal(got, want) {
				t.Errorf("nfdump read back %d flows, flowscope wrote %d:\n got: %s\nwant: %s",
					len(got), len(want), strings.Join(got, "\n      "), strings.Join(want, "\n      "))
			}
		})
	}
}

// nfcapdProc is the running collector of a subtest.
var nfcapdProc sync.Map // test name → *exec.Cmd

// startNfcapd runs nfcapd on a free loopback UDP port, writing to dir, and
// returns the port once it listens.
func startNfcapd(t *testing.T, nfcapd, dir string) string {
	t.Helper()
	port := freeUDPPort(t)
	cmd := exec.Command(nfcapd, "-b", "127.0.0.1", "-p", port, "-w", dir, "-t", "3600")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	nfcapdProc.Store(t.Name(), cmd)
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); pw.Close() })
	ready := make(chan struct{})
	var log bytes.Buffer
	var mu sync.Mutex
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			mu.Lock()
			log.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if strings.Contains(sc.Text(), "Startup") {
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("nfcapd did not start:\n%s", log.String())
	}
	return port
}

// udpDrained waits until nothing waits in the receive queue of the UDP
// socket on loopback port (/proc/net/udp): the collector has read every
// datagram sent. SIGTERM before that may lose the last ones on a busy
// machine.
func udpDrained(t *testing.T, port string) {
	t.Helper()
	n, _ := strconv.Atoi(port)
	local := fmt.Sprintf("0100007F:%04X", n)
	deadline := time.Now().Add(20 * time.Second)
	for {
		data, err := os.ReadFile("/proc/net/udp")
		if err != nil {
			t.Fatal(err)
		}
		queued := false
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Fields(line)
			if len(f) > 4 && f[1] == local {
				_, rx, _ := strings.Cut(f[4], ":")
				queued = strings.Trim(rx, "0") != ""
			}
		}
		if !queued {
			time.Sleep(50 * time.Millisecond) // the last datagram read is handled
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nfcapd did not read its socket's datagrams in 20 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stopNfcapd ends the subtest's nfcapd, which then writes its file.
func stopNfcapd(t *testing.T) {
	t.Helper()
	v, ok := nfcapdProc.LoadAndDelete(t.Name())
	if !ok {
		t.Fatal("no nfcapd running")
	}
	cmd := v.(*exec.Cmd)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("nfcapd did not stop on SIGTERM")
	}
}

func freeUDPPort(t *testing.T) string {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return strconv.Itoa(c.LocalAddr().(*net.UDPAddr).Port)
}

// checkExportLine checks the summary's report of the export (out: where
// the summary went).
func checkExportLine(t *testing.T, out []byte, flows int) {
	t.Helper()
	m := regexp.MustCompile(`(?m)^export:\n  ipfix: +(udp|tcp)://[^\n]+, observation domain \d+\n  sent: +(\d+) flow records in (\d+) messages`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no export section in the summary:\n%s", out)
	}
	if n, _ := strconv.Atoi(string(m[2])); n != flows {
		t.Errorf("the summary says %s flow records exported, JSON has %d", m[2], flows)
	}
	if bytes.Contains(out, []byte("send errors")) {
		t.Errorf("send errors:\n%s", out)
	}
}

// ipfixWant is a JSON flow as nfdumpFormat prints it (after normNfdump):
// times in milliseconds, flags as nfdump's CEUAPRSF dots. nfdump shows
// ICMP type and code in the ports, so they are left out for ICMP.
func ipfixWant(f *flowRec) string {
	ts := func(s string) string {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return "bad time " + s
		}
		return tm.UTC().Format("2006-01-02 15:04:05.000")
	}
	proto := strconv.Itoa(int(f.IPProto)) // nfdump -N prints numbers
	sp, dp := strconv.Itoa(int(f.Client.Port)), strconv.Itoa(int(f.Server.Port))
	if f.IPProto == 1 || f.IPProto == 58 {
		sp, dp = "-", "-"
	}
	flags := []byte("........")
	for i, c := range "CEUAPRSF" {
		if strings.ContainsRune(f.Client.TCPFlags, c) {
			flags[i] = byte(c)
		}
	}
	return strings.Join([]string{ts(f.FirstSeen), ts(f.LastSeen), proto, f.Client.addr().String(), sp,
		f.Server.addr().String(), dp, u64(f.Client.Packets), u64(f.Client.Bytes), u64(f.Server.Packets),
		u64(f.Server.Bytes), string(flags), strconv.Itoa(int(f.VLAN))}, "|")
}

// normNfdump trims nfdump's padding and writes addresses canonically.
func normNfdump(t *testing.T, line string) string {
	t.Helper()
	fs := strings.Split(line, "|")
	if len(fs) != 13 {
		t.Fatalf("nfdump line %q: want 13 fields", line)
	}
	for i := range fs {
		fs[i] = strings.TrimSpace(fs[i])
	}
	for _, i := range []int{3, 5} {
		a, err := netip.ParseAddr(fs[i])
		if err != nil {
			t.Fatalf("nfdump line %q: address %q: %v", line, fs[i], err)
		}
		fs[i] = a.String()
	}
	if fs[2] == "1" || fs[2] == "58" {
		fs[4], fs[6] = "-", "-"
	}
	return strings.Join(fs, "|")
}

// TestIPFIXTshark exports over UDP and over TCP to a collector of the
// test's on loopback and has tshark's IPFIX dissector, an independent
// decoder, read what arrived: the templates (reverse elements under PEN
// 29305), every field of every flow record against the JSON of the same
// run (applicationName included), sequence numbers, and the exporter's
// last statistics record.
func TestIPFIXTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed")
	}
	for _, network := range []string{"udp", "tcp"} {
		for _, file := range ipfixCaptures {
			t.Run(network+"/"+file, func(t *testing.T) {
				c := startIPFIXCollector(t, network)
				r := mustRun(t, exitOK, nil, "-o", "json", "--ipfix-domain", "7", "-r", capturePath(t, file),
					"--ipfix", network+"://"+c.addr)
				flows := parseJSONFlows(t, r.stdout)
				checkExportLine(t, r.stderr, len(flows))
				sessions := decodeSessions(t, tshark, c.messages(t))
				if len(sessions) != 1 {
					t.Errorf("%d sessions, want 1", len(sessions))
				}
				checkIPFIXDecoded(t, sessions, flows)
			})
		}
	}
}

// TestIPFIXWithTable exports with -o table and -o csv, whose sinks take
// records rather than the workers' encodings (and live capture's path):
// the export is the same as with -o json.
func TestIPFIXWithTable(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed")
	}
	file := capturePath(t, "ndpi__netflix.pcap")
	flows := parseJSONFlows(t, mustRun(t, exitOK, nil, "-q", "-o", "json", "--active-timeout", "60s", "-r", file).stdout)
	for _, format := range []string{"table", "csv"} {
		t.Run(format, func(t *testing.T) {
			c := startIPFIXCollector(t, "udp")
			r := mustRun(t, exitOK, nil, "-o", format, "--ipfix-domain", "7", "-r", file, "--ipfix", "udp://"+c.addr)
			summary := r.stderr
			if format == "table" {
				summary = r.stdout // after the table
			}
			checkExportLine(t, summary, len(flows))
			checkIPFIXDecoded(t, decodeSessions(t, tshark, c.messages(t)), flows)
		})
	}
}

// TestIPFIXActiveTimeout: --ipfix splits long flows every minute unless
// --active-timeout says otherwise.
func TestIPFIXActiveTimeout(t *testing.T) {
	file := capturePath(t, "ndpi__netflix.pcap")
	c := startIPFIXCollector(t, "udp")
	count := func(args ...string) int {
		n := 0
		for _, f := range parseJSONFlows(t, mustRun(t, exitOK, nil, append([]string{"-q", "-o", "json", "-r", file}, args...)...).stdout) {
			if f.EndReason == "active" {
				n++
			}
		}
		return n
	}
	if n := count("--ipfix", "udp://"+c.addr); n == 0 {
		t.Error("--ipfix: no flow split by the active timeout, want some at 60 s")
	}
	if n := count("--ipfix", "udp://"+c.addr, "--active-timeout", "30m"); n != 0 {
		t.Errorf("--ipfix --active-timeout 30m: %d flows split", n)
	}
	if n := count(); n != 0 {
		t.Errorf("without --ipfix: %d flows split (default 30m)", n)
	}
}

// TestIPFIXErrors: a bad URL is a usage error naming the flag; a TCP
// collector that cannot be reached stops the run before it starts (exit
// 9); UDP send errors are said on stderr, even with -q.
func TestIPFIXErrors(t *testing.T) {
	file := capturePath(t, "ndpi__dns.pcap")
	closedTCP := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().String()
	}()
	closedUDP := "127.0.0.1:" + freeUDPPort(t)
	tests := []struct {
		url  string
		code int
		want string
	}{
		{"http://127.0.0.1:4739", exitUsage, `--ipfix "http://127.0.0.1:4739": the scheme must be udp or tcp`},
		{"udp://127.0.0.1:70000", exitUsage, `--ipfix "udp://127.0.0.1:70000": port "70000"`},
		{"udp://127.0.0.1:4739/x", exitUsage, "--ipfix"},
		{"udp://no-such-host.invalid:4739", exitUsage, "--ipfix"},
		{"tcp://" + closedTCP, exitReadError, "--ipfix: IPFIX collector tcp://" + closedTCP + ": dial tcp " + closedTCP + ": connect: connection refused"},
		{"udp://" + closedUDP, exitOK, "flowscope: warning: ipfix to udp://" + closedUDP + ": 1 send errors"},
	}
	for _, tt := range tests {
		r := mustRun(t, tt.code, nil, "-q", "-o", "json", "-r", file, "--ipfix", tt.url)
		if !strings.Contains(string(r.stderr), tt.want) {
			t.Errorf("--ipfix %s: stderr %q, want %q", tt.url, r.stderr, tt.want)
		}
		if tt.code != exitOK && len(r.stdout) != 0 {
			t.Errorf("--ipfix %s: output despite the error: %s", tt.url, r.stdout)
		}
	}
}

// pdmlField is a field of tshark's PDML output.
type pdmlField struct {
	Name     string      `xml:"name,attr"`
	Show     string      `xml:"show,attr"`
	ShowName string      `xml:"showname,attr"`
	Value    string      `xml:"value,attr"`
	Fields   []pdmlField `xml:"field"`
}

type pdmlPacket struct {
	Protos []pdmlField `xml:"proto"`
}

// ipfixPacket is what tshark decoded of one message.
type ipfixPacket struct {
	seq, domain uint64
	templates   map[string]int // template id → fields
	reversePEN  int            // template fields marked reverse with PEN 29305
	records     []map[string]string
}

// tsharkIPFIX decodes the messages with tshark's IPFIX dissector.
func tsharkIPFIX(t *testing.T, tshark, pcap string) []ipfixPacket {
	t.Helper()
	r := runCommand(t, nil, tshark, "-r", pcap, "-d", "udp.port==4739,cflow", "-T", "pdml")
	if r.code != 0 {
		t.Fatalf("tshark: exit %d\n%s", r.code, r.stderr)
	}
	dec := xml.NewDecoder(bytes.NewReader(r.stdout))
	var pkts []ipfixPacket
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("tshark's PDML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "packet" {
			continue
		}
		var p pdmlPacket
		if err := dec.DecodeElement(&p, &se); err != nil {
			t.Fatalf("tshark's PDML: %v", err)
		}
		for _, proto := range p.Protos {
			if proto.Name == "cflow" {
				pkts = append(pkts, parseCflow(proto))
			}
		}
	}
	return pkts
}

func parseCflow(proto pdmlField) ipfixPacket {
	p := ipfixPacket{templates: map[string]int{}}
	var walk func(fs []pdmlField)
	walk = func(fs []pdmlField) {
		for _, f := range fs {
			switch {
			case f.Name == "cflow.sequence":
				p.seq, _ = strconv.ParseUint(f.Show, 10, 64)
			case f.Name == "cflow.od_id" && p.domain == 0:
				p.domain, _ = strconv.ParseUint(f.Show, 10, 64)
			case f.Name == "cflow.template_id":
				p.templates[f.Show] = 0
			case f.Name == "cflow.template_ipfix_field_pen" && f.Show == "29305":
				p.reversePEN++
			case f.Name == "" && strings.HasPrefix(f.Show, "Flow ") && len(f.Fields) > 0:
				rec := map[string]string{}
				var flat func(fs []pdmlField)
				flat = func(fs []pdmlField) {
					for _, g := range fs {
						name := g.Name
						if strings.Contains(g.ShowName, "(Reverse Type") {
							name += ".reverse"
						}
						v := g.Show
						if name == "cflow.abstimestart" || name == "cflow.abstimeend" {
							// tshark's reading of the milliseconds, as a date
							if tm, err := time.Parse("Jan 2, 2006 15:04:05.000000000 MST", v); err == nil {
								v = strconv.FormatInt(tm.UnixMilli(), 10)
							}
						}
						if strings.HasPrefix(name, "cflow.tcpflags") {
							b, _ := hex.DecodeString(g.Value)
							var n uint64
							for _, x := range b {
								n = n<<8 | uint64(x)
							}
							v = strconv.FormatUint(n, 10)
						}
						if name != "" {
							rec[name] = v
						}
						if !strings.HasPrefix(name, "cflow.tcpflags") {
							flat(g.Fields) // the times are under [Duration]
						}
					}
				}
				flat(f.Fields)
				p.records = append(p.records, rec)
				continue
			}
			walk(f.Fields)
		}
	}
	walk(proto.Fields)
	return p
}

// checkIPFIXDecoded compares what tshark decoded, session by session,
// with the JSON flows: each session starts with the templates and numbers
// its data records from 0; every flow is in one record; the last
// statistics record counts every message but its own.
func checkIPFIXDecoded(t *testing.T, sessions [][]ipfixPacket, flows []flowRec) {
	t.Helper()
	byID := map[string]map[string]string{}
	var stats []map[string]string
	nmsgs := 0
	for s, pkts := range sessions {
		if len(pkts) == 0 {
			t.Fatalf("session %d: no message decoded", s)
		}
		nmsgs += len(pkts)
		first := pkts[0]
		for _, id := range []string{"256", "257", "258"} {
			if _, ok := first.templates[id]; !ok {
				t.Errorf("session %d: the first message has no template %s (has %v)", s, id, first.templates)
			}
		}
		if first.reversePEN != 6 { // 3 reverse fields in each of the two flow templates
			t.Errorf("session %d: %d template fields with PEN 29305, want 6", s, first.reversePEN)
		}
		seq := uint64(0)
		for i, p := range pkts {
			if p.domain != 7 {
				t.Errorf("session %d, message %d: observation domain %d, want 7", s, i, p.domain)
			}
			if p.seq != seq {
				t.Errorf("session %d, message %d: sequence number %d, want %d (data records before it)", s, i, p.seq, seq)
			}
			seq += uint64(len(p.records))
			for _, r := range p.records {
				if id, ok := r["cflow.flow_id"]; ok {
					if byID[id] != nil {
						t.Errorf("flow %s exported twice", id)
					}
					byID[id] = r
				} else {
					stats = append(stats, r)
				}
			}
		}
	}
	if len(byID) != len(flows) {
		t.Errorf("%d flow records decoded, %d JSON flows", len(byID), len(flows))
	}
	reason := map[string]string{"idle": "1", "active": "2", "fin": "3", "rst": "3", "eof": "4", "evicted": "5"}
	for i := range flows {
		f := &flows[i]
		r := byID[u64(f.ID)]
		if r == nil {
			t.Errorf("flow %d: no IPFIX record", f.ID)
			continue
		}
		ms := func(s string) string {
			tm, _ := time.Parse(time.RFC3339Nano, s)
			return strconv.FormatInt(tm.UnixMilli(), 10)
		}
		src, dst := "cflow.srcaddr", "cflow.dstaddr"
		if f.IPVersion == 6 {
			src, dst = "cflow.srcaddrv6", "cflow.dstaddrv6"
		}
		service := ""
		if f.Service != "" {
			service = f.Service
		}
		want := map[string]string{
			src: f.Client.addr().String(), dst: f.Server.addr().String(),
			"cflow.srcport": strconv.Itoa(int(f.Client.Port)), "cflow.dstport": strconv.Itoa(int(f.Server.Port)),
			"cflow.protocol":     strconv.Itoa(int(f.IPProto)),
			"cflow.abstimestart": ms(f.FirstSeen), "cflow.abstimeend": ms(f.LastSeen),
			"cflow.octets": u64(f.Client.Bytes), "cflow.packets": u64(f.Client.Packets),
			"cflow.octets.reverse": u64(f.Server.Bytes), "cflow.packets.reverse": u64(f.Server.Packets),
			"cflow.tcpflags":         strconv.Itoa(int(flagBits(f.Client.TCPFlags))),
			"cflow.tcpflags.reverse": strconv.Itoa(int(flagBits(f.Server.TCPFlags))),
			"cflow.flow_end_reason":  reason[f.EndReason], "cflow.biflow_direction": "1",
			"cflow.vlanid": strconv.Itoa(int(f.VLAN)), "cflow.appl_name": service,
		}
		for k, w := range want {
			g, ok := r[k]
			if k == "cflow.appl_name" && !ok {
				g, ok = "", w == "" // tshark shows no empty string
			}
			if !ok || g != w {
				t.Errorf("flow %d: %s = %q (present %v), want %q", f.ID, k, g, ok, w)
			}
		}
	}
	if len(stats) == 0 {
		t.Fatal("no statistics record")
	}
	last := stats[len(stats)-1]
	want := map[string]string{
		"cflow.od_id": "7", "cflow.flowsexp": strconv.Itoa(len(flows)),
		"cflow.packetsexp": strconv.Itoa(nmsgs - 1), "cflow.notsent_flows": "0",
	}
	for k, w := range want {
		if last[k] != w {
			t.Errorf("last statistics record: %s = %q, want %q (%v)", k, last[k], w, last)
		}
	}
}

// flagBits is tcpControlBits of flowscope's FSRPAUEC letters.
func flagBits(s string) uint16 {
	var b uint16
	for i, c := range "FSRPAUEC" {
		if strings.ContainsRune(s, c) {
			b |= 1 << i
		}
	}
	return b
}

// ipfixCollector receives flowscope's export on loopback, as the bytes
// went over the wire: UDP datagrams, or TCP streams cut into messages by
// their length field, by session.
type ipfixCollector struct {
	network  string
	addr     string
	mu       sync.Mutex
	msgs     [][][]byte // by session (one for UDP)
	conns    []net.Conn
	sessions int
	stop     func()
	done     chan struct{}
}

func startIPFIXCollector(t *testing.T, network string) *ipfixCollector {
	t.Helper()
	c := &ipfixCollector{network: network, done: make(chan struct{})}
	switch network {
	case "udp":
		conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadBuffer(8 << 20)
		c.addr = conn.LocalAddr().String()
		c.msgs = make([][][]byte, 1)
		// Stopping lets what the socket holds be read first.
		c.stop = func() { _ = conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond)) }
		go func() {
			defer close(c.done)
			defer conn.Close()
			buf := make([]byte, 65536)
			for {
				n, err := conn.Read(buf)
				if err != nil {
					return
				}
				c.add(0, buf[:n])
			}
		}()
	case "tcp":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		c.serveTCP(ln)
	}
	t.Cleanup(c.stop)
	return c
}

// serveTCP accepts sessions on ln, each read to its end.
func (c *ipfixCollector) serveTCP(ln net.Listener) {
	c.addr = ln.Addr().String()
	c.stop = func() { ln.Close() }
	go func() {
		defer close(c.done)
		var wg sync.WaitGroup
		for {
			conn, err := ln.Accept()
			if err != nil {
				break
			}
			c.mu.Lock()
			c.sessions++
			c.msgs = append(c.msgs, nil)
			c.conns = append(c.conns, conn)
			sess := len(c.msgs) - 1
			c.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				r := bufio.NewReader(conn)
				for {
					hdr := make([]byte, 4)
					if _, err := io.ReadFull(r, hdr); err != nil {
						return
					}
					m := make([]byte, binary.BigEndian.Uint16(hdr[2:]))
					if len(m) < 16 {
						return
					}
					copy(m, hdr)
					if _, err := io.ReadFull(r, m[4:]); err != nil {
						return
					}
					c.add(sess, m)
				}
			}()
		}
		wg.Wait()
	}()
}

func (c *ipfixCollector) add(sess int, m []byte) {
	c.mu.Lock()
	c.msgs[sess] = append(c.msgs[sess], append([]byte(nil), m...))
	c.mu.Unlock()
}

// dropSessions closes the TCP sessions open now, as a collector that
// restarts would.
func (c *ipfixCollector) dropSessions() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.conns {
		conn.Close()
	}
}

// flowRecords tells whether a flow data set (template 256 or 257) arrived.
func (c *ipfixCollector) flowRecords() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, sess := range c.msgs {
		for _, m := range sess {
			for p := 16; p+4 <= len(m); {
				id, n := binary.BigEndian.Uint16(m[p:]), int(binary.BigEndian.Uint16(m[p+2:]))
				if id == 256 || id == 257 {
					return true
				}
				if n < 4 {
					break
				}
				p += n
			}
		}
	}
	return false
}

// messages stops the collector once flowscope is done and returns what it
// received, by session.
func (c *ipfixCollector) messages(t *testing.T) [][][]byte {
	t.Helper()
	c.stop() // flowscope has exited: its sessions were accepted and closed
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the collector did not stop")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.msgs
}

// decodeSessions has tshark decode each session's messages.
func decodeSessions(t *testing.T, tshark string, sessions [][][]byte) [][]ipfixPacket {
	t.Helper()
	var out [][]ipfixPacket
	for _, msgs := range sessions {
		out = append(out, tsharkIPFIX(t, tshark, writeIPFIXPcap(t, msgs)))
	}
	return out
}

// writeIPFIXPcap writes each message as a UDP datagram to port 4739 in a
// raw-IPv4 pcap, for tshark's IPFIX dissector.
func writeIPFIXPcap(t *testing.T, msgs [][]byte) string {
	t.Helper()
	var b []byte
	b = binary.LittleEndian.AppendUint32(b, 0xa1b2c3d4)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = binary.LittleEndian.AppendUint32(b, 65535)
	b = binary.LittleEndian.AppendUint32(b, 101) // LINKTYPE_RAW
	for i, m := range msgs {
		n := 20 + 8 + len(m)
		b = binary.LittleEndian.AppendUint32(b, uint32(1700000000+i))
		b = binary.LittleEndian.AppendUint32(b, 0)
		b = binary.LittleEndian.AppendUint32(b, uint32(n))
		b = binary.LittleEndian.AppendUint32(b, uint32(n))
		ip := []byte{0x45, 0, byte(n >> 8), byte(n), 0, 0, 0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1}
		var sum uint32
		for j := 0; j < 20; j += 2 {
			sum += uint32(ip[j])<<8 | uint32(ip[j+1])
		}
		for sum > 0xffff {
			sum = sum&0xffff + sum>>16
		}
		binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
		b = append(b, ip...)
		b = binary.BigEndian.AppendUint16(b, 40000)
		b = binary.BigEndian.AppendUint16(b, 4739)
		b = binary.BigEndian.AppendUint16(b, uint16(8+len(m)))
		b = binary.BigEndian.AppendUint16(b, 0) // no checksum (IPv4 allows it)
		b = append(b, m...)
	}
	p := filepath.Join(t.TempDir(), "ipfix.pcap")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
