package rules

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/report/rules/schematest"
)

// schemaReports are reports of every shape the writers handle, made by
// parsing and checking real rules where possible.
func schemaReports(t *testing.T) []struct {
	name string
	rep  *Report
} {
	t.Helper()
	check := func(file, src string, captures map[string][]flow.Record, untrusted map[string][]string, order ...string) *Report {
		rs, err := Parse(strings.NewReader(src), file)
		if err != nil {
			t.Fatal(err)
		}
		rep := &Report{RulesFile: file, Untrusted: untrusted}
		for _, c := range order {
			rep.Outcomes = append(rep.Outcomes, Check(rs, c, captures[c], Allowlist(rs), 0)...)
		}
		return rep
	}
	ci, err := os.ReadFile("testdata/ci.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var telnet []flow.Record
	for i := uint64(1); i <= 60; i++ {
		telnet = append(telnet, testRec(i, "tcp", "10.0.0.1:40000", "10.0.0.2:23", "telnet", time.Second))
	}
	hostile := &Rule{Kind: "forbid", Name: "sni \"<evil>\" & co\n]]>", File: "dir with space/r&.yaml", Line: 2, Column: 3}
	return []struct {
		name string
		rep  *Report
	}{
		{"passing", check("rules.yaml", "rules:\n  - expect: {service: dns, port: udp/53}\n  - forbid: {tls_below: \"1.0\"}\n  - limit: {flows: 10}\n",
			map[string][]flow.Record{"synth.pcap": testSynthRecs()}, nil, "synth.pcap")},
		{"failing", check("testdata/ci.yaml", string(ci),
			map[string][]flow.Record{"merged.pcap": testCaptureRecs()}, nil, "merged.pcap")},
		{"multiple captures", check("rules.yaml", string(ci),
			map[string][]flow.Record{"ssh.pcap": testCaptureRecs()[:2], "http dir/http.pcap": testCaptureRecs()[2:], "synth.pcap": testSynthRecs()},
			nil, "ssh.pcap", "http dir/http.pcap", "synth.pcap")},
		{"untrusted and passing", check("rules.yaml", "rules:\n  - limit: {flows: 100}\n",
			map[string][]flow.Record{"cut.pcap": testSynthRecs()},
			map[string][]string{"cut.pcap": {"unexpected EOF", "3 frames truncated"}, "empty.pcap": {"no packets"}}, "cut.pcap")},
		{"untrusted and failing", wTestReport()},
		{"only rule", check("/abs/rules.yaml", "rules:\n  - only:\n      - {proto: tcp, port: tcp/22, service: ssh}\n      - {proto: udp, service: none}\n",
			map[string][]flow.Record{"c.pcap": append(testCaptureRecs(), testSynthRecs()...)}, nil, "c.pcap")},
		{"violations capped", check("rules.yaml", "rules:\n  - forbid: {service: telnet}\n",
			map[string][]flow.Record{"telnet.pcap": telnet}, nil, "telnet.pcap")},
		{"empty", &Report{RulesFile: "rules.yaml"}},
		{"no rules file position", &Report{Outcomes: []Outcome{
			{Rule: &Rule{Kind: "expect"}, Capture: "c.pcap"},
			{Rule: nil, Capture: "c.pcap", Passed: true},
		}}},
		{"hostile text", &Report{RulesFile: "r.yaml", Outcomes: []Outcome{{
			Rule: hostile, Capture: "x&y<z>\".pcap",
			Violations: []Violation{
				{Message: "saw <script>\"&'\r\n\x00\x1b[31m\xff\xfe", Evidence: "]]>\x00\u2028", FlowIDs: []uint64{1 << 63}},
				{Message: ""},
			},
		}}, Untrusted: map[string][]string{"x&y<z>\".pcap": {"bad\x01frame"}}}},
	}
}

func TestSchemaSARIF(t *testing.T) {
	for _, tc := range schemaReports(t) {
		t.Run(tc.name, func(t *testing.T) {
			out := wRun(t, WriteSARIF, tc.rep)
			if err := schematest.ValidateSARIF(out); err != nil {
				t.Errorf("SARIF output breaks the SARIF 2.1.0 schema: %v\n%s", err, out)
			}
		})
	}
}

func TestSchemaJUnit(t *testing.T) {
	xmllint := schematest.XMLLint(t)
	for _, tc := range schemaReports(t) {
		t.Run(tc.name, func(t *testing.T) {
			out := wRun(t, WriteJUnit, tc.rep)
			if err := schematest.ValidateJUnit(xmllint, out); err != nil {
				t.Errorf("JUnit output breaks %s: %v\n%s", schematest.JUnitSchema, err, out)
			}
		})
	}
}

// TestSchemaSARIFRejects shows the validator catches broken logs: each
// case breaks one rule of the schema in an otherwise valid log.
func TestSchemaSARIFRejects(t *testing.T) {
	type obj = map[string]any
	result := func(log obj) obj {
		return log["runs"].([]any)[0].(obj)["results"].([]any)[0].(obj)
	}
	tests := []struct {
		name   string
		mutate func(log obj)
		want   string // in the error
	}{
		{"wrong version", func(log obj) { log["version"] = "2.0.0" }, "/version"},
		{"no runs", func(log obj) { delete(log, "runs") }, "runs"},
		{"unknown property", func(log obj) { log["extra"] = true }, "extra"},
		{"driver without name", func(log obj) {
			delete(log["runs"].([]any)[0].(obj)["tool"].(obj)["driver"].(obj), "name")
		}, "name"},
		{"bad level", func(log obj) { result(log)["level"] = "fatal" }, "/level"},
		{"line 0", func(log obj) {
			result(log)["locations"].([]any)[0].(obj)["physicalLocation"].(obj)["region"].(obj)["startLine"] = 0
		}, "/startLine"},
		{"message without text", func(log obj) { result(log)["message"] = obj{} }, "/message"},
		{"uri not a URI reference", func(log obj) {
			result(log)["locations"].([]any)[0].(obj)["physicalLocation"].(obj)["artifactLocation"].(obj)["uri"] = "%zz"
		}, "/uri"},
		{"ruleIndex below -1", func(log obj) { result(log)["ruleIndex"] = -2 }, "/ruleIndex"},
	}
	valid := wRun(t, WriteSARIF, wTestReport())
	if err := schematest.ValidateSARIF(valid); err != nil {
		t.Fatalf("the unbroken log is invalid: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var log obj
			if err := json.Unmarshal(valid, &log); err != nil {
				t.Fatal(err)
			}
			tc.mutate(log)
			broken, err := json.Marshal(log)
			if err != nil {
				t.Fatal(err)
			}
			err = schematest.ValidateSARIF(broken)
			if err == nil {
				t.Fatalf("broken log accepted:\n%s", broken)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %q", err, tc.want)
			}
		})
	}
	if err := schematest.ValidateSARIF([]byte(`{"version": "2.1.0", "runs": [`)); err == nil {
		t.Error("truncated JSON accepted")
	}
}

// TestSchemaJUnitRejects shows xmllint and the schema catch broken JUnit:
// each case changes a valid document in one place.
func TestSchemaJUnitRejects(t *testing.T) {
	xmllint := schematest.XMLLint(t)
	valid := string(wRun(t, WriteJUnit, wTestReport()))
	if err := schematest.ValidateJUnit(xmllint, []byte(valid)); err != nil {
		t.Fatalf("the unbroken document is invalid: %v", err)
	}
	tests := []struct {
		name, old, new string
		want           string // in xmllint's message
	}{
		// What WriteJUnit wrote before: the schema has no file or line on a testcase.
		{"testcase file and line", `<testcase classname="flowscope.rules" name="rules.yaml:3 expect service dns">`,
			`<testcase classname="flowscope.rules" name="rules.yaml:3 expect service dns" file="rules.yaml" line="3">`, "attribute 'file'"},
		{"suite without tests", `<testsuite name="a.pcap" tests="3"`, `<testsuite name="a.pcap"`, "'tests' is required"},
		{"case without name", `<testcase classname="flowscope.rules" name="rules.yaml:12 limit flows &lt;= 10">`, `<testcase classname="flowscope.rules">`, "'name' is required"},
		{"unknown element", `<system-err>`, `<stderr>`, "stderr"},
		{"system-err before cases", `<testsuite name="b dir/b.pcap" tests="3" failures="2" errors="0" skipped="0">`,
			`<testsuite name="b dir/b.pcap" tests="3" failures="2" errors="0" skipped="0"><system-err>x</system-err>`, "testcase"},
		{"not well-formed", `</testsuites>`, `</testsuite>`, "testsuite"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Count(valid, tc.old) == 0 {
				t.Fatalf("%q not in the document:\n%s", tc.old, valid)
			}
			broken := strings.Replace(valid, tc.old, tc.new, 1)
			err := schematest.ValidateJUnit(xmllint, []byte(broken))
			if err == nil {
				t.Fatalf("broken document accepted:\n%s", broken)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %q", err, tc.want)
			}
		})
	}
}

// schemaTB records what schematest.XMLLint asks of its test.
type schemaTB struct {
	testing.TB
	fatal, skip string
}

func (s *schemaTB) Helper()           {}
func (s *schemaTB) Fatal(args ...any) { s.fatal = fmt.Sprint(args...) }
func (s *schemaTB) Skip(args ...any)  { s.skip = fmt.Sprint(args...) }

// TestSchemaXMLLintMissing: without xmllint the JUnit tests skip, but under
// CI they fail.
func TestSchemaXMLLintMissing(t *testing.T) {
	tests := []struct {
		name     string
		ci       string
		fatal    bool
		skip     bool
		withPath bool
	}{
		{"missing, not CI", "", false, true, false},
		{"missing, CI", "true", true, false, false},
		{"present", "true", false, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.withPath {
				fake := filepath.Join(dir, "xmllint")
				if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv("PATH", dir)
			t.Setenv("CI", tc.ci)
			tb := &schemaTB{TB: t}
			path := schematest.XMLLint(tb)
			if (tb.fatal != "") != tc.fatal || (tb.skip != "") != tc.skip || (path != "") != tc.withPath {
				t.Errorf("fatal %q, skip %q, path %q", tb.fatal, tb.skip, path)
			}
			if msg := tb.fatal + tb.skip; msg != "" && !strings.Contains(msg, "libxml2-utils") {
				t.Errorf("message %q does not say what to install", msg)
			}
		})
	}
}
