package rules

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/flowscope/flowscope/internal/buildinfo"
)

// wTestReport has two captures, a passing rule, a rule failing with two
// violations, a rule failing with none, and an untrusted capture.
func wTestReport() *Report {
	dns := &Rule{Kind: "expect", Name: "service dns", File: "rules.yaml", Line: 3, Column: 5}
	telnet := &Rule{Kind: "forbid", Name: "port 23", File: "rules.yaml", Line: 7, Column: 3}
	limit := &Rule{Kind: "limit", Name: "flows <= 10", File: "rules.yaml", Line: 12, Column: 3}
	return &Report{
		RulesFile: "rules.yaml",
		Outcomes: []Outcome{
			{Rule: dns, Capture: "a.pcap", Passed: true},
			{Rule: telnet, Capture: "a.pcap", Passed: false, Violations: []Violation{
				{Message: "telnet flow 10.0.0.1:1234 -> 10.0.0.2:23", FlowIDs: []uint64{4}, Evidence: `login: root\r\n`},
				{Message: "telnet flow 10.0.0.3:999 -> 10.0.0.2:23", FlowIDs: []uint64{9, 11}},
			}},
			{Rule: limit, Capture: "a.pcap", Passed: true},
			{Rule: dns, Capture: "b dir/b.pcap", Passed: false, Violations: []Violation{
				{Message: "no dns flow"},
			}},
			{Rule: telnet, Capture: "b dir/b.pcap", Passed: true},
			{Rule: limit, Capture: "b dir/b.pcap", Passed: false},
		},
		Untrusted: map[string][]string{"b dir/b.pcap": {"truncated input", "2 undecodable packets"}},
	}
}

type wWriter func(io.Writer, *Report) error

var wAllWriters = []struct {
	name string
	fn   wWriter
}{
	{"text", WriteText},
	{"junit", WriteJUnit},
	{"sarif", WriteSARIF},
	{"github", WriteGitHub},
}

func wRun(t *testing.T, fn wWriter, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := fn(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestWriteDeterministic(t *testing.T) {
	for _, w := range wAllWriters {
		t.Run(w.name, func(t *testing.T) {
			// Fresh reports each time, so map order in Untrusted differs too.
			a, b := wRun(t, w.fn, wTestReport()), wRun(t, w.fn, wTestReport())
			if !bytes.Equal(a, b) {
				t.Errorf("output differs between runs:\n%s\n---\n%s", a, b)
			}
		})
	}
}

func TestWriteEmptyReport(t *testing.T) {
	for _, w := range wAllWriters {
		t.Run(w.name, func(t *testing.T) {
			wRun(t, w.fn, &Report{RulesFile: "rules.yaml"})
		})
	}
}

func TestWriteText(t *testing.T) {
	const want = `PASS rules.yaml:3 expect service dns (a.pcap)
FAIL rules.yaml:7 forbid port 23 (a.pcap)
    - telnet flow 10.0.0.1:1234 -> 10.0.0.2:23 [flow 4] evidence: login: root\r\n
    - telnet flow 10.0.0.3:999 -> 10.0.0.2:23 [flows 9, 11]
PASS rules.yaml:12 limit flows <= 10 (a.pcap)
FAIL rules.yaml:3 expect service dns (b dir/b.pcap)
    - no dns flow
PASS rules.yaml:7 forbid port 23 (b dir/b.pcap)
FAIL rules.yaml:12 limit flows <= 10 (b dir/b.pcap)
    - rule failed
UNTRUSTED b dir/b.pcap: truncated input; 2 undecodable packets
6 checks: 3 passed, 3 failed, 1 untrusted capture
`
	if got := string(wRun(t, WriteText, wTestReport())); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestWriteTextOneLine(t *testing.T) {
	r := &Report{RulesFile: "r.yaml", Outcomes: []Outcome{{
		Rule: &Rule{Kind: "expect", Name: "x\nPASS fake", Line: 1}, Capture: "c.pcap", Passed: false,
		Violations: []Violation{{Message: "bad\nPASS forged"}},
	}}}
	got := string(wRun(t, WriteText, r))
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, "PASS") {
			t.Errorf("forged line %q in:\n%s", line, got)
		}
	}
}

// JUnit shapes as a reporter would read them, independent of the writer's.
type wJUnitIn struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Suites   []struct {
		Name      string `xml:"name,attr"`
		Tests     int    `xml:"tests,attr"`
		Failures  int    `xml:"failures,attr"`
		SystemErr string `xml:"system-err"`
		Cases     []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestWriteJUnit(t *testing.T) {
	out := wRun(t, WriteJUnit, wTestReport())
	if !bytes.HasPrefix(out, []byte(xml.Header)) {
		t.Errorf("missing XML header")
	}
	var doc wJUnitIn
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Tests != 6 || doc.Failures != 3 {
		t.Errorf("testsuites tests=%d failures=%d, want 6 3", doc.Tests, doc.Failures)
	}
	suites := []struct {
		name             string
		tests, failures  int
		untrusted        bool
		failedCaseNames  []string
		firstFailMessage string
	}{
		{"a.pcap", 3, 1, false, []string{"rules.yaml:7 forbid port 23"}, "2 violations; first: telnet flow 10.0.0.1:1234 -> 10.0.0.2:23"},
		{"b dir/b.pcap", 3, 2, true, []string{"rules.yaml:3 expect service dns", "rules.yaml:12 limit flows <= 10"}, "no dns flow"},
	}
	if len(doc.Suites) != len(suites) {
		t.Fatalf("%d suites, want %d", len(doc.Suites), len(suites))
	}
	for i, want := range suites {
		s := doc.Suites[i]
		if s.Name != want.name || s.Tests != want.tests || s.Failures != want.failures {
			t.Errorf("suite %d = %q tests=%d failures=%d, want %q %d %d", i, s.Name, s.Tests, s.Failures, want.name, want.tests, want.failures)
		}
		if got := strings.Contains(s.SystemErr, "truncated input"); got != want.untrusted {
			t.Errorf("suite %q untrusted note = %v, want %v", s.Name, got, want.untrusted)
		}
		var failed []string
		first := ""
		for _, c := range s.Cases {
			if c.Classname != "flowscope.rules" {
				t.Errorf("classname %q", c.Classname)
			}
			if c.Failure != nil {
				failed = append(failed, c.Name)
				if first == "" {
					first = c.Failure.Message
				}
			}
		}
		if strings.Join(failed, "|") != strings.Join(want.failedCaseNames, "|") {
			t.Errorf("suite %q failed cases %q, want %q", s.Name, failed, want.failedCaseNames)
		}
		if first != want.firstFailMessage {
			t.Errorf("suite %q failure message %q, want %q", s.Name, first, want.firstFailMessage)
		}
	}
	// Both violations are in the failure body, on their own lines.
	body := doc.Suites[0].Cases[1].Failure.Text
	if !strings.Contains(body, "[flow 4]") || !strings.Contains(body, "[flows 9, 11]") {
		t.Errorf("failure body lacks violations:\n%s", body)
	}
}

func TestWriteJUnitEscaping(t *testing.T) {
	r := &Report{RulesFile: "r.yaml", Outcomes: []Outcome{{
		Rule:    &Rule{Kind: "forbid", Name: `sni "<evil>" & co`, Line: 2},
		Capture: "x&y.pcap",
		Violations: []Violation{
			{Message: `saw <script>"&'`, Evidence: "]]>\x00"},
		},
	}}}
	var doc wJUnitIn
	if err := xml.Unmarshal(wRun(t, WriteJUnit, r), &doc); err != nil {
		t.Fatal(err)
	}
	c := doc.Suites[0].Cases[0]
	if doc.Suites[0].Name != "x&y.pcap" || c.Name != `r.yaml:2 forbid sni "<evil>" & co` || c.Failure.Message != `saw <script>"&'` {
		t.Errorf("round trip lost text: %+v", doc)
	}
}

// wRequire fails unless obj[key] exists and has the given JSON kind.
func wRequire[T any](t *testing.T, obj map[string]any, path, key string) T {
	t.Helper()
	v, ok := obj[key].(T)
	if !ok {
		t.Fatalf("%s.%s: missing or wrong type (%T)", path, key, obj[key])
	}
	return v
}

// TestWriteSARIF checks by hand the parts of the SARIF 2.1.0 schema that
// consumers such as GitHub code scanning require.
func TestWriteSARIF(t *testing.T) {
	out := wRun(t, WriteSARIF, wTestReport())
	var log map[string]any
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	type obj = map[string]any
	if v := wRequire[string](t, log, "", "version"); v != "2.1.0" {
		t.Errorf("version %q", v)
	}
	if v := wRequire[string](t, log, "", "$schema"); v != "https://json.schemastore.org/sarif-2.1.0.json" {
		t.Errorf("$schema %q", v)
	}
	runs := wRequire[[]any](t, log, "", "runs")
	if len(runs) != 1 {
		t.Fatalf("%d runs", len(runs))
	}
	run := runs[0].(obj)
	driver := wRequire[obj](t, wRequire[obj](t, run, "runs[0]", "tool"), "tool", "driver")
	if n := wRequire[string](t, driver, "driver", "name"); n != "flowscope" {
		t.Errorf("driver name %q", n)
	}
	if v := wRequire[string](t, driver, "driver", "version"); v != buildinfo.Version() || v == "" {
		t.Errorf("driver version %q, want %q", v, buildinfo.Version())
	}
	var ids []string
	for _, d := range wRequire[[]any](t, driver, "driver", "rules") {
		ids = append(ids, wRequire[string](t, d.(obj), "rules[]", "id"))
	}
	if got := strings.Join(ids, ","); got != "rule-3,rule-7,rule-12" {
		t.Errorf("rule ids %s", got)
	}
	results := wRequire[[]any](t, run, "runs[0]", "results")
	wantResults := []struct {
		ruleID  string
		line    float64
		capture string
	}{
		{"rule-7", 7, "a.pcap"},
		{"rule-7", 7, "a.pcap"},
		{"rule-3", 3, "b dir/b.pcap"},
		{"rule-12", 12, "b dir/b.pcap"},
	}
	if len(results) != len(wantResults) {
		t.Fatalf("%d results, want %d", len(results), len(wantResults))
	}
	seenFP := map[string]bool{}
	for i, want := range wantResults {
		res := results[i].(obj)
		if id := wRequire[string](t, res, "result", "ruleId"); id != want.ruleID {
			t.Errorf("result %d ruleId %q, want %q", i, id, want.ruleID)
		}
		if idx := int(wRequire[float64](t, res, "result", "ruleIndex")); ids[idx] != want.ruleID {
			t.Errorf("result %d ruleIndex %d points at %q", i, idx, ids[idx])
		}
		if lv := wRequire[string](t, res, "result", "level"); lv != "error" {
			t.Errorf("level %q", lv)
		}
		if wRequire[string](t, wRequire[obj](t, res, "result", "message"), "message", "text") == "" {
			t.Errorf("result %d: empty message", i)
		}
		locs := wRequire[[]any](t, res, "result", "locations")
		if len(locs) == 0 {
			t.Fatalf("result %d: no locations", i)
		}
		phys := wRequire[obj](t, locs[0].(obj), "location", "physicalLocation")
		if uri := wRequire[string](t, wRequire[obj](t, phys, "physicalLocation", "artifactLocation"), "artifactLocation", "uri"); uri != "rules.yaml" {
			t.Errorf("uri %q", uri)
		}
		region := wRequire[obj](t, phys, "physicalLocation", "region")
		if l := wRequire[float64](t, region, "region", "startLine"); l != want.line {
			t.Errorf("result %d startLine %v, want %v", i, l, want.line)
		}
		if c := wRequire[float64](t, region, "region", "startColumn"); c < 1 {
			t.Errorf("startColumn %v", c)
		}
		fp := wRequire[string](t, wRequire[obj](t, res, "result", "partialFingerprints"), "partialFingerprints", "flowscope/v1")
		if seenFP[fp] {
			t.Errorf("result %d: fingerprint %s not unique", i, fp)
		}
		seenFP[fp] = true
		if c := wRequire[string](t, wRequire[obj](t, res, "result", "properties"), "properties", "capture"); c != want.capture {
			t.Errorf("result %d capture %q, want %q", i, c, want.capture)
		}
	}
	flows := results[1].(obj)["properties"].(obj)["flowIds"].([]any)
	if len(flows) != 2 || flows[0].(float64) != 9 || flows[1].(float64) != 11 {
		t.Errorf("flowIds %v", flows)
	}
	inv := wRequire[[]any](t, run, "runs[0]", "invocations")[0].(obj)
	if !wRequire[bool](t, inv, "invocation", "executionSuccessful") {
		t.Errorf("executionSuccessful false")
	}
	if n := len(wRequire[[]any](t, inv, "invocation", "toolExecutionNotifications")); n != 1 {
		t.Errorf("%d notifications, want 1 (untrusted capture)", n)
	}
}

func TestWriteSARIFEdges(t *testing.T) {
	tests := []struct {
		name    string
		rules   []*Rule
		wantIDs string
		wantURI string
	}{
		{"shared line", []*Rule{{Kind: "expect", Line: 4}, {Kind: "forbid", Line: 4}}, "rule-4,rule-4-2", "rules.yaml"},
		{"no position", []*Rule{{Kind: "expect"}}, "rule-0", "rules.yaml"},
		{"absolute path", []*Rule{{Kind: "expect", Line: 1, File: "/ci/my rules.yaml"}}, "rule-1", "file:///ci/my%20rules.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &Report{RulesFile: "rules.yaml"}
			for _, rule := range tc.rules {
				r.Outcomes = append(r.Outcomes, Outcome{Rule: rule, Capture: "c.pcap"})
			}
			var log struct {
				Runs []struct {
					Tool struct {
						Driver struct {
							Rules []struct{ ID string }
						}
					}
					Results []struct {
						Locations []struct {
							PhysicalLocation struct {
								ArtifactLocation struct{ URI string }
								Region           *struct{ StartLine int }
							}
						}
					}
				}
			}
			if err := json.Unmarshal(wRun(t, WriteSARIF, r), &log); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, d := range log.Runs[0].Tool.Driver.Rules {
				ids = append(ids, d.ID)
			}
			if got := strings.Join(ids, ","); got != tc.wantIDs {
				t.Errorf("ids %s, want %s", got, tc.wantIDs)
			}
			pl := log.Runs[0].Results[0].Locations[0].PhysicalLocation
			if pl.ArtifactLocation.URI != tc.wantURI {
				t.Errorf("uri %q, want %q", pl.ArtifactLocation.URI, tc.wantURI)
			}
			// SARIF requires startLine >= 1, so no region when unknown.
			if tc.rules[0].Line == 0 && pl.Region != nil {
				t.Errorf("region %+v for a rule without a line", pl.Region)
			}
		})
	}
}

func TestWriteGitHub(t *testing.T) {
	const want = `::error file=rules.yaml,line=7,col=3,title=flowscope%3A forbid port 23::telnet flow 10.0.0.1:1234 -> 10.0.0.2:23 [flow 4] evidence: login: root\r\n (capture a.pcap)
::error file=rules.yaml,line=7,col=3,title=flowscope%3A forbid port 23::telnet flow 10.0.0.3:999 -> 10.0.0.2:23 [flows 9, 11] (capture a.pcap)
::error file=rules.yaml,line=3,col=5,title=flowscope%3A expect service dns::no dns flow (capture b dir/b.pcap)
::error file=rules.yaml,line=12,col=3,title=flowscope%3A limit flows <= 10::rule failed (capture b dir/b.pcap)
::warning title=flowscope%3A untrusted capture::b dir/b.pcap: truncated input; 2 undecodable packets
`
	if got := string(wRun(t, WriteGitHub, wTestReport())); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestWriteGitHubEscaping(t *testing.T) {
	tests := []struct {
		name string
		rule *Rule
		v    Violation
		want string
	}{
		{
			"message", &Rule{Kind: "forbid", Name: "x", File: "r.yaml", Line: 1},
			Violation{Message: "100% bad\r\nnext::error line"},
			"::error file=r.yaml,line=1,title=flowscope%3A forbid x::100%25 bad%0D%0Anext::error line (capture c.pcap)\n",
		},
		{
			"properties", &Rule{Kind: "expect", Name: "a,b:c%\nd", File: "dir,1/r:x.yaml", Line: 2, Column: 9},
			Violation{Message: "m"},
			"::error file=dir%2C1/r%3Ax.yaml,line=2,col=9,title=flowscope%3A expect a%2Cb%3Ac%25\\x0ad::m (capture c.pcap)\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &Report{Outcomes: []Outcome{{Rule: tc.rule, Capture: "c.pcap", Violations: []Violation{tc.v}}}}
			if got := string(wRun(t, WriteGitHub, r)); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestWriteControlChars: a rule name, a rules file path and capture paths
// with terminal escapes (ESC, BEL, NUL) reach no output raw; text and
// GitHub lines carry them escaped, JUnit stays well-formed XML and SARIF
// valid JSON, both with the same escaped text.
func TestWriteControlChars(t *testing.T) {
	rule := &Rule{Kind: "forbid", Name: "evil\x1b[2J\x07name\x00", File: "r\x1b]0;x\x07.yaml", Line: 2, Column: 3}
	capture := "cap\x1b[31m\x00.pcap"
	r := &Report{RulesFile: rule.File, Outcomes: []Outcome{
		{Rule: rule, Capture: capture, Violations: []Violation{{Message: "m", FlowIDs: []uint64{1}}}},
	}, Untrusted: map[string][]string{capture: {"reading " + capture + ": truncated"}}}
	for _, w := range wAllWriters {
		t.Run(w.name, func(t *testing.T) {
			out := wRun(t, w.fn, r)
			for i, c := range out {
				if c < 0x20 && c != '\n' || c == 0x7f {
					t.Fatalf("raw control byte %#x at %d in:\n%q", c, i, out)
				}
			}
			var text string
			switch w.name {
			case "junit":
				var doc wJUnitIn
				if err := xml.Unmarshal(out, &doc); err != nil {
					t.Fatalf("not XML: %v", err)
				}
				text = doc.Suites[0].Name + " " + doc.Suites[0].Cases[0].Name + " " + doc.Suites[0].SystemErr
			case "sarif":
				if !json.Valid(out) {
					t.Fatalf("not JSON:\n%s", out)
				}
				var doc map[string]any
				json.Unmarshal(out, &doc)
				b, _ := json.Marshal(doc) // decoded strings, re-encoded: escapes survive as text
				text = string(b)
			default:
				text = string(out)
			}
			for _, want := range []string{`cap\x1b[31m\x00.pcap`, `evil\x1b[2J\x07name\x00`} {
				if !strings.Contains(strings.ReplaceAll(text, `\\`, `\`), want) {
					t.Errorf("output lacks %s:\n%s", want, text)
				}
			}
		})
	}
}

// A capped list ends in "… and N more", without a bullet or flow list.
func TestWriteTextCapped(t *testing.T) {
	rule := &Rule{Kind: "forbid", Name: "service=telnet", File: "r.yaml", Line: 2}
	r := &Report{Outcomes: []Outcome{{Rule: rule, Capture: "c.pcap", Violations: []Violation{
		{Message: "flow 1", FlowIDs: []uint64{1}},
		{Message: "… and 7 more", More: 7},
	}}}}
	const want = "FAIL r.yaml:2 forbid service=telnet (c.pcap)\n    - flow 1 [flow 1]\n    … and 7 more\n1 checks: 0 passed, 1 failed\n"
	if got := string(wRun(t, WriteText, r)); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// A rules file named with control bytes: Parse's messages escape the name
// once, its rules keep it raw, and the text writer escapes it once.
func TestRulesFileNameEscapedOnce(t *testing.T) {
	name := "r\x1b\\.yaml"
	if _, err := Parse(strings.NewReader("rules: 3\n"), name); err == nil || !strings.HasPrefix(err.Error(), `r\x1b\\.yaml:`) {
		t.Errorf("error %q", err)
	}
	rs, err := Parse(strings.NewReader("rules:\n  - forbid: {service: telnet}\n"), name)
	if err != nil || rs[0].File != name {
		t.Fatalf("rules %+v, %v", rs, err)
	}
	var b strings.Builder
	rep := &Report{RulesFile: name, Outcomes: []Outcome{{Rule: rs[0], Capture: "c", Violations: []Violation{{Message: "m"}}}}}
	if err := WriteText(&b, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `r\x1b\\.yaml:2`) || strings.Contains(b.String(), `\\\\`) {
		t.Errorf("text:\n%s", b.String())
	}
}
