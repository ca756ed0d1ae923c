package main

// Tests of the HTML report (-o html, check --html): its figures against the
// JSON output's for the same capture, read from the file as written and,
// in headless Chromium, from the page after its scripts ran; a screenshot
// of each page is kept in the test's artifact directory (go test
// -artifacts -run Browser keeps it; the log says where).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
}

type svcTotals struct{ flows, packets, bytes, frame uint64 }

func jsonTotalsOf(t *testing.T, out []byte) jsonTotals {
	t.Helper()
	tot := jsonTotals{services: map[string]*svcTotals{}}
	for line := range bytes.Lines(out) {
		var r struct {
			Kind    string `json:"kind"`
			Service string `json:"service"`
			Client  struct {
				Packets, Bytes uint64
				FrameBytes     uint64 `json:"frame_bytes"`
			} `json:"client"`
			Server struct {
				Packets, Bytes uint64
				FrameBytes     uint64 `json:"frame_bytes"`
			} `json:"server"`
			Findings []json.RawMessage `json:"findings"`
		}
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if r.Kind != "" { // a finding line: a beacon's
			tot.findings++
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
	}
	return tot
}

// htmlFigures is what a page shows: its data-stat values and the shown
// text of each, and its services table.
type htmlFigures struct {
	stats    map[string]string // data-stat -> data-value
	texts    map[string]string // data-stat -> the text shown
	services map[string]*svcTotals
	checks   []string // data-check of the rules' rows
	attrs    map[string]string
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
					services: map[string]*svcTotals{}, attrs: rootAttrs})
				cur = &pages[len(pages)-1]
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
}

// htmlScenes are the captures the report is tested on: real ones, with
// findings, and a generated one with beacons.
func htmlScenes(t *testing.T) map[string][]string {
	beacons, _ := writeBeaconScene(t, synth.BeaconSpec{Seed: 3})
	return map[string][]string{
		"netflix":    {capturePath(t, "ndpi__netflix.pcap")},
		"bittorrent": {capturePath(t, "ndpi__bittorrent.pcap")},
		"openvpn":    {capturePath(t, "ndpi__openvpn.pcap")},
		"beacons":    {beacons},
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
	for name, paths := range htmlScenes(t) {
		t.Run(name, func(t *testing.T) {
			js := mustRun(t, 0, nil, append(readArgs(paths), "-o", "json", "-q")...)
			want := jsonTotalsOf(t, js.stdout)
			page := mustRun(t, 0, nil, append(readArgs(paths), "-o", "html", "-q")...)
			pages := pagesOf(t, page.stdout)
			if len(pages) != 1 {
				t.Fatalf("%d pages, want 1", len(pages))
			}
			compareFigures(t, pages[0], want)
			if want.findings == 0 && name != "netflix" {
				t.Errorf("the %s scene should have findings", name)
			}
			checkSelfContained(t, page.stdout)
			t.Logf("%d flows, %d findings: a page of %d bytes", want.flows, want.findings, len(page.stdout))
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

// TestCheckHTML: check --html writes one page per capture, with the
// rules' results, whose figures are -o json's for that capture.
func TestCheckHTML(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rules, []byte("rules:\n  - forbid: {finding: nonstandard-port}\n  - expect: {service: dns}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	caps := []string{capturePath(t, "ndpi__netflix.pcap"), capturePath(t, "ndpi__bittorrent.pcap")}
	out := filepath.Join(dir, "report.html")
	res := runFlowscope(t, nil, append([]string{"check", "--rules", rules, "--html", out}, caps...)...)
	if res.code != checkFail {
		t.Fatalf("check: exit %d, want %d (bittorrent on its ports breaks the forbid)\n%s%s", res.code, checkFail, res.stdout, res.stderr)
	}
	doc, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	checkSelfContained(t, doc)
	runFlowscope(t, nil, append([]string{"check", "--rules", rules, "--html", out + "2"}, caps...)...)
	if again, err := os.ReadFile(out + "2"); err != nil || !bytes.Equal(again, doc) {
		t.Errorf("a second run wrote another page (%v): check's reports are byte-identical for the same input", err)
	}
	pages := pagesOf(t, doc)
	if len(pages) != len(caps) {
		t.Fatalf("%d pages, want one per capture (%d)", len(pages), len(caps))
	}
	for i, c := range caps {
		js := mustRun(t, 0, nil, "-r", c, "-o", "json", "-q")
		compareFigures(t, pages[i], jsonTotalsOf(t, js.stdout))
		var want []string // the text report's verdicts on this capture, in order
		for line := range strings.Lines(string(res.stdout)) {
			if strings.HasSuffix(strings.TrimSpace(line), "("+c+")") {
				want = append(want, strings.ToLower(strings.Fields(line)[0]))
			}
		}
		if fmt.Sprint(pages[i].checks) != fmt.Sprint(want) {
			t.Errorf("%s: the page's rules say %v, the text report %v", filepath.Base(c), pages[i].checks, want)
		}
	}
	if !bytes.Contains(doc, []byte(`data-check="fail"`)) || !bytes.Contains(doc, []byte(`data-check="pass"`)) {
		t.Error("the page lacks a passed or a failed rule")
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
// exceptions, and anything the page logged as an error.
var consoleErrors = regexp.MustCompile(`(?m)^.*(?::CONSOLE[:(].*"Uncaught |:ERROR:CONSOLE|Refused to ).*$`)

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
	for name, paths := range htmlScenes(t) {
		t.Run(name, func(t *testing.T) {
			js := mustRun(t, 0, nil, append(readArgs(paths), "-o", "json", "-q")...)
			want := jsonTotalsOf(t, js.stdout)
			res := mustRun(t, 0, nil, append(readArgs(paths), "-o", "html", "-q")...)
			file := filepath.Join(t.TempDir(), name+".html")
			if err := os.WriteFile(file, res.stdout, 0o644); err != nil {
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

	t.Run("planted-error", func(t *testing.T) {
		res := mustRun(t, 0, nil, "-r", capturePath(t, "ndpi__netflix.pcap"), "-o", "html", "-q")
		bad := bytes.Replace(res.stdout, []byte("</body>"), []byte("<script>notDefinedAnywhere();</script></body>"), 1)
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

func sizeOf(st os.FileInfo) int64 {
	if st == nil {
		return 0
	}
	return st.Size()
}
