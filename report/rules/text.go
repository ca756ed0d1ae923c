package rules

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/flowscope/flowscope/report"
)

// WriteText writes a pass/fail line per rule per capture, indented violations
// under failures, untrusted-capture notes and a totals line.
func WriteText(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	passed := 0
	for _, o := range r.Outcomes {
		status := "FAIL"
		if o.Passed {
			status = "PASS"
			passed++
		}
		fmt.Fprintf(bw, "%s %s %s (%s)\n", status, wPosition(r, o.Rule), wTitle(o.Rule), wCapture(o.Capture))
		if o.Passed {
			continue
		}
		for _, v := range wViolations(o) {
			if v.More > 0 {
				fmt.Fprintf(bw, "    %s\n", wOneLine(v.Message)) // "… and N more"
				continue
			}
			fmt.Fprintf(bw, "    - %s\n", wOneLine(wDetail(v)))
		}
	}
	untrusted := 0
	for _, c := range wCaptures(r) {
		reasons := r.Untrusted[c]
		if len(reasons) == 0 {
			continue
		}
		untrusted++
		fmt.Fprintf(bw, "UNTRUSTED %s: %s\n", wCapture(c), wReasons(reasons, "; "))
	}
	fmt.Fprintf(bw, "%d checks: %d passed, %d failed", len(r.Outcomes), passed, len(r.Outcomes)-passed)
	if untrusted > 0 {
		fmt.Fprintf(bw, ", %d untrusted %s", untrusted, wPlural(untrusted, "capture", "captures"))
	}
	bw.WriteString("\n")
	return bw.Flush()
}

// The helpers below are shared by all writers; the w prefix keeps them apart
// from the parser's and evaluator's names in this package.

// wRuleFile is where a rule lives: its own File, else the report's.
func wRuleFile(r *Report, rule *Rule) string {
	if rule != nil && rule.File != "" {
		return rule.File
	}
	return r.RulesFile
}

// wPosition renders "file:line" (just "file" when the line is unknown).
func wPosition(r *Report, rule *Rule) string {
	f := report.Escape(wRuleFile(r, rule))
	if rule == nil || rule.Line <= 0 {
		return f
	}
	return f + ":" + strconv.Itoa(rule.Line)
}

// wTitle renders "kind name" for headings and test names. A name comes
// from the user's rules file, which may come from anyone's pull request:
// escaped like capture-derived strings, so no control character reaches a
// terminal, a CI log or an XML file.
func wTitle(rule *Rule) string {
	if rule == nil {
		return "rule"
	}
	// A name that starts with the kind already ("forbid telnet") keeps it once.
	if rule.Kind != "" && (rule.Name == rule.Kind || strings.HasPrefix(rule.Name, rule.Kind+" ")) {
		return report.Escape(rule.Name)
	}
	return report.Escape(strings.TrimSpace(rule.Kind + " " + rule.Name))
}

// wCapture renders a capture's path, escaped like wTitle's rule name.
func wCapture(c string) string { return report.Escape(c) }

// wReasons joins a capture's untrusted reasons (read errors name the
// capture's path), escaped.
func wReasons(reasons []string, sep string) string {
	out := make([]string, len(reasons))
	for i, s := range reasons {
		out[i] = report.Escape(s)
	}
	return strings.Join(out, sep)
}

// wViolations returns a failed outcome's violations, inventing one when the
// evaluator gave none so that every failure is visible in every format.
func wViolations(o Outcome) []Violation {
	if o.Passed {
		return nil
	}
	if len(o.Violations) == 0 {
		return []Violation{{Message: "rule failed"}}
	}
	return o.Violations
}

// wFlows renders flow ids as "flow 3" or "flows 3, 7"; empty when none.
func wFlows(ids []uint64) string {
	if len(ids) == 0 {
		return ""
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatUint(id, 10)
	}
	return wPlural(len(ids), "flow ", "flows ") + strings.Join(parts, ", ")
}

// wDetail renders a violation with its flows and evidence in one string.
func wDetail(v Violation) string {
	s := v.Message
	if f := wFlows(v.FlowIDs); f != "" {
		s += " [" + f + "]"
	}
	if v.Evidence != "" {
		s += " evidence: " + v.Evidence
	}
	return s
}

// wCaptures lists captures in report order, then untrusted-only ones sorted,
// so map iteration never leaks into the output.
func wCaptures(r *Report) []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range r.Outcomes {
		if !seen[o.Capture] {
			seen[o.Capture] = true
			out = append(out, o.Capture)
		}
	}
	var extra []string
	for c := range r.Untrusted {
		if !seen[c] {
			extra = append(extra, c)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

// wOneLine keeps a field on one line so a crafted name or message cannot
// forge extra PASS/FAIL lines.
func wOneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}

func wPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
