package rules

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/flowscope/flowscope/report"
)

// The seed corpora are in testdata/fuzz/<target>/ (go test replays them,
// and every crasher the fuzzer finds is kept there as a regression input).

// FuzzParse: no input makes Parse panic; every error names the file; what
// parses can be checked and written in every format.
func FuzzParse(f *testing.F) {
	f.Add([]byte("rules:\n  - forbid: {service: http}\n"))
	recs := append(testCaptureRecs(), testSynthRecs()...)
	f.Fuzz(func(t *testing.T, src []byte) {
		rs, err := Parse(bytes.NewReader(src), "f.yaml")
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f.yaml:") {
					t.Fatalf("error line without the file: %q", line)
				}
				if strings.IndexFunc(line, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
					t.Fatalf("raw control character in an error: %q", line)
				}
			}
			return
		}
		for _, ru := range rs {
			if ru.Line <= 0 || ru.Column <= 0 || ru.Kind == "" {
				t.Fatalf("rule without a position or kind: %+v", ru)
			}
		}
		rep := &Report{RulesFile: "f.yaml", Outcomes: Check(rs, "c.pcap", recs, Allowlist(rs), 3)}
		for _, w := range []func(io.Writer, *Report) error{WriteText, WriteJUnit, WriteSARIF, WriteGitHub} {
			var b bytes.Buffer
			if err := w(&b, rep); err != nil {
				t.Fatal(err)
			}
			// Whatever a rules file holds, no raw control character of it
			// reaches a terminal or a CI log.
			if i := fuzzControl(b.Bytes()); i >= 0 {
				t.Fatalf("raw control character at %d:\n%q", i, b.Bytes())
			}
		}
	})
}

// fuzzControl returns the offset of the first control character other
// than a newline (DEL included), or -1.
func fuzzControl(b []byte) int {
	return bytes.IndexFunc(b, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f })
}

// fuzzReport builds a report from fuzzed strings: a failing rule with two
// violations, a passing one, and an untrusted capture. Messages and
// evidence are taken as given: the evaluator escapes what it puts in them.
func fuzzReport(name, file, capture, msg, evidence, reason string) *Report {
	fail := &Rule{Kind: "forbid", Name: name, File: file, Line: 2, Column: 5}
	pass := &Rule{Kind: "expect", Name: name, File: file, Line: 3, Column: 5}
	return &Report{
		RulesFile: file,
		Outcomes: []Outcome{
			{Rule: fail, Capture: capture, Violations: []Violation{
				{Message: msg, FlowIDs: []uint64{1, 2}, Evidence: evidence},
				{Message: msg + msg, Evidence: evidence},
			}},
			{Rule: pass, Capture: capture, Passed: true},
		},
		Untrusted: map[string][]string{capture: {reason}},
	}
}

func fuzzWriterSeeds(f *testing.F) {
	f.Add("no plaintext", "rules.yaml", "a.pcap", "flow 3 10.0.0.1:1 → 10.0.0.2:23 (tcp telnet)", `login: root\r\n`, "truncated")
	f.Add("x\n]]><a>&amp;\x00\x1b[31m", "r dir/\x07r.yaml", "\xff\xfe.pcap", "bad\r\nPASS", "\x00\ufffd", "cut\x1b")
}

// FuzzWriteJUnit: the JUnit writer always produces well-formed XML naming
// the escaped capture, also when a message holds raw bytes; with messages
// and evidence escaped as the evaluator writes them, it has no raw control
// characters.
func FuzzWriteJUnit(f *testing.F) {
	fuzzWriterSeeds(f)
	f.Fuzz(func(t *testing.T, name, file, capture, msg, evidence, reason string) {
		var clean bytes.Buffer
		if err := WriteJUnit(&clean, fuzzReport(name, file, capture, report.Escape(msg), report.Escape(evidence), reason)); err != nil {
			t.Fatal(err)
		}
		if i := fuzzControl(clean.Bytes()); i >= 0 {
			t.Fatalf("raw control character at %d:\n%q", i, clean.Bytes())
		}
		var b bytes.Buffer
		if err := WriteJUnit(&b, fuzzReport(name, file, capture, msg, evidence, reason)); err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(bytes.NewReader(b.Bytes()))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("not well-formed XML: %v\n%s", err, b.Bytes())
			}
		}
		var doc wJUnitIn
		if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Suites) != 1 || doc.Suites[0].Name != report.Escape(capture) || doc.Failures != 1 || len(doc.Suites[0].Cases) != 2 {
			t.Fatalf("wrong shape: %+v", doc)
		}
	})
}

// FuzzWriteSARIF: the SARIF writer always produces valid JSON with one
// result per violation, the capture escaped.
func FuzzWriteSARIF(f *testing.F) {
	fuzzWriterSeeds(f)
	f.Fuzz(func(t *testing.T, name, file, capture, msg, evidence, reason string) {
		var b bytes.Buffer
		if err := WriteSARIF(&b, fuzzReport(name, file, capture, msg, evidence, reason)); err != nil {
			t.Fatal(err)
		}
		if !json.Valid(b.Bytes()) {
			t.Fatalf("not valid JSON:\n%s", b.Bytes())
		}
		var doc struct {
			Runs []struct {
				Results []struct {
					Properties struct {
						Capture string `json:"capture"`
					} `json:"properties"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Runs) != 1 || len(doc.Runs[0].Results) != 2 || doc.Runs[0].Results[0].Properties.Capture != report.Escape(capture) {
			t.Fatalf("wrong shape:\n%s", b.Bytes())
		}
	})
}
