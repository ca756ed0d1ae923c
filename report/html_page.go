package report

// The page's view: what the template renders (findings, beacons, tables,
// charts), drawn from the aggregates at Close.

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowscope/flowscope/flow"
)

// htmlFinding is one finding as the page lists it.
type htmlFinding struct {
	ID                      uint64
	Kind, Severity, Service string
	Port, Client, Server    string
	Name                    string
	Reason, Evidence        string
	Detector, Confidence    string
	Time                    string
	SevRank                 int // sorts the table: high first
}

func newHTMLFinding(r *flow.Record, f *Finding) htmlFinding {
	reason := f.Reason
	if b := f.Beacon; b != nil && b.Name != "" {
		// The reason names the beacon's server: "… connections to NAME every …".
		if cut := htmlCut(b.Name, htmlName); cut != b.Name {
			reason = strings.Replace(reason, " to "+b.Name+" every ", " to "+cut+" every ", 1)
		}
	}
	return htmlFinding{
		ID: r.ID, Kind: f.Kind, Severity: f.Severity, Service: f.Service, Port: f.Port,
		Client: endpoint(r, &r.Client, false), Server: endpoint(r, &r.Server, true),
		Name: htmlCut(Escape(r.ServerName), htmlName), Reason: reason, Evidence: htmlCut(f.Evidence, htmlEvidence),
		Detector: f.Detector, Confidence: f.Confidence, Time: r.FirstSeen.UTC().Format("2006-01-02 15:04:05"),
		SevRank: len(severities) - severityRank(f.Severity),
	}
}

// htmlCut bounds an escaped string from the wire (Escape's printable
// ASCII) to what takes at most budget bytes on the page once html/template
// escaped it (< and > take 4, " ' & and + take 5), so that the page's
// worst case is known whatever the string holds. What is cut is said as
// the records say it: "...(+N bytes)", N the bytes of the original left
// out (an escape \xNN or \\ is one byte, never cut in two), plus those a
// record's own cut already left out ("...(+M bytes)" at its end).
func htmlCut(s string, budget int) string {
	if pageBytes(s) <= budget {
		return s
	}
	body, more, plus := s, 0, ""
	if m := wireCut.FindStringSubmatch(s); m != nil {
		body, plus = s[:len(s)-len(m[0])], m[2]
		more, _ = strconv.Atoi(m[1])
	}
	cut, cost, left := 0, 0, 0
	for i := 0; i < len(body); {
		n := escapeLen(body, i)
		if left == 0 && cost+pageBytes(body[i:i+n]) <= budget {
			cost += pageBytes(body[i : i+n])
			cut = i + n
		} else {
			left++
		}
		i += n
	}
	return body[:cut] + "...(+" + strconv.Itoa(left+more) + plus + " bytes)"
}

// wireCut is the marker a record's string ends with when it was cut
// (flow's wireString).
var wireCut = regexp.MustCompile(`\.\.\.\(\+(\d+)(\+?) bytes\)$`)

// escapeLen is the length of the character or escape Escape wrote at s[i].
func escapeLen(s string, i int) int {
	if s[i] != '\\' || i+1 >= len(s) {
		return 1
	}
	if s[i+1] == 'x' && i+3 < len(s) {
		return 4
	}
	return 2
}

// pageBytes is what s takes once html/template escaped it as text or as a
// quoted attribute.
func pageBytes(s string) int {
	n := len(s)
	for i := range len(s) {
		switch s[i] {
		case '<', '>':
			n += 3
		case '"', '\'', '&', '+':
			n += 4
		}
	}
	return n
}

func endpoint(r *flow.Record, s *flow.Side, server bool) string {
	if !s.IP.IsValid() {
		return ""
	}
	if server && hasPorts(r, s.Port) {
		return netip.AddrPortFrom(s.IP, s.Port).String()
	}
	return s.IP.String()
}

// htmlBeacon is one beacon with the histogram of its intervals.
type htmlBeacon struct {
	htmlFinding
	score                 float64
	Score, Period, Jitter string
	Count                 int
	Size                  string
	Hist                  htmlHist
}

type htmlHist struct {
	Bars      []htmlBar
	Max, Bin  string // tallest bar's count, bin width
	Lo, Hi    string // the axis' ends
	Intervals int
}

type htmlBar struct {
	X, Y, W, H, N, From, To string
}

func newHTMLBeacon(r *flow.Record, f *Finding) htmlBeacon {
	b := r.Beacon
	return htmlBeacon{
		htmlFinding: newHTMLFinding(r, f), score: b.Score,
		Score: strconv.FormatFloat(b.Score, 'f', 2, 64), Period: seconds(b.Period), Jitter: seconds(b.Jitter),
		Count: b.Count, Size: bytesText(b.SizeMedian), Hist: intervalHist(b.Starts),
	}
}

// intervalHist bins the intervals between start seconds: at most
// htmlHistBins bins of whole seconds from the shortest interval to the
// longest.
func intervalHist(starts []int64) htmlHist {
	var h htmlHist
	if len(starts) < 2 {
		return h
	}
	shortest, longest := int64(math.MaxInt64), int64(0)
	for i := 1; i < len(starts); i++ {
		shortest = min(shortest, starts[i]-starts[i-1])
		longest = max(longest, starts[i]-starts[i-1])
	}
	bin := max(1, (longest-shortest+htmlHistBins)/htmlHistBins) // the last bin holds longest
	n := int((longest-shortest)/bin) + 1
	counts := make([]int, n)
	for i := 1; i < len(starts); i++ {
		counts[(starts[i]-starts[i-1]-shortest)/bin]++
	}
	top := slices.Max(counts)
	const width, height = 240.0, 60.0
	bw := width / float64(n)
	for i, c := range counts {
		hgt := height * float64(c) / float64(top)
		h.Bars = append(h.Bars, htmlBar{
			X: f1(float64(i) * bw), W: f1(max(bw-1, 1)), Y: f1(height - hgt), H: f1(hgt), N: strconv.Itoa(c),
			From: strconv.FormatInt(shortest+int64(i)*bin, 10), To: strconv.FormatInt(shortest+int64(i+1)*bin, 10),
		})
	}
	h.Max, h.Bin, h.Intervals = strconv.Itoa(top), strconv.FormatInt(bin, 10)+"s", len(starts)-1
	h.Lo, h.Hi = strconv.FormatInt(shortest, 10)+" s", strconv.FormatInt(shortest+int64(n)*bin, 10)+" s"
	return h
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// htmlStat is a labelled number; Value is what tests compare.
type htmlStat struct {
	ID, Label, Text, Value string
}

type htmlService struct {
	Name, Color, Class           string
	Flows, Packets, Bytes, Frame uint64
	FlowsText, BytesText         string
	PacketsText, FrameText       string
}

type htmlTable struct {
	Note string
	Rows []htmlTopRow
}

type htmlTopRow struct {
	Name                 string
	Bytes, Flows         uint64
	BytesText, FlowsText string
	Bar                  string // width of the bar, 0..100
}

type htmlMatrix struct {
	Note    string
	Ports   []string
	Clients []htmlMatrixRow
}

type htmlMatrixRow struct {
	Client string
	Cells  []htmlCell
}

type htmlCell struct {
	Flows       uint64
	Text, Title string
	Level       int // 0..5, the shade
}

type htmlFindingList struct {
	Total, Shown, Suppressed uint64
	BySeverity               []htmlCount
	Items                    []htmlFinding
}

type htmlCount struct {
	Name string
	N    uint64
	Text string
}

type htmlInput struct {
	Path, Format, Packets, LinkTypes, Problem string
}

// page draws the aggregates; sum.Tally (set by the tallySink around the
// sink) gives the top talkers and ports, the same as the text summary's.
func (a *htmlAgg) page(sum *Summary, title string) *HTMLPage {
	p := &HTMLPage{Title: title}
	kind := a.opt.Bytes.name()
	p.Totals = []htmlStat{
		stat("flows", "flow records", a.records),
		stat("packets", "packets", a.packets),
		byteStat("bytes", "IP bytes", a.ipBytes),
		byteStat("frame-bytes", "frame bytes", a.frameBytes),
		stat("findings", "findings", a.findingTotal()),
		stat("beacons", "beacons", a.beaconN),
	}
	if !a.first.IsZero() {
		p.Totals = append(p.Totals, htmlStat{ID: "span", Label: "span",
			Text:  spanText(a.first, a.last),
			Value: strconv.FormatInt(int64(a.last.Sub(a.first)), 10)})
	}
	p.Services = a.servicesShown()
	p.Series = a.charts(p.Services, kind)
	if t := sum.Tally; t != nil {
		p.Talkers = talkersTable(t)
		p.Ports = portsTable(t)
	}
	p.Matrix = a.matrix()
	p.Findings = a.findingList()
	p.Beacons = slices.Clone(a.beacons)
	slices.SortStableFunc(p.Beacons, func(x, y htmlBeacon) int { return cmp.Compare(y.score, x.score) })
	for _, in := range sum.Inputs {
		hi := htmlInput{Path: Escape(in.Path), Format: in.Format, Packets: commas(in.Packets), Problem: Escape(in.Problem)}
		for i, lt := range in.LinkTypes {
			if i > 0 {
				hi.LinkTypes += ", "
			}
			hi.LinkTypes += lt
		}
		p.Inputs = append(p.Inputs, hi)
	}
	if c := sum.Capture; c != nil {
		p.Live = "live capture on " + Escape(c.Interface) + " (" + c.engine()
		if c.LinkType != "" {
			p.Live += ", " + Escape(c.LinkType)
		}
		if c.Filter != "" {
			p.Live += ", filter " + Escape(c.Filter)
		}
		p.Live += ")"
	}
	for _, c := range sortedCounts(sum.Stats.Skipped) {
		p.Skipped = append(p.Skipped, htmlCount{Name: c.name, N: c.n, Text: commas(c.n)})
	}
	if c := sum.Capture; c != nil {
		p.Drops = []htmlStat{stat("received", "received", c.Received), stat("dropped", "dropped (buffer full)", c.Dropped),
			stat("ifdropped", "dropped (interface)", c.IfDropped)}
	}
	if b := sum.Beacons; b != nil && b.Evicted > 0 {
		p.Drops = append(p.Drops, stat("beacon-groups-forgotten", "beacon groups forgotten (--beacon-groups)", b.Evicted))
	}
	if sum.Stats.Unidentified > 0 {
		p.Drops = append(p.Drops, stat("unidentified", "flows not identified (memory)", sum.Stats.Unidentified))
	}
	var buf bytes.Buffer
	if err := WriteSummary(&buf, sum, Options{Allow: a.opt.Allow, MinSeverity: a.opt.MinSeverity, Bytes: a.opt.Bytes}); err == nil {
		p.Summary = buf.String()
	}
	return p
}

func (a *htmlAgg) findingTotal() uint64 {
	var n uint64
	for _, c := range a.findingN {
		n += c
	}
	return n
}

func stat(id, label string, n uint64) htmlStat {
	return htmlStat{ID: id, Label: label, Text: commas(n), Value: u(n)}
}

func byteStat(id, label string, n uint64) htmlStat {
	s := stat(id, label, n)
	if n >= 1000 {
		s.Text += " (" + string(appendByteSize(nil, n)) + ")"
	}
	return s
}

// commas groups digits by three: 1,234,567.
func commas(n uint64) string {
	s := u(n)
	var b []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return string(b)
}

// palette colours the services drawn (Okabe–Ito and Tableau hues, told
// apart by most colour-blind readers), then "other" and "none".
var palette = []string{"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#8c564b"}

// swatchColors are the palette, "other"'s and "none"'s: the classes c0,
// c1, … of the legend's swatches (a class, not a style attribute, which
// the page's Content-Security-Policy would refuse).
var swatchColors = append(slices.Clip(palette), "#999999", "#cccccc")

const svcNone = "(none)" // flows no detector named

// servicesShown lists the services by bytes: the first htmlServices by
// name, the rest folded into "other", flows without a service last.
func (a *htmlAgg) servicesShown() []htmlService {
	var named []*htmlSvc
	var none, other *htmlSvc
	for _, s := range a.svcs {
		switch s.name {
		case "":
			none = s
		case htmlOther:
			other = s
		default:
			named = append(named, s)
		}
	}
	slices.SortFunc(named, func(x, y *htmlSvc) int {
		if c := cmp.Compare(y.bytes, x.bytes); c != 0 {
			return c
		}
		return cmp.Compare(x.name, y.name)
	})
	var out []htmlService
	add := func(name string, colour int, s *htmlSvc) {
		out = append(out, htmlService{Name: name, Color: swatchColors[colour], Class: "c" + strconv.Itoa(colour), Flows: s.flows, Packets: s.packets, Bytes: s.bytes, Frame: s.frameB,
			FlowsText: commas(s.flows), BytesText: commas(s.bytes), PacketsText: commas(s.packets), FrameText: commas(s.frameB)})
	}
	for i, s := range named {
		if i < htmlServices {
			add(Escape(s.name), i%len(palette), s)
			continue
		}
		if other == nil {
			other = &htmlSvc{name: htmlOther}
		}
		other.flows += s.flows
		other.packets += s.packets
		other.bytes += s.bytes
		other.frameB += s.frameB
	}
	if other != nil {
		add(htmlOther, len(palette), other)
	}
	if none != nil {
		add(svcNone, len(palette)+1, none)
	}
	return out
}

// htmlChart is a stacked step chart of one measure over time.
type htmlChart struct {
	ID, Title, Note string
	W, H            int
	Areas           []htmlArea
	YTicks, XTicks  []htmlTick
	XTitle          string // the time axis' title: its zone, and the date the labels lack
	Empty           bool
	// Base is the x axis' height; TickEnd and LabelY where its ticks end
	// and its labels stand, TitleX and TitleY where its title stands;
	// Right the plot's right edge.
	Base, TickEnd, LabelY, TitleX, TitleY, Right int
}

type htmlArea struct {
	Name, Color, D, Title string
	Sum                   string // what the area adds up to, rounded: tests compare it
}

type htmlTick struct {
	Pos, Label string
}

// Chart geometry (SVG user units).
const (
	chartW, chartH        = 960, 224
	chartLeft, chartRight = 64, 36
	chartTop, chartBottom = 8, 38 // the tick labels, and the axis title under them
)

func (a *htmlAgg) charts(shown []htmlService, kind string) []htmlChart {
	s := &a.series
	// Map each column to the series it is drawn in.
	order := map[string]int{}
	for i, sv := range shown {
		order[sv.Name] = i
	}
	col := make([]int, len(a.svcs))
	for c, sv := range a.svcs {
		name := Escape(sv.name)
		if sv.name == "" {
			name = svcNone
		}
		i, ok := order[name]
		if !ok {
			i = order[htmlOther]
		}
		col[c] = i
	}
	// Buckets in use: from the first with data to the last.
	first, last := htmlBuckets, -1
	for c := range s.flows {
		for i := range htmlBuckets {
			if s.flows[c][i] != 0 || s.bytes[c][i] != 0 {
				first, last = min(first, i), max(last, i)
			}
		}
	}
	width := time.Duration(s.width)
	bytesChart := htmlChart{ID: "chart-bytes", Title: "Bytes over time by service (" + kind + ")",
		Note: "each flow's bytes spread evenly over its span; buckets of " + HumanDuration(width)}
	flowsChart := htmlChart{ID: "chart-flows", Title: "Flows over time by service",
		Note: "flows counted in the bucket where they started; buckets of " + HumanDuration(width)}
	if last < 0 {
		bytesChart.Empty, flowsChart.Empty = true, true
		bytesChart.Note, flowsChart.Note = "no data: no flow records", "no data: no flow records"
		return []htmlChart{bytesChart, flowsChart}
	}
	if s.clamped() {
		// Only past 84 years: 120 buckets of the widest width.
		const beyond = "; times beyond the axis (more than 120 buckets of %s) are counted in its first and last buckets"
		bytesChart.Note += fmt.Sprintf(beyond, HumanDuration(width))
		flowsChart.Note += fmt.Sprintf(beyond, HumanDuration(width))
	}
	n := last - first + 1
	for ci, ch := range []*htmlChart{&bytesChart, &flowsChart} {
		src := s.bytes
		if ci == 1 {
			src = s.flows
		}
		stack := make([][]float64, len(shown))
		for i := range stack {
			stack[i] = make([]float64, n)
		}
		for c := range src {
			for i := range n {
				stack[col[c]][i] += src[c][first+i]
			}
		}
		drawStacked(ch, shown, stack, ci == 0)
		ch.XTicks, ch.XTitle = timeTicks(edge(s.origin, s.width, first), s.width, n)
	}
	return []htmlChart{bytesChart, flowsChart}
}

// drawStacked draws the stacked series as step areas, one path each.
func drawStacked(ch *htmlChart, shown []htmlService, stack [][]float64, isBytes bool) {
	ch.W, ch.H = chartW, chartH
	ch.Base, ch.TickEnd, ch.LabelY, ch.Right = chartH-chartBottom, chartH-chartBottom+5, chartH-chartBottom+18, chartW-chartRight
	ch.TitleX, ch.TitleY = chartLeft+(chartW-chartLeft-chartRight)/2, chartH-3
	n := len(stack[0])
	top := 0.0
	for i := range n {
		t := 0.0
		for s := range stack {
			t += stack[s][i]
		}
		top = max(top, t)
	}
	ymax, step := niceScale(top)
	plotW := float64(chartW - chartLeft - chartRight)
	plotH := float64(chartH - chartTop - chartBottom)
	x := func(i int) float64 { return chartLeft + plotW*float64(i)/float64(n) }
	y := func(v float64) float64 { return chartTop + plotH*(1-v/ymax) }
	base := make([]float64, n)
	for s := range stack {
		var d []byte
		// The top edge left to right, then the base back.
		for i := range n {
			cmd := byte('L')
			if i == 0 {
				cmd = 'M'
			}
			yv := y(base[i] + stack[s][i])
			d = fmt.Appendf(d, "%c%.1f %.1fH%.1f", cmd, x(i), yv, x(i+1))
		}
		for i := n - 1; i >= 0; i-- {
			d = fmt.Appendf(d, "L%.1f %.1fH%.1f", x(i+1), y(base[i]), x(i))
		}
		d = append(d, 'Z')
		sum := 0.0
		for i := range n {
			base[i] += stack[s][i]
			sum += stack[s][i]
		}
		if sum == 0 {
			continue
		}
		title := shown[s].Name + ": "
		if isBytes {
			title += string(appendByteSize(nil, uint64(math.Round(sum))))
		} else {
			title += commas(uint64(math.Round(sum))) + " flows"
		}
		ch.Areas = append(ch.Areas, htmlArea{Name: shown[s].Name, Color: shown[s].Color, D: string(d), Title: title,
			Sum: strconv.FormatFloat(math.Round(sum), 'f', 0, 64)})
	}
	for v := 0.0; v <= ymax*1.0001; v += step {
		label := commas(uint64(math.Round(v)))
		if isBytes {
			label = string(appendByteSize(nil, uint64(math.Round(v))))
		}
		ch.YTicks = append(ch.YTicks, htmlTick{Pos: f1(y(v)), Label: label})
	}
}

// niceScale returns an axis maximum of at least top and its tick step
// (1, 2 or 5 times a power of ten, about four ticks).
func niceScale(top float64) (float64, float64) {
	if top <= 0 {
		return 1, 1
	}
	raw := top / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	if step < 1 {
		step = 1 // counts and bytes are whole
	}
	return math.Ceil(top/step) * step, step
}

// timeTicks labels about six bucket edges with their UTC time, and titles
// the axis: "time (UTC)", with the year or the date its labels leave out.
// Past about 300 days labels are dates with the year, so that no two
// labels a year apart read the same.
func timeTicks(start, width int64, n int) ([]htmlTick, string) {
	plotW := float64(chartW - chartLeft - chartRight)
	every := max(1, (n+5)/6)
	t0 := time.Unix(0, start).UTC()
	layout, title := "15:04:05", "time (UTC), from "+t0.Format("2006-01-02")
	span := time.Duration(width) * time.Duration(n)
	switch {
	case span > 300*24*time.Hour:
		layout, title = "2006-01-02", "time (UTC)"
	case span > 48*time.Hour:
		layout, title = "01-02 15:04", "time (UTC), from "+t0.Format("2006")
	case width < int64(time.Second):
		layout = "15:04:05.000"
	}
	var out []htmlTick
	for i := 0; i <= n; i += every {
		t := time.Unix(0, edge(start, width, i)).UTC()
		out = append(out, htmlTick{Pos: f1(chartLeft + plotW*float64(i)/float64(n)), Label: t.Format(layout)})
	}
	return out, title
}

func talkersTable(t *Tally) htmlTable {
	var tb htmlTable
	list := t.talkers.top(htmlTop)
	if t.talkers.replaced > 0 {
		tb.Note = fmt.Sprintf("more than %d addresses: at least these bytes and flows (Space-Saving)", talkerSlots)
	}
	for _, tk := range list {
		tb.Rows = append(tb.Rows, topRow(tk.ip.String(), tk.bytes, tk.flows))
	}
	scaleBars(tb.Rows)
	return tb
}

func portsTable(t *Tally) htmlTable {
	var tb htmlTable
	list := make([]*portCount, 0, len(t.ports))
	for _, p := range t.ports {
		list = append(list, p)
	}
	slices.SortFunc(list, func(a, b *portCount) int {
		if c := cmp.Compare(b.bytes, a.bytes); c != 0 {
			return c
		}
		if c := cmp.Compare(a.proto, b.proto); c != 0 {
			return c
		}
		return cmp.Compare(a.port, b.port)
	})
	if len(list) > htmlTop {
		tb.Note = fmt.Sprintf("%d of %d ports", htmlTop, len(list))
		list = list[:htmlTop]
	}
	for _, p := range list {
		tb.Rows = append(tb.Rows, topRow(p.proto+"/"+strconv.Itoa(int(p.port)), p.bytes, p.flows))
	}
	scaleBars(tb.Rows)
	return tb
}

func topRow(name string, bytes, flows uint64) htmlTopRow {
	return htmlTopRow{Name: name, Bytes: bytes, Flows: flows, BytesText: string(appendByteSize(nil, bytes)), FlowsText: commas(flows)}
}

func scaleBars(rows []htmlTopRow) {
	var top uint64
	for _, r := range rows {
		top = max(top, r.Bytes)
	}
	for i := range rows {
		if top > 0 {
			rows[i].Bar = f1(100 * float64(rows[i].Bytes) / float64(top))
		} else {
			rows[i].Bar = "0"
		}
	}
}

// matrix draws the clients with the most bytes against the server ports
// with the most flows, from the pair sketch.
func (a *htmlAgg) matrix() htmlMatrix {
	var m htmlMatrix
	p := &a.pairs
	if len(p.items) == 0 {
		return m
	}
	type agg struct {
		name         string
		bytes, flows uint64
	}
	clients, ports := map[netip.Addr]*agg{}, map[string]*agg{}
	cells := map[[2]string]*pairCount{}
	for i := range p.items {
		it := &p.items[i]
		c := clients[it.key.client]
		if c == nil {
			c = &agg{name: it.key.client.String()}
			clients[it.key.client] = c
		}
		c.bytes += it.bytes - it.errB
		c.flows += it.flows - it.errF
		pn := it.key.portName()
		q := ports[pn]
		if q == nil {
			q = &agg{name: pn}
			ports[pn] = q
		}
		q.bytes += it.bytes - it.errB
		q.flows += it.flows - it.errF
		cells[[2]string{c.name, pn}] = it
	}
	byBytes := func(x, y *agg) int {
		if c := cmp.Compare(y.bytes, x.bytes); c != 0 {
			return c
		}
		return cmp.Compare(x.name, y.name)
	}
	byFlows := func(x, y *agg) int {
		if c := cmp.Compare(y.flows, x.flows); c != 0 {
			return c
		}
		return cmp.Compare(x.name, y.name)
	}
	cl := slices.SortedFunc(mapValues(clients), byBytes)
	nClients := len(cl)
	cl = cl[:min(len(cl), htmlRows)]
	// The columns: the ports those clients used most, so that no column
	// is empty; what else they used is the last column's.
	inRows := map[string]*agg{}
	for _, c := range cl {
		for pn := range ports {
			if it := cells[[2]string{c.name, pn}]; it != nil {
				q := inRows[pn]
				if q == nil {
					q = &agg{name: pn}
					inRows[pn] = q
				}
				q.flows += it.flows - it.errF
				q.bytes += it.bytes - it.errB
			}
		}
	}
	pl := slices.SortedFunc(mapValues(inRows), byFlows)
	if p.replaced == 0 {
		m.Note = fmt.Sprintf("the %s with the most bytes (of %d) × the %s they used most (of %d in all); cells: flows",
			plural(uint64(len(cl)), "client"), nClients, plural(uint64(min(len(pl), htmlCols)), "server port"), len(ports))
	} else {
		// The sketch's clients and ports are those of the pairs it holds
		// now, not all there were: no count of them is a total.
		m.Note = fmt.Sprintf("more client–port pairs than the %s kept, so the pairs with the fewest bytes gave their slots to new ones (Space-Saving): "+
			"the %s with the most bytes in the pairs kept × the %s they used most; cells: at least these flows",
			commas(uint64(p.slots)), plural(uint64(len(cl)), "client"), plural(uint64(min(len(pl), htmlCols)), "server port"))
	}
	rest := len(pl) > htmlCols
	pl = pl[:min(len(pl), htmlCols)]
	var top uint64
	for _, c := range cl {
		for _, q := range pl {
			if it := cells[[2]string{c.name, q.name}]; it != nil {
				top = max(top, it.flows-it.errF)
			}
		}
	}
	for _, q := range pl {
		m.Ports = append(m.Ports, q.name)
	}
	if rest {
		m.Ports = append(m.Ports, "other ports")
	}
	for _, c := range cl {
		row := htmlMatrixRow{Client: c.name}
		shown := uint64(0)
		for _, q := range pl {
			var cell htmlCell
			if it := cells[[2]string{c.name, q.name}]; it != nil && it.flows > it.errF {
				cell.Flows = it.flows - it.errF
				cell.Text = commas(cell.Flows)
				cell.Title = c.name + " → " + q.name + ": " + plural(cell.Flows, "flow") + ", " + string(appendByteSize(nil, it.bytes-it.errB))
				cell.Level = 1 + int(4*math.Log1p(float64(cell.Flows))/math.Log1p(float64(top)))
				cell.Level = min(cell.Level, 5)
				shown += cell.Flows
			}
			row.Cells = append(row.Cells, cell)
		}
		if rest {
			var cell htmlCell
			if n := c.flows - shown; n > 0 {
				cell.Flows, cell.Text = n, commas(n)
				cell.Title = c.name + " → other ports: " + plural(n, "flow")
			}
			row.Cells = append(row.Cells, cell)
		}
		m.Clients = append(m.Clients, row)
	}
	return m
}

func mapValues[K comparable, V any](m map[K]V) func(func(V) bool) {
	return func(yield func(V) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

// findingList lists the first findings of each severity, highest first,
// htmlFindings in all, and counts the rest.
func (a *htmlAgg) findingList() htmlFindingList {
	l := htmlFindingList{Total: a.findingTotal(), Suppressed: a.suppressed}
	for s, n := range a.findingN {
		if n > 0 {
			l.BySeverity = append(l.BySeverity, htmlCount{Name: severities[s], N: n, Text: commas(n)})
		}
		for _, f := range a.findings[s] {
			if len(l.Items) < htmlFindings {
				l.Items = append(l.Items, f)
			}
		}
	}
	l.Shown = uint64(len(l.Items))
	return l
}

// Tee hands every record to each sink, in turn (check --html: the rules'
// checker and the report's sink); beacon records go to each as WriteBeacon
// hands them. Its Close closes none of them: each has its own summary.
func Tee(sinks ...Sink) Sink { return &tee{sinks: sinks} }

type tee struct {
	sinks []Sink
	err   error // the first beacon record a sink failed to take
}

func (t *tee) Write(r *flow.Record) error {
	var errs []error
	for _, s := range t.sinks {
		errs = append(errs, s.Write(r))
	}
	return errors.Join(errs...)
}

func (t *tee) Flush() error {
	errs := []error{t.err}
	for _, s := range t.sinks {
		errs = append(errs, s.Flush())
	}
	return errors.Join(errs...)
}

func (t *tee) Close(*Summary) error { return t.err }

// AddBeacon makes the tee a BeaconReceiver, so that WriteBeacon hands it
// the beacon records to pass on.
func (t *tee) AddBeacon(r *flow.Record) {
	for _, s := range t.sinks {
		if err := WriteBeacon(s, r); err != nil && t.err == nil {
			t.err = err
		}
	}
}

// spanText is "2006-01-02 15:04:05 – 15:06:00 (1m55s)", the end's date
// said when it differs.
func spanText(first, last time.Time) string {
	first, last = first.UTC(), last.UTC()
	end := last.Format("15:04:05")
	if first.YearDay() != last.YearDay() || first.Year() != last.Year() {
		end = last.Format("2006-01-02 15:04:05")
	}
	return first.Format("2006-01-02 15:04:05") + " – " + end + " (" + HumanDuration(last.Sub(first)) + ")"
}
