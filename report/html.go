package report

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/flowscope/flowscope/flow"
)

// The HTML report (-o html, check --html) is one self-contained page: the
// sink keeps bounded aggregates as records stream past (time buckets, per
// service totals, a Space-Saving sketch of client × server port, the first
// findings of each severity, the best-scoring beacons) and draws them at
// Close as plain SVG from html/template, so that every string from the wire
// is escaped for its context. Nothing is fetched: the page's
// Content-Security-Policy forbids it.

// Bounds of what the HTML report keeps, whatever the number of flows.
const (
	htmlBuckets     = 120  // time buckets of the charts
	htmlServices    = 8    // services drawn; the rest are folded into "other"
	htmlMaxServices = 64   // distinct services counted apart; beyond, "other" at once
	htmlTop         = 15   // talkers and server ports listed
	htmlRows        = 12   // clients in the matrix
	htmlCols        = 10   // server ports in the matrix
	htmlPairSlots   = 4096 // client × server port pairs counted
	htmlFindings    = 200  // findings listed at most (by severity, then as they came)
	htmlBeacons     = 50   // beacons listed at most (best score first)
	htmlEvidence    = 200  // bytes of the page a finding's evidence takes at most (see htmlCut)
	htmlName        = 100  // bytes of the page a server or beacon name takes at most
	htmlHistBins    = 20   // bins of a beacon's interval histogram
)

//go:embed html.tmpl
var htmlTemplateText string

// htmlTemplate is parsed on first use: other formats do not pay for it.
var htmlTemplate = sync.OnceValues(parseHTMLTemplate)

// parseHTMLTemplate returns the page's template with the swatch colours'
// classes in its style sheet and a Content-Security-Policy that lets run
// only its own inline script and style, by their sha256 hashes (CSP level
// 2): no 'unsafe-inline', so markup that got into the page some other way
// could not run a script or restyle it. The hashes are of the script and
// style as html/template writes them (it drops their comments), which no
// data changes: they hold no actions.
func parseHTMLTemplate() (*template.Template, error) {
	var css strings.Builder
	for i, c := range swatchColors {
		fmt.Fprintf(&css, ".c%d { background: %s; }\n", i, c)
	}
	text := strings.Replace(htmlTemplateText, "SWATCH-COLOURS\n", css.String(), 1)
	parse := func(csp string) (*template.Template, error) {
		return template.New("report").Funcs(template.FuncMap{
			"subtract": func(a, b uint64) uint64 { return a - b },
		}).Parse(strings.Replace(text, "CSP-SOURCES", csp, 1))
	}
	t, err := parse("")
	if err != nil {
		return nil, fmt.Errorf("the HTML template: %w", err)
	}
	var page bytes.Buffer
	if err := t.Execute(&page, struct {
		Title string
		Pages []*HTMLPage
	}{}); err != nil {
		return nil, fmt.Errorf("the HTML template: %w", err)
	}
	scripts, styles := inlineHashes(page.Bytes(), "script"), inlineHashes(page.Bytes(), "style")
	return parse("default-src 'none'; style-src " + styles + "; script-src " + scripts)
}

// inlineHashes returns the CSP sources of the inline elements of a kind
// (script, style) in page: 'sha256-…' each.
func inlineHashes(page []byte, element string) string {
	re := regexp.MustCompile(`(?s)<` + element + `>(.*?)</` + element + `>`)
	var out []string
	for _, m := range re.FindAllSubmatch(page, -1) {
		sum := sha256.Sum256(m[1])
		out = append(out, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return strings.Join(out, " ")
}

// htmlSink aggregates one capture (or one run) for the report.
type htmlSink struct {
	c   SinkConfig
	agg *htmlAgg
}

func newHTMLSink(c SinkConfig) (Sink, error) {
	if len(c.Fields) > 0 {
		return nil, errors.New("--fields does not apply to -o html: the report shows aggregates, not columns")
	}
	return &htmlSink{c: c, agg: newHTMLAgg(c.Options)}, nil
}

func (h *htmlSink) Write(r *flow.Record) error       { h.agg.add(r); return nil }
func (h *htmlSink) Flush() error                     { return nil }
func (h *htmlSink) writeBeacon(r *flow.Record) error { h.agg.addBeacon(r); return nil }

// Close writes the page to stdout, and the summary to stderr as json and
// csv do (the page has it too).
func (h *htmlSink) Close(sum *Summary) error {
	err := WriteHTML(h.c.Stdout, "flowscope report", []*HTMLPage{h.agg.page(sum, "")})
	if serr := writeStderrSummary(h.c, sum); err == nil {
		err = serr
	}
	return err
}

// HTMLPage is one capture's (or one run's) report, drawn from its
// aggregates: small, whatever the capture's size.
type HTMLPage struct {
	Title    string
	Totals   []htmlStat
	Series   []htmlChart
	Services []htmlService
	Talkers  htmlTable
	Ports    htmlTable
	Matrix   htmlMatrix
	Findings htmlFindingList
	Beacons  []htmlBeacon
	Inputs   []htmlInput
	Live     string // a live capture's interface, engine, link type and filter
	Skipped  []htmlCount
	Drops    []htmlStat
	Summary  string // the text summary, as the table output ends with
	Checks   []HTMLCheck
	// NotJudged says why the rules were not judged on the capture
	// (check --html: it could not be read), "" when they were.
	NotJudged string
}

// HTMLCheck is one rule's outcome on the capture of a page (check --html).
type HTMLCheck struct {
	Rule       string
	Passed     bool
	Violations []string
}

// WriteHTML writes the pages as one HTML document.
func WriteHTML(w io.Writer, title string, pages []*HTMLPage) error {
	tmpl, err := htmlTemplate()
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	// No time of writing: the same input gives the same bytes (check's
	// reports are reproducible).
	err = tmpl.Execute(bw, struct {
		Title string
		Pages []*HTMLPage
	}{title, pages})
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("report: write html: %w", err)
	}
	return nil
}

// HTMLBook collects one page per capture for one document (check --html).
type HTMLBook struct {
	c     SinkConfig
	pages []*HTMLPage
}

// NewHTMLBook returns a book whose pages count findings as c's allowlist
// and minimum severity say.
func NewHTMLBook(c SinkConfig) *HTMLBook {
	c.Format, c.FindingsOnly, c.Export, c.Quiet = "html", false, nil, true
	return &HTMLBook{c: c}
}

// Sink returns a sink for the next capture; its Close adds the capture's
// page to the book (titled title) instead of writing it.
func (b *HTMLBook) Sink(title string) Sink {
	h := &bookSink{htmlSink: htmlSink{c: b.c, agg: newHTMLAgg(b.c.Options)}, book: b, title: title}
	return &tallySink{Sink: h, tally: newTally(newFindingFilter(b.c.Allow, b.c.MinSeverity), b.c.Bytes)}
}

// Last returns the page the last closed sink added, nil before.
func (b *HTMLBook) Last() *HTMLPage {
	if len(b.pages) == 0 {
		return nil
	}
	return b.pages[len(b.pages)-1]
}

// Write writes every page as one document.
func (b *HTMLBook) Write(w io.Writer, title string) error { return WriteHTML(w, title, b.pages) }

type bookSink struct {
	htmlSink
	book  *HTMLBook
	title string
}

func (s *bookSink) Close(sum *Summary) error {
	s.book.pages = append(s.book.pages, s.agg.page(sum, s.title))
	return nil
}
