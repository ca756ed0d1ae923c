package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/flowscope/flowscope/flow"
)

// severities in the order people read them: "info" is a service on a
// conventional alternate of its port (http on 8080), worth knowing only.
var severities = [...]string{"high", "medium", "low", "info"}

func severityRank(s string) int {
	if i := slices.Index(severities[:], s); i >= 0 {
		return i
	}
	return len(severities)
}

// CheckSeverity validates a minimum severity (--min-severity): "" (all) or
// one of the severities.
func CheckSeverity(s string) error {
	if s == "" || severityRank(s) < len(severities) {
		return nil
	}
	return fmt.Errorf("unknown severity %q (want %s)", s, strings.Join(severities[:], ", "))
}

// AtLeast reports whether a finding of severity is shown with the minimum
// min ("": every severity).
func AtLeast(severity, min string) bool {
	return min == "" || severityRank(severity) <= severityRank(min)
}

// findingFilter decides which of a record's findings every output shows:
// those the allowlist does not suppress, at or above the minimum severity.
type findingFilter struct {
	allow   *Allowlist
	maxRank int // the lowest severity shown, as a severityRank
}

func newFindingFilter(allow *Allowlist, minSeverity string) findingFilter {
	f := findingFilter{allow: allow, maxRank: len(severities) - 1}
	if minSeverity != "" {
		f.maxRank = severityRank(minSeverity)
	}
	return f
}

// filter returns r's findings to show, and how many the allowlist
// suppressed, whatever their severity (the allowlist is applied first).
func (f findingFilter) filter(r *flow.Record) (kept []Finding, suppressed int) {
	fs, suppressed := f.allow.Filter(r)
	if f.maxRank >= len(severities)-1 {
		return fs, suppressed // the common case: every severity shown
	}
	kept = fs[:0]
	for i := range fs {
		if severityRank(fs[i].Severity) <= f.maxRank {
			kept = append(kept, fs[i])
		}
	}
	return kept, suppressed
}

// keeps reports whether r has a finding an output shows (at or above the
// minimum severity, not suppressed) or one the allowlist suppressed, which
// --findings-only counts: a record with neither is, to it, a flow without
// findings.
func (f findingFilter) keeps(r *flow.Record) bool {
	shown, suppressed := f.filter(r)
	return len(shown) > 0 || suppressed > 0
}

// shows reports whether r has a finding an output shows.
func (f findingFilter) shows(r *flow.Record) bool {
	shown, _ := f.filter(r)
	return len(shown) > 0
}
