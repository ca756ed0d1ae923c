package ports

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowscope/flowscope/flow/service"
)

func TestName(t *testing.T) {
	tests := []struct {
		p    Proto
		port uint16
		want string
	}{
		{TCP, 22, "ssh"},
		{SCTP, 22, "ssh"},
		{UDP, 53, "domain"},
		{TCP, 53, "domain"},
		{TCP, 443, "https"},
		{UDP, 443, "https"},
		{TCP, 3389, "ms-wbt-server"},
		{TCP, 5432, "postgresql"},
		{TCP, 1883, "mqtt"},
		{UDP, 4789, "vxlan"},
		{TCP, 4789, ""}, // vxlan is udp only
		{TCP, 2222, "EtherNet-IP-1"},
		{TCP, 8080, "http-alt"},
		{TCP, 6063, "x11"}, // end of the 6000-6063 range
		{TCP, 6064, "ndl-ahp-svc"},
		{TCP, 51820, ""}, // WireGuard's port is not registered
		{UDP, 51820, ""},
		{TCP, 0, ""},
		{TCP, 65535, ""},
		{Proto(9), 22, ""},
	}
	for _, tt := range tests {
		if got := Name(tt.p, tt.port); got != tt.want {
			t.Errorf("Name(%v, %d) = %q, want %q", tt.p, tt.port, got, tt.want)
		}
		if got := Registered(tt.p, tt.port); got != (tt.want != "") {
			t.Errorf("Registered(%v, %d) = %v", tt.p, tt.port, got)
		}
		wantNames := []string(nil)
		if tt.want != "" {
			wantNames = []string{tt.want}
		}
		if got := Names(tt.p, tt.port); !slices.Equal(got, wantNames) {
			t.Errorf("Names(%v, %d) = %q, want %q", tt.p, tt.port, got, wantNames)
		}
	}
}

func TestClass(t *testing.T) {
	tests := []struct {
		port uint16
		want string
	}{
		{0, "well-known"},
		{1023, "well-known"},
		{1024, "registered"},
		{49151, "registered"},
		{49152, "dynamic"},
		{65535, "dynamic"},
	}
	for _, tt := range tests {
		if got := Class(tt.port); got != tt.want {
			t.Errorf("Class(%d) = %q, want %q", tt.port, got, tt.want)
		}
	}
}

func TestProtoOf(t *testing.T) {
	tests := []struct {
		ip   uint8
		want Proto
		ok   bool
		name string
	}{
		{6, TCP, true, "tcp"},
		{17, UDP, true, "udp"},
		{132, SCTP, true, "sctp"},
		{1, 0, false, ""},
		{33, 0, false, ""}, // dccp: dropped from the table
	}
	for _, tt := range tests {
		got, ok := ProtoOf(tt.ip)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ProtoOf(%d) = %v, %v; want %v, %v", tt.ip, got, ok, tt.want, tt.ok)
		}
		if ok && got.String() != tt.name {
			t.Errorf("Proto(%d).String() = %q, want %q", got, got.String(), tt.name)
		}
	}
}

func TestPortsOf(t *testing.T) {
	tests := []struct {
		p       Proto
		service string
		want    []uint16
	}{
		{TCP, "ssh", []uint16{22}},
		{TCP, "SSH", []uint16{22}},
		{TCP, "ethernet-ip-1", []uint16{2222}},
		{UDP, "http-alt", []uint16{591, 8008, 8080}},
		{TCP, "vxlan", nil},
		{UDP, "vxlan", []uint16{4789}},
		{TCP, "ircu", []uint16{6665, 6666, 6667, 6668, 6669}},
		{TCP, "no-such-service", nil},
	}
	for _, tt := range tests {
		if got := PortsOf(tt.p, tt.service); !slices.Equal(got, tt.want) {
			t.Errorf("PortsOf(%v, %q) = %v, want %v", tt.p, tt.service, got, tt.want)
		}
	}
	if got := PortsOf(TCP, "x11"); len(got) != 64 || got[0] != 6000 || got[63] != 6063 {
		t.Errorf("PortsOf(TCP, x11) = %v, want 6000..6063", got)
	}
}

func TestExpectedPorts(t *testing.T) {
	tests := []struct {
		service string
		p       Proto
		want    []uint16
	}{
		{"tls", TCP, []uint16{443, 465, 563, 636, 853, 989, 990, 992, 993, 995, 5061, 5671, 6697, 8883}},
		{"tls", UDP, nil},
		{"quic", UDP, []uint16{443, 853}},
		{"quic", TCP, nil},
		{"http", TCP, []uint16{80}}, // not http-alt: HTTP there is a finding
		{"dns", UDP, []uint16{53}},
		{"mdns", UDP, []uint16{5353}},
		{"llmnr", UDP, []uint16{5355}},
		{"ssh", TCP, []uint16{22}},
		{"rdp", TCP, []uint16{3389}},
		// The registry gives netbios-dgm, where SMB mailslots travel over
		// UDP, to tcp/138 as well.
		{"smb", TCP, []uint16{138, 139, 445}},
		{"smb", UDP, []uint16{138, 139, 445}},
		{"dhcp", UDP, []uint16{67, 68}},
		{"dhcpv6", UDP, []uint16{546, 547}},
		{"snmp", UDP, []uint16{161, 162}},
		{"mqtt", TCP, []uint16{1883}},
		{"wireguard", UDP, []uint16{51820}},
		{"vxlan", UDP, []uint16{4789}}, // 8472 is an alternate
		{"rtsp", TCP, []uint16{554}},   // 8554 (rtsp-alt) is an alternate
		{"telnet", TCP, []uint16{23}},
		{"vnc", TCP, []uint16{5900}},
		{"bittorrent", UDP, []uint16{6881, 6882, 6883, 6884, 6885, 6886, 6887, 6888, 6889}},
		{"TLS", TCP, []uint16{443, 465, 563, 636, 853, 989, 990, 992, 993, 995, 5061, 5671, 6697, 8883}},
		{"unknown", TCP, nil},
	}
	for _, tt := range tests {
		if got := ExpectedPorts(tt.service, tt.p); !slices.Equal(got, tt.want) {
			t.Errorf("ExpectedPorts(%q, %v) = %v, want %v", tt.service, tt.p, got, tt.want)
		}
	}
}

func TestExpectedServices(t *testing.T) {
	tests := []struct {
		p    Proto
		port uint16
		want []string
	}{
		{TCP, 443, []string{"tls"}},
		{UDP, 443, []string{"quic"}},
		{TCP, 80, []string{"http", "http2"}},
		{UDP, 80, nil},
		{UDP, 53, []string{"dns"}},
		{TCP, 53, []string{"dns"}},
		{TCP, 5060, []string{"sip"}},
		{TCP, 5061, []string{"tls"}},
		{TCP, 8883, []string{"tls"}},
		{UDP, 51820, []string{"wireguard"}},
		{UDP, 8472, nil}, // vxlan's alternate
		{TCP, 8443, nil}, // tls's alternate
		{TCP, 23, []string{"telnet"}},
		{TCP, 5900, []string{"vnc"}},
		{TCP, 6888, []string{"bittorrent"}},
		{TCP, 2222, nil},
	}
	for _, tt := range tests {
		if got := ExpectedServices(tt.p, tt.port); !slices.Equal(got, tt.want) {
			t.Errorf("ExpectedServices(%v, %d) = %q, want %q", tt.p, tt.port, got, tt.want)
		}
	}
}

// TestCataloguePorts catches typos in the catalogue's registry names, and
// services without standard ports on a transport they declare.
func TestCataloguePorts(t *testing.T) {
	// Names IANA has but Wireshark's copy dropped as duplicates of a port's primary.
	missing := map[string]bool{"submissions": true, "www": true, "www-http": true}
	for _, pr := range service.Catalogue() {
		var protos []Proto
		for _, tr := range pr.Transports {
			protos = append(protos, map[service.Transport]Proto{service.TCP: TCP, service.UDP: UDP}[tr])
		}
		for _, n := range pr.Registry {
			found := false
			for _, p := range protos {
				found = found || len(PortsOf(p, n)) > 0
			}
			if !found && !missing[n] {
				t.Errorf("%s: registry name %q has no port on %v", pr.Name, n, protos)
			}
		}
		for _, p := range protos {
			if len(ExpectedPorts(pr.Name, p)) == 0 {
				t.Errorf("%s: no standard ports on %v", pr.Name, p)
			}
			for _, q := range pr.Alternates {
				if IsExpectedPort(pr.Name, p, q) {
					t.Errorf("%s: alternate %v/%d is also standard", pr.Name, p, q)
				}
				if !IsAlternatePort(pr.Name, p, q) || !IsServerPort(p, q) {
					t.Errorf("%s: alternate %v/%d not found", pr.Name, p, q)
				}
			}
		}
	}
}

// TestPortTableHasDetectors: every service a port is standard for is one
// flowscope can detect, so that no port raises findings against traffic
// nothing could have recognised.
func TestPortTableHasDetectors(t *testing.T) {
	for _, p := range []Proto{TCP, UDP, SCTP} {
		for port := 0; port < 1<<16; port++ {
			for _, s := range ExpectedServices(p, uint16(port)) {
				pr := service.Lookup(s)
				if pr != nil && pr.Refines != "" {
					pr = service.Lookup(pr.Refines) // mdns: the dns detector's
				}
				if pr == nil || len(pr.Detectors) == 0 {
					t.Errorf("%v/%d: %q has no detector", p, port, s)
				}
			}
		}
	}
}

func TestIsAlternatePort(t *testing.T) {
	tests := []struct {
		service string
		p       Proto
		port    uint16
		want    bool
	}{
		{"http", TCP, 8080, true},
		{"http", TCP, 8000, true},
		{"http", TCP, 80, false},
		{"http", UDP, 8080, false},
		{"tls", TCP, 8443, true},
		{"rtsp", TCP, 8554, true},
		{"vxlan", UDP, 8472, true},
		{"vnc", TCP, 5901, true},
		{"vnc", UDP, 5901, false},
		{"ssh", TCP, 2222, false},
		{"unknown", TCP, 8080, false},
	}
	for _, tt := range tests {
		if got := IsAlternatePort(tt.service, tt.p, tt.port); got != tt.want {
			t.Errorf("IsAlternatePort(%q, %v, %d) = %v, want %v", tt.service, tt.p, tt.port, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	const data = "# header\n" +
		"80 tus http\n" +
		"80 t www\n" +
		"80 tu WWW-HTTP\n" +
		"100-102 u range\n" +
		"101 u single\n" +
		"101 u range\n" // duplicate of the range's name: kept once
	tab, err := parse(data)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		p    Proto
		port uint16
		want []string
	}{
		{TCP, 80, []string{"http", "www", "WWW-HTTP"}},
		{UDP, 80, []string{"http", "WWW-HTTP"}},
		{SCTP, 80, []string{"http"}},
		{UDP, 100, []string{"range"}},
		{UDP, 101, []string{"range", "single"}},
		{UDP, 102, []string{"range"}},
		{TCP, 101, nil},
	}
	for _, tt := range tests {
		if got := tab.names[tab.set[tt.p][tt.port]]; !slices.Equal(got, tt.want) {
			t.Errorf("names(%v, %d) = %q, want %q", tt.p, tt.port, got, tt.want)
		}
	}
	if got := tab.byName["www-http"][UDP]; !slices.Equal(got, []uint16{80}) {
		t.Errorf("byName[www-http] = %v", got)
	}
	if got := tab.byName["range"][UDP]; !slices.Equal(got, []uint16{100, 101, 102}) {
		t.Errorf("byName[range] = %v", got)
	}
	// Equal lists are shared: ports 100 and 102 hold the same index.
	if tab.set[UDP][100] != tab.set[UDP][102] {
		t.Error("equal name lists not shared")
	}
}

func TestParseErrors(t *testing.T) {
	for _, data := range []string{
		"80 t\n",
		"80\n",
		"x t http\n",
		"70000 t http\n",
		"90-80 t http\n",
		"80 q http\n",
		"80 t \n",
	} {
		if _, err := parse(data); err == nil {
			t.Errorf("parse(%q): no error", data)
		}
	}
}

func TestSourceMatchesData(t *testing.T) {
	want := "# source: " + Source + "\n"
	if !strings.Contains(registryData, want) {
		t.Errorf("registry.txt lacks %q", want)
	}
}

// Flags of the go:generate line in ports.go.
const (
	wiresharkServices = "/usr/share/wireshark/services"
	wiresharkSource   = "IANA Service Name and Transport Protocol Port Number Registry as copied by Wireshark 4.0.17"
	wiresharkDate     = "2024-08-28"
)

// TestEmbeddedMatchesGenerator regenerates the table and compares bytes, so
// the data cannot drift from its generator or its source.
func TestEmbeddedMatchesGenerator(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the generator")
	}
	fi, err := os.Stat(wiresharkServices)
	if err != nil {
		t.Skipf("no local registry copy to regenerate from: %v", err)
	}
	if d := fi.ModTime().UTC().Format(time.DateOnly); d != wiresharkDate {
		t.Skipf("%s is dated %s, not %s: a different copy; regenerate with go generate if intended", wiresharkServices, d, wiresharkDate)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool: %v", err)
	}
	out := filepath.Join(t.TempDir(), "registry.txt")
	cmd := exec.Command(goTool, "run", "./gen", "-in", wiresharkServices, "-out", out, "-source", wiresharkSource)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, []byte(registryData)) {
		t.Errorf("registry.txt differs from a fresh generator run (%d vs %d bytes): run go generate ./flow/ports", len(registryData), len(got))
	}
}

func TestZeroAllocs(t *testing.T) {
	registry() // load outside the measurement
	tests := []struct {
		name string
		f    func()
	}{
		{"Name", func() { _ = Name(TCP, 443) }},
		{"NameUnassigned", func() { _ = Name(UDP, 51820) }},
		{"Class", func() { _ = Class(8080) }},
		{"Registered", func() { _ = Registered(UDP, 53) }},
		{"IsExpectedPort", func() { _ = IsExpectedPort("tls", TCP, 8443) }},
		{"IsAlternatePort", func() { _ = IsAlternatePort("tls", TCP, 8443) }},
		{"IsServerPort", func() { _ = IsServerPort(TCP, 8443) }},
		{"IsServicePort", func() { _ = IsServicePort(TCP, 443) }},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, tt.f); n != 0 {
			t.Errorf("%s: %v allocs per run, want 0", tt.name, n)
		}
	}
}

var sink string

func BenchmarkName(b *testing.B) {
	registry()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sink = Name(Proto(i%2), uint16(i))
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse(registryData); err != nil {
			b.Fatal(err)
		}
	}
}
