package rules

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit XML shapes; only the attributes every common reporter reads, and no
// timestamps or durations so the output stays byte-identical. The output is
// valid against the Jenkins JUnit schema (testdata/schemas/jenkins-junit.xsd),
// which has no file or line attribute on a testcase: a case's name starts
// with the rule's file:line instead.
type wJUnitSuites struct {
	XMLName  xml.Name      `xml:"testsuites"`
	Name     string        `xml:"name,attr"`
	Tests    int           `xml:"tests,attr"`
	Failures int           `xml:"failures,attr"`
	Errors   int           `xml:"errors,attr"`
	Suites   []wJUnitSuite `xml:"testsuite"`
}

type wJUnitSuite struct {
	Name      string         `xml:"name,attr"`
	Tests     int            `xml:"tests,attr"`
	Failures  int            `xml:"failures,attr"`
	Errors    int            `xml:"errors,attr"`
	Skipped   int            `xml:"skipped,attr"`
	Cases     []wJUnitCase   `xml:"testcase"`
	SystemErr *wJUnitCharBuf `xml:"system-err,omitempty"`
}

type wJUnitCase struct {
	Classname string         `xml:"classname,attr"`
	Name      string         `xml:"name,attr"`
	Failure   *wJUnitFailure `xml:"failure,omitempty"`
}

type wJUnitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type wJUnitCharBuf struct {
	Text string `xml:",chardata"`
}

// WriteJUnit writes JUnit XML: a testsuite per capture, a testcase per rule,
// with a failure listing the violations when the rule failed.
func WriteJUnit(w io.Writer, r *Report) error {
	doc := wJUnitSuites{Name: "flowscope"}
	index := map[string]int{}
	for _, c := range wCaptures(r) {
		index[c] = len(doc.Suites)
		s := wJUnitSuite{Name: wCapture(c)}
		if reasons := r.Untrusted[c]; len(reasons) > 0 {
			s.SystemErr = &wJUnitCharBuf{Text: "untrusted: " + wReasons(reasons, "\n") + "\n"}
		}
		doc.Suites = append(doc.Suites, s)
	}
	for _, o := range r.Outcomes {
		s := &doc.Suites[index[o.Capture]]
		tc := wJUnitCase{
			Classname: "flowscope.rules",
			Name:      wPosition(r, o.Rule) + " " + wTitle(o.Rule),
		}
		s.Tests++
		doc.Tests++
		if !o.Passed {
			vs := wViolations(o)
			var text strings.Builder
			for _, v := range vs {
				text.WriteString(wDetail(v) + "\n")
			}
			msg := vs[0].Message
			if len(vs) > 1 {
				msg = fmt.Sprintf("%d violations; first: %s", len(vs), msg)
			}
			tc.Failure = &wJUnitFailure{Message: wOneLine(msg), Type: "flowscope." + wKind(o.Rule), Text: text.String()}
			s.Failures++
			doc.Failures++
		}
		s.Cases = append(s.Cases, tc)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// wKind is the rule's kind, or "rule" when unknown.
func wKind(rule *Rule) string {
	if rule == nil || rule.Kind == "" {
		return "rule"
	}
	return rule.Kind
}
