// Package ports looks ports up in the IANA Service Name and Transport
// Protocol Port Number Registry (CC0), for tcp, udp and sctp, and says which
// of flowscope's detector services are expected on a port.
//
// The embedded table is the registry as copied by Wireshark 4.0.17, file
// dated 2024-08-28: that copy carries no registry date of its own, so the
// date is the file's. It is parsed once, on first use, into arrays indexed
// by port, so lookups by port are O(1) and do not allocate.
package ports

//go:generate go run ./gen -in /usr/share/wireshark/services -out registry.txt -source "IANA Service Name and Transport Protocol Port Number Registry as copied by Wireshark 4.0.17"

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Source says where the embedded registry came from and its date; it must
// match the table's "# source:" line (a test checks).
const Source = "IANA Service Name and Transport Protocol Port Number Registry as copied by Wireshark 4.0.17, file dated 2024-08-28"

//go:embed registry.txt
var registryData string

// Proto is a transport protocol the registry assigns ports on.
type Proto uint8

// Transports kept from the registry (it also lists dccp, dropped here).
const (
	TCP Proto = iota
	UDP
	SCTP
	nProto
)

// String returns the registry's lower-case name for p.
func (p Proto) String() string {
	switch p {
	case TCP:
		return "tcp"
	case UDP:
		return "udp"
	case SCTP:
		return "sctp"
	}
	return "proto(" + strconv.Itoa(int(p)) + ")"
}

// ProtoOf maps an IP protocol number (6, 17, 132) to its Proto.
func ProtoOf(ipProto uint8) (Proto, bool) {
	switch ipProto {
	case 6:
		return TCP, true
	case 17:
		return UDP, true
	case 132:
		return SCTP, true
	}
	return 0, false
}

// Class is "well-known" (0–1023), "registered" (1024–49151) or "dynamic" (49152–65535).
func Class(port uint16) string {
	switch {
	case port < 1024:
		return "well-known"
	case port < 49152:
		return "registered"
	}
	return "dynamic"
}

// Name returns the registry's primary service name for the port ("" if unassigned), e.g. Name(TCP, 443) = "https".
func Name(p Proto, port uint16) string {
	if p >= nProto {
		return ""
	}
	t := registry()
	if i := t.set[p][port]; i != 0 {
		return t.names[i][0]
	}
	return ""
}

// Names returns all service names registered on the port, primary first (some ports have several).
func Names(p Proto, port uint16) []string {
	if p >= nProto {
		return nil
	}
	t := registry()
	return slices.Clone(t.names[t.set[p][port]])
}

// Registered reports whether the port has any assigned service on p.
func Registered(p Proto, port uint16) bool {
	return p < nProto && registry().set[p][port] != 0
}

// PortsOf returns the ports registered for a service name on a transport, ascending, e.g. PortsOf(TCP, "ssh") = [22].
// Names match case-insensitively; aliases are the caller's business.
func PortsOf(p Proto, service string) []uint16 {
	if p >= nProto {
		return nil
	}
	if ps := registry().byName[strings.ToLower(service)]; ps != nil {
		return slices.Clone(ps[p])
	}
	return nil
}

// ExpectedPorts returns the ports, ascending, where one of our detector services is expected on p (see ServicePorts).
func ExpectedPorts(service string, p Proto) []uint16 {
	if p >= nProto {
		return nil
	}
	if ps := registry().expPorts[strings.ToLower(service)]; ps != nil {
		return slices.Clone(ps[p])
	}
	return nil
}

// ExpectedServices returns our detector services expected on a port, in ServicePorts order, e.g. 443/tcp → [tls].
func ExpectedServices(p Proto, port uint16) []string {
	return slices.Clone(registry().expServices[key(p, port)])
}

// IsExpectedPort reports, without allocating, whether service is expected on port.
func IsExpectedPort(service string, p Proto, port uint16) bool {
	if p >= nProto {
		return false
	}
	ps := registry().expPorts[service]
	return ps != nil && slices.Contains(ps[p], port)
}

// ExpectsService reports, without allocating, whether port expects service.
func ExpectsService(p Proto, port uint16, service string) bool {
	return slices.Contains(registry().expServices[key(p, port)], service)
}

// IsServicePort reports, without allocating, whether one of our detector
// services is expected on the port.
func IsServicePort(p Proto, port uint16) bool {
	return len(registry().expServices[key(p, port)]) > 0
}

// ServicePort ties one of our detector service names to the registry names,
// and the few unregistered ports, where that protocol is expected.
type ServicePort struct {
	Service string   // our detector's service name, e.g. "tls"
	Protos  []Proto  // transports it is expected over
	Names   []string // registry service names, e.g. "https", "imaps"
	Extra   []uint16 // conventional ports the registry does not give to Names
}

// ServicePorts returns a copy of the mapping from our service names to registry names and extra ports.
func ServicePorts() []ServicePort {
	out := make([]ServicePort, len(servicePorts))
	for i, s := range servicePorts {
		out[i] = ServicePort{s.Service, slices.Clone(s.Protos), slices.Clone(s.Names), slices.Clone(s.Extra)}
	}
	return out
}

var (
	onTCP  = []Proto{TCP}
	onUDP  = []Proto{UDP}
	onBoth = []Proto{TCP, UDP}
)

// servicePorts is the one place our names meet the registry's. A payload
// detector reports what is on the wire, so implicit-TLS ports (imaps,
// secure-mqtt, sips, ...) expect tls, not the protocol inside. Order decides
// ExpectedServices' order.
var servicePorts = []ServicePort{
	{"tls", onTCP, []string{"https", "imaps", "pop3s", "submissions", "ldaps", "ftps", "ftps-data", "telnets",
		"nntps", "domain-s", "sips", "secure-mqtt", "amqps", "ircs-u"},
		// 465: IANA also gives it to submissions (RFC 8314), but Wireshark's copy keeps only urd.
		// 8443: IANA gives it to pcsync-https; it is the usual HTTPS alternate.
		[]uint16{465, 8443}},
	// domain-s on udp is DNS over QUIC (RFC 9250).
	{"quic", onUDP, []string{"https", "domain-s"}, nil},
	// www and www-http are IANA's aliases of http on 80; Wireshark's copy drops them.
	// http-alt (591, 8008, 8080) is left out on purpose: HTTP there is
	// worth a nonstandard-port finding (as nDPI flags it), and those ports
	// often carry proxies and other protocols.
	{"http", onTCP, []string{"http", "www", "www-http"}, nil},
	// Cleartext HTTP/2 (h2c) shares HTTP's ports; over TLS it shows as tls.
	{"http2", onTCP, []string{"http", "www", "www-http"}, nil},
	{"ssh", onTCP, []string{"ssh"}, nil},
	{"dns", onBoth, []string{"domain", "mdns", "llmnr"}, nil},
	{"smtp", onTCP, []string{"smtp", "submission"}, nil},
	{"imap", onTCP, []string{"imap"}, nil},
	{"pop3", onTCP, []string{"pop3"}, nil},
	{"ftp", onTCP, []string{"ftp"}, nil},
	{"rdp", onBoth, []string{"ms-wbt-server"}, nil},
	{"smb", onTCP, []string{"microsoft-ds", "netbios-ssn"}, nil},
	{"mysql", onTCP, []string{"mysql"}, nil},
	{"postgresql", onTCP, []string{"postgresql"}, nil},
	{"redis", onTCP, []string{"redis"}, nil},
	{"mqtt", onTCP, []string{"mqtt"}, nil},
	// Not registered with IANA: 51820 is WireGuard's documented default.
	{"wireguard", onUDP, nil, []uint16{51820}},
	{"openvpn", onBoth, []string{"openvpn"}, nil},
	{"sip", onBoth, []string{"sip"}, nil},
	{"ntp", onUDP, []string{"ntp"}, nil},
	{"dhcp", onUDP, []string{"bootps", "bootpc", "dhcpv6-client", "dhcpv6-server"}, nil},
	{"snmp", onBoth, []string{"snmp", "snmptrap"}, nil},
	// Not registered with IANA (6888 is muse there): the range classic clients listen on.
	{"bittorrent", onBoth, nil, []uint16{6881, 6882, 6883, 6884, 6885, 6886, 6887, 6888, 6889}},
	{"socks", onTCP, []string{"socks"}, nil},
	{"rtsp", onTCP, []string{"rtsp", "rtsp-alt"}, nil},
	// 8472: Linux's VXLAN default, older than IANA's 4789 (IANA gives 8472 to otv).
	{"vxlan", onUDP, []string{"vxlan"}, []uint16{8472}},
	{"geneve", onUDP, []string{"geneve"}, nil},
	{"telnet", onTCP, []string{"telnet"}, nil},
	{"vnc", onTCP, []string{"rfb"}, nil},
}

// table is the parsed registry.
type table struct {
	set         [nProto][1 << 16]uint16      // index into names; 0 means unassigned
	names       [][]string                   // distinct name lists, primary first; names[0] is nil
	byName      map[string]*[nProto][]uint16 // lower-case name → ascending ports
	expPorts    map[string]*[nProto][]uint16 // our service → ascending ports
	expServices map[uint32][]string          // key(p, port) → our services
}

var registry = sync.OnceValue(func() *table {
	t, err := parse(registryData)
	if err != nil {
		panic("ports: embedded registry: " + err.Error())
	}
	return t
})

func key(p Proto, port uint16) uint32 { return uint32(p)<<16 | uint32(port) }

// parse reads the generator's table: "port[-last] protocols name" lines.
func parse(data string) (*table, error) {
	lines := strings.Count(data, "\n") // sizes the maps: rehashing dominated loading
	t := &table{names: make([][]string, 1, lines), byName: make(map[string]*[nProto][]uint16, lines)}
	intern := make(map[string]uint16, lines)
	for n := 1; data != ""; n++ {
		var line string
		line, data, _ = strings.Cut(data, "\n")
		if line == "" || line[0] == '#' {
			continue
		}
		ports, rest, ok := strings.Cut(line, " ")
		protos, name, ok2 := strings.Cut(rest, " ")
		if !ok || !ok2 || name == "" {
			return nil, fmt.Errorf("line %d: want port, protocols and name", n)
		}
		first, last, err := ParseRange(ports)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		lower := strings.ToLower(name)
		ps := t.byName[lower]
		if ps == nil {
			ps = new([nProto][]uint16)
			t.byName[lower] = ps
		}
		for _, c := range []byte(protos) {
			p := Proto(strings.IndexByte("tus", c))
			if p >= nProto {
				return nil, fmt.Errorf("line %d: bad protocol %q", n, c)
			}
			for q := int(first); q <= int(last); q++ {
				if err := t.add(p, uint16(q), name, intern); err != nil {
					return nil, err
				}
				ps[p] = append(ps[p], uint16(q))
			}
		}
	}
	for _, ps := range t.byName {
		for p := range ps {
			ps[p] = sortedSet(ps[p])
		}
	}
	t.expect()
	return t, nil
}

// add appends name to the port's names, sharing equal lists between ports.
func (t *table) add(p Proto, port uint16, name string, intern map[string]uint16) error {
	cur := t.names[t.set[p][port]]
	if slices.Contains(cur, name) {
		return nil
	}
	k := name // a lone name is its own key, saving an allocation per port
	if cur != nil {
		k = strings.Join(cur, "\x00") + "\x00" + name
	}
	i, ok := intern[k]
	if !ok {
		if len(t.names) > math.MaxUint16 {
			return errors.New("too many distinct name lists")
		}
		i = uint16(len(t.names))
		t.names = append(t.names, append(slices.Clip(cur), name))
		intern[k] = i
	}
	t.set[p][port] = i
	return nil
}

// expect resolves servicePorts against the registry, both ways.
func (t *table) expect() {
	t.expPorts = map[string]*[nProto][]uint16{}
	t.expServices = map[uint32][]string{}
	for _, s := range servicePorts {
		ps := t.expPorts[s.Service]
		if ps == nil {
			ps = new([nProto][]uint16)
			t.expPorts[s.Service] = ps
		}
		for _, p := range s.Protos {
			ports := slices.Clone(s.Extra)
			for _, n := range s.Names {
				if r := t.byName[strings.ToLower(n)]; r != nil {
					ports = append(ports, r[p]...)
				}
			}
			ps[p] = sortedSet(append(ps[p], ports...))
			for _, q := range ps[p] {
				k := key(p, q)
				if !slices.Contains(t.expServices[k], s.Service) {
					t.expServices[k] = append(t.expServices[k], s.Service)
				}
			}
		}
	}
}

func sortedSet(s []uint16) []uint16 {
	slices.Sort(s)
	return slices.Clip(slices.Compact(s))
}

// ParseRange reads a port or a range of ports: "22" or "6000-6063".
func ParseRange(s string) (first, last uint16, err error) {
	a, b, isRange := strings.Cut(s, "-")
	f, err := strconv.ParseUint(a, 10, 16)
	if err != nil {
		return 0, 0, fmt.Errorf("bad port %q", s)
	}
	l := f
	if isRange {
		if l, err = strconv.ParseUint(b, 10, 16); err != nil || l < f {
			return 0, 0, fmt.Errorf("bad port range %q", s)
		}
	}
	return uint16(f), uint16(l), nil
}
