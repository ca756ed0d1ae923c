package rules

import "github.com/flowscope/flowscope/report"

// HTMLChecks returns one capture's outcomes (a checker's, not r's: the
// same path given twice is two captures) as the HTML report lists them
// (check --html): each rule's title and its position in r's rules file,
// and under a failure its violations, as the text report words them.
func HTMLChecks(r *Report, outcomes []Outcome) []report.HTMLCheck {
	var out []report.HTMLCheck
	for _, o := range outcomes {
		c := report.HTMLCheck{Rule: wTitle(o.Rule) + " (" + wPosition(r, o.Rule) + ")", Passed: o.Passed}
		if !o.Passed {
			for _, v := range wViolations(o) {
				if v.More > 0 {
					c.Violations = append(c.Violations, wOneLine(v.Message))
					continue
				}
				c.Violations = append(c.Violations, wOneLine(wDetail(v)))
			}
		}
		out = append(out, c)
	}
	return out
}
