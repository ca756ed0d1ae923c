package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flowscope/flowscope/flow"
)

// topN is how many talkers and server ports the summary lists.
const topN = 5

// partialSkips are Skipped reasons that do not drop a whole frame (the outer
// packet still counts, or a fragment may be attributed later), so they are
// kept out of the "skipped N of M frames" total.
var partialSkips = map[string]bool{
	"fragment-pending":         true,
	"tunnel-non-ip":            true,
	"tunnel-too-deep":          true,
	"tunnel-fragment":          true,
	"tunnel-payload-malformed": true,
	"tunnel-payload-truncated": true,
}

// WriteSummary writes the end-of-run summary: inputs, packets, flows,
// skipped, top talkers, top server ports, services and findings (counting
// those opt.Allow suppressed), each only when it has content (skipped is
// always shown, so that nothing unanalysed goes unnoticed, and findings
// whenever there are flows).
func WriteSummary(w io.Writer, s *Summary, opt Options) error {
	t := s.Tally
	if t == nil {
		t = tallyOf(s.Records, opt)
	}
	secs := []section{
		inputsSection(s, opt),
		captureSection(s),
		packetsSection(s),
		flowsSection(s, t),
		skippedSection(&s.Stats),
		talkersSection(t),
		portsSection(t),
		servicesSection(t),
		findingsSection(t),
		exportSection(s),
		beaconsSection(s.Beacons),
	}
	bw := bufio.NewWriter(w)
	for i := range secs {
		secs[i].write(bw)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: write summary: %w", err)
	}
	return nil
}

// section is a title line and indented "key: value" rows, aligned.
type section struct {
	title   string
	rows    []row
	noColon bool // rows are a small table (talkers, ports), not key: value
}

type row struct {
	key, value string
	notes      []string // lines under the row, e.g. an input's problem
}

func (s *section) add(key, value string) { s.rows = append(s.rows, row{key: key, value: value}) }

func (s *section) write(bw *bufio.Writer) {
	if s.title == "" {
		return
	}
	bw.WriteString(s.title)
	bw.WriteByte('\n')
	keyWidth := 0
	for _, r := range s.rows {
		keyWidth = max(keyWidth, utf8.RuneCountInString(r.key))
	}
	for _, r := range s.rows {
		bw.WriteString("  ")
		bw.WriteString(r.key)
		pad := keyWidth - utf8.RuneCountInString(r.key) + 1
		if s.noColon {
			pad++
		} else {
			bw.WriteByte(':')
		}
		bw.WriteString(strings.Repeat(" ", pad))
		bw.WriteString(r.value)
		bw.WriteByte('\n')
		for _, n := range r.notes {
			bw.WriteString("    ")
			bw.WriteString(n)
			bw.WriteByte('\n')
		}
	}
}

func inputsSection(s *Summary, opt Options) section {
	var sec section
	if len(s.Inputs) == 0 {
		return sec
	}
	sec.title = "inputs:"
	for _, in := range s.Inputs {
		path := Escape(in.Path) // the user's own file name: maybe control bytes
		if opt.Width > 0 {
			path = shortenMiddle(path, max(opt.Width/2, 16))
		}
		var parts []string
		if in.Format != "" {
			parts = append(parts, in.Format)
		}
		parts = append(parts, plural(in.Packets, "packet"))
		if len(in.LinkTypes) > 0 {
			parts = append(parts, strings.Join(in.LinkTypes, "+"))
		}
		r := row{key: path, value: strings.Join(parts, ", ")}
		if in.Problem != "" {
			r.notes = []string{"! " + oneLine(in.Problem)}
		}
		sec.rows = append(sec.rows, r)
	}
	return sec
}

func packetsSection(s *Summary) section {
	st := &s.Stats
	var sec section
	if s.Capture == nil && len(s.Inputs) == 0 && st.Frames == 0 && st.IPPackets == 0 && s.FilterExpr == "" && s.Filtered == 0 {
		return sec
	}
	sec.title = "packets:"
	sec.add("frames read", u(st.Frames))
	sec.add("ip packets", u(st.IPPackets))
	frameBytes := u(st.FrameBytes)
	if st.FrameBytes >= 1000 {
		frameBytes += " (" + string(appendByteSize(nil, st.FrameBytes)) + ")"
	}
	sec.add("frame bytes", frameBytes)
	if st.Fragments > 0 {
		sec.add("ip fragments", u(st.Fragments))
	}
	if s.FilterExpr != "" {
		sec.add("filter", oneLine(s.FilterExpr))
	}
	if s.FilterExpr != "" || s.Filtered > 0 {
		sec.add("filtered", plural(s.Filtered, "packet")+" rejected")
	}
	return sec
}

func flowsSection(s *Summary, t *Tally) section {
	st := &s.Stats
	var sec section
	total := st.Flows
	if total == 0 {
		total = t.records
	}
	if total == 0 && st.MaxActive == 0 {
		return sec
	}
	sec.title = "flows:"
	sec.add("records", u(total))
	ends := st.EndReasons
	if len(ends) == 0 {
		ends = t.ends
	}
	if len(t.protos) > 0 {
		sec.add("by proto", joinCounts(sortedCounts(t.protos)))
	}
	if c := sortedCounts(ends); len(c) > 0 {
		sec.add("by end reason", joinCounts(c))
	}
	if st.MaxActive > 0 {
		sec.add("max open", strconv.Itoa(st.MaxActive))
	}
	if st.Unidentified > 0 {
		sec.add("unidentified", strconv.FormatUint(st.Unidentified, 10)+" flows not looked at for their service: --max-memory's share for identification was in use")
	}
	return sec
}

// skippedSection is never empty: it says "nothing" when nothing was
// skipped, so that its absence cannot be misread.
func skippedSection(st *flow.Stats) section {
	var frameSkips, partial []count
	var skippedFrames uint64
	for _, c := range sortedCounts(st.Skipped) {
		if partialSkips[c.name] {
			partial = append(partial, c)
			continue
		}
		frameSkips = append(frameSkips, c)
		skippedFrames += c.n
	}
	nonIP := sortedCounts(st.NonIP)
	unknown := make(map[string]uint64, len(st.UnknownLinkTypes))
	for lt, n := range st.UnknownLinkTypes {
		unknown["linktype-"+strconv.FormatUint(uint64(lt), 10)] += n
	}
	unknownLT := sortedCounts(unknown)
	// A breakdown without its reason still has to show (and count).
	for _, b := range []struct {
		reason string
		kinds  []count
	}{{"non-ip", nonIP}, {"unknown-link-type", unknownLT}} {
		if len(b.kinds) > 0 && st.Skipped[b.reason] == 0 {
			n := sumCounts(b.kinds)
			frameSkips = append(frameSkips, count{b.reason, n})
			skippedFrames += n
		}
	}
	sortCounts(frameSkips)

	var parts []string
	for _, c := range frameSkips {
		p := c.name + " " + u(c.n)
		switch {
		case c.name == "non-ip" && len(nonIP) > 0:
			p += " (" + joinCounts(nonIP) + ")"
		case c.name == "unknown-link-type" && len(unknownLT) > 0:
			p += " (" + joinCounts(unknownLT) + ")"
		}
		parts = append(parts, p)
	}

	var sec section
	var tunnels, frags []string
	for _, c := range partial {
		if c.name == "fragment-pending" {
			frags = append(frags, "pending "+u(c.n))
		} else {
			tunnels = append(tunnels, c.name+" "+u(c.n))
		}
	}
	if st.FragmentsUnattributed > 0 {
		frags = append(frags, "unattributed "+u(st.FragmentsUnattributed))
	}
	if st.DatagramsIncomplete > 0 {
		frags = append(frags, "incomplete datagrams "+u(st.DatagramsIncomplete))
	}
	if len(tunnels) > 0 {
		sec.add("tunnels", strings.Join(tunnels, ", ")+" (outer packets counted)")
	}
	if len(frags) > 0 {
		sec.add("fragments", strings.Join(frags, ", ")+" (of "+u(st.Fragments)+" seen)")
	}
	switch {
	case skippedFrames > 0:
		sec.title = "skipped " + u(skippedFrames) + " of " + plural(st.Frames, "frame") + ": " + strings.Join(parts, "; ")
	case len(sec.rows) > 0:
		sec.title = "skipped:"
	default:
		sec.title = "skipped: nothing"
	}
	return sec
}

func talkersSection(t *Tally) section {
	var sec section
	if len(t.talkers.items) == 0 {
		return sec
	}
	list := t.talkers.top(topN)
	sec.title = "top talkers (" + t.kind.name() + "):"
	if t.talkers.replaced > 0 {
		// Past talkerSlots addresses the counts are Space-Saving's: an
		// address's bytes may include up to its error's worth of others'.
		sec.title = fmt.Sprintf("top talkers (%s; more than %d addresses: at least these bytes and flows):", t.kind.name(), talkerSlots)
	}
	sec.noColon = true
	hb := make([]string, len(list))
	width := 0
	for i, tk := range list {
		hb[i] = string(appendByteSize(nil, tk.bytes))
		width = max(width, len(hb[i]))
	}
	for i, tk := range list {
		sec.add(tk.ip.String(), fmt.Sprintf("%*s  %s", width, hb[i], plural(tk.flows, "flow")))
	}
	return sec
}

func portsSection(t *Tally) section {
	byPort := t.ports
	var sec section
	if len(byPort) == 0 {
		return sec
	}
	list := make([]*portCount, 0, len(byPort))
	for _, p := range byPort {
		list = append(list, p)
	}
	slices.SortFunc(list, func(a, b *portCount) int {
		if c := cmp.Compare(b.flows, a.flows); c != 0 {
			return c
		}
		if c := cmp.Compare(a.proto, b.proto); c != 0 {
			return c
		}
		return cmp.Compare(a.port, b.port)
	})
	list = list[:min(len(list), topN)]
	sec.title = "top server ports (" + t.kind.name() + "):"
	sec.noColon = true
	fl := make([]string, len(list))
	width := 0
	for i, p := range list {
		fl[i] = plural(p.flows, "flow")
		width = max(width, len(fl[i]))
	}
	for i, p := range list {
		sec.add(p.proto+"/"+strconv.Itoa(int(p.port)), fmt.Sprintf("%-*s  %s", width, fl[i], appendByteSize(nil, p.bytes)))
	}
	return sec
}

// topServices is how many services the summary names.
const topServices = 8

// servicesSection counts flows by detected service, and the TCP and UDP
// flows with payload that no detector recognised (the only ones detectors
// look at).
func servicesSection(t *Tally) section {
	bySvc, unknown := t.services, t.unknown
	var sec section
	if len(bySvc) == 0 && unknown == 0 {
		return sec
	}
	cs := sortedCounts(bySvc)
	text := "none"
	if len(cs) > 0 {
		text = joinCounts(cs[:min(len(cs), topServices)])
		if rest := cs[min(len(cs), topServices):]; len(rest) > 0 {
			text += " (+" + plural(uint64(len(rest)), "other") + ", " + plural(sumCounts(rest), "flow") + ")"
		}
	}
	if unknown > 0 {
		text += "; " + plural(unknown, "flow") + " with payload not recognised"
	}
	sec.title = "services: " + text
	return sec
}

// findingsSection counts the findings allow lets through by kind and
// severity, and the ones it suppressed.
func findingsSection(t *Tally) section {
	var sec section
	if t.records == 0 {
		return sec
	}
	kinds, sevs := t.kinds, t.severities
	text := "none"
	if t.findings > 0 {
		var bySev []count // in severity order, not by count
		for _, s := range severities {
			if sevs[s] > 0 {
				bySev = append(bySev, count{s, sevs[s]})
			}
		}
		text = u(t.findings) + " (" + joinCounts(sortedCounts(kinds)) + "; " + joinCounts(bySev) + ")"
	}
	if t.suppressed > 0 {
		text += ", " + u(t.suppressed) + " suppressed by the allowlist"
	}
	sec.title = "findings: " + text
	return sec
}

// count is one entry of a counter map.
type count struct {
	name string
	n    uint64
}

// sortedCounts returns m's non-zero entries by count descending, then name,
// so that map contents print in a fixed order.
func sortedCounts(m map[string]uint64) []count {
	cs := make([]count, 0, len(m))
	for name, n := range m {
		if n > 0 {
			cs = append(cs, count{name, n})
		}
	}
	sortCounts(cs)
	return cs
}

func sortCounts(cs []count) {
	slices.SortFunc(cs, func(a, b count) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		return cmp.Compare(a.name, b.name)
	})
}

func sumCounts(cs []count) uint64 {
	var n uint64
	for _, c := range cs {
		n += c.n
	}
	return n
}

// joinCounts renders counts as "tcp 10, udp 3".
func joinCounts(cs []count) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.name)
		b.WriteByte(' ')
		b.WriteString(u(c.n))
	}
	return b.String()
}

func u(n uint64) string { return strconv.FormatUint(n, 10) }

func plural(n uint64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return u(n) + " " + noun + "s"
}

// oneLine keeps a caller's text from breaking the summary's layout.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// shortenMiddle cuts s to at most n runes, replacing its middle with "…".
func shortenMiddle(s string, n int) string {
	if n < 1 || utf8.RuneCountInString(s) <= n {
		return s
	}
	b := []byte(s)
	keep := n - 1
	head := (keep + 1) / 2
	out := appendRunes(nil, b, head)
	out = append(out, ellipsis...)
	return string(append(out, lastRunes(b, keep-head)...))
}
