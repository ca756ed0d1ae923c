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

// Checker holds the rules to one capture's records as they stream past,
// in any order but a continuation after the record it continues: per rule
// it keeps counts and the few flows it will list (the smallest ids), and
// the running totals of split flows not yet ended, never the records, so
// that checking a capture of any size takes bounded memory. It is a
// report.Sink: the pipeline writes to it as to any output.
type Checker struct {
	capture string
	rules   []*ruleState
	allow   *report.Allowlist
	own     *report.Allowlist // the rules file's allow rules
	minSev  string            // findings below it do not count ("": all do)
	max     int
	seq     uint64 // records seen, to order equal ids stably

	// The record being added and its findings, computed once, when a rule
	// first asks.
	rec      *flow.Record
	findings []report.Finding
	found    bool

	// chains holds, by the id of its latest record, each flow an active
	// timeout split whose last record so far ended "active": its
	// continuation is still to come. Kept only when a limit needs it
	// (per_flow, or bytes for its largest flow).
	chains map[uint64]*chain
	ch     *chain // the chain of the record being added, its counts in; nil for a whole flow in one record
}

// chain is what per_flow limits judge a split flow by: its running
// totals, from its first record on: about 280 bytes with its map entry
// and name (measured), kept only while one of its records is to come.
type chain struct {
	first          uint64 // the first record's id, the flow's name
	last           uint64 // the latest record's id
	parts          int
	firstSeen      time.Time
	lastSeen       time.Time
	packets, bytes uint64 // both sides, as the limits count them
	name           string // the flow named by its latest record, for a chain whose end never came
	rules          []int  // the per_flow limits (index in Checker.rules) any record so far matched
}

// ruleState is what a rule remembers of the records so far.
type ruleState struct {
	ru *Rule
	// open holds matched records that an active timeout split, until
	// their continuation comes: one flow counts once.
	open map[uint64]bool
	// n counts the flows the rule selected (expect, limit flows) or the
	// violations it found (forbid, only, per_flow).
	n      uint64
	listed []listed // the first by id: violations, or (expect) the flows to name
	// limit bytes: the total and the largest record.
	total   uint64
	largest listed
	largeB  uint64
	// limit per_flow: violations found (listed holds the first).
	perFlowN uint64
	idx      int // in Checker.rules
}

type listed struct {
	id, seq uint64
	v       Violation
}

// NewChecker returns a Checker of rs for one capture; allow is the
// --allow allowlist (the rules file's own allow rules always apply), and
// each rule lists at most maxViolations violations (0: all).
func NewChecker(rs []*Rule, capture string, allow *report.Allowlist, maxViolations int) *Checker {
	c := &Checker{capture: capture, allow: allow, own: Allowlist(rs), max: maxViolations}
	for _, ru := range rs {
		if ru.Kind != "allow" {
			c.rules = append(c.rules, &ruleState{ru: ru, open: map[uint64]bool{}, idx: len(c.rules)})
			if pf := &ru.spec.perFlow; ru.Kind == "limit" && (ru.spec.hasBytes || pf.hasDuration || pf.hasPackets || pf.hasBytes) {
				c.chains = map[uint64]*chain{}
			}
		}
	}
	return c
}

// Check evaluates every non-allow rule over one capture's records and
// returns one Outcome per rule, in file order (NewChecker, fed in id order).
func Check(rs []*Rule, capture string, recs []flow.Record, allow *report.Allowlist, maxViolations int) []Outcome {
	order := make([]int, len(recs))
	for i := range order {
		order[i] = i
	}
	// Stable, so equal IDs (several captures merged) keep input order.
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(recs[a].ID, recs[b].ID) })
	c := NewChecker(rs, capture, allow, maxViolations)
	for _, i := range order {
		c.Add(&recs[i])
	}
	return c.Outcomes()
}

// MinSeverity makes findings below severity ("info", "low", ...) count for
// no rule, as --min-severity hides them from every output.
func (c *Checker) MinSeverity(severity string) { c.minSev = severity }

// Write adds a record (report.Sink).
func (c *Checker) Write(r *flow.Record) error { c.Add(r); return nil }

// Flush does nothing: outcomes come at the end (report.Sink).
func (c *Checker) Flush() error { return nil }

// Close does nothing (report.Sink); Outcomes has the result.
func (c *Checker) Close(*report.Summary) error { return nil }

// Add holds one record to every rule. A continuation must come after the
// record it continues, as it does in the pipeline's order and by id.
func (c *Checker) Add(r *flow.Record) {
	c.seq++
	c.rec, c.findings, c.found = r, nil, false
	c.ch = c.chainOf(r)
	for _, st := range c.rules {
		switch st.ru.Kind {
		case "expect":
			c.expect(st)
		case "forbid":
			c.forbid(st)
		case "limit":
			c.limit(st)
		case "only":
			c.only(st)
		}
	}
	c.rec, c.ch = nil, nil
}

// chainOf adds r to the chain of the flow it is part of and returns it, or
// nil when r is a whole flow (no continuation to come, none continued).
// A record continued (end reason "active") keeps its chain under its own
// id, which its continuation names in Continues; the final record drops
// it. The pipeline's order (and Check's, by id) brings a continuation after
// the record it continues, so at most one chain per flow still open in
// the flow table is kept.
func (c *Checker) chainOf(r *flow.Record) *chain {
	if c.chains == nil {
		return nil
	}
	var ch *chain
	if r.Continues != 0 {
		ch = c.chains[r.Continues]
		delete(c.chains, r.Continues)
	}
	active := r.EndReason == flow.EndActive.String()
	if ch == nil {
		if !active {
			return nil
		}
		// The first record, or (input cut before it) the first we saw.
		ch = &chain{first: r.ID, firstSeen: r.FirstSeen}
	}
	ch.parts++
	ch.last, ch.lastSeen = r.ID, r.LastSeen
	ch.packets += r.Client.Packets + r.Server.Packets
	ch.bytes += evalBytes(r)
	if active {
		ch.name = c.chainName(r, ch)
		if old := c.chains[r.ID]; old != nil {
			c.endChain(old) // ids repeat only across merged captures: judge it, not drop it
		}
		c.chains[r.ID] = ch
	}
	return ch
}

// endChain judges a chain whose final record will not come, as far as it
// was seen, for every limit any of its records matched.
func (c *Checker) endChain(ch *chain) {
	for _, i := range ch.rules {
		c.judgeChain(c.rules[i], ch, ch.name)
	}
}

// chainName names a split flow by its first record's id, from its latest
// record r: "flow 11 … (udp), split by the active timeout into 4 records (11 … 205)".
func (c *Checker) chainName(r *flow.Record, ch *chain) string {
	name := evalFlowID(r, ch.first)
	if ch.parts > 1 {
		name += fmt.Sprintf(", split by the active timeout into %d records (%d … %d)", ch.parts, ch.first, ch.last)
	}
	return name
}

// endChains judges, once, the chains whose final record never came (input
// cut short, or records left out): as far as they were seen, in the order
// of their first ids, so the report does not depend on the map's order.
func (c *Checker) endChains() {
	left := make([]*chain, 0, len(c.chains))
	for _, ch := range c.chains {
		left = append(left, ch)
	}
	clear(c.chains)
	slices.SortFunc(left, func(a, b *chain) int { return cmp.Compare(a.first, b.first) })
	for _, ch := range left {
		c.seq++
		c.endChain(ch)
	}
}

// AddBeacon holds a beacon record (report.BeaconReceiver: a group's
// finding, on the id of its last connection) to the rules that ask about
// findings: a forbid or expect of finding: beacon. It is no flow: no
// count, limit or only sees it.
func (c *Checker) AddBeacon(r *flow.Record) {
	c.seq++
	c.rec, c.findings, c.found = r, nil, false
	for _, st := range c.rules {
		if len(st.ru.spec.match.findings) == 0 {
			continue
		}
		switch st.ru.Kind {
		case "expect":
			c.expect(st)
		case "forbid":
			c.forbid(st)
		}
	}
	c.rec = nil
}

// Outcomes returns one Outcome per rule, in file order.
func (c *Checker) Outcomes() []Outcome {
	if len(c.chains) > 0 {
		c.endChains()
	}
	var out []Outcome
	for _, st := range c.rules {
		o := Outcome{Rule: st.ru, Capture: c.capture}
		switch st.ru.Kind {
		case "expect":
			o.Violations = c.expectResult(st)
		case "limit":
			o.Violations = c.limitResult(st)
		default: // forbid, only
			o.Violations = c.capped(st.listed, st.n)
		}
		o.Passed = len(o.Violations) == 0
		out = append(out, o)
	}
	return out
}

// keep is how many entries a rule's list holds: the violations it shows,
// and for expect at least the 5 flows a count violation names.
func (c *Checker) keep(st *ruleState) int {
	if st.ru.Kind == "expect" {
		return evalShowFlows // a count violation names a few flows, whatever the cap
	}
	if c.max <= 0 {
		return 0 // all
	}
	return c.max
}

// add puts v in the rule's list if the record's id is among the smallest kept.
func (c *Checker) add(st *ruleState, v Violation) { c.addID(st, c.rec.ID, v) }

// addID puts v in the rule's list if id is among the smallest kept.
func (c *Checker) addID(st *ruleState, id uint64, v Violation) {
	e := listed{id: id, seq: c.seq, v: v}
	less := func(a, b listed) int {
		if a.id != b.id {
			return cmp.Compare(a.id, b.id)
		}
		return cmp.Compare(a.seq, b.seq)
	}
	i, _ := slices.BinarySearchFunc(st.listed, e, less)
	keep := c.keep(st)
	if keep > 0 && len(st.listed) >= keep {
		if i >= keep {
			return
		}
		st.listed = st.listed[:keep-1]
	}
	st.listed = slices.Insert(st.listed, i, e)
}

// capped returns the listed violations and, when n says more were found,
// one that counts the rest.
func (c *Checker) capped(l []listed, n uint64) []Violation {
	vs := make([]Violation, 0, len(l)+1)
	for _, e := range l {
		vs = append(vs, e.v)
	}
	if more := int(n) - len(vs); more > 0 {
		vs = append(vs, Violation{Message: fmt.Sprintf("… and %d more", more), More: more})
	}
	if len(vs) == 0 {
		return nil
	}
	return vs
}

// distinct reports whether the record counts as a flow of its own for the
// rule: not when it continues a record the rule matched. matched says
// whether the rule matched this record, which its continuation then needs.
func (st *ruleState) distinct(r *flow.Record, matched bool) bool {
	continued := r.Continues != 0 && st.open[r.Continues]
	if r.Continues != 0 {
		delete(st.open, r.Continues) // a record is continued once
	}
	if matched && r.EndReason == flow.EndActive.String() {
		st.open[r.ID] = true
	}
	return matched && !continued
}

// kept returns the record's findings that neither allowlist suppresses.
func (c *Checker) kept() []report.Finding {
	if c.found {
		return c.findings
	}
	r := c.rec
	fs, _ := c.allow.Filter(r)
	var out []report.Finding
	for j := range fs {
		if !c.own.Allowed(r, &fs[j]) && report.AtLeast(fs[j].Severity, c.minSev) {
			out = append(out, fs[j])
		}
	}
	c.findings, c.found = out, true
	return out
}

func (c *Checker) matches(m *evalMatch) (bool, *report.Finding) {
	r := c.rec
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
		fs := c.kept()
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

// evalShowFlows is how many flows a count violation names.
const evalShowFlows = 5

func (c *Checker) expect(st *ruleState) {
	ok, _ := c.matches(&st.ru.spec.match)
	if st.distinct(c.rec, ok) {
		st.n++
		if len(st.listed) < evalShowFlows || c.rec.ID < st.listed[len(st.listed)-1].id {
			c.add(st, Violation{FlowIDs: []uint64{c.rec.ID}, Message: evalFlow(c.rec)})
		}
	}
}

func (c *Checker) expectResult(st *ruleState) []Violation {
	sp := &st.ru.spec
	n := st.n
	var ids []uint64
	for _, e := range st.listed {
		ids = append(ids, e.id)
	}
	switch {
	case n < sp.min:
		v := Violation{Message: fmt.Sprintf("expected at least %d %s matching %s, found %d",
			sp.min, evalPlural(sp.min, "flow"), sp.desc, n)}
		v.FlowIDs = ids
		if n > 0 {
			v.Message += ": " + flowList(st.listed, n)
		}
		return []Violation{v}
	case sp.hasMax && n > sp.max:
		return []Violation{{
			Message: fmt.Sprintf("expected at most %d %s matching %s, found %d: %s",
				sp.max, evalPlural(sp.max, "flow"), sp.desc, n, flowList(st.listed, n)),
			FlowIDs: ids,
		}}
	}
	return nil
}

func (c *Checker) forbid(st *ruleState) {
	m := &st.ru.spec.match
	ok, f := c.matches(m)
	if !st.distinct(c.rec, ok) {
		return
	}
	st.n++
	r := c.rec
	v := Violation{FlowIDs: []uint64{r.ID}}
	if keep := c.keep(st); keep > 0 && len(st.listed) >= keep && r.ID > st.listed[len(st.listed)-1].id {
		c.add(st, v) // not listed: spare the formatting
		return
	}
	v.Evidence = evalEvidence(m, r, f)
	switch {
	case f != nil:
		v.Message = fmt.Sprintf("%s: %s: %s", evalFlow(r), f.Kind, f.Reason)
	case m.tlsBelow != 0:
		v.Message = fmt.Sprintf("%s: negotiated %s, below %s", evalFlow(r), r.TLS.Version, m.tlsBelowStr)
	case len(m.serverNotIn) > 0:
		v.Message = fmt.Sprintf("%s: server %s is outside %s", evalFlow(r),
			r.Server.IP.Unmap().WithZone(""), evalPrefixes(m.serverNotIn))
	default:
		v.Message = fmt.Sprintf("%s: matches forbidden %s", evalFlow(r), st.ru.spec.desc)
	}
	c.add(st, v)
}

// only reports every flow that matches none of the rule's selectors.
func (c *Checker) only(st *ruleState) {
	listed := false
	for j := range st.ru.spec.only {
		if ok, _ := c.matches(&st.ru.spec.only[j]); ok {
			listed = true
			break
		}
	}
	if !st.distinct(c.rec, !listed) {
		return
	}
	st.n++
	r := c.rec
	c.add(st, Violation{FlowIDs: []uint64{r.ID}, Message: fmt.Sprintf("%s: not among the listed flows", evalFlow(r)),
		Evidence: evalReadable(r)})
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

func (c *Checker) limit(st *ruleState) {
	sp := &st.ru.spec
	ok, _ := c.matches(&sp.match)
	r, ch := c.rec, c.ch
	distinct := st.distinct(r, ok)
	if ok {
		if distinct {
			st.n++ // flows
		}
		// Bytes: every record counts, split flows' records carry disjoint bytes.
		b := evalBytes(r)
		st.total += b
		// The largest flow: a split one by its bytes so far, named by its
		// first record (the same chain again replaces itself, grown).
		id, large := r.ID, b
		if ch != nil {
			id, large = ch.first, ch.bytes
		}
		if st.largest.id == 0 || large > st.largeB || (large == st.largeB && (id < st.largest.id || ch != nil && id == st.largest.id)) {
			name := evalFlow(r)
			if ch != nil {
				name = c.chainName(r, ch)
			}
			st.largest, st.largeB = listed{id: id, v: Violation{Message: name}}, large
		}
	}
	pf := &sp.perFlow
	if !(pf.hasDuration || pf.hasPackets || pf.hasBytes) {
		return
	}
	if ch == nil {
		if ok {
			c.judge(st, r.ID, evalFlow(r), r.Duration(), r.Client.Packets+r.Server.Packets, evalBytes(r))
		}
		return
	}
	// A split flow is judged whole, once, when its final record comes, if
	// any of its records matched (a service may be named only in a later one).
	if ok && !slices.Contains(ch.rules, st.idx) {
		ch.rules = append(ch.rules, st.idx)
	}
	if r.EndReason != flow.EndActive.String() && slices.Contains(ch.rules, st.idx) {
		c.judgeChain(st, ch, c.chainName(r, ch))
	}
}

func (c *Checker) judgeChain(st *ruleState, ch *chain, name string) {
	c.judge(st, ch.first, name, ch.lastSeen.Sub(ch.firstSeen), ch.packets, ch.bytes)
}

// judge holds one flow (a record, or a split flow's records together) to
// the rule's per_flow bounds.
func (c *Checker) judge(st *ruleState, id uint64, name string, d time.Duration, packets, bytes uint64) {
	pf := &st.ru.spec.perFlow
	var over []string
	if pf.hasDuration && d > pf.duration {
		over = append(over, fmt.Sprintf("lasted %s, over %s", d.Round(time.Millisecond), pf.duration))
	}
	if pf.hasPackets && packets > pf.packets {
		over = append(over, fmt.Sprintf("%d packets, over %d", packets, pf.packets))
	}
	if pf.hasBytes && bytes > pf.bytes {
		over = append(over, fmt.Sprintf("%d IP bytes, over %d", bytes, pf.bytes))
	}
	if len(over) > 0 {
		st.perFlowN++
		c.addID(st, id, Violation{Message: name + ": " + strings.Join(over, "; "), FlowIDs: []uint64{id}})
	}
}

func (c *Checker) limitResult(st *ruleState) []Violation {
	sp := &st.ru.spec
	var vs []Violation
	if sp.hasBytes && st.total > sp.bytes {
		vs = append(vs, Violation{Message: fmt.Sprintf(
			"%d IP bytes in %s matching %s, over the limit of %s (%d bytes); largest: %s, %d bytes",
			st.total, evalCount(st.n, "flow"), sp.desc, sp.bytesText, sp.bytes, st.largest.v.Message, st.largeB)})
	}
	if sp.hasFlows && st.n > sp.flows {
		vs = append(vs, Violation{Message: fmt.Sprintf("%s matching %s, over the limit of %d",
			evalCount(st.n, "flow"), sp.desc, sp.flows)})
	}
	// The whole-capture violations always show; the per-record ones are
	// capped after them, as the cap counts them.
	return append(vs, c.capped(st.listed, st.perFlowN)...)
}

func evalBytes(r *flow.Record) uint64 { return r.Client.Bytes + r.Server.Bytes }

// flowList names the first flows of a count violation.
func flowList(l []listed, n uint64) string {
	parts := make([]string, 0, evalShowFlows+1)
	for i, e := range l {
		if i == evalShowFlows {
			break
		}
		parts = append(parts, e.v.Message)
	}
	if more := n - uint64(len(parts)); more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", more))
	}
	return strings.Join(parts, ", ")
}

// evalFlow names a flow: "flow 3 10.0.0.1:51000 → 10.0.0.2:8000 (tcp ssh)".
func evalFlow(r *flow.Record) string { return evalFlowID(r, r.ID) }

// evalFlowID names a flow by id, from its record r (a split flow by its
// first record's id, from its latest record).
func evalFlowID(r *flow.Record, id uint64) string {
	what := r.Proto
	if r.Service != "" {
		what += " " + r.Service
	}
	return fmt.Sprintf("flow %d %s → %s (%s)", id, evalEndpoint(r.Client), evalEndpoint(r.Server), what)
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
