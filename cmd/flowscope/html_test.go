package main

// Tests of the HTML report (-o html, check --html): its figures against the
// JSON output's for the same capture, read from the file as written and,
// in headless Chromium, from the page after its scripts ran; a screenshot
// of each page is kept in the test's artifact directory (go test
// -artifacts -run Browser keeps it; the log says where).

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/flowscope/flowscope/internal/synth"
)

// jsonTotals is what -o json's lines add up to.
type jsonTotals struct {
	flows, packets, bytes, frame, findings, beacons uint64
	services                                        map[string]*svcTotals // "(none)": no service
	// As the summary counts them (report/tally.go), in the bytes --bytes
	// says: each address's bytes and flows (both ends, once when they are
	// the same), each server port's, each client and server port's.
	talkers, ports map[string]*count
	pairs          map[[2]string]*count // client, "tcp/443" (or "icmp": no port)
	severities     map[string]uint64    // findings by severity
	counted        uint64               // all flows' bytes of that kind
}

type svcTotals struct{ flows, packets, bytes, frame uint64 }

type count struct{ bytes, flows uint64 }

func addCount[K comparable](m map[K]*count, k K, bytes uint64) {
	c := m[k]
	if c == nil {
		c = &count{}
		m[k] = c
	}
	c.bytes += bytes
	c.flows++
}

type jsonSide struct {
	IP             string `json:"ip"`
	Port           uint16 `json:"port"`
	Packets, Bytes uint64
	FrameBytes     uint64 `json:"frame_bytes"`
}

// jsonTotalsOf adds up -o json's lines; ipBytes: the page was written
// with --bytes ip (talkers, ports and the matrix count IP bytes).
func jsonTotalsOf(t *testing.T, out []byte, ipBytes bool) jsonTotals {
	t.Helper()
	tot := jsonTotals{services: map[string]*svcTotals{}, talkers: map[string]*count{}, ports: map[string]*count{},
		pairs: map[[2]string]*count{}, severities: map[string]uint64{}}
	for line := range bytes.Lines(out) {
		var r struct {
			Kind     string   `json:"kind"`
			Severity string   `json:"severity"`
			Proto    string   `json:"proto"`
			Service  string   `json:"service"`
			Client   jsonSide `json:"client"`
			Server   jsonSide `json:"server"`
			Findings []struct {
				Severity string `json:"severity"`
			} `json:"findings"`
		}
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if r.Kind != "" { // a finding line: a beacon's
			tot.findings++
			tot.severities[r.Severity]++
			if r.Kind == "beacon" {
				tot.beacons++
			}
			continue
		}
		tot.flows++
		pk := r.Client.Packets + r.Server.Packets
		by := r.Client.Bytes + r.Server.Bytes
		fr := r.Client.FrameBytes + r.Server.FrameBytes
		tot.packets += pk
		tot.bytes += by
		tot.frame += fr
		tot.findings += uint64(len(r.Findings))
		for _, f := range r.Findings {
			tot.severities[f.Severity]++
		}
		name := r.Service
		if name == "" {
			name = "(none)"
		}
		s := tot.services[name]
		if s == nil {
			s = &svcTotals{}
			tot.services[name] = s
		}
		s.flows++
		s.packets += pk
		s.bytes += by
		s.frame += fr

		counted := fr
		if ipBytes {
			counted = by
		}
		tot.counted += counted
		for i, ip := range []string{r.Client.IP, r.Server.IP} {
			if ip != "" && (i == 0 || ip != r.Client.IP) {
				addCount(tot.talkers, ip, counted)
			}
		}
		// A transport port: tcp, udp and sctp always, ICMP never (its key
		// holds type and code), anything else when not 0.
		hasPort := r.Proto == "tcp" || r.Proto == "udp" || r.Proto == "sctp" ||
			r.Proto != "icmp" && r.Proto != "icmp6" && r.Server.Port != 0
		portName := r.Proto
		if hasPort {
			portName += "/" + strconv.Itoa(int(r.Server.Port))
			addCount(tot.ports, portName, counted)
			if r.Server.Port == 0 {
				portName = r.Proto
			}
		}
		if r.Client.IP != "" {
			addCount(tot.pairs, [2]string{r.Client.IP, portName}, counted)
		}
	}
	return tot
}

// htmlFigures is what a page shows: its data-stat values and the shown
// text of each, and its services table.
type htmlFigures struct {
	stats     map[string]string // data-stat -> data-value
	texts     map[string]string // data-stat -> the text shown
	services  map[string]*svcTotals
	checks    []string // data-check of the rules' rows
	notJudged string   // why the rules were not judged, if they were not
	attrs     map[string]string
	// The top talkers' and ports' rows, the matrix, the findings by
	// severity (data-sev, data-n), and the notes above the tables.
	talkers, ports []topRow
	matrixCols     []string
	matrix         []matrixRow
	severities     map[string]uint64
	sevTexts       map[string]string
	notes          map[string]string // talkers, ports, matrix
	// What the areas of each chart (chart-bytes, chart-flows) add up to,
	// and how many areas (each sum is rounded to a whole number).
	chartSums  map[string]float64
	chartAreas map[string]int
}

type topRow struct {
	name         string
	bytes, flows uint64
}

type matrixRow struct {
	client string
	cells  []string // as shown: "1,234" or ""
}

func hasClass(n *html.Node, class string) bool {
	v, _ := attr(n, "class")
	return slices.Contains(strings.Fields(v), class)
}

// tableRows returns the cells of each row of a table's thead or tbody.
func tableRows(table *html.Node, section string) [][]*html.Node {
	var out [][]*html.Node
	var walk func(*html.Node, bool)
	walk = func(n *html.Node, in bool) {
		if n.Type == html.ElementNode && n.Data == "tr" && in {
			var cells []*html.Node
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
					cells = append(cells, c)
				}
			}
			out = append(out, cells)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in || n.Type == html.ElementNode && n.Data == section)
		}
	}
	walk(table, false)
	return out
}

func topRows(t *testing.T, table *html.Node) []topRow {
	var out []topRow
	for _, cells := range tableRows(table, "tbody") {
		if len(cells) < 3 {
			t.Fatalf("a row of %d cells", len(cells))
		}
		b, _ := attr(cells[1], "data-v")
		f, _ := attr(cells[2], "data-v")
		r := topRow{name: text(cells[0])}
		r.bytes, _ = strconv.ParseUint(b, 10, 64)
		r.flows, _ = strconv.ParseUint(f, 10, 64)
		out = append(out, r)
	}
	return out
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// pagesOf reads each page (section data-page) of an HTML report; the
// <html> element's attributes go in every page's attrs.
func pagesOf(t *testing.T, doc []byte) []htmlFigures {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	rootAttrs := map[string]string{}
	var pages []htmlFigures
	var cur *htmlFigures
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Data == "html" {
				for _, a := range n.Attr {
					rootAttrs[a.Key] = a.Val
				}
			}
			if _, ok := attr(n, "data-page"); ok {
				pages = append(pages, htmlFigures{stats: map[string]string{}, texts: map[string]string{},
					services: map[string]*svcTotals{}, attrs: rootAttrs, severities: map[string]uint64{},
					sevTexts: map[string]string{}, notes: map[string]string{}, chartSums: map[string]float64{},
					chartAreas: map[string]int{}})
				cur = &pages[len(pages)-1]
			}
			if cur != nil && n.Data == "table" {
				switch {
				case hasClass(n, "talkers"):
					cur.talkers = topRows(t, n)
				case hasClass(n, "ports"):
					cur.ports = topRows(t, n)
				case hasClass(n, "matrix"):
					for _, h := range tableRows(n, "thead")[0][1:] {
						cur.matrixCols = append(cur.matrixCols, text(h))
					}
					for _, cells := range tableRows(n, "tbody") {
						r := matrixRow{client: text(cells[0])}
						for _, c := range cells[1:] {
							r.cells = append(r.cells, text(c))
						}
						cur.matrix = append(cur.matrix, r)
					}
				}
			}
			if k, ok := attr(n, "data-chart"); ok && cur != nil {
				v, _ := attr(n, "data-v")
				x, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Errorf("chart %s: an area adding up to %q", k, v)
				}
				cur.chartSums[k] += x
				cur.chartAreas[k]++
			}
			if k, ok := attr(n, "data-note"); ok && cur != nil {
				cur.notes[k] = text(n)
			}
			if sev, ok := attr(n, "data-sev"); ok && cur != nil {
				v, _ := attr(n, "data-n")
				cur.severities[sev], _ = strconv.ParseUint(v, 10, 64)
				cur.sevTexts[sev] = text(n)
			}
			if id, ok := attr(n, "data-stat"); ok && cur != nil && n.Data == "div" {
				cur.stats[id], _ = attr(n, "data-value")
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if cls, _ := attr(c, "class"); cls == "value" {
						cur.texts[id] = text(c)
					}
				}
			}
			if name, ok := attr(n, "data-service"); ok && cur != nil && n.Data == "tr" {
				s := &svcTotals{}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					k, _ := attr(c, "data-k")
					v, _ := attr(c, "data-v")
					x, _ := strconv.ParseUint(v, 10, 64)
					switch k {
					case "flows":
						s.flows = x
					case "packets":
						s.packets = x
					case "bytes":
						s.bytes = x
					case "frame-bytes":
						s.frame = x
					}
				}
				cur.services[name] = s
			}
			if _, ok := attr(n, "data-not-judged"); ok && cur != nil {
				cur.notJudged = text(n)
			}
			if v, ok := attr(n, "data-check"); ok && cur != nil {
				cur.checks = append(cur.checks, v)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return pages
}

// commas is how the page groups digits.
func commas(n uint64) string {
	s := strconv.FormatUint(n, 10)
	var b []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return string(b)
}

// compareFigures fails t where the page's figures differ from the JSON's.
func compareFigures(t *testing.T, page htmlFigures, want jsonTotals) {
	t.Helper()
	for _, c := range []struct {
		id   string
		want uint64
	}{
		{"flows", want.flows}, {"packets", want.packets}, {"bytes", want.bytes},
		{"frame-bytes", want.frame}, {"findings", want.findings}, {"beacons", want.beacons},
	} {
		if got := page.stats[c.id]; got != strconv.FormatUint(c.want, 10) {
			t.Errorf("%s: the page says %q, the JSON %d", c.id, got, c.want)
		}
		if got := page.texts[c.id]; !strings.HasPrefix(got, commas(c.want)) {
			t.Errorf("%s: the page shows %q, want %s", c.id, got, commas(c.want))
		}
	}
	// Each service shown as the JSON counts it; "other" is the rest.
	rest := svcTotals{}
	for name, w := range want.services {
		got, ok := page.services[name]
		if !ok {
			rest.flows += w.flows
			rest.packets += w.packets
			rest.bytes += w.bytes
			rest.frame += w.frame
			continue
		}
		if *got != *w {
			t.Errorf("service %s: the page says %+v, the JSON %+v", name, *got, *w)
		}
	}
	if got := page.services["other"]; (got == nil) != (rest == svcTotals{}) || got != nil && *got != rest {
		t.Errorf("other services: the page says %+v, the JSON %+v", got, rest)
	}

	// The charts: every byte and every flow drawn, once.
	if got := page.chartSums["chart-bytes"]; math.Abs(got-float64(want.counted)) > float64(page.chartAreas["chart-bytes"]) {
		t.Errorf("the bytes chart adds up to %.0f bytes, the JSON's flows to %d", got, want.counted)
	}
	if got := page.chartSums["chart-flows"]; math.Abs(got-float64(want.flows)) > float64(page.chartAreas["chart-flows"]) {
		t.Errorf("the flows chart adds up to %.0f flows, the JSON has %d", got, want.flows)
	}

	// Findings by severity, as a number and as shown.
	for _, sev := range []string{"high", "medium", "low", "info"} {
		if got, w := page.severities[sev], want.severities[sev]; got != w {
			t.Errorf("%s findings: the page says %d, the JSON %d", sev, got, w)
		} else if w > 0 && page.sevTexts[sev] != sev+" "+commas(w) {
			t.Errorf("%s findings: the page shows %q, want %q", sev, page.sevTexts[sev], sev+" "+commas(w))
		}
	}

	// Top talkers: exact while the summary's sketch holds every address
	// (report.talkerSlots), lower bounds beyond, and the note says so.
	compareTop(t, "talkers", page.talkers, page.notes["talkers"], want.talkers, len(want.talkers) <= 2048,
		func(a, b string) int { return netip.MustParseAddr(a).Compare(netip.MustParseAddr(b)) })
	// Top server ports: counted exactly, whatever their number.
	compareTop(t, "ports", page.ports, page.notes["ports"], want.ports, true, func(a, b string) int {
		pa, na, _ := strings.Cut(a, "/")
		pb, nb, _ := strings.Cut(b, "/")
		x, _ := strconv.Atoi(na)
		y, _ := strconv.Atoi(nb)
		return cmp.Or(cmp.Compare(pa, pb), cmp.Compare(x, y))
	})
	compareMatrix(t, page, want.pairs)
}

// compareTop fails t where a top-15 table differs from the counts: row by
// row when exact (by bytes, then by name as less orders them), else each
// row at most the truth (Space-Saving's lower bounds), the note saying so.
func compareTop(t *testing.T, what string, got []topRow, note string, counts map[string]*count, exact bool, less func(a, b string) int) {
	t.Helper()
	names := slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b].bytes, counts[a].bytes), less(a, b))
	})
	names = names[:min(len(names), 15)]
	if len(got) != len(names) {
		t.Errorf("%s: %d rows, want %d", what, len(got), len(names))
	}
	sketched := strings.Contains(note, "Space-Saving")
	if sketched == exact {
		t.Errorf("%s: the note %q, for counts that are exact: %v", what, note, exact)
	}
	for i, r := range got {
		w := counts[r.name]
		switch {
		case w == nil:
			t.Errorf("%s row %d: %s is in no JSON record", what, i, r.name)
		case exact && (i >= len(names) || r.name != names[i] || r.bytes != w.bytes || r.flows != w.flows):
			t.Errorf("%s row %d: the page says %s %d bytes %d flows, the JSON %s %+v", what, i, r.name, r.bytes, r.flows, names[min(i, len(names)-1)], *counts[names[min(i, len(names)-1)]])
		case !exact && (r.bytes > w.bytes || r.flows > w.flows):
			t.Errorf("%s row %d: the page says %s %d bytes %d flows, more than the JSON's %+v", what, i, r.name, r.bytes, r.flows, *w)
		}
	}
}

// compareMatrix fails t where the client × server port matrix differs from
// the JSON's pairs: its clients (by bytes, then by name), its columns (the
// ports those clients used in most flows, then "other ports") and every
// cell, exactly while the sketch holds every pair (report.htmlPairSlots);
// beyond, every cell at most the truth.
func compareMatrix(t *testing.T, page htmlFigures, pairs map[[2]string]*count) {
	t.Helper()
	exact := len(pairs) <= 4096
	if sketched := strings.Contains(page.notes["matrix"], "Space-Saving"); sketched == exact {
		t.Errorf("matrix: the note %q, for pairs that are all kept: %v", page.notes["matrix"], exact)
	}
	if !exact && strings.Contains(page.notes["matrix"], "in all") {
		t.Errorf("matrix: the note %q gives the sketch's counts as totals", page.notes["matrix"])
	}
	clients := map[string]*count{}
	for k, c := range pairs {
		cl := clients[k[0]]
		if cl == nil {
			cl = &count{}
			clients[k[0]] = cl
		}
		cl.bytes += c.bytes
		cl.flows += c.flows
	}
	if exact {
		rows := slices.SortedFunc(maps.Keys(clients), func(a, b string) int {
			return cmp.Or(cmp.Compare(clients[b].bytes, clients[a].bytes), cmp.Compare(a, b))
		})
		rows = rows[:min(len(rows), 12)]
		used := map[string]uint64{}
		for k, c := range pairs {
			if slices.Contains(rows, k[0]) {
				used[k[1]] += c.flows
			}
		}
		cols := slices.SortedFunc(maps.Keys(used), func(a, b string) int {
			return cmp.Or(cmp.Compare(used[b], used[a]), cmp.Compare(a, b))
		})
		if len(cols) > 10 {
			cols = append(cols[:10], "other ports")
		}
		var gotRows []string
		for _, r := range page.matrix {
			gotRows = append(gotRows, r.client)
		}
		if !slices.Equal(gotRows, rows) || !slices.Equal(page.matrixCols, cols) {
			t.Errorf("matrix: the page has clients %v × ports %v, the JSON %v × %v", gotRows, page.matrixCols, rows, cols)
			return
		}
	}
	for _, r := range page.matrix {
		if len(r.cells) != len(page.matrixCols) {
			t.Errorf("matrix row %s: %d cells for %d ports", r.client, len(r.cells), len(page.matrixCols))
			continue
		}
		var shown uint64
		for j, col := range page.matrixCols {
			var w uint64
			if col == "other ports" {
				w = clients[r.client].flows - shown
			} else if c := pairs[[2]string{r.client, col}]; c != nil {
				w = c.flows
			}
			shown += w
			got, err := strconv.ParseUint(strings.ReplaceAll(r.cells[j], ",", ""), 10, 64)
			if r.cells[j] == "" {
				got, err = 0, nil
			}
			if err != nil || exact && got != w || got > w {
				t.Errorf("matrix %s × %s: the page says %q, the JSON %d flows", r.client, col, r.cells[j], w)
			}
		}
	}
}

// htmlScene is a capture to report on, with the flags of both runs.
type htmlScene struct {
	paths []string
	args  []string // e.g. --bytes ip
}

func (sc htmlScene) ipBytes() bool { return slices.Contains(sc.args, "ip") }

// run writes the scene's -o json (or -o html) output.
func (sc htmlScene) run(t *testing.T, format string) []byte {
	t.Helper()
	return mustRun(t, 0, nil, append(append(readArgs(sc.paths), sc.args...), "-o", format, "-q")...).stdout
}

// htmlScenes are the captures the report is tested on: real ones, with
// findings, a generated one with beacons, and a flood of one-packet flows
// from more addresses and client–port pairs than the sketches keep.
func htmlScenes(t *testing.T) map[string]htmlScene {
	beacons, _ := writeBeaconScene(t, synth.BeaconSpec{Seed: 3})
	flood := filepath.Join(t.TempDir(), "flood.pcap")
	f, err := os.Create(flood)
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteSource(f, synth.NewFloodGenerator(synth.FloodSpec{Flows: 6000, Seed: 7})); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return map[string]htmlScene{
		"netflix":    {paths: []string{capturePath(t, "ndpi__netflix.pcap")}},
		"bittorrent": {paths: []string{capturePath(t, "ndpi__bittorrent.pcap")}, args: []string{"--bytes", "ip"}},
		// 9 clients whose order by bytes is not their order by flows, nor
		// their ports'; teams: 15 server ports (an "other ports" column);
		// quic_interop_V: 13 clients, one more than the matrix shows.
		"openvpn":        {paths: []string{capturePath(t, "ndpi__openvpn.pcap")}},
		"teams":          {paths: []string{filepath.Join(capturesDir(t), "ndpi-corpus", "pcap", "teams.pcap")}},
		"quic-interop-v": {paths: []string{filepath.Join(capturesDir(t), "ndpi-corpus", "pcap", "quic_interop_V.pcapng")}},
		"beacons":        {paths: []string{beacons}},
		"flood":          {paths: []string{flood}},
	}
}

func readArgs(paths []string) []string {
	var args []string
	for _, p := range paths {
		args = append(args, "-r", p)
	}
	return args
}

// TestHTMLReport: the page's figures, read from the file as written, are
// the JSON output's; the page is self-contained and small.
func TestHTMLReport(t *testing.T) {
	for name, sc := range htmlScenes(t) {
		t.Run(name, func(t *testing.T) {
			want := jsonTotalsOf(t, sc.run(t, "json"), sc.ipBytes())
			page := sc.run(t, "html")
			pages := pagesOf(t, page)
			if len(pages) != 1 {
				t.Fatalf("%d pages, want 1", len(pages))
			}
			compareFigures(t, pages[0], want)
			if want.findings == 0 && (name == "bittorrent" || name == "openvpn" || name == "beacons") {
				t.Errorf("the %s scene should have findings", name)
			}
			checkSelfContained(t, page)
			t.Logf("%d flows, %d findings: a page of %d bytes", want.flows, want.findings, len(page))
		})
	}
}

// checkSelfContained fails t when the page refers to anything outside
// itself, or is not small.
func checkSelfContained(t *testing.T, page []byte) {
	t.Helper()
	if len(page) > 300<<10 {
		t.Errorf("page of %d bytes, want at most 300 KiB", len(page))
	}
	for _, re := range []string{`(?i)<(link|img|iframe|object|embed)\b`, `(?i)\bsrc\s*=`, `(?i)url\(`, `(?i)href\s*=\s*"(?:[a-z]+:|//)`} {
		if m := regexp.MustCompile(re).Find(page); m != nil {
			t.Errorf("page refers outside itself: %q", m)
		}
	}
	if !bytes.Contains(page, []byte(`Content-Security-Policy" content="default-src 'none'`)) {
		t.Error("page lacks its Content-Security-Policy")
	}
}

// TestCheckHTML: check --html writes one page per capture given, with the
// rules' results on that capture (the same path twice is two captures, each
// page with its own), whose figures are -o json's for that capture; a
// capture that cannot be read says its rules were not judged.
func TestCheckHTML(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rules, []byte("rules:\n  - forbid: {finding: nonstandard-port}\n  - expect: {service: dns}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const nRules = 2
	netflix, bittorrent := capturePath(t, "ndpi__netflix.pcap"), capturePath(t, "ndpi__bittorrent.pcap")
	missing := filepath.Join(dir, "missing.pcap")
	for _, c := range []struct {
		name string
		caps []string
		code int
	}{
		{"two captures", []string{netflix, bittorrent}, checkFail}, // bittorrent on its ports breaks the forbid
		{"the same twice", []string{bittorrent, netflix, bittorrent}, checkFail},
		{"unreadable", []string{netflix, missing, netflix}, checkBadInput},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report.html")
			res := runFlowscope(t, nil, append([]string{"check", "--rules", rules, "--html", out}, c.caps...)...)
			if res.code != c.code {
				t.Fatalf("check: exit %d, want %d\n%s%s", res.code, c.code, res.stdout, res.stderr)
			}
			doc, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			checkSelfContained(t, doc)
			runFlowscope(t, nil, append([]string{"check", "--rules", rules, "--html", out + "2"}, c.caps...)...)
			if again, err := os.ReadFile(out + "2"); err != nil || !bytes.Equal(again, doc) {
				t.Errorf("a second run wrote another page (%v): check's reports are byte-identical for the same input", err)
			}
			pages := pagesOf(t, doc)
			if len(pages) != len(c.caps) {
				t.Fatalf("%d pages, want one per capture (%d)", len(pages), len(c.caps))
			}
			seen := map[string]int{} // captures already met: their verdicts' lines come first
			for i, path := range c.caps {
				if path == missing {
					if len(pages[i].checks) != 0 || !strings.Contains(pages[i].notJudged, "not judged") ||
						!strings.Contains(pages[i].notJudged, "missing.pcap") {
						t.Errorf("the unreadable capture's page: rules %v, note %q; want none, and why not judged", pages[i].checks, pages[i].notJudged)
					}
					continue
				}
				if pages[i].notJudged != "" {
					t.Errorf("%s: the page says %q", filepath.Base(path), pages[i].notJudged)
				}
				js := mustRun(t, 0, nil, "-r", path, "-o", "json", "-q")
				compareFigures(t, pages[i], jsonTotalsOf(t, js.stdout, false))
				var verdicts []string // the text report's on this path, in order
				for line := range strings.Lines(string(res.stdout)) {
					if strings.HasSuffix(strings.TrimSpace(line), "("+path+")") {
						verdicts = append(verdicts, strings.ToLower(strings.Fields(line)[0]))
					}
				}
				k := seen[path]
				seen[path]++
				if len(verdicts) < (k+1)*nRules {
					t.Fatalf("the text report has %d verdicts on %s, want %d at least", len(verdicts), path, (k+1)*nRules)
				}
				want := verdicts[k*nRules : (k+1)*nRules]
				if fmt.Sprint(pages[i].checks) != fmt.Sprint(want) {
					t.Errorf("page %d (%s): the page's rules say %v, the text report %v", i, filepath.Base(path), pages[i].checks, want)
				}
			}
			if c.code == checkFail && (!bytes.Contains(doc, []byte(`data-check="fail"`)) || !bytes.Contains(doc, []byte(`data-check="pass"`))) {
				t.Error("the page lacks a passed or a failed rule")
			}
		})
	}
}

// chromium returns the headless browser's path; without one the browser
// tests skip, except in CI (make test installs Debian's chromium).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed: make test installs it (Debian package chromium)")
	}
	t.Skip("chromium not installed (apt-get install chromium)")
	return ""
}

// browse runs headless Chromium on a file with extra arguments (a fresh
// profile each time; no network, no sandbox: it opens only our own local
// file, and Chromium's sandbox cannot run as root) and returns its stdout
// and stderr.
func browse(t *testing.T, browser, file string, args ...string) (stdout, stderr []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	cmd := exec.CommandContext(ctx, browser, append(append(base, args...), "file://"+file)...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, e.Bytes())
	}
	return o.Bytes(), e.Bytes()
}

// consoleErrors are the console's error lines in Chromium's log: uncaught
// exceptions, anything the page logged as an error, and what the page's
// Content-Security-Policy blocked (a script or style of its own whose hash
// is not in it).
var consoleErrors = regexp.MustCompile(`(?m)^.*(?::CONSOLE[:(].*"Uncaught |:ERROR:CONSOLE|Refused to |violates the following Content Security Policy).*$`)

// pageErrors returns the script errors the page and the console report.
func pageErrors(dom, log []byte, page htmlFigures) []string {
	var errs []string
	for _, m := range consoleErrors.FindAll(log, -1) {
		errs = append(errs, "console: "+string(m))
	}
	if page.attrs["data-ready"] != "yes" {
		errs = append(errs, "the page's script did not finish (no data-ready)")
	}
	if n := page.attrs["data-errors"]; n != "0" {
		errs = append(errs, "the page counted "+n+" script errors")
	}
	if i := bytes.Index(dom, []byte(`<ul id="js-errors"`)); i >= 0 {
		if j := bytes.Index(dom[i:], []byte("</ul>")); j >= 0 && bytes.Contains(dom[i:i+j], []byte("<li>")) {
			errs = append(errs, "js-errors: "+string(dom[i:i+j]))
		}
	}
	return errs
}

// TestHTMLBrowser opens each report in headless Chromium: no script error,
// the figures the rendered page shows are the JSON output's, and a
// screenshot is kept for a person to look at. A page with a script error
// planted must fail the same checks.
func TestHTMLBrowser(t *testing.T) {
	browser := chromium(t)
	for name, sc := range htmlScenes(t) {
		t.Run(name, func(t *testing.T) {
			want := jsonTotalsOf(t, sc.run(t, "json"), sc.ipBytes())
			file := filepath.Join(t.TempDir(), name+".html")
			if err := os.WriteFile(file, sc.run(t, "html"), 0o644); err != nil {
				t.Fatal(err)
			}
			dom, log := browse(t, browser, file, "--dump-dom")
			pages := pagesOf(t, dom)
			if len(pages) != 1 {
				t.Fatalf("the rendered page has %d report sections, want 1\n%s", len(pages), log)
			}
			if errs := pageErrors(dom, log, pages[0]); len(errs) > 0 {
				t.Errorf("script errors:\n%s", strings.Join(errs, "\n"))
			}
			compareFigures(t, pages[0], want)

			shot := filepath.Join(t.ArtifactDir(), name+".png")
			browse(t, browser, file, "--window-size=1280,2400", "--hide-scrollbars", "--screenshot="+shot)
			if st, err := os.Stat(shot); err != nil || st.Size() < 10<<10 {
				t.Errorf("screenshot %s: %v (%d bytes)", shot, err, sizeOf(st))
			} else {
				t.Logf("screenshot: %s", shot)
			}
		})
	}

	// A click on a header sorts its table: the talkers by flows (most
	// first; rows of equal flows keep their order), then the ports by name
	// twice (the second click: ascending), read back from the DOM.
	t.Run("sort", func(t *testing.T) {
		page := mustRun(t, 0, nil, "-r", capturePath(t, "ndpi__openvpn.pcap"), "-o", "html", "-q").stdout
		before := pagesOf(t, page)[0]
		wantTalkers := slices.Clone(before.talkers)
		slices.SortStableFunc(wantTalkers, func(a, b topRow) int { return cmp.Compare(b.flows, a.flows) })
		wantPorts := slices.Clone(before.ports)
		slices.SortStableFunc(wantPorts, func(a, b topRow) int { return cmp.Compare(a.name, b.name) })
		if slices.Equal(wantTalkers, before.talkers) || slices.Equal(wantPorts, before.ports) {
			t.Fatal("the capture's talkers are in flow order already, or its ports in name order: a click would show nothing")
		}
		file := filepath.Join(t.TempDir(), "sort.html")
		if err := os.WriteFile(file, withScript(page, `(function () {
  function header(table, col) { return document.querySelector('table.' + table).tHead.rows[0].cells[col]; }
  header('talkers', 2).click();
  header('ports', 0).click();
  header('ports', 0).click();
  // The style sheet applies under the page's policy: the first swatch's colour.
  document.documentElement.setAttribute('data-swatch', getComputedStyle(document.querySelector('.swatch')).backgroundColor);
}());`, true), 0o644); err != nil {
			t.Fatal(err)
		}
		dom, log := browse(t, browser, file, "--dump-dom")
		after := pagesOf(t, dom)[0]
		if errs := pageErrors(dom, log, after); len(errs) > 0 {
			t.Errorf("script errors:\n%s", strings.Join(errs, "\n"))
		}
		if !slices.Equal(after.talkers, wantTalkers) {
			t.Errorf("talkers after a click on flows:\n%v\nwant\n%v", after.talkers, wantTalkers)
		}
		if !slices.Equal(after.ports, wantPorts) {
			t.Errorf("ports after two clicks on port:\n%v\nwant\n%v", after.ports, wantPorts)
		}
		if got := after.attrs["data-swatch"]; got != "rgb(0, 114, 178)" { // the palette's first, #0072b2
			t.Errorf("the first swatch is %q, want the palette's first colour: the style sheet did not apply", got)
		}
	})

	// The page's Content-Security-Policy lets run only its own scripts
	// (their hashes): a script planted in a copy runs not, its own do.
	t.Run("csp", func(t *testing.T) {
		page := mustRun(t, 0, nil, "-r", capturePath(t, "ndpi__netflix.pcap"), "-o", "html", "-q").stdout
		if bytes.Contains(page, []byte("unsafe-inline")) {
			t.Error("the page's policy allows any inline script or style")
		}
		file := filepath.Join(t.TempDir(), "planted.html")
		planted := "document.documentElement.setAttribute('data-planted', 'ran');"
		if err := os.WriteFile(file, withScript(page, planted, false), 0o644); err != nil {
			t.Fatal(err)
		}
		dom, log := browse(t, browser, file, "--dump-dom")
		p := pagesOf(t, dom)[0]
		if p.attrs["data-planted"] != "" {
			t.Error("a script not in the page's policy ran")
		}
		if p.attrs["data-ready"] != "yes" || p.attrs["data-errors"] != "0" {
			t.Errorf("the page's own scripts did not run: data-ready %q, data-errors %q", p.attrs["data-ready"], p.attrs["data-errors"])
		}
		if !consoleErrors.Match(log) {
			t.Errorf("Chromium did not say it refused the planted script:\n%s", log)
		}
	})

	t.Run("planted-error", func(t *testing.T) {
		res := mustRun(t, 0, nil, "-r", capturePath(t, "ndpi__netflix.pcap"), "-o", "html", "-q")
		bad := withScript(res.stdout, "notDefinedAnywhere();", true)
		file := filepath.Join(t.TempDir(), "bad.html")
		if err := os.WriteFile(file, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		dom, log := browse(t, browser, file, "--dump-dom")
		errs := pageErrors(dom, log, pagesOf(t, dom)[0])
		var console, counted bool
		for _, e := range errs {
			console = console || strings.HasPrefix(e, "console:") && strings.Contains(e, "notDefinedAnywhere")
			counted = counted || strings.HasPrefix(e, "js-errors:") && strings.Contains(e, "notDefinedAnywhere")
		}
		if !console || !counted {
			t.Errorf("a planted script error went unnoticed (console %v, page %v): %q", console, counted, errs)
		}
	})
}

// withScript returns a copy of page with script at the end of its body,
// its hash added to the page's Content-Security-Policy when allow (else
// the browser must refuse to run it).
func withScript(page []byte, script string, allow bool) []byte {
	out := bytes.Replace(page, []byte("</body>"), []byte("<script>"+script+"</script></body>"), 1)
	if allow {
		sum := sha256.Sum256([]byte(script))
		out = bytes.Replace(out, []byte("script-src "), []byte("script-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"' "), 1)
	}
	return out
}

func sizeOf(st os.FileInfo) int64 {
	if st == nil {
		return 0
	}
	return st.Size()
}
