package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/internal/bytesize"
	"github.com/flowscope/flowscope/report"
)

// ServiceNone is the service a selector names to match the flows on which no
// service was recognised ("service: none", alone or in a list).
const ServiceNone = "none"

// Field names, per context; the order is the one suggestions and errors list.
var (
	parseRuleKeys    = []string{"expect", "forbid", "limit", "allow", "only", "name"}
	parseMatchKeys   = []string{"proto", "service", "client", "server", "port", "sni", "server_name", "finding", "tls_version", "tls_below", "server_not_in"}
	parseExpectKeys  = []string{"min", "max"}
	parseLimitKeys   = []string{"bytes", "flows", "per_flow"}
	parsePerFlowKeys = []string{"duration", "packets", "bytes"}
)

// parseState collects the errors of a file, so one run shows them (the
// first parseMaxErrors; the rest are counted).
type parseState struct {
	file  string // escaped, for messages
	raw   string // as given, for the rules
	errs  []error
	nerrs int // errors found, listed or not
}

func (p *parseState) errf(n *yaml.Node, format string, args ...any) {
	p.nerrs++
	if len(p.errs) < parseMaxErrors { // the rest are only counted
		p.errs = append(p.errs, fmt.Errorf("%s:%d:%d: %s", p.file, n.Line, n.Column, fmt.Sprintf(format, args...)))
	}
}

// Parse reads a YAML rules file ("rules:" list); errors start with
// "name:line:column:" (YAML syntax errors: "name:line:", as yaml.v3 gives
// them). The file is held to ParseMaxBytes, ParseMaxDepth and
// ParseMaxAliased before anything else reads it.
func Parse(r io.Reader, name string) ([]*Rule, error) {
	// Messages name the file escaped; the rules keep it raw, for the
	// writers to escape in theirs.
	raw, name := name, report.Escape(name)
	src, err := io.ReadAll(io.LimitReader(r, ParseMaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(src) > ParseMaxBytes {
		line, col := parsePos(src, ParseMaxBytes)
		return nil, fmt.Errorf("%s:%d:%d: rules file is larger than %d bytes", name, line, col, ParseMaxBytes)
	}
	if off := parsePrescan(src); off >= 0 {
		line, col := parsePos(src, off)
		return nil, fmt.Errorf("%s:%d:%d: nested deeper than %d levels", name, line, col, ParseMaxDepth)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty rules file (want a \"rules:\" list)", name)
		}
		return nil, parseYAMLError(src, name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("%s:%d:%d: a second YAML document; a rules file has one", name, extra.Line, extra.Column)
	} else if !errors.Is(err, io.EOF) {
		return nil, parseYAMLError(src, name, err)
	}
	p := &parseState{file: name, raw: raw}
	lim := parseLimits{p: p, path: map[*yaml.Node]bool{}}
	if !lim.walk(&doc, 0, false) {
		return nil, p.err()
	}
	root := parseResolve(&doc)
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = parseResolve(root.Content[0])
	}
	if root.Kind != yaml.MappingNode {
		p.errf(root, "want a mapping with a \"rules:\" list")
		return nil, p.err()
	}
	var list *yaml.Node
	p.fields(root, []string{"rules"}, func(k, v *yaml.Node) { list = v })
	if list == nil && p.nerrs == 0 {
		p.errf(root, "missing \"rules:\" list")
	}
	var rules []*Rule
	if list != nil {
		if list.Kind != yaml.SequenceNode {
			p.errf(list, "\"rules\" must be a list")
		} else {
			for _, item := range list.Content {
				if ru := p.rule(parseResolve(item)); ru != nil {
					rules = append(rules, ru)
				}
			}
		}
	}
	if p.nerrs > 0 {
		return nil, p.err()
	}
	return rules, nil
}

// err joins the errors, the first parseMaxErrors of them and a count of the rest.
func (p *parseState) err() error {
	if p.nerrs <= len(p.errs) {
		return errors.Join(p.errs...)
	}
	more := fmt.Errorf("%s: ... and %d more errors", p.file, p.nerrs-len(p.errs))
	return errors.Join(append(p.errs[:len(p.errs):len(p.errs)], more)...)
}

// parseYAMLError turns yaml.v3's "yaml: line N: msg" into "file:N: msg".
func parseYAMLError(src []byte, name string, err error) error {
	msg := err.Error()
	if located, ok := parseLocate(src, name, msg); ok {
		return errors.New(located)
	}
	if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if _, err := strconv.Atoi(num); err == nil {
				return fmt.Errorf("%s:%s: %s", name, num, tail)
			}
		}
	}
	return fmt.Errorf("%s: %s", name, strings.TrimPrefix(msg, "yaml: "))
}

// parseResolve follows YAML aliases (&anchor / *anchor) to their node.
func parseResolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// fields calls f for each key of mapping n in file order, rejecting
// unknown and repeated keys.
func (p *parseState) fields(n *yaml.Node, known []string, f func(k, v *yaml.Node)) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], parseResolve(n.Content[i+1])
		switch {
		case !parseContains(known, k.Value):
			msg := "unknown field " + report.Quote(k.Value)
			if s := report.Suggest(k.Value, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (want one of " + strings.Join(known, ", ") + ")"
			}
			p.errf(k, "%s", msg)
		case seen[k.Value]:
			p.errf(k, "duplicate field %s", report.Quote(k.Value))
		default:
			seen[k.Value] = true
			f(k, v)
		}
	}
}

func parseContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// rule parses one list item: exactly one of expect/forbid/limit/allow, and an optional name.
func (p *parseState) rule(n *yaml.Node) *Rule {
	if n.Kind != yaml.MappingNode {
		p.errf(n, "a rule must be a mapping with one of expect, forbid, limit or allow")
		return nil
	}
	ru := &Rule{File: p.raw, Line: n.Line, Column: n.Column}
	nerr := p.nerrs
	var body *yaml.Node
	p.fields(n, parseRuleKeys, func(k, v *yaml.Node) {
		if k.Value == "name" {
			if s, ok := p.scalar(v); ok {
				ru.Name = s
			}
			return
		}
		if ru.Kind != "" {
			p.errf(k, "rule has both %s and %s; write them as separate rules", ru.Kind, k.Value)
			return
		}
		ru.Kind, body = k.Value, v
	})
	if ru.Kind == "" {
		if p.nerrs == nerr {
			p.errf(n, "rule needs one of expect, forbid, limit or allow")
		}
		return nil
	}
	switch ru.Kind {
	case "allow":
		p.allow(ru, body)
	case "only":
		p.only(ru, body)
	case "expect", "forbid", "limit":
		p.body(ru, body)
	}
	if p.nerrs > nerr {
		return nil
	}
	if ru.Name == "" {
		// Without the kind: reports print "kind name" (forbid finding=…).
		switch ru.Kind {
		case "allow":
			ru.Name = ru.spec.allow
		case "only":
			ru.Name = fmt.Sprintf("the %d listed kinds of flow", len(ru.spec.only))
		default:
			ru.Name = parseDescribe(body, "")
		}
	}
	return ru
}

// allow checks the line with the allowlist parser itself, so both accept the same lines.
func (p *parseState) allow(ru *Rule, v *yaml.Node) {
	s, ok := p.scalar(v)
	if !ok {
		return
	}
	if strings.ContainsAny(s, "\r\n") {
		p.errf(v, "allow rule must be one line")
		return
	}
	line, _, _ := strings.Cut(s, "#")
	if len(strings.Fields(line)) == 0 {
		p.errf(v, "empty allow rule (want SERVICE TARGET [KIND])")
		return
	}
	if _, err := report.ParseAllowlist(strings.NewReader(s), p.file); err != nil {
		if inner := errors.Unwrap(err); inner != nil {
			err = inner // drop the allowlist's own "file:line:" prefix
		}
		p.errf(v, "%v", err)
		return
	}
	ru.spec.allow = strings.Join(strings.Fields(line), " ")
}

// only parses a list of flow selectors: every flow must match one of them
// (what a baseline writes).
func (p *parseState) only(ru *Rule, v *yaml.Node) {
	if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		p.errf(v, "only wants a non-empty list of selectors, like [{server: 10.0.0.1, port: tcp/443}]")
		return
	}
	for _, item := range v.Content {
		if item.Kind != yaml.MappingNode || len(item.Content) == 0 {
			p.errf(item, "each only entry is a mapping of fields, like {service: dns}")
			continue
		}
		var m evalMatch
		p.fields(item, parseMatchKeys, func(k, val *yaml.Node) { p.matchField(&m, k.Value, val) })
		ru.spec.only = append(ru.spec.only, m)
	}
}

// body parses an expect, forbid or limit mapping.
func (p *parseState) body(ru *Rule, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.errf(n, "%s wants a mapping of fields, like {service: dns}", ru.Kind)
		return
	}
	known := parseMatchKeys
	switch ru.Kind {
	case "expect":
		known = append(append([]string{}, parseMatchKeys...), parseExpectKeys...)
	case "limit":
		known = append(append([]string{}, parseMatchKeys...), parseLimitKeys...)
	}
	sp := &ru.spec
	sp.min = 1
	var minNode *yaml.Node
	var matchDesc []string
	hasLimit := false // a bad bound has its own error; do not add another
	p.fields(n, known, func(k, v *yaml.Node) {
		switch k.Value {
		case "min":
			sp.min, _ = p.count(v)
			minNode = v
		case "max":
			sp.max, sp.hasMax = p.count(v)
		case "bytes":
			hasLimit = true
			if s, ok := p.scalar(v); ok {
				if b, err := parseSize(s); err != nil {
					p.errf(v, "bad bytes %s: %v", report.Quote(s), err)
				} else {
					sp.bytes, sp.hasBytes, sp.bytesText = b, true, s
				}
			}
		case "flows":
			hasLimit = true
			sp.flows, sp.hasFlows = p.count(v)
		case "per_flow":
			hasLimit = true
			p.perFlow(&sp.perFlow, v)
		default:
			matchDesc = append(matchDesc, k.Value+"="+report.Escape(parseDescribe(v, ""))) // for messages: no raw control bytes
			p.matchField(&sp.match, k.Value, v)
		}
	})
	hasMatch := len(matchDesc) > 0
	sp.desc = strings.Join(matchDesc, " ")
	if !hasMatch {
		sp.desc = "any flow"
	}
	switch ru.Kind {
	case "forbid":
		if !hasMatch {
			p.errf(n, "forbid needs at least one of %s", strings.Join(parseMatchKeys, ", "))
		}
	case "expect":
		if sp.hasMax && sp.max < sp.min {
			at := n
			if minNode != nil {
				at = minNode
			}
			p.errf(at, "max %d is below min %d (min defaults to 1)", sp.max, sp.min)
		}
	case "limit":
		if !hasLimit {
			p.errf(n, "limit needs bytes, flows or per_flow")
		}
	}
}

func (p *parseState) perFlow(pf *evalPerFlow, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.errf(n, "per_flow wants a mapping, like {duration: 30s, packets: 10000, bytes: 1MB}")
		return
	}
	p.fields(n, parsePerFlowKeys, func(k, v *yaml.Node) {
		s, ok := p.scalar(v)
		if !ok {
			return
		}
		switch k.Value {
		case "duration":
			d, err := time.ParseDuration(s)
			if err != nil || d < 0 {
				p.errf(v, "bad duration %s (want a duration like 30s, 5m or 1h30m)", report.Quote(s))
				return
			}
			pf.duration, pf.hasDuration = d, true
		case "packets":
			pf.packets, pf.hasPackets = p.count(v)
		case "bytes":
			b, err := parseSize(s)
			if err != nil {
				p.errf(v, "bad bytes %s: %v", report.Quote(s), err)
				return
			}
			pf.bytes, pf.hasBytes = b, true
		}
	})
	if !pf.hasDuration && !pf.hasPackets && !pf.hasBytes && len(n.Content) == 0 {
		p.errf(n, "per_flow needs duration, packets or bytes")
	}
}

// matchField parses one flow selector field into m.
func (p *parseState) matchField(m *evalMatch, key string, v *yaml.Node) {
	if key == "tls_below" {
		s, ok := p.scalar(v)
		if !ok {
			return
		}
		name := parseTLSName(s)
		rank := evalTLSRank(name)
		if rank == 0 {
			p.errf(v, "unknown TLS version %s (want 1.0, 1.1, 1.2, 1.3 or SSL 3.0)", report.Quote(s))
			return
		}
		m.tlsBelow, m.tlsBelowStr = rank, name
		return
	}
	vals := p.list(v)
	if vals == nil {
		return
	}
	for _, e := range vals {
		s := e.Value
		switch key {
		case "proto":
			if err := parseProto(strings.ToLower(s)); err != nil {
				p.errf(e, "%v", err)
				continue
			}
			m.protos = append(m.protos, strings.ToLower(s))
		case "service":
			if strings.EqualFold(s, ServiceNone) {
				// No detector is named "none": it selects the flows no
				// detector recognised (an empty service), so that a rule,
				// or a baseline, can pin "no service" on a server and port.
				m.services = append(m.services, "")
				continue
			}
			if err := report.CheckService(strings.ToLower(s), ServiceNone); err != nil {
				p.errf(e, "%v", err)
				continue
			}
			m.services = append(m.services, strings.ToLower(s))
		case "client", "server", "server_not_in":
			pfx, err := parsePrefix(s)
			if err != nil {
				hint := "want an IP address or CIDR"
				if sug := report.SuggestPrefix(s); sug != "" {
					hint = fmt.Sprintf("did you mean %q?", sug)
				} else if key == "server" && parseLooksLikeName(s) {
					hint += "; match server names with sni or server_name"
				}
				p.errf(e, "bad %s %s (%s)", key, report.Quote(s), hint)
				continue
			}
			switch key {
			case "client":
				m.clients = append(m.clients, pfx)
			case "server":
				m.servers = append(m.servers, pfx)
			default:
				m.serverNotIn = append(m.serverNotIn, pfx)
			}
		case "port":
			pt, err := parsePortSpec(s)
			if err != nil {
				p.errf(e, "%v", err)
				continue
			}
			m.ports = append(m.ports, pt)
		case "sni", "server_name":
			if s == "" {
				p.errf(e, "empty %s", key)
				continue
			}
			m.names = append(m.names, strings.ToLower(strings.TrimSuffix(s, ".")))
		case "finding":
			if err := report.CheckKind(s); err != nil {
				p.errf(e, "%v", err)
				continue
			}
			m.findings = append(m.findings, s)
		case "tls_version":
			name := parseTLSName(s)
			if evalTLSRank(name) == 0 {
				p.errf(e, "unknown TLS version %s (want 1.0, 1.1, 1.2, 1.3 or SSL 3.0)", report.Quote(s))
				continue
			}
			m.tlsVersions = append(m.tlsVersions, name)
		}
	}
}

// scalar returns v's text; null (an empty value) is an error.
func (p *parseState) scalar(v *yaml.Node) (string, bool) {
	if v.Kind != yaml.ScalarNode {
		p.errf(v, "want a single value, not a %s", parseKindName(v))
		return "", false
	}
	if v.Tag == "!!null" {
		p.errf(v, "missing value")
		return "", false
	}
	return v.Value, true
}

// list accepts one value or a list of them; nil after an error.
func (p *parseState) list(v *yaml.Node) []*yaml.Node {
	if v.Kind == yaml.ScalarNode {
		if _, ok := p.scalar(v); !ok {
			return nil
		}
		return []*yaml.Node{v}
	}
	if v.Kind != yaml.SequenceNode {
		p.errf(v, "want a value or a list of values, not a %s", parseKindName(v))
		return nil
	}
	if len(v.Content) == 0 {
		p.errf(v, "empty list")
		return nil
	}
	out := make([]*yaml.Node, 0, len(v.Content))
	for _, e := range v.Content {
		e = parseResolve(e)
		if _, ok := p.scalar(e); !ok {
			return nil
		}
		out = append(out, e)
	}
	return out
}

func (p *parseState) count(v *yaml.Node) (uint64, bool) {
	s, ok := p.scalar(v)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		p.errf(v, "bad count %s (want a whole number >= 0)", report.Quote(s))
		return 0, false
	}
	return n, true
}

func parseKindName(v *yaml.Node) string {
	switch v.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "value"
}

// parseProtos are the names flows carry in proto ("tcp", "gre", "ip-253"):
// what flow.ProtoName gives for each IP protocol number.
var parseProtos = func() []string {
	out := make([]string, 256)
	for i := range out {
		out[i] = flow.ProtoName(uint8(i))
	}
	return out
}()

// parseProto accepts a proto a flow can have, suggesting one for a typo.
func parseProto(s string) error {
	if slices.Contains(parseProtos, s) {
		return nil
	}
	named := slices.DeleteFunc(slices.Clone(parseProtos), func(n string) bool { return strings.HasPrefix(n, "ip-") })
	if sug := report.Suggest(s, named); sug != "" {
		return fmt.Errorf("unknown proto %s (did you mean %q?)", report.Quote(s), sug)
	}
	return fmt.Errorf("unknown proto %s (want %s or ip-N, N from 0 to 255)", report.Quote(s), strings.Join(named, ", "))
}

// parseLooksLikeName tells a host name written where an address belongs.
func parseLooksLikeName(s string) bool {
	return strings.Contains(s, ".") && strings.IndexFunc(s, func(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' }) >= 0 && !strings.Contains(s, ":")
}

// parsePrefix reads an IP (as a single-address prefix) or a CIDR.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if pfx.Addr().Is4In6() {
			pfx = netip.PrefixFrom(pfx.Addr().Unmap(), max(pfx.Bits()-96, 0))
		}
		return pfx.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// parsePortSpec reads "tcp/443" or a bare port (any transport).
func parsePortSpec(s string) (evalPort, error) {
	proto, num, ok := strings.Cut(s, "/")
	if !ok {
		proto, num = "", s
	} else if !slices.Contains(report.PortTransports, proto) {
		if sug := report.Suggest(proto, report.PortTransports); sug != "" {
			return evalPort{}, fmt.Errorf("bad port %s (did you mean %s?)", report.Quote(s), report.Quote(sug+"/"+num))
		}
		return evalPort{}, fmt.Errorf("bad port %s (want tcp/PORT, udp/PORT, sctp/PORT or PORT)", report.Quote(s))
	}
	n, err := strconv.ParseUint(num, 10, 16)
	if err != nil || n == 0 {
		return evalPort{}, fmt.Errorf("bad port %s (want 1-65535)", report.Quote(s))
	}
	return evalPort{proto: proto, port: uint16(n)}, nil
}

// parseTLSName normalises "1.2", "tls1.2", "TLSv1.2" to flow's "TLS 1.2".
func parseTLSName(s string) string {
	t := strings.ToUpper(strings.TrimSpace(s))
	for _, pre := range []string{"DTLS", "TLS", "SSL"} {
		if rest, ok := strings.CutPrefix(t, pre); ok {
			rest = strings.TrimPrefix(strings.TrimSpace(rest), "V")
			return pre + " " + rest
		}
	}
	return "TLS " + t
}

// parseSize reads a byte count: a number with an optional B, KB, MB, GB,
// TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024) suffix.
func parseSize(s string) (uint64, error) {
	n, unit, err := bytesize.Parse(s)
	if errors.Is(err, bytesize.ErrUnit) {
		lower := make([]string, len(bytesize.Units))
		for i, u := range bytesize.Units {
			lower[i] = strings.ToLower(u)
		}
		if sug := report.Suggest(strings.ToLower(unit), lower); sug != "" {
			return 0, fmt.Errorf("unknown unit %s (did you mean %q?)", report.Quote(unit), bytesize.Units[slices.Index(lower, sug)])
		}
		return 0, fmt.Errorf("unknown unit %s (want %s)", report.Quote(unit), strings.Join(bytesize.Units, ", "))
	}
	if err != nil {
		return 0, fmt.Errorf("want a size like 1500, 64KB or 10MB: %w", err)
	}
	return uint64(n), nil
}

// parseDescribe renders a rule body as "key=value ..." for default names and messages.
func parseDescribe(n *yaml.Node, prefix string) string {
	n = parseResolve(n)
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value
	case yaml.SequenceNode:
		parts := make([]string, 0, len(n.Content))
		for _, e := range n.Content {
			parts = append(parts, parseDescribe(e, ""))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case yaml.MappingNode:
		var parts []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, parseResolve(n.Content[i+1])
			if v.Kind == yaml.MappingNode {
				if s := parseDescribe(v, prefix+k+"."); s != "" {
					parts = append(parts, s)
				}
				continue
			}
			parts = append(parts, prefix+k+"="+parseDescribe(v, ""))
		}
		return strings.Join(parts, " ")
	}
	return ""
}
