package rules

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/report"
)

// DefaultMaxViolations is how many violations a rule lists by default
// before "… and N more": enough to see the pattern in a CI log, few enough
// that one forbid matching every flow does not bury the other rules.
const DefaultMaxViolations = 10

// Allowlist returns the allow rules as a *report.Allowlist (nil if none), to suppress findings everywhere.
func Allowlist(rs []*Rule) *report.Allowlist {
	var b strings.Builder
	for _, r := range rs {
		if r.Kind == "allow" && r.spec.allow != "" {
			b.WriteString(r.spec.allow)
			b.WriteByte('\n')
		}
	}
	if b.Len() == 0 {
		return nil
	}
	a, err := report.ParseAllowlist(strings.NewReader(b.String()), "rules")
	if err != nil {
		return nil // unreachable: Parse checked every line with the same parser
	}
	return a
}

// evalState is one capture being checked; findings are computed once per
// record, and only for rules that ask about them.
type evalState struct {
	recs     []flow.Record
	order    []int // record indices by flow ID
	allow    *report.Allowlist
	own      *report.Allowlist // the rules file's allow rules
	findings [][]report.Finding
	done     []bool
}

// Check evaluates every non-allow rule over one capture's records and
// returns one Outcome per rule, in file order. Findings are filtered by
// allow and by the rules file's own allow rules. Each rule lists at most
// maxViolations violations and then one that counts the rest (0: all).
func Check(rs []*Rule, capture string, recs []flow.Record, allow *report.Allowlist, maxViolations int) []Outcome {
	ev := &evalState{
		recs: recs, allow: allow, own: Allowlist(rs),
		findings: make([][]report.Finding, len(recs)), done: make([]bool, len(recs)),
	}
	ev.order = make([]int, len(recs))
	for i := range ev.order {
		ev.order[i] = i
	}
	// Stable, so equal IDs (several captures merged) keep input order.
	slices.SortStableFunc(ev.order, func(a, b int) int {
		return cmp.Compare(recs[a].ID, recs[b].ID)
	})
	var out []Outcome
	for _, ru := range rs {
		if ru.Kind == "allow" {
			continue
		}
		o := Outcome{Rule: ru, Capture: capture}
		switch ru.Kind {
		case "expect":
			o.Violations = ev.expect(ru)
		case "forbid":
			o.Violations = ev.forbid(ru)
		case "limit":
			o.Violations = ev.limit(ru)
		case "only":
			o.Violations = ev.only(ru)
		}
		o.Violations = evalCap(o.Violations, maxViolations)
		o.Passed = len(o.Violations) == 0
		out = append(out, o)
	}
	return out
}

// evalCap keeps the first max violations and counts the rest in one more.
func evalCap(vs []Violation, max int) []Violation {
	if max <= 0 || len(vs) <= max {
		return vs
	}
	more := len(vs) - max
	return append(vs[:max:max], Violation{Message: fmt.Sprintf("… and %d more", more), More: more})
}

// kept returns record i's findings that neither allowlist suppresses.
func (ev *evalState) kept(i int) []report.Finding {
	if ev.done[i] {
		return ev.findings[i]
	}
	r := &ev.recs[i]
	fs, _ := ev.allow.Filter(r)
	var out []report.Finding
	for j := range fs {
		if !ev.own.Allowed(r, &fs[j]) {
			out = append(out, fs[j])
		}
	}
	ev.findings[i], ev.done[i] = out, true
	return out
}

// evalHit is a record a rule matched, with the finding that made it match.
type evalHit struct {
	idx     int
	finding *report.Finding
}

// matching returns the records m selects, by flow ID.
func (ev *evalState) matching(m *evalMatch) []evalHit {
	var hits []evalHit
	for _, i := range ev.order {
		if ok, f := ev.matches(m, i); ok {
			hits = append(hits, evalHit{i, f})
		}
	}
	return hits
}

// distinct drops records that continue a matched record (an active
// timeout split them): one flow counts once.
func (ev *evalState) distinct(hits []evalHit) []evalHit {
	ids := make(map[uint64]bool, len(hits))
	for _, h := range hits {
		ids[ev.recs[h.idx].ID] = true
	}
	out := hits[:0:0]
	for _, h := range hits {
		if c := ev.recs[h.idx].Continues; c != 0 && ids[c] {
			continue
		}
		out = append(out, h)
	}
	return out
}

func (ev *evalState) matches(m *evalMatch, i int) (bool, *report.Finding) {
	r := &ev.recs[i]
	if len(m.protos) > 0 && !slices.Contains(m.protos, r.Proto) {
		return false, nil
	}
	if len(m.services) > 0 && !slices.Contains(m.services, r.Service) {
		return false, nil
	}
	cip, sip := r.Client.IP.Unmap().WithZone(""), r.Server.IP.Unmap().WithZone("")
	if len(m.clients) > 0 && !evalInAny(m.clients, cip) {
		return false, nil
	}
	if len(m.servers) > 0 && !evalInAny(m.servers, sip) {
		return false, nil
	}
	if len(m.serverNotIn) > 0 && (!sip.IsValid() || evalInAny(m.serverNotIn, sip)) {
		return false, nil
	}
	if len(m.ports) > 0 && !slices.ContainsFunc(m.ports, func(p evalPort) bool {
		return p.port == r.Server.Port && (p.proto == "" || p.proto == r.Proto)
	}) {
		return false, nil
	}
	if len(m.names) > 0 {
		name := strings.ToLower(strings.TrimSuffix(r.ServerName, "."))
		if name == "" || !slices.ContainsFunc(m.names, func(g string) bool { return evalGlob(g, name) }) {
			return false, nil
		}
	}
	if len(m.tlsVersions) > 0 || m.tlsBelow != 0 {
		if r.TLS == nil || r.TLS.Version == "" {
			return false, nil
		}
		if len(m.tlsVersions) > 0 && !slices.Contains(m.tlsVersions, r.TLS.Version) {
			return false, nil
		}
		// Unknown versions (GREASE, "0x...") rank 0 and are not judged.
		if rank := evalTLSRank(r.TLS.Version); m.tlsBelow != 0 && (rank == 0 || rank >= m.tlsBelow) {
			return false, nil
		}
	}
	if len(m.findings) > 0 {
		fs := ev.kept(i)
		for j := range fs {
			if slices.Contains(m.findings, fs[j].Kind) {
				return true, &fs[j]
			}
		}
		return false, nil
	}
	return true, nil
}

func evalInAny(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// evalGlob matches name against a pattern where "*" stands for any run of
// characters (dots included, so "*.example" covers every subdomain).
func evalGlob(pattern, name string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == name
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(name, p)
		if i < 0 {
			return false
		}
		name = name[i+len(p):]
	}
	return len(name) >= len(last) && strings.HasSuffix(name, last)
}

// evalTLSRank orders protocol versions by strength (DTLS by the TLS
// version it derives from); 0 for names it does not know.
func evalTLSRank(v string) int {
	switch {
	case v == "SSL 2.0":
		return 1
	case v == "SSL 3.0":
		return 2
	case v == "TLS 1.0":
		return 3
	case v == "TLS 1.1", v == "DTLS 1.0":
		return 4
	case v == "TLS 1.2", v == "DTLS 1.2":
		return 5
	case v == "TLS 1.3", v == "DTLS 1.3", strings.HasPrefix(v, "TLS 1.3 draft"):
		return 6
	}
	return 0
}

func (ev *evalState) expect(ru *Rule) []Violation {
	sp := &ru.spec
	hits := ev.distinct(ev.matching(&sp.match))
	n := uint64(len(hits))
	switch {
	case n < sp.min:
		v := Violation{Message: fmt.Sprintf("expected at least %d %s matching %s, found %d",
			sp.min, evalPlural(sp.min, "flow"), sp.desc, n)}
		v.FlowIDs = ev.ids(hits)
		if n > 0 {
			v.Message += ": " + ev.flowList(hits)
		}
		return []Violation{v}
	case sp.hasMax && n > sp.max:
		return []Violation{{
			Message: fmt.Sprintf("expected at most %d %s matching %s, found %d: %s",
				sp.max, evalPlural(sp.max, "flow"), sp.desc, n, ev.flowList(hits)),
			FlowIDs: ev.ids(hits),
		}}
	}
	return nil
}

func (ev *evalState) forbid(ru *Rule) []Violation {
	m := &ru.spec.match
	var vs []Violation
	for _, h := range ev.distinct(ev.matching(m)) {
		r := &ev.recs[h.idx]
		v := Violation{FlowIDs: []uint64{r.ID}, Evidence: evalEvidence(m, r, h.finding)}
		switch {
		case h.finding != nil:
			v.Message = fmt.Sprintf("%s: %s: %s", evalFlow(r), h.finding.Kind, h.finding.Reason)
		case m.tlsBelow != 0:
			v.Message = fmt.Sprintf("%s: negotiated %s, below %s", evalFlow(r), r.TLS.Version, m.tlsBelowStr)
		case len(m.serverNotIn) > 0:
			v.Message = fmt.Sprintf("%s: server %s is outside %s", evalFlow(r),
				r.Server.IP.Unmap().WithZone(""), evalPrefixes(m.serverNotIn))
		default:
			v.Message = fmt.Sprintf("%s: matches forbidden %s", evalFlow(r), ru.spec.desc)
		}
		vs = append(vs, v)
	}
	return vs
}

// only reports every flow that matches none of the rule's selectors.
func (ev *evalState) only(ru *Rule) []Violation {
	var hits []evalHit
	for _, i := range ev.order {
		listed := false
		for j := range ru.spec.only {
			if ok, _ := ev.matches(&ru.spec.only[j], i); ok {
				listed = true
				break
			}
		}
		if !listed {
			hits = append(hits, evalHit{idx: i})
		}
	}
	var vs []Violation
	for _, h := range ev.distinct(hits) {
		r := &ev.recs[h.idx]
		vs = append(vs, Violation{FlowIDs: []uint64{r.ID}, Message: fmt.Sprintf("%s: not among the listed flows", evalFlow(r)),
			Evidence: evalReadable(r)})
	}
	return vs
}

// evalEvidence picks what best shows why a flow matched: its TLS version
// when the rule asked for one, the field a reader recognises the flow by
// (evalReadable), else the finding's or the service's deciding bytes.
func evalEvidence(m *evalMatch, r *flow.Record, f *report.Finding) string {
	readable := evalReadable(r)
	switch {
	case (len(m.tlsVersions) > 0 || m.tlsBelow != 0) && r.TLS != nil:
		return strings.TrimSpace(r.TLS.Version + " " + readable)
	case readable != "":
		return readable
	case f != nil:
		return f.Evidence // escaped by report.Findings
	case r.Service != "":
		return report.Escape(r.Evidence)
	}
	return ""
}

// evalReadable names a flow by the first field it has of: the TLS SNI, the
// HTTP Host, the server's (else the client's) SSH banner, the DNS question,
// the name DNS gave its server; "" when none. A CI log then says
// "sni=api.example.com" where the deciding bytes would read "\x16\x03\x01…".
func evalReadable(r *flow.Record) string {
	switch {
	case r.TLS != nil && r.TLS.SNI != "":
		return "sni=" + report.Escape(r.TLS.SNI)
	case r.HTTP != nil && r.HTTP.Host != "":
		return "host=" + report.Escape(r.HTTP.Host)
	case r.SSH != nil && r.SSH.Server.Ident != "":
		return "ssh=" + report.Escape(r.SSH.Server.Ident)
	case r.SSH != nil && r.SSH.Client.Ident != "":
		return "ssh=" + report.Escape(r.SSH.Client.Ident)
	case r.DNS != nil && r.DNS.Query != "":
		return "dns=" + report.Escape(r.DNS.Query)
	case r.ServerName != "":
		return "name=" + report.Escape(r.ServerName)
	}
	return ""
}

func (ev *evalState) limit(ru *Rule) []Violation {
	sp := &ru.spec
	all := ev.matching(&sp.match)
	var vs []Violation
	if sp.hasBytes {
		// Every record counts: split flows' records carry disjoint bytes.
		var total uint64
		largest := -1
		for _, h := range all {
			b := evalBytes(&ev.recs[h.idx])
			total += b
			if largest < 0 || b > evalBytes(&ev.recs[largest]) {
				largest = h.idx
			}
		}
		if total > sp.bytes {
			r := &ev.recs[largest]
			vs = append(vs, Violation{Message: fmt.Sprintf(
				"%d IP bytes in %s matching %s, over the limit of %s (%d bytes); largest: %s, %d bytes",
				total, evalCount(uint64(len(ev.distinct(all))), "flow"), sp.desc, sp.bytesText, sp.bytes,
				evalFlow(r), evalBytes(r))})
		}
	}
	if sp.hasFlows {
		if n := uint64(len(ev.distinct(all))); n > sp.flows {
			vs = append(vs, Violation{Message: fmt.Sprintf("%s matching %s, over the limit of %d",
				evalCount(n, "flow"), sp.desc, sp.flows)})
		}
	}
	pf := &sp.perFlow
	if pf.hasDuration || pf.hasPackets || pf.hasBytes {
		// Per record: an active timeout's split keeps each record bounded
		// by it, so a duration limit above that timeout cannot fire.
		for _, h := range all {
			r := &ev.recs[h.idx]
			var over []string
			if d := r.Duration(); pf.hasDuration && d > pf.duration {
				over = append(over, fmt.Sprintf("lasted %s, over %s", d.Round(time.Millisecond), pf.duration))
			}
			if p := r.Client.Packets + r.Server.Packets; pf.hasPackets && p > pf.packets {
				over = append(over, fmt.Sprintf("%d packets, over %d", p, pf.packets))
			}
			if b := evalBytes(r); pf.hasBytes && b > pf.bytes {
				over = append(over, fmt.Sprintf("%d IP bytes, over %d", b, pf.bytes))
			}
			if len(over) > 0 {
				vs = append(vs, Violation{
					Message: evalFlow(r) + ": " + strings.Join(over, "; "),
					FlowIDs: []uint64{r.ID},
				})
			}
		}
	}
	return vs
}

func evalBytes(r *flow.Record) uint64 { return r.Client.Bytes + r.Server.Bytes }

func (ev *evalState) ids(hits []evalHit) []uint64 {
	if len(hits) == 0 {
		return nil
	}
	out := make([]uint64, len(hits))
	for i, h := range hits {
		out[i] = ev.recs[h.idx].ID
	}
	return out
}

// flowList names up to a few flows, for count violations.
func (ev *evalState) flowList(hits []evalHit) string {
	const show = 5
	parts := make([]string, 0, show+1)
	for i, h := range hits {
		if i == show {
			parts = append(parts, fmt.Sprintf("and %d more", len(hits)-show))
			break
		}
		parts = append(parts, evalFlow(&ev.recs[h.idx]))
	}
	return strings.Join(parts, ", ")
}

// evalFlow names a flow: "flow 3 10.0.0.1:51000 → 10.0.0.2:8000 (tcp ssh)".
func evalFlow(r *flow.Record) string {
	what := r.Proto
	if r.Service != "" {
		what += " " + r.Service
	}
	return fmt.Sprintf("flow %d %s → %s (%s)", r.ID, evalEndpoint(r.Client), evalEndpoint(r.Server), what)
}

func evalEndpoint(s flow.Side) string {
	ip := s.IP.Unmap()
	if s.Port == 0 {
		return ip.String()
	}
	return netip.AddrPortFrom(ip, s.Port).String()
}

func evalPrefixes(ps []netip.Prefix) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		if p.Bits() == p.Addr().BitLen() {
			parts[i] = p.Addr().String()
		} else {
			parts[i] = p.String()
		}
	}
	return strings.Join(parts, ", ")
}

func evalPlural(n uint64, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func evalCount(n uint64, word string) string {
	return strconv.FormatUint(n, 10) + " " + evalPlural(n, word)
}
