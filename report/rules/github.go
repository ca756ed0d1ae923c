package rules

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/flowscope/flowscope/report"
)

// WriteGitHub writes one GitHub Actions "::error" workflow command per
// violation, anchored at the rule, and a "::warning" per untrusted capture.
func WriteGitHub(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	for _, o := range r.Outcomes {
		props := []string{"file=" + wGHProp(report.Escape(wRuleFile(r, o.Rule)))}
		if o.Rule != nil && o.Rule.Line > 0 {
			props = append(props, "line="+strconv.Itoa(o.Rule.Line))
			if o.Rule.Column > 0 {
				props = append(props, "col="+strconv.Itoa(o.Rule.Column))
			}
		}
		props = append(props, "title="+wGHProp("flowscope: "+wTitle(o.Rule)))
		head := "::error " + strings.Join(props, ",") + "::"
		for _, v := range wViolations(o) {
			bw.WriteString(head + wGHData(wDetail(v)+" (capture "+wCapture(o.Capture)+")") + "\n")
		}
	}
	for _, c := range wCaptures(r) {
		if reasons := r.Untrusted[c]; len(reasons) > 0 {
			bw.WriteString("::warning title=" + wGHProp("flowscope: untrusted capture") + "::" +
				wGHData(wCapture(c)+": "+wReasons(reasons, "; ")) + "\n")
		}
	}
	return bw.Flush()
}

// wGHData escapes a command's message the way the runner unescapes it.
var wGHData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace

// wGHProp escapes a property value; ':' and ',' would otherwise end it.
var wGHProp = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace
