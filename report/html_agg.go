package report

// The aggregates the HTML report keeps as records stream past, each bounded
// whatever the number of flows.

import (
	"math"
	"net/netip"
	"strconv"
	"time"

	"github.com/flowscope/flowscope/flow"
)

// htmlAgg is everything the page is drawn from, bounded.
type htmlAgg struct {
	opt  Options
	keep findingFilter

	records, packets    uint64
	ipBytes, frameBytes uint64
	first, last         time.Time // of the flows' packets
	svcIndex            map[string]int
	svcs                []*htmlSvc
	series              timeSeries
	pairs               pairSketch
	findings            [len(severities)][]htmlFinding
	findingN            [len(severities)]uint64
	suppressed          uint64
	beacons             []htmlBeacon
	beaconN             uint64
}

// htmlSvc is one service's totals (Name "" for flows no detector named).
type htmlSvc struct {
	name                          string
	flows, packets, bytes, frameB uint64
}

// htmlOther is the column of services beyond htmlMaxServices.
const htmlOther = "other"

func newHTMLAgg(opt Options) *htmlAgg {
	return &htmlAgg{
		opt: opt, keep: newFindingFilter(opt.Allow, opt.MinSeverity),
		svcIndex: map[string]int{}, pairs: newPairSketch(htmlPairSlots),
	}
}

func (a *htmlAgg) add(r *flow.Record) {
	if isBeaconRecord(r) {
		a.addBeacon(r)
		return
	}
	a.records++
	pk := r.Client.Packets + r.Server.Packets
	a.packets += pk
	a.ipBytes += r.Client.Bytes + r.Server.Bytes
	a.frameBytes += r.Client.FrameBytes + r.Server.FrameBytes
	if a.first.IsZero() || r.FirstSeen.Before(a.first) {
		a.first = r.FirstSeen
	}
	if r.LastSeen.After(a.last) {
		a.last = r.LastSeen
	}
	col := a.service(r.Service)
	s := a.svcs[col]
	s.flows++
	s.packets += pk
	s.bytes += r.Client.Bytes + r.Server.Bytes
	s.frameB += r.Client.FrameBytes + r.Server.FrameBytes
	total := a.opt.Bytes.total(r)
	a.series.add(col, unixNano(r.FirstSeen), unixNano(r.LastSeen), total)
	if r.Client.IP.IsValid() {
		port := pairKey{client: r.Client.IP, proto: r.Proto}
		if hasPorts(r, r.Server.Port) {
			port.port = r.Server.Port
		}
		a.pairs.add(port, total)
	}
	a.addFindings(r)
}

// service returns the column of a service, creating it while there is room.
func (a *htmlAgg) service(name string) int {
	if i, ok := a.svcIndex[name]; ok {
		return i
	}
	if len(a.svcs) >= htmlMaxServices {
		name = htmlOther
		if i, ok := a.svcIndex[name]; ok {
			return i
		}
	}
	i := len(a.svcs)
	a.svcIndex[name] = i
	a.svcs = append(a.svcs, &htmlSvc{name: name})
	a.series.grow(i + 1)
	return i
}

func (a *htmlAgg) addFindings(r *flow.Record) {
	fs, suppressed := a.keep.filter(r)
	a.suppressed += uint64(suppressed)
	for i := range fs {
		sev := min(severityRank(fs[i].Severity), len(severities)-1)
		a.findingN[sev]++
		if len(a.findings[sev]) < htmlFindings {
			a.findings[sev] = append(a.findings[sev], newHTMLFinding(r, &fs[i]))
		}
	}
}

// addBeacon counts a beacon record's finding and keeps the best beacons.
func (a *htmlAgg) addBeacon(r *flow.Record) {
	fs, _ := a.keep.filter(r)
	a.addFindings(r)
	if len(fs) == 0 {
		return // allowed, or below --min-severity
	}
	a.beaconN++
	b := newHTMLBeacon(r, &fs[0])
	if len(a.beacons) < htmlBeacons {
		a.beacons = append(a.beacons, b)
		return
	}
	worst := 0
	for i := range a.beacons {
		if a.beacons[i].score < a.beacons[worst].score {
			worst = i
		}
	}
	if b.score > a.beacons[worst].score {
		a.beacons[worst] = b
	}
}

// timeSeries counts flows (at their start) and bytes (spread evenly over
// each flow's span) per service in htmlBuckets buckets; when a record falls
// outside them, the buckets widen (see widths) and merge.
type timeSeries struct {
	width, origin int64 // ns; origin is a multiple of width (0: no data yet)
	lo, hi        int64 // the data's extent
	flows, bytes  [][htmlBuckets]float64
}

// widths are the bucket widths, each a whole multiple of the one before,
// so that buckets merge exactly; past a day they double.
var widths = []int64{
	1e6, 2e6, 1e7, 2e7, 1e8, 2e8, 1e9, 2e9, 10e9, 20e9, 60e9, 120e9, 600e9, 1200e9,
	3600e9, 7200e9, 6 * 3600e9, 12 * 3600e9, 24 * 3600e9,
}

func nextWidth(w int64) int64 {
	for _, x := range widths {
		if x > w {
			return x
		}
	}
	if w > math.MaxInt64/(4*htmlBuckets) {
		return w // no wider: indexes clamp instead
	}
	return 2 * w
}

func (s *timeSeries) grow(cols int) {
	for len(s.flows) < cols {
		s.flows = append(s.flows, [htmlBuckets]float64{})
		s.bytes = append(s.bytes, [htmlBuckets]float64{})
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// The times of a capture may run from about -9e18 to +9e18 ns (a pcapng's
// timestamps are whatever its writer put there), and 120 buckets of the
// widest width span about 84 years: the arithmetic below neither
// overflows nor drops what falls outside the buckets.

// unixNano is t in ns since 1970, saturated at the int64 range (where
// t.UnixNano is undefined: before 1678, after 2262).
func unixNano(t time.Time) int64 {
	const maxSec = math.MaxInt64 / int64(time.Second)
	switch sec := t.Unix(); {
	case sec >= maxSec:
		return math.MaxInt64
	case sec <= -maxSec:
		return math.MinInt64
	}
	return t.UnixNano()
}

// alignDown is the largest multiple of w at most t; where that is below
// the smallest int64, the smallest multiple there is (t then lies before
// the first bucket, which takes it).
func alignDown(t, w int64) int64 {
	return max(floorDiv(t, w), math.MinInt64/w) * w // MinInt64/w rounds toward zero: a multiple in range
}

// after is b-a for a ≤ b (0 otherwise), exact even where b-a overflows
// int64.
func after(a, b int64) uint64 {
	if b <= a {
		return 0
	}
	return uint64(b) - uint64(a)
}

// edge is the start of bucket k: o+k*w, at most the largest int64 (k*w
// itself fits: widths stop growing short of that, see nextWidth).
func edge(o, w int64, k int) int64 {
	d := int64(k) * w
	if o > math.MaxInt64-d {
		return math.MaxInt64
	}
	return o + d
}

// fit widens the buckets until [lo, hi] and the data so far fit.
func (s *timeSeries) fit(lo, hi int64) {
	if s.width == 0 {
		s.width, s.lo, s.hi = widths[0], lo, hi
		s.origin = alignDown(lo, s.width)
	}
	nlo, nhi := min(s.lo, lo), max(s.hi, hi)
	w := s.width
	o := alignDown(nlo, w)
	for after(o, nhi)/uint64(w) >= htmlBuckets {
		nw := nextWidth(w)
		if nw == w {
			break // the widest: what lies beyond goes to the last bucket
		}
		w = nw
		o = alignDown(nlo, w)
	}
	s.lo, s.hi = nlo, nhi
	if w == s.width && o == s.origin {
		return
	}
	for c := range s.flows {
		var f, b [htmlBuckets]float64
		for i := range htmlBuckets {
			j := index(edge(s.origin, s.width, i), o, w)
			f[j] += s.flows[c][i]
			b[j] += s.bytes[c][i]
		}
		s.flows[c], s.bytes[c] = f, b
	}
	s.width, s.origin = w, o
}

// index is t's bucket for origin o and width w, clamped to the first and
// the last.
func index(t, o, w int64) int {
	return int(min(after(o, t)/uint64(w), htmlBuckets-1))
}

// clamped says whether some times lie outside the buckets (before the
// first, or after the last): the first and last buckets hold them.
func (s *timeSeries) clamped() bool {
	return s.width != 0 && (s.lo < s.origin || after(s.origin, s.hi)/uint64(s.width) >= htmlBuckets)
}

func (s *timeSeries) add(col int, first, last int64, bytes uint64) {
	if last < first {
		last = first
	}
	s.fit(first, last)
	i, j := index(first, s.origin, s.width), index(last, s.origin, s.width)
	s.flows[col][i]++
	if i == j {
		s.bytes[col][i] += float64(bytes)
		return
	}
	// Each bucket's share of the span; the first bucket's from first and
	// the last's to last, even where those lie outside them (clamped), so
	// that the shares add up to the flow's bytes.
	span := float64(after(first, last))
	for k := i; k <= j; k++ {
		start, end := first, last
		if k > i {
			start = edge(s.origin, s.width, k)
		}
		if k < j {
			end = edge(s.origin, s.width, k+1)
		}
		s.bytes[col][k] += float64(bytes) * float64(after(start, end)) / span
	}
}

// pairKey is a client and the server port it used (port 0: none, ICMP).
type pairKey struct {
	client netip.Addr
	proto  string
	port   uint16
}

func (k pairKey) portName() string {
	if k.port == 0 {
		return k.proto
	}
	return k.proto + "/" + strconv.Itoa(int(k.port))
}

// pairSketch counts bytes and flows per pair in a fixed number of slots:
// weighted Space-Saving as topTalkers (see there), for a pair key.
type pairSketch struct {
	slots    int
	index    map[pairKey]int
	items    []pairCount
	heap     []int // min-heap of items by bytes
	pos      []int
	replaced uint64
}

type pairCount struct {
	key                      pairKey
	bytes, flows, errB, errF uint64
}

func newPairSketch(slots int) pairSketch {
	return pairSketch{slots: slots, index: map[pairKey]int{}}
}

func (p *pairSketch) add(k pairKey, bytes uint64) {
	if i, ok := p.index[k]; ok {
		p.items[i].bytes += bytes
		p.items[i].flows++
		p.down(p.pos[i])
		return
	}
	if len(p.items) < p.slots {
		i := len(p.items)
		p.items = append(p.items, pairCount{key: k, bytes: bytes, flows: 1})
		p.index[k] = i
		p.heap = append(p.heap, i)
		p.pos = append(p.pos, len(p.heap)-1)
		p.up(len(p.heap) - 1)
		return
	}
	i := p.heap[0]
	it := &p.items[i]
	delete(p.index, it.key)
	p.index[k] = i
	*it = pairCount{key: k, bytes: it.bytes + bytes, flows: it.flows + 1, errB: it.bytes, errF: it.flows}
	p.replaced++
	p.down(0)
}

func (p *pairSketch) less(a, b int) bool { return p.items[p.heap[a]].bytes < p.items[p.heap[b]].bytes }

func (p *pairSketch) swap(a, b int) {
	p.heap[a], p.heap[b] = p.heap[b], p.heap[a]
	p.pos[p.heap[a]], p.pos[p.heap[b]] = a, b
}

func (p *pairSketch) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !p.less(i, parent) {
			return
		}
		p.swap(i, parent)
		i = parent
	}
}

func (p *pairSketch) down(i int) {
	for {
		l, small := 2*i+1, i
		if l < len(p.heap) && p.less(l, small) {
			small = l
		}
		if l+1 < len(p.heap) && p.less(l+1, small) {
			small = l + 1
		}
		if small == i {
			return
		}
		p.swap(i, small)
		i = small
	}
}
