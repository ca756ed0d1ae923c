package report

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/flow/service"
)

// Allowlist suppresses findings the operator already knows about.
type Allowlist struct {
	rules []allowRule
}

// An allowlist file has one rule a line, "SERVICE TARGET [KIND]", and "#"
// comments. SERVICE is a detected service name or "*" (any, including none,
// as in port-mismatch on unrecognised payload). TARGET matches the server
// side: tcp/PORT, udp/PORT, sctp/PORT, IP:PORT, [IPv6]:PORT, IP, CIDR or
// "*". KIND is nonstandard-port, port-mismatch or beacon; without it, every kind.

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

// AllowMaxBytes caps an allowlist file: it may come from a pull request
// like a rules file, and real ones are a few KB.
const AllowMaxBytes = 1 << 20

// ParseAllowlist reads "SERVICE TARGET [KIND]" rules, one a line; errors
// start with "name:line:column:" and wrap the message alone.
func ParseAllowlist(r io.Reader, name string) (*Allowlist, error) {
	name = Escape(name) // it names the file in messages
	src, err := io.ReadAll(io.LimitReader(r, AllowMaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(src) > AllowMaxBytes {
		line := 1 + bytes.Count(src[:AllowMaxBytes], []byte{'\n'})
		col := AllowMaxBytes - bytes.LastIndexByte(src[:AllowMaxBytes], '\n')
		return nil, fmt.Errorf("%s:%d:%d: allowlist is larger than %d bytes", name, line, col, AllowMaxBytes)
	}
	text := strings.TrimPrefix(string(src), "\ufeff") // editors on Windows add a BOM
	a := &Allowlist{}
	for n, line := range strings.Split(text, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := allowFields(line)
		if len(f) == 0 {
			continue
		}
		rule, err := parseAllowRule(f)
		if err != nil {
			col := 1
			if err.field < len(f) {
				col = f[err.field].col
			}
			if n == 0 && len(text) < len(src) {
				col++ // the BOM is one column
			}
			return nil, fmt.Errorf("%s:%d:%d: %w", name, n+1, col, err.err)
		}
		a.rules = append(a.rules, rule)
	}
	return a, nil
}

// allowField is a word of a rule line and its 1-based column.
type allowField struct {
	s   string
	col int
}

// allowFields splits a line like strings.Fields, keeping columns for errors.
func allowFields(line string) []allowField {
	var out []allowField
	start := -1
	for i := 0; i <= len(line); i++ {
		space := i == len(line) || line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\v' || line[i] == '\f'
		switch {
		case space && start >= 0:
			out = append(out, allowField{line[start:i], start + 1})
			start = -1
		case !space && start < 0:
			start = i
		}
	}
	return out
}

// allowError is a rule's error and the field it is about.
type allowError struct {
	field int
	err   error
}

func parseAllowRule(fs []allowField) (allowRule, *allowError) {
	var r allowRule
	if len(fs) < 2 || len(fs) > 3 {
		at := 0
		if len(fs) > 3 {
			at = 3 // the first field too many
		}
		return r, &allowError{at, fmt.Errorf("want SERVICE TARGET [KIND], got %d fields", len(fs))}
	}
	if fs[0].s != "*" {
		svc := strings.ToLower(fs[0].s) // detectors name services in lower case
		if err := CheckService(svc); err != nil {
			return r, &allowError{0, err}
		}
		r.service = svc
	}
	if err := r.parseTarget(fs[1].s); err != nil {
		return r, &allowError{1, err}
	}
	if len(fs) == 3 {
		if err := CheckKind(fs[2].s); err != nil {
			return r, &allowError{2, err}
		}
		r.kind = fs[2].s
	}
	return r, nil
}

// CheckService accepts the names of the services a flow or finding can
// carry (service.Names) and those in also, with a suggestion for a misspelt
// one: a typo would otherwise make a rule that never matches.
func CheckService(s string, also ...string) error {
	names := append(service.Names(), also...)
	if slices.Contains(names, s) {
		return nil
	}
	if sug := Suggest(s, names); sug != "" {
		return fmt.Errorf("unknown service %s (did you mean %q?)", Quote(s), sug)
	}
	return fmt.Errorf("unknown service %s (want one of %s)", Quote(s), strings.Join(names, ", "))
}

// CheckKind accepts the finding kinds, with a suggestion for a misspelt one.
func CheckKind(s string) error {
	if slices.Contains(Kinds, s) {
		return nil
	}
	if sug := Suggest(s, Kinds); sug != "" {
		return fmt.Errorf("unknown finding kind %s (did you mean %q?)", Quote(s), sug)
	}
	return fmt.Errorf("unknown finding kind %s (want one of %s)", Quote(s), strings.Join(Kinds, ", "))
}

// Suggest returns the known word closest to s when it is near enough to be
// a typo of it: one edit (a transposition counts as one) for words of up
// to 4 letters, two for longer ones; "" otherwise. Known words are lower case.
func Suggest(s string, known []string) string {
	limit := 2
	if len(s) <= 4 {
		limit = 1
	}
	s = strings.ToLower(s)
	best, bestScore := "", 2*limit+2
	for _, k := range known {
		d := editDistance(s, k)
		if d > limit {
			continue
		}
		// On a tie, the word with the same first letter: typos are
		// rarely in the first one ("htp" is http, not ftp).
		score := 2 * d
		if s == "" || k == "" || s[0] != k[0] {
			score++
		}
		if score < bestScore {
			best, bestScore = k, score
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and adjacent transpositions.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30 // nothing that long is a typo of a name; keep it cheap
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// SuggestPrefix guesses the CIDR a malformed one meant: an IPv4 network
// written short ("10.0.0/8", "10/8") padded with zeros, or a prefix length
// past the address's size cut to it; "" when it cannot tell.
func SuggestPrefix(s string) string {
	addr, bits, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(bits)
	if !ok || err != nil || n < 0 {
		return ""
	}
	if a, err := netip.ParseAddr(addr); err == nil {
		if n > a.BitLen() {
			return netip.PrefixFrom(a, a.BitLen()).String()
		}
		return ""
	}
	parts := strings.Split(addr, ".")
	if len(parts) >= 4 || strings.Contains(addr, ":") {
		return ""
	}
	for len(parts) < 4 {
		parts = append(parts, "0")
	}
	a, err := netip.ParseAddr(strings.Join(parts, "."))
	if err != nil || n > 32 {
		return ""
	}
	return netip.PrefixFrom(a, n).String()
}

// Quote quotes a value from a user's file for an error message, cut to 64
// bytes with a visible marker so a huge value cannot flood the terminal.
func Quote(s string) string {
	const keep = 64
	if len(s) <= keep {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:keep]) + fmt.Sprintf("...(+%d bytes)", len(s)-keep)
}

// PortTransports are the transports a PROTO/PORT target or port may name
// (allowlists and rules).
var PortTransports = []string{"tcp", "udp", "sctp"}

const targetForms = "want tcp/PORT, udp/PORT, sctp/PORT, IP:PORT, [IPv6]:PORT, IP, CIDR or *"

func (r *allowRule) parseTarget(s string) error {
	if s == "*" {
		r.target = targetAny
		return nil
	}
	if proto, port, ok := strings.Cut(s, "/"); ok && slices.Contains(PortTransports, proto) {
		p, err := parsePort(port)
		if err != nil {
			return fmt.Errorf("bad target %s: %w", Quote(s), err)
		}
		r.target, r.proto, r.port = targetProtoPort, proto, p
		return nil
	} else if sug := Suggest(proto, PortTransports); ok && sug != "" {
		return fmt.Errorf("bad target %s: unknown transport %s (did you mean %s?)", Quote(s), Quote(proto), Quote(sug+"/"+port))
	}
	if strings.Contains(s, "/") {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			if sug := SuggestPrefix(s); sug != "" {
				return fmt.Errorf("bad target %s (did you mean %q?)", Quote(s), sug)
			}
			return fmt.Errorf("bad target %s: %s", Quote(s), targetForms)
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
		return fmt.Errorf("bad target %s: %s", Quote(s), targetForms)
	}
	host, port := s[:i], s[i+1:]
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
		if !strings.Contains(host, ":") {
			return fmt.Errorf("bad target %s: brackets are for IPv6 addresses", Quote(s))
		}
	} else if strings.Contains(host, ":") {
		return fmt.Errorf("bad target %s: write an IPv6 address with a port as [IPv6]:PORT", Quote(s))
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("bad target %s: %s", Quote(s), targetForms)
	}
	p, err := parsePort(port)
	if err != nil {
		return fmt.Errorf("bad target %s: %w", Quote(s), err)
	}
	r.target, r.addr, r.port = targetAddrPort, addr.Unmap().WithZone(""), p
	return nil
}

// parsePort rejects port 0: no finding has it, so a rule with it is a typo.
func parsePort(s string) (uint16, error) {
	p, err := strconv.ParseUint(s, 10, 16)
	if err != nil || p == 0 {
		return 0, fmt.Errorf("bad port %s (want 1-65535)", Quote(s))
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
