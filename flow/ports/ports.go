// Package ports looks ports up in the IANA Service Name and Transport
// Protocol Port Number Registry (CC0), for tcp, udp and sctp, and applies
// the port policy: which of the catalogue's services (flow/service) are
// standard on a port.
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

	"github.com/flowscope/flowscope/flow/service"
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

// The port policy. A port is standard for a service when the registry
// gives it that service (or a form of it the service's detector sees, such
// as an implicit-TLS name for tls), or it is the service's documented
// default where the registry has none; both come from the service's entry
// in the catalogue (flow/service). A conventional alternate (http on 8080)
// is not standard: the service is still off its ports there, but only
// just, and findings say so.

// ExpectedPorts returns a service's standard ports on p, ascending.
func ExpectedPorts(service string, p Proto) []uint16 {
	if p >= nProto {
		return nil
	}
	if ps := registry().expPorts[strings.ToLower(service)]; ps != nil {
		return slices.Clone(ps[p])
	}
	return nil
}

// ExpectedServices returns the services a port is standard for, in
// catalogue order, e.g. 443/tcp → [tls].
func ExpectedServices(p Proto, port uint16) []string {
	return slices.Clone(registry().expServices[key(p, port)])
}

// IsExpectedPort reports, without allocating, whether port is standard
// for service.
func IsExpectedPort(service string, p Proto, port uint16) bool {
	if p >= nProto {
		return false
	}
	ps := registry().expPorts[service]
	return ps != nil && slices.Contains(ps[p], port)
}

// ExpectsService reports, without allocating, whether port is standard
// for service.
func ExpectsService(p Proto, port uint16, service string) bool {
	return slices.Contains(registry().expServices[key(p, port)], service)
}

// IsServicePort reports, without allocating, whether the port is standard
// for a service flowscope detects.
func IsServicePort(p Proto, port uint16) bool {
	return len(registry().expServices[key(p, port)]) > 0
}

// IsAlternatePort reports, without allocating, whether port is one of the
// named service's conventional alternates on p (http on tcp/8080).
func IsAlternatePort(name string, p Proto, port uint16) bool {
	pr := service.Lookup(name)
	return pr != nil && onTransport(pr, p) && slices.Contains(pr.Alternates, port)
}

// IsServerPort reports, without allocating, whether a service flowscope
// detects is expected on the port, as standard or as a conventional
// alternate: a hint that the side using it is the server.
func IsServerPort(p Proto, port uint16) bool {
	t := registry()
	return len(t.expServices[key(p, port)]) > 0 || t.alternate[key(p, port)]
}

// onTransport reports whether the protocol's ports apply on p.
func onTransport(pr *service.Protocol, p Proto) bool {
	for _, t := range pr.Transports {
		if (t == service.TCP && p == TCP) || (t == service.UDP && p == UDP) {
			return true
		}
	}
	return false
}

// table is the parsed registry.
type table struct {
	set         [nProto][1 << 16]uint16      // index into names; 0 means unassigned
	names       [][]string                   // distinct name lists, primary first; names[0] is nil
	byName      map[string]*[nProto][]uint16 // lower-case name → ascending ports
	expPorts    map[string]*[nProto][]uint16 // our service → ascending ports
	expServices map[uint32][]string          // key(p, port) → our services
	alternate   map[uint32]bool              // key(p, port) → a service's alternate
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

// expect resolves the catalogue's ports against the registry, both ways.
func (t *table) expect() {
	t.expPorts = map[string]*[nProto][]uint16{}
	t.expServices = map[uint32][]string{}
	t.alternate = map[uint32]bool{}
	for _, pr := range service.Catalogue() {
		ps := new([nProto][]uint16)
		t.expPorts[pr.Name] = ps
		for p := Proto(0); p < nProto; p++ {
			if !onTransport(pr, p) {
				continue
			}
			ports := slices.Clone(pr.Defaults)
			for _, n := range pr.Registry {
				if r := t.byName[strings.ToLower(n)]; r != nil {
					ports = append(ports, r[p]...)
				}
			}
			ps[p] = sortedSet(ports)
			for _, q := range ps[p] {
				k := key(p, q)
				t.expServices[k] = append(t.expServices[k], pr.Name)
			}
			for _, q := range pr.Alternates {
				t.alternate[key(p, q)] = true
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
