package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/flowscope/flowscope/flow"
)

func TestCheckSeverity(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"", true}, {"info", true}, {"low", true}, {"medium", true}, {"high", true},
		{"HIGH", false}, {"critical", false}, {"none", false},
	} {
		if err := CheckSeverity(tt.in); (err == nil) != tt.ok {
			t.Errorf("CheckSeverity(%q) = %v, want ok %v", tt.in, err, tt.ok)
		}
	}
}

// TestMinSeverity: every output leaves out the findings below the minimum
// severity, and the summary does not count them. findingRecs has a finding
// at info (http on tcp/8888), two on http on tcp/22 (low and medium) and
// two at high (ssh on tcp/2222).
func TestMinSeverity(t *testing.T) {
	recs := findingRecs()
	tests := []struct {
		min         string
		with, minus []string // "service port" of the findings shown and left out
		summary     string
	}{
		{"", []string{"http tcp/8888", "http tcp/22", "ssh tcp/2222"}, nil,
			"findings: 6 (nonstandard-port 4, port-mismatch 2; high 2, medium 2, low 1, info 1)"},
		{"info", []string{"http tcp/8888", "http tcp/22", "ssh tcp/2222"}, nil,
			"findings: 6 (nonstandard-port 4, port-mismatch 2; high 2, medium 2, low 1, info 1)"},
		{"low", []string{"http tcp/22", "ssh tcp/2222"}, []string{"http tcp/8888"},
			"findings: 5 (nonstandard-port 3, port-mismatch 2; high 2, medium 2, low 1)"},
		{"high", []string{"ssh tcp/2222"}, []string{"http tcp/8888", "http tcp/22"},
			"findings: 2 (nonstandard-port 2; high 2)"},
	}
	for _, tt := range tests {
		outs := minSeverityOutputs(t, recs, Options{MinSeverity: tt.min})
		for name, out := range outs {
			for _, f := range tt.with {
				if !findingShown(out, f) {
					t.Errorf("--min-severity %q, %s: no finding %s:\n%s", tt.min, name, f, out)
				}
			}
			for _, f := range tt.minus {
				if findingShown(out, f) {
					t.Errorf("--min-severity %q, %s: finding %s shown:\n%s", tt.min, name, f, out)
				}
			}
		}
		tally := NewTally(nil, tt.min)
		for i := range recs {
			tally.Add(&recs[i])
		}
		if got := findingsSection(tally).title; got != tt.summary {
			t.Errorf("--min-severity %q: summary %q, want %q", tt.min, got, tt.summary)
		}
	}
}

// minSeverityOutputs renders recs in every output that shows findings.
func minSeverityOutputs(t *testing.T, recs []flow.Record, opt Options) map[string]string {
	t.Helper()
	outs := map[string]string{}
	for _, format := range []string{"table", "json", "csv"} {
		opt.Format = format
		outs["--findings-only -o "+format] = writeFindings(t, recs, opt)
	}
	var jb, cb bytes.Buffer
	jw, cw := NewJSONWriter(&jb, opt), NewCSVWriter(&cb, opt)
	for i := range recs {
		if err := jw.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
		if err := cw.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := jw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	outs["-o json"], outs["-o csv"] = jb.String(), cb.String()
	outs["-o table"] = strings.Join(writeTable(t, recs, Options{MinSeverity: opt.MinSeverity}), "\n")
	return outs
}

// findingShown reports whether out has a finding on "service port", in
// any output's syntax: JSON fields, CSV cells or table columns.
func findingShown(out, finding string) bool {
	svc, port, _ := strings.Cut(finding, " ")
	re := regexp.MustCompile(svc + `(?:"|,|:|\s)+(?:"port":")?` + regexp.QuoteMeta(port) + `(?:[^0-9]|$)`)
	return re.MatchString(out)
}
