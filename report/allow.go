package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/flowscope/flowscope/flow"
)

// Allowlist suppresses findings the operator already knows about.
type Allowlist struct {
	rules []allowRule
}

// An allowlist file has one rule a line, "SERVICE TARGET [KIND]", and "#"
// comments. SERVICE is a detected service name or "*" (any, including none,
// as in port-mismatch on unrecognised payload). TARGET matches the server
// side: tcp/PORT, udp/PORT, sctp/PORT, IP:PORT, [IPv6]:PORT, IP, CIDR or
// "*". KIND is nonstandard-port or port-mismatch; without it, both.

// targetKind is what an allow rule's TARGET names.
type targetKind uint8

const (
	targetAny       targetKind = iota // *
	targetProtoPort                   // tcp/8080
	targetAddrPort                    // 10.0.0.5:2222, [2001:db8::1]:443
	targetAddr                        // 10.0.0.5
	targetPrefix                      // 192.168.0.0/16
)

type allowRule struct {
	service string // "" = any (written "*")
	kind    string // "" = every kind
	target  targetKind
	proto   string
	port    uint16
	addr    netip.Addr
	prefix  netip.Prefix
}

// ParseAllowlist reads "SERVICE TARGET [KIND]" rules, one a line; errors start with "name:line:".
func ParseAllowlist(r io.Reader, name string) (*Allowlist, error) {
	a := &Allowlist{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff") // editors on Windows add a BOM
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		rule, err := parseAllowRule(f)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		a.rules = append(a.rules, rule)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = errors.New("line too long")
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return a, nil
}

func parseAllowRule(f []string) (allowRule, error) {
	var r allowRule
	if len(f) < 2 || len(f) > 3 {
		return r, fmt.Errorf("want SERVICE TARGET [KIND], got %d fields", len(f))
	}
	if f[0] != "*" {
		if !validServiceName(f[0]) {
			return r, fmt.Errorf("bad service name %q", f[0])
		}
		// Detectors name services in lower case.
		r.service = strings.ToLower(f[0])
	}
	if err := r.parseTarget(f[1]); err != nil {
		return r, err
	}
	if len(f) == 3 {
		switch f[2] {
		case KindNonstandardPort, KindPortMismatch:
			r.kind = f[2]
		default:
			return r, fmt.Errorf("unknown finding kind %q (want %s or %s)", f[2], KindNonstandardPort, KindPortMismatch)
		}
	}
	return r, nil
}

func validServiceName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return s != ""
}

const targetForms = "want tcp/PORT, udp/PORT, sctp/PORT, IP:PORT, [IPv6]:PORT, IP, CIDR or *"

func (r *allowRule) parseTarget(s string) error {
	if s == "*" {
		r.target = targetAny
		return nil
	}
	if proto, port, ok := strings.Cut(s, "/"); ok && (proto == "tcp" || proto == "udp" || proto == "sctp") {
		p, err := parsePort(port)
		if err != nil {
			return fmt.Errorf("bad target %q: %w", s, err)
		}
		r.target, r.proto, r.port = targetProtoPort, proto, p
		return nil
	}
	if strings.Contains(s, "/") {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("bad target %q: %s", s, targetForms)
		}
		r.target, r.prefix = targetPrefix, pfx.Masked()
		return nil
	}
	if addr, err := netip.ParseAddr(s); err == nil {
		r.target, r.addr = targetAddr, addr.Unmap().WithZone("")
		return nil
	}
	// Not an address: "IP:PORT" or "[IPv6]:PORT". Split by hand rather
	// than with netip.ParseAddrPort to say which half is wrong.
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return fmt.Errorf("bad target %q: %s", s, targetForms)
	}
	host, port := s[:i], s[i+1:]
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
		if !strings.Contains(host, ":") {
			return fmt.Errorf("bad target %q: brackets are for IPv6 addresses", s)
		}
	} else if strings.Contains(host, ":") {
		return fmt.Errorf("bad target %q: write an IPv6 address with a port as [IPv6]:PORT", s)
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("bad target %q: %s", s, targetForms)
	}
	p, err := parsePort(port)
	if err != nil {
		return fmt.Errorf("bad target %q: %w", s, err)
	}
	r.target, r.addr, r.port = targetAddrPort, addr.Unmap().WithZone(""), p
	return nil
}

// parsePort rejects port 0: no finding has it, so a rule with it is a typo.
func parsePort(s string) (uint16, error) {
	p, err := strconv.ParseUint(s, 10, 16)
	if err != nil || p == 0 {
		return 0, fmt.Errorf("bad port %q (want 1-65535)", s)
	}
	return uint16(p), nil
}

// Allowed reports whether a rule suppresses finding f of record r (never, for a nil Allowlist).
func (a *Allowlist) Allowed(r *flow.Record, f *Finding) bool {
	if a == nil {
		return false
	}
	for i := range a.rules {
		if a.rules[i].matches(r, f) {
			return true
		}
	}
	return false
}

func (ru *allowRule) matches(r *flow.Record, f *Finding) bool {
	if ru.kind != "" && ru.kind != f.Kind {
		return false
	}
	if ru.service != "" && ru.service != f.Service {
		return false
	}
	// Zones never appear in rules, so compare addresses without them.
	ip := r.Server.IP.Unmap().WithZone("")
	switch ru.target {
	case targetProtoPort:
		return r.Proto == ru.proto && r.Server.Port == ru.port
	case targetAddrPort:
		return ip == ru.addr && r.Server.Port == ru.port
	case targetAddr:
		return ip == ru.addr
	case targetPrefix:
		return ru.prefix.Contains(ip)
	}
	return true
}

// Filter returns r's findings that a does not suppress, and how many it did; every writer uses it.
func (a *Allowlist) Filter(r *flow.Record) (kept []Finding, suppressed int) {
	fs := Findings(r)
	if a == nil || len(fs) == 0 {
		return fs, 0
	}
	kept = fs[:0]
	for i := range fs {
		if a.Allowed(r, &fs[i]) {
			suppressed++
			continue
		}
		kept = append(kept, fs[i])
	}
	return kept, suppressed
}
