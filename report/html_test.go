package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/flow/beacon"
)

// htmlOf runs recs (and beacon records) through an -o html sink as the
// pipeline does and returns the page.
func htmlOf(t *testing.T, recs []flow.Record, beacons []flow.Record, opt Options) []byte {
	t.Helper()
	var out bytes.Buffer
	opt.Format = "html"
	s, err := NewSink(SinkConfig{Stdout: &out, Options: opt})
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if err := s.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i := range beacons {
		if err := WriteBeacon(s, &beacons[i]); err != nil {
			t.Fatal(err)
		}
	}
	sum := &Summary{Inputs: []Input{{Path: "in<put>.pcap", Format: "pcap", Packets: 9}},
		Stats: flow.Stats{Skipped: map[string]uint64{"malformed": 2, "non-ip": 5}}}
	if err := s.Close(sum); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// domAttrs returns, for each element with attribute key, the value of
// attribute val (the page's data- attributes tests read).
func domAttrs(t *testing.T, page []byte, key, val string) map[string]string {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			var k, v string
			var hasK bool
			for _, a := range n.Attr {
				if a.Key == key {
					k, hasK = a.Val, true
				}
				if a.Key == val {
					v = a.Val
				}
			}
			if hasK {
				out[k] = v
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func TestHTMLTotals(t *testing.T) {
	a, b, c := tcpRec(), udp6Rec(), icmpRec()
	tls := svcRec(4, 443, "tls", "high")
	ssh := svcRec(5, 2222, "ssh", "high") // a nonstandard-port finding
	recs := []flow.Record{a, b, c, tls, ssh}
	page := htmlOf(t, recs, nil, Options{})

	var want struct{ flows, packets, bytes, frame, findings uint64 }
	for i := range recs {
		r := &recs[i]
		want.flows++
		want.packets += r.Client.Packets + r.Server.Packets
		want.bytes += r.Client.Bytes + r.Server.Bytes
		want.frame += r.Client.FrameBytes + r.Server.FrameBytes
		want.findings += uint64(len(Findings(r)))
	}
	stats := domAttrs(t, page, "data-stat", "data-value")
	for _, c := range []struct {
		id   string
		want uint64
	}{
		{"flows", want.flows}, {"packets", want.packets}, {"bytes", want.bytes},
		{"frame-bytes", want.frame}, {"findings", want.findings}, {"beacons", 0},
	} {
		if got := stats[c.id]; got != fmt.Sprint(c.want) {
			t.Errorf("stat %s = %q, want %d", c.id, got, c.want)
		}
	}
	if want.findings != 1 {
		t.Fatalf("the ssh record should raise one finding, raised %d", want.findings)
	}
	svcs := domAttrs(t, page, "data-service", "data-service")
	for _, name := range []string{"tls", "ssh", "(none)"} {
		if _, ok := svcs[name]; !ok {
			t.Errorf("service %q missing from the table: %v", name, svcs)
		}
	}
	skipped := domAttrs(t, page, "data-reason", "data-reason")
	if _, ok := skipped["malformed"]; !ok {
		t.Errorf("skipped reasons %v lack malformed", skipped)
	}
	if bytes.Contains(page, []byte("ZgotmplZ")) {
		t.Error("html/template refused a value (ZgotmplZ in the page)")
	}
	if !bytes.Contains(page, []byte("in&lt;put&gt;.pcap")) {
		t.Error("the input's path is not shown, escaped")
	}
}

// TestHTMLEscapes: strings from the wire reach the page as text, in every
// context they are used in (text, attributes, SVG titles).
func TestHTMLEscapes(t *testing.T) {
	r := svcRec(7, 2222, "ssh", "high")
	r.ServerName = `evil"><script>alert(1)</script>`
	r.Evidence = "SSH-2.0-<img src=x onerror=alert(2)>\r\n"
	b := beaconRec(t, `c2"><script>alert(3)</script>.example`)
	page := htmlOf(t, []flow.Record{r}, []flow.Record{b}, Options{})
	for _, bad := range []string{"<script>alert", "<img src=x", `evil">`, `c2">`} {
		if bytes.Contains(page, []byte(bad)) {
			t.Errorf("page contains %q unescaped", bad)
		}
	}
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	scripts := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "img") {
			scripts++
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if scripts != 2 {
		t.Errorf("page has %d script or img elements, want the report's own 2", scripts)
	}
	if !bytes.Contains(page, []byte("&lt;script&gt;alert(3)")) {
		t.Error("the beacon's name is not shown as text")
	}
}

// beaconRec is a beacon record for a group named name.
func beaconRec(t *testing.T, name string) flow.Record {
	t.Helper()
	starts := []int64{1000, 1060, 1120, 1181, 1240, 1300, 1360, 1420, 1479, 1540}
	res := &beacon.Result{
		Key:       beacon.Key{Client: netip.MustParseAddr("10.1.0.5"), Port: 443, Proto: 6, Name: name},
		Scores:    beacon.Scores{Score: 0.97, TS: 0.98, DS: 1, Count: 0.9, Period: 60, Jitter: 0.4, SizeMedian: 510},
		Server:    netip.MustParseAddr("203.0.113.9"),
		ProtoName: "tcp", Service: "tls", First: starts[0], Last: starts[len(starts)-1], Count: len(starts),
		FlowIDs: []uint64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, Starts: starts,
	}
	return BeaconRecord(res)
}

func TestHTMLBeacon(t *testing.T) {
	page := htmlOf(t, []flow.Record{tcpRec()}, []flow.Record{beaconRec(t, "c2.example")}, Options{})
	stats := domAttrs(t, page, "data-stat", "data-value")
	if stats["beacons"] != "1" || stats["findings"] != "1" {
		t.Errorf("beacons %q findings %q, want 1 and 1", stats["beacons"], stats["findings"])
	}
	if !bytes.Contains(page, []byte(`data-score="0.97"`)) {
		t.Error("the beacon's card is missing")
	}
	// Nine intervals of 59 to 61 s: three bins of 1 s.
	h := intervalHist(beaconRec(t, "x").Beacon.Starts)
	if h.Intervals != 9 || len(h.Bars) != 3 || h.Lo != "59 s" {
		t.Errorf("histogram: %d intervals, %d bars from %s; want 9, 3, 59 s", h.Intervals, len(h.Bars), h.Lo)
	}
	n := 0
	for _, b := range h.Bars {
		var c int
		fmt.Sscan(b.N, &c)
		n += c
	}
	if n != 9 {
		t.Errorf("the bars hold %d intervals, want 9", n)
	}
}

// TestHTMLAllowlist: findings the allowlist suppresses are counted apart,
// as the summary counts them.
func TestHTMLAllowlist(t *testing.T) {
	allow, err := ParseAllowlist(strings.NewReader("ssh 10.0.0.2:2222\n"), "allow")
	if err != nil {
		t.Fatal(err)
	}
	page := htmlOf(t, []flow.Record{svcRec(5, 2222, "ssh", "high")}, nil, Options{Allow: allow})
	if got := domAttrs(t, page, "data-stat", "data-value")["findings"]; got != "0" {
		t.Errorf("findings = %s, want 0 (suppressed)", got)
	}
	if !bytes.Contains(page, []byte("1 suppressed by the allowlist")) {
		t.Error("the suppressed finding is not counted")
	}
}

// TestTimeSeries: whatever order and span records come in, every flow is
// counted once and every byte kept, in htmlBuckets buckets.
func TestTimeSeries(t *testing.T) {
	base := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano()
	maxWidth := int64(256 * 86400e9)
	type span struct{ first, last int64 }
	cases := []struct {
		name  string
		spans []span
		width int64 // the width expected at the end
	}{
		{"one instant", []span{{base, base}}, 1e6},
		{"within a second", []span{{base, base + 5e8}, {base + 1e8, base + 1e8}}, 1e7},
		{"growing to an hour", []span{{base, base + 1e9}, {base + 3600e9, base + 3600e9}}, 60e9},
		{"earlier than the first", []span{{base + 100e9, base + 101e9}, {base, base + 1e6}}, 1e9},
		{"days", []span{{base, base}, {base + 10*86400e9, base + 10*86400e9}}, 6 * 3600e9},
		{"epoch and now", []span{{0, 0}, {base, base}}, 0},
		{"before 1970", []span{{-5e9, -4e9}, {5e9, 6e9}}, 100e6},
		// Wider than 120 buckets of the widest width (256 days): the
		// first and last buckets take what lies beyond, bytes and flows.
		{"-9e18 to 9e18", []span{{-9e18, -9e18}, {9e18, 9e18}, {-9e18, 9e18}}, maxWidth},
		{"the whole int64", []span{{math.MinInt64, math.MaxInt64}, {0, 0}}, maxWidth},
		{"the whole int64, an instant first", []span{{math.MaxInt64, math.MaxInt64}, {math.MinInt64, math.MinInt64}, {math.MinInt64, math.MaxInt64}}, maxWidth},
		{"a flow past the last bucket", []span{{base, base}, {base + 1e9, base + 200*365*86400e9}}, maxWidth},
		{"a flow from before the first bucket", []span{{base, base}, {base - 200*365*86400e9, base}}, maxWidth},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var s timeSeries
			s.grow(1)
			var bytes uint64
			for i, sp := range c.spans {
				n := uint64(1000 * (i + 1))
				s.add(0, sp.first, sp.last, n)
				bytes += n
			}
			var flows, got float64
			for i := range htmlBuckets {
				flows += s.flows[0][i]
				got += s.bytes[0][i]
			}
			if flows != float64(len(c.spans)) {
				t.Errorf("flows = %v, want %d", flows, len(c.spans))
			}
			if math.Abs(got-float64(bytes)) > 1e-9*float64(bytes) {
				t.Errorf("bytes = %v, want %d", got, bytes)
			}
			for i := range htmlBuckets {
				if s.bytes[0][i] < 0 || s.flows[0][i] < 0 {
					t.Errorf("bucket %d: %v bytes, %v flows", i, s.bytes[0][i], s.flows[0][i])
				}
			}
			if c.width != 0 && s.width != c.width {
				t.Errorf("width = %d, want %d", s.width, c.width)
			}
			if s.origin%s.width != 0 {
				t.Errorf("origin %d is not a multiple of the width %d", s.origin, s.width)
			}
		})
	}
}

// TestHTMLBounded: a flood of distinct clients, ports, services and
// findings leaves the aggregates and the page bounded.
func TestHTMLBounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var out bytes.Buffer
	s, err := NewSink(SinkConfig{Stdout: &out, Options: Options{Format: "html"}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 100_000
	var findings int
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		r := svcRec(uint64(i), uint16(1024+rng.IntN(60000)), "ssh", "high") // all nonstandard-port
		r.Client.IP = netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		r.Service = fmt.Sprintf("svc%d", i%500) // more services than are kept apart
		r.ServiceConfidence = "low"
		if i%3 == 0 {
			r.Service, r.ServiceConfidence = "ssh", "high"
		}
		r.FirstSeen = start.Add(time.Duration(i) * time.Millisecond)
		r.LastSeen = r.FirstSeen.Add(time.Duration(rng.IntN(5000)) * time.Millisecond)
		findings += len(Findings(&r))
		if err := s.Write(&r); err != nil {
			t.Fatal(err)
		}
	}
	h := s.(*tallySink).Sink.(*htmlSink)
	if got := len(h.agg.svcs); got > htmlMaxServices+1 {
		t.Errorf("%d services kept apart, want at most %d", got, htmlMaxServices+1)
	}
	if got := len(h.agg.pairs.items); got > htmlPairSlots {
		t.Errorf("%d pairs kept, want at most %d", got, htmlPairSlots)
	}
	kept := 0
	for _, l := range h.agg.findings {
		kept += len(l)
	}
	if kept > len(severities)*htmlFindings {
		t.Errorf("%d findings kept", kept)
	}
	if err := s.Close(&Summary{}); err != nil {
		t.Fatal(err)
	}
	if out.Len() > 300<<10 {
		t.Errorf("page of %d bytes for %d flows, want at most 300 KiB", out.Len(), n)
	}
	stats := domAttrs(t, out.Bytes(), "data-stat", "data-value")
	if stats["flows"] != fmt.Sprint(n) {
		t.Errorf("flows = %s, want %d", stats["flows"], n)
	}
	wantFindings := fmt.Sprint(findings)
	if stats["findings"] != wantFindings {
		t.Errorf("findings = %s, want %s", stats["findings"], wantFindings)
	}
	sum := domAttrs(t, out.Bytes(), "data-total", "data-shown")
	if sum[wantFindings] != fmt.Sprint(htmlFindings) {
		t.Errorf("findings shown: %v, want %d of %s", sum, htmlFindings, wantFindings)
	}
	t.Logf("%d flows: a page of %d bytes", n, out.Len())
}

// TestPairSketch: exact while the pairs fit; past that, a heavy pair
// keeps its slot and its count is a lower bound.
func TestPairSketch(t *testing.T) {
	p := newPairSketch(8)
	heavy := pairKey{client: netip.MustParseAddr("10.0.0.1"), proto: "tcp", port: 443}
	for i := range 1000 {
		p.add(heavy, 100)
		p.add(pairKey{client: netip.AddrFrom4([4]byte{10, 9, byte(i >> 8), byte(i)}), proto: "udp", port: 53}, 10)
	}
	i, ok := p.index[heavy]
	if !ok {
		t.Fatal("the heavy pair lost its slot")
	}
	it := p.items[i]
	if it.flows-it.errF != 1000 || it.bytes-it.errB != 100_000 {
		t.Errorf("heavy pair: %d flows %d bytes for sure, want 1000 and 100000", it.flows-it.errF, it.bytes-it.errB)
	}
	if len(p.items) != 8 || p.replaced == 0 {
		t.Errorf("%d items, %d replaced", len(p.items), p.replaced)
	}
}

func TestHTMLFieldsRefused(t *testing.T) {
	if _, err := NewSink(SinkConfig{Options: Options{Format: "html", Fields: []string{"id"}}}); err == nil {
		t.Error("--fields with -o html: no error")
	}
}

// TestTimeTicks: the time axis says UTC and, past about 300 days, labels
// dates with their year; no two labels read the same.
func TestTimeTicks(t *testing.T) {
	base := time.Date(2023, 11, 20, 6, 30, 0, 0, time.UTC).UnixNano()
	day := int64(24 * time.Hour)
	cases := []struct {
		name     string
		width    int64
		n        int
		year     bool   // labels carry the year
		inTitle  string // what the axis title adds
		inLabels string // a label that must be there
	}{
		{"a second", 1e7, 100, false, "from 2023-11-20", "06:30:00.000"},
		{"an hour", 60e9, 60, false, "from 2023-11-20", "06:30:00"},
		{"ten days", 2 * 3600e9, 120, false, "from 2023", "11-20 06:30"},
		{"200 days", 2 * day, 100, false, "from 2023", "11-20 06:30"},
		{"400 days", 4 * day, 100, true, "", "2023-11-20"},
		{"30 years", 128 * day, 86, true, "", "2023-11-20"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ticks, title := timeTicks(base, c.width, c.n)
			if !strings.HasPrefix(title, "time (UTC)") || !strings.Contains(title, c.inTitle) {
				t.Errorf("axis title %q, want time (UTC) and %q", title, c.inTitle)
			}
			seen := map[string]bool{}
			for i, tk := range ticks {
				if seen[tk.Label] {
					t.Errorf("label %q twice: %v", tk.Label, ticks)
				}
				seen[tk.Label] = true
				if c.year {
					at := time.Unix(0, base+int64(i*max(1, (c.n+5)/6))*c.width).UTC()
					if got, err := time.Parse("2006-01-02", tk.Label); err != nil || got.Year() != at.Year() {
						t.Errorf("label %q for %s: want its date with the year", tk.Label, at)
					}
				}
			}
			if !seen[c.inLabels] {
				t.Errorf("labels %v lack %q", ticks, c.inLabels)
			}
		})
	}

	// On the page: a capture of two flows 400 days apart, its axis dated
	// with years, the findings' time column said to be UTC.
	a, b := svcRec(1, 2222, "ssh", "high"), tcpRec()
	a.FirstSeen = time.Unix(0, base).UTC()
	a.LastSeen = a.FirstSeen.Add(time.Second)
	b.FirstSeen = a.FirstSeen.Add(400 * 24 * time.Hour)
	b.LastSeen = b.FirstSeen
	page := htmlOf(t, []flow.Record{a, b}, nil, Options{})
	for _, want := range []string{">time (UTC)</text>", ">2023-11-", ">2024-", "start (UTC)"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the page lacks %q: %s", want, regexp.MustCompile(`>[0-9-: ]+</text>`).FindAll(page, -1))
		}
	}
}

// TestHTMLEmptyAndLive: a page of no flows says there is no data (not
// "buckets of 0s"); a live capture's inputs name the interface.
func TestHTMLEmptyAndLive(t *testing.T) {
	cases := []struct {
		name      string
		recs      []flow.Record
		sum       Summary
		want, not []string
	}{
		{"empty", nil, Summary{}, []string{"no data: no flow records", "none recorded"}, []string{"buckets of 0s", "buckets of"}},
		{"file", []flow.Record{tcpRec()}, Summary{Inputs: []Input{{Path: "a.pcap", Format: "pcap", Packets: 3}}},
			[]string{"buckets of 1ms", "a.pcap"}, []string{"no data", "live capture", "none recorded"}},
		{"live", []flow.Record{tcpRec()}, Summary{Capture: &Capture{Interface: "eth<0>", LinkType: "ethernet", Filter: "tcp port 80", Received: 3}},
			[]string{"live capture on eth&lt;0&gt; (libpcap, ethernet, filter tcp port 80)"}, []string{"none recorded", "no data"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			s, err := NewSink(SinkConfig{Stdout: &out, Options: Options{Format: "html"}})
			if err != nil {
				t.Fatal(err)
			}
			for i := range c.recs {
				if err := s.Write(&c.recs[i]); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(&c.sum); err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !bytes.Contains(out.Bytes(), []byte(w)) {
					t.Errorf("the page lacks %q", w)
				}
			}
			for _, n := range c.not {
				if bytes.Contains(out.Bytes(), []byte(n)) {
					t.Errorf("the page says %q", n)
				}
			}
		})
	}
}

// TestHTMLMatrixNote: while every client–port pair is kept the matrix's
// note counts clients and ports in all; once the sketch replaced pairs it
// gives no total (those of the pairs kept are not), and says the cells
// are lower bounds.
func TestHTMLMatrixNote(t *testing.T) {
	cases := []struct {
		name      string
		clients   int // one pair each, tcp/443, and a second on udp/53 for the first 3
		want, not []string
	}{
		{"kept", 20, []string{"the 12 clients with the most bytes (of 20) × the 2 server ports they used most (of 2 in all); cells: flows"},
			[]string{"Space-Saving", "at least"}},
		{"replaced", htmlPairSlots + 500, []string{"more client–port pairs than the 4,096 kept", "Space-Saving", "cells: at least these flows"},
			[]string{"in all", "(of "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newHTMLAgg(Options{})
			for i := range c.clients {
				r := tcpRec()
				r.Client.IP = netip.AddrFrom4([4]byte{10, 3, byte(i >> 8), byte(i)})
				a.add(&r)
				if i < 3 {
					u := udp6Rec()
					u.Proto, u.Client.IP, u.Server.Port = "udp", r.Client.IP, 53
					a.add(&u)
				}
			}
			note := a.matrix().Note
			for _, w := range c.want {
				if !strings.Contains(note, w) {
					t.Errorf("note %q lacks %q", note, w)
				}
			}
			for _, n := range c.not {
				if strings.Contains(note, n) {
					t.Errorf("note %q says %q", note, n)
				}
			}
		})
	}
}

// TestHTMLExtremeTimes: flows whose times run from about -9e18 to +9e18 ns
// (and times out of time.UnixNano's range) are all drawn: the areas of the
// bytes chart add up to the bytes, those of the flows chart to the flows,
// and the note says what lies beyond the axis.
func TestHTMLExtremeTimes(t *testing.T) {
	at := func(ns int64) time.Time { return time.Unix(0, ns).UTC() }
	cases := []struct {
		name   string
		spans  [][2]time.Time
		beyond bool // the note says times lie beyond the axis
	}{
		{"a minute", [][2]time.Time{{at(1e18), at(1e18 + 60e9)}, {at(1e18 + 1e9), at(1e18 + 2e9)}}, false},
		{"-9e18 to 9e18", [][2]time.Time{{at(-9e18), at(-9e18 + 1e9)}, {at(9e18), at(9e18)}, {at(-9e18), at(9e18)}}, true},
		{"a flow past the last bucket", [][2]time.Time{{at(1e18), at(1e18)}, {at(1e18), at(9e18)}}, true},
		{"years 1 and 9999", [][2]time.Time{{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)},
			{at(0), at(0)}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var recs []flow.Record
			var bytesWant uint64
			for i, sp := range c.spans {
				r := tcpRec()
				r.ID = uint64(i + 1)
				r.FirstSeen, r.LastSeen = sp[0], sp[1]
				bytesWant += Options{}.Bytes.total(&r)
				recs = append(recs, r)
			}
			page := htmlOf(t, recs, nil, Options{})
			doc, err := html.Parse(bytes.NewReader(page))
			if err != nil {
				t.Fatal(err)
			}
			sums, areas := map[string]float64{}, map[string]int{}
			var walk func(n *html.Node)
			walk = func(n *html.Node) {
				if n.Type == html.ElementNode && n.Data == "path" {
					var chart, v string
					for _, a := range n.Attr {
						switch a.Key {
						case "data-chart":
							chart = a.Val
						case "data-v":
							v = a.Val
						}
					}
					var x float64
					fmt.Sscan(v, &x)
					sums[chart] += x
					areas[chart]++
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
			}
			walk(doc)
			// Each area's sum is rounded to a whole number.
			if got := sums["chart-bytes"]; math.Abs(got-float64(bytesWant)) > float64(areas["chart-bytes"]) {
				t.Errorf("the bytes chart shows %v bytes, want %d", got, bytesWant)
			}
			if got := sums["chart-flows"]; math.Abs(got-float64(len(recs))) > float64(areas["chart-flows"]) {
				t.Errorf("the flows chart shows %v flows, want %d", got, len(recs))
			}
			if got := bytes.Contains(page, []byte("times beyond the axis")); got != c.beyond {
				t.Errorf("the note says times lie beyond the axis: %v, want %v", got, c.beyond)
			}
		})
	}
}

func TestHTMLCut(t *testing.T) {
	a150, lt50 := strings.Repeat("a", 150), strings.Repeat("<", 50)
	xff40 := strings.Repeat(`\xff`, 40)
	cases := []struct {
		name, in string
		budget   int
		want     string
	}{
		{"fits", "example.com", 100, "example.com"},
		{"fits to the byte", strings.Repeat(`"`, 20), 100, strings.Repeat(`"`, 20)},
		{"plain", a150, 100, a150[:100] + "...(+50 bytes)"},
		{"markup costs its escaping", lt50, 100, lt50[:25] + "...(+25 bytes)"},
		{"quotes", strings.Repeat(`"`, 30), 100, strings.Repeat(`"`, 20) + "...(+10 bytes)"},
		{"escapes are one byte, never cut", "abc" + xff40, 10, `abc\xff...(+39 bytes)`},
		{"an escaped backslash", `ab\\x41` + a150, 6, `ab\\x4...(+151 bytes)`},
		{"the record's own cut added", strings.Repeat("a", 256) + "...(+44 bytes)", 100, a150[:100] + "...(+200 bytes)"},
		{"the record's cut, length unknown", strings.Repeat("a", 256) + "...(+44+ bytes)", 100, a150[:100] + "...(+200+ bytes)"},
		{"a record's cut that fits", "a...(+44 bytes)", 100, "a...(+44 bytes)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := htmlCut(c.in, c.budget)
			if got != c.want {
				t.Errorf("htmlCut(%q, %d) = %q, want %q", c.in, c.budget, got, c.want)
			}
			if body, _, _ := strings.Cut(got, "...(+"); pageBytes(body) > c.budget && got != c.in {
				t.Errorf("%q takes %d bytes of the page, more than %d", body, pageBytes(body), c.budget)
			}
		})
	}
}

// htmlWorstPage bounds a page (-o html) whatever the capture holds: the
// README states it.
const htmlWorstPage = 400 << 10

// TestHTMLWorstCase: a capture made to fill the page (more findings than
// are listed, of every severity, with 255-byte names and evidence full of
// < and ", more beacons than are shown with such names, long IPv6
// addresses for the talkers and the matrix, more ports than are listed)
// stays under htmlWorstPage, and no name or evidence exceeds its budget.
func TestHTMLWorstCase(t *testing.T) {
	hostile := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = `<"`[i%2]
		}
		return string(b)
	}
	var out bytes.Buffer
	s, err := NewSink(SinkConfig{Stdout: &out, Options: Options{Format: "html"}})
	if err != nil {
		t.Fatal(err)
	}
	services := []string{"bittorrent", "http", "ssh", "tls", "dns", "smtp", "ftp", "telnet", "rdp", "smb", "ldap"}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 2000 {
		r := svcRec(uint64(1e19)+uint64(i), uint16(20000+i%40), services[i%len(services)], "high")
		if i%len(services) == 0 {
			r.Service = "" // drawn as (none): ten areas in each chart
		}
		r.Client.IP = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, byte(i % 20)})
		r.Server.IP = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, byte(i)})
		r.ServerName = hostile(255)
		r.Evidence = hostile(255) + "\xff\xfe"
		r.FirstSeen = start.Add(time.Duration(i) * time.Minute)
		r.LastSeen = r.FirstSeen.Add(time.Hour)
		if err := s.Write(&r); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 * htmlBeacons {
		b := beaconRec(t, hostile(250)+fmt.Sprint(i))
		if err := WriteBeacon(s, &b); err != nil {
			t.Fatal(err)
		}
	}
	sum := &Summary{Inputs: []Input{{Path: "capture.pcapng", Format: "pcapng", Packets: 1e9, LinkTypes: []string{"ethernet"}}},
		Stats: flow.Stats{Skipped: map[string]uint64{"malformed": 2, "non-ip": 5, "truncated": 7, "unknown-link-type": 1}}}
	if err := s.Close(sum); err != nil {
		t.Fatal(err)
	}
	page := out.Bytes()
	if len(page) > htmlWorstPage {
		t.Errorf("a page of %d bytes, more than the %d the README promises", len(page), htmlWorstPage)
	}
	if got := domAttrs(t, page, "data-total", "data-shown"); len(got) != 1 {
		t.Errorf("findings summary: %v", got)
	}
	// No run of the hostile text on the page is longer than a budget
	// allows: 100 bytes for a name, 200 for evidence.
	longest := regexp.MustCompile(`(?:&lt;|&#34;)+`).FindAll(page, -1)
	for _, m := range longest {
		if len(m) > htmlEvidence {
			t.Fatalf("a run of %d escaped bytes: %.80s...", len(m), m)
		}
	}
	if !bytes.Contains(page, []byte("...(&#43;")) { // html/template writes + as &#43;
		t.Error("no cut is said")
	}
	t.Logf("worst case: a page of %d bytes (%d KiB)", len(page), len(page)>>10)
}

// TestHTMLCSP: the page's Content-Security-Policy names the hash of each of
// its inline scripts and style sheets and allows nothing else inline; no
// element carries a style attribute (which only 'unsafe-inline' allows);
// each swatch's colour is a class of the style sheet.
func TestHTMLCSP(t *testing.T) {
	page := htmlOf(t, []flow.Record{tcpRec(), udp6Rec(), svcRec(4, 443, "tls", "high")}, nil, Options{})
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`).FindSubmatch(page)
	if csp == nil {
		t.Fatal("no Content-Security-Policy")
	}
	policy := html.UnescapeString(string(csp[1]))
	directives := map[string][]string{}
	for d := range strings.SplitSeq(policy, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			directives[f[0]] = f[1:]
		}
	}
	if got := directives["default-src"]; len(got) != 1 || got[0] != "'none'" {
		t.Errorf("default-src %v, want 'none'", got)
	}
	for _, kind := range []string{"script", "style"} {
		re := regexp.MustCompile(`(?s)<` + kind + `>(.*?)</` + kind + `>`)
		var want []string
		for _, m := range re.FindAllSubmatch(page, -1) {
			sum := sha256.Sum256(m[1])
			want = append(want, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
		}
		if got := directives[kind+"-src"]; len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s-src %v, want the hashes of the page's %d %s elements: %v", kind, got, len(want), kind, want)
		}
	}
	if strings.Contains(policy, "unsafe") {
		t.Errorf("the policy %q allows unsafe sources", policy)
	}
	if m := regexp.MustCompile(`(?i)\sstyle\s*=|\son[a-z]+\s*=`).Find(page); m != nil {
		t.Errorf("an inline style or event handler: %q", m)
	}
	for i, c := range swatchColors {
		if !bytes.Contains(page, fmt.Appendf(nil, ".c%d { background: %s; }", i, c)) {
			t.Errorf("the style sheet lacks swatch colour c%d %s", i, c)
		}
	}
	if !bytes.Contains(page, []byte(`<span class="swatch c0">`)) {
		t.Error("no swatch of the first colour")
	}
}
