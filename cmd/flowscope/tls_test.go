package main

import (
	"encoding/json"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// tlsRec is the part of a record's JSON this test reads.
type tlsRec struct {
	Client side `json:"client"`
	Server side `json:"server"`
	Proto  string
	TLS    *struct {
		SNI     string   `json:"sni"`
		ALPN    []string `json:"alpn"`
		JA3     string   `json:"ja3"`
		JA3Hash string   `json:"ja3_hash"`
	} `json:"tls"`
}

// tlsNotOurs lists ClientHellos tshark finds inside another protocol, where
// flowscope reports that protocol and no TLS metadata (README says so).
var tlsNotOurs = map[string]string{
	"ndpi__mysql.pcapng 192.168.88.231:36272 192.168.88.200:3306": "TLS after MySQL's SSL request, mid-stream of a mysql flow",
	"ndpi__openvpn.pcap 10.181.235.122:39772 10.251.71.30:1194":   "TLS inside OpenVPN's control channel",
}

// TestTLSAgainstTshark holds SNI, ALPN and JA3 of every TLS ClientHello over
// TCP in the shared captures to what tshark reports for it. It runs tshark
// when installed (make test installs it).
func TestTLSAgainstTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tshark is not installed: make test installs it")
		}
		t.Skip("tshark not installed")
	}
	dir := capturesDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.pcap*"))
	hellos := 0
	for _, file := range files {
		out, err := exec.Command("tshark", "-n", "-r", file, "-Y", "tls.handshake.type==1 && tcp", "-T", "fields",
			"-E", "separator=/t", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst",
			"-e", "tcp.dstport", "-e", "tls.handshake.extensions_server_name", "-e", "tls.handshake.extensions_alpn_str",
			"-e", "tls.handshake.ja3_full", "-e", "tls.handshake.ja3").Output()
		if err != nil && len(out) == 0 {
			// tshark fails on the cut capture after reading what it holds.
			t.Logf("tshark on %s: %v", filepath.Base(file), err)
			continue
		}
		if len(strings.TrimSpace(string(out))) == 0 {
			continue
		}
		ours := map[string]*tlsRec{}
		res := runFlowscope(t, nil, "-q", "-o", "json", "-r", file)
		for _, line := range strings.Split(strings.TrimSpace(string(res.stdout)), "\n") {
			var r tlsRec
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			if r.TLS != nil {
				ours[r.Client.ap().String()+" "+r.Server.ap().String()] = &r
			}
		}
		for _, row := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
			f := strings.Split(row, "\t")
			last := func(s string) string { // tunnels list outer,inner
				parts := strings.Split(s, ",")
				return parts[len(parts)-1]
			}
			// The innermost addresses: IPv6 ones when both are there (6in4).
			src, dst := last(f[1]), last(f[4])
			if src == "" {
				src, dst = last(f[0]), last(f[3])
			}
			sp, _ := strconv.Atoi(last(f[2]))
			dp, _ := strconv.Atoi(last(f[5]))
			a, b := netip.MustParseAddr(src), netip.MustParseAddr(dst)
			key := netip.AddrPortFrom(a, uint16(sp)).String() + " " + netip.AddrPortFrom(b, uint16(dp)).String()
			name := filepath.Base(file) + " " + key
			hellos++
			r := ours[key]
			if why, ok := tlsNotOurs[name]; ok && r == nil {
				t.Logf("accepted: %s: %s", name, why)
				continue
			}
			if r == nil {
				t.Errorf("%s: tshark sees a ClientHello (SNI %q), we report no TLS metadata", name, f[6])
				continue
			}
			var alpn []string
			if f[7] != "" {
				alpn = strings.Split(f[7], ",")
			}
			if r.TLS.SNI != f[6] || r.TLS.JA3 != f[8] || r.TLS.JA3Hash != f[9] || strings.Join(r.TLS.ALPN, ",") != strings.Join(alpn, ",") {
				t.Errorf("%s:\n got SNI %q ALPN %v JA3 %s %s\nwant SNI %q ALPN %v JA3 %s %s", name,
					r.TLS.SNI, r.TLS.ALPN, r.TLS.JA3Hash, r.TLS.JA3, f[6], alpn, f[9], f[8])
			}
		}
	}
	if hellos == 0 {
		t.Fatal("no TLS ClientHello found in the shared captures")
	}
	t.Logf("%d TLS ClientHellos compared with tshark", hellos)
}

// TestQUICSNIAgainstTshark: the SNI and ALPN decrypted from QUIC client
// Initials must be tshark's (which decrypts them too).
func TestQUICSNIAgainstTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tshark is not installed: make test installs it")
		}
		t.Skip("tshark not installed")
	}
	dir := capturesDir(t)
	checked := 0
	for _, name := range []string{"ndpi__quic_frags_different_dcid.pcapng", "ndpi__quic-v2.pcapng", "ndpi__quic-34.pcap"} {
		file := filepath.Join(dir, name)
		out, err := exec.Command("tshark", "-n", "-r", file, "-Y", "quic && tls.handshake.type==1", "-T", "fields",
			"-e", "tls.handshake.extensions_server_name", "-e", "tls.handshake.extensions_alpn_str").Output()
		if err != nil || len(strings.TrimSpace(string(out))) == 0 {
			t.Fatalf("tshark finds no QUIC ClientHello in %s: %v", name, err)
		}
		f := strings.Split(strings.Split(strings.TrimRight(string(out), "\n"), "\n")[0], "\t")
		res := runFlowscope(t, nil, "-q", "-o", "json", "-r", file)
		var r tlsRec
		if err := json.Unmarshal([]byte(strings.Split(string(res.stdout), "\n")[0]), &r); err != nil {
			t.Fatal(err)
		}
		if r.TLS == nil || r.TLS.SNI != f[0] || strings.Join(r.TLS.ALPN, ",") != f[1] {
			t.Errorf("%s: got %+v, tshark SNI %q ALPN %q", name, r.TLS, f[0], f[1])
		}
		checked++
	}
	t.Logf("%d QUIC ClientHellos compared with tshark", checked)
}

// TestAppMetadata checks SSH identification and HASSH against tshark's
// (fields ssh.protocol, ssh.kex.hassh, ssh.kex.hasshserver), and that flows
// to an address an earlier DNS answer gave are named by that answer.
func TestAppMetadata(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tshark is not installed: make test installs it")
		}
		t.Skip("tshark not installed")
	}
	file := capturePath(t, "ndpi__ssh.pcap")
	out, err := exec.Command("tshark", "-n", "-r", file, "-Y", "ssh.kex.hassh || ssh.kex.hasshserver", "-T", "fields",
		"-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "ssh.kex.hassh", "-e", "ssh.kex.hasshserver").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{} // "server port/hassh"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		if f[2] != "" {
			want[f[1]+"/client/"+f[2]] = true
		}
		if f[3] != "" {
			want[f[0]+"/server/"+f[3]] = true
		}
	}
	if len(want) == 0 {
		t.Fatal("tshark reports no HASSH in ndpi__ssh.pcap: nothing to compare")
	}
	got := map[string]bool{}
	for _, fl := range jsonFlows(t, file) {
		if fl.SSH == nil {
			t.Errorf("%s: no SSH metadata", &fl)
			continue
		}
		port := strconv.Itoa(int(fl.Server.Port))
		got[port+"/client/"+fl.SSH.Client.HASSH] = true
		got[port+"/server/"+fl.SSH.Server.HASSH] = true
		if !strings.HasPrefix(fl.SSH.Client.Ident, "SSH-2.0-") || !strings.HasPrefix(fl.SSH.Server.Ident, "SSH-2.0-") {
			t.Errorf("%s: idents %+v", &fl, fl.SSH)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("tshark's %s not among ours %v", k, got)
		}
	}

	// A DNS answer names the address; a later flow to it without SNI or
	// Host carries that name.
	res := mustRun(t, exitOK, nil, "-q", "-o", "json", "-r", dnsThenConnect(t))
	flows := parseJSONFlows(t, res.stdout)
	if len(flows) != 2 || flows[0].DNS == nil || flows[0].DNS.Query != "www.example.test" ||
		strings.Join(flows[0].DNS.Answers, ",") != "www.cdn.example.test,192.0.2.7" || flows[1].ServerName != "www.example.test" {
		t.Errorf("flows %+v", flows)
	}
}

// dnsThenConnect writes a capture: a DNS query for www.example.test answered
// by a CNAME and 192.0.2.7, then a TCP SYN to 192.0.2.7:443.
func dnsThenConnect(t *testing.T) string {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
	client, resolver, server := net.IP{10, 0, 0, 1}, net.IP{10, 0, 0, 53}, net.IP{192, 0, 2, 7}
	q := layers.DNSQuestion{Name: []byte("www.example.test"), Type: layers.DNSTypeA, Class: layers.DNSClassIN}
	frame := func(src, dst net.IP, l4 gopacket.SerializableLayer, payload ...gopacket.SerializableLayer) []byte {
		ip := &layers.IPv4{Version: 4, TTL: 64, SrcIP: src, DstIP: dst}
		switch x := l4.(type) {
		case *layers.UDP:
			ip.Protocol = layers.IPProtocolUDP
			x.SetNetworkLayerForChecksum(ip)
		case *layers.TCP:
			ip.Protocol = layers.IPProtocolTCP
			x.SetNetworkLayerForChecksum(ip)
		}
		buf := gopacket.NewSerializeBuffer()
		ls := append([]gopacket.SerializableLayer{eth, ip, l4}, payload...)
		if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
			t.Fatal(err)
		}
		return append([]byte(nil), buf.Bytes()...)
	}
	query := &layers.DNS{ID: 7, RD: true, Questions: []layers.DNSQuestion{q}}
	answer := &layers.DNS{ID: 7, QR: true, RD: true, RA: true, Questions: []layers.DNSQuestion{q}, Answers: []layers.DNSResourceRecord{
		{Name: []byte("www.example.test"), Type: layers.DNSTypeCNAME, Class: layers.DNSClassIN, TTL: 60, CNAME: []byte("www.cdn.example.test")},
		{Name: []byte("www.cdn.example.test"), Type: layers.DNSTypeA, Class: layers.DNSClassIN, TTL: 60, IP: server},
	}}
	return writePcap(t, 1,
		frame(client, resolver, &layers.UDP{SrcPort: 40000, DstPort: 53}, query),
		frame(resolver, client, &layers.UDP{SrcPort: 53, DstPort: 40000}, answer),
		frame(client, server, &layers.TCP{SrcPort: 40001, DstPort: 443, SYN: true, Seq: 1, Window: 1000}),
	)
}
