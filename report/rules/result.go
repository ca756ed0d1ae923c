package rules

// Outcome of one rule on one capture.
type Outcome struct {
	Rule    *Rule
	Capture string // the capture's path as given
	Passed  bool
	// Violations explain a failure: each names the flow(s) and the evidence.
	Violations []Violation
}

// Violation is one reason a rule failed.
type Violation struct {
	Message string   // one line: what broke the rule
	FlowIDs []uint64 // the flows involved (empty for whole-capture rules)
	// Evidence is escaped text from the flow or finding (e.g. an SNI, a
	// finding's evidence bytes), or empty.
	Evidence string
	// More is, on the last violation of a capped list, how many were left out.
	More int
}

// Report is the result of checking every rule over every capture.
type Report struct {
	RulesFile string
	Outcomes  []Outcome // by capture, then by rule in file order
	// Untrusted lists, per capture, what makes its result untrustworthy
	// (truncated input, unknown link types, undecodable packets, fragments
	// that never completed); --strict fails on any.
	Untrusted map[string][]string
}

// Failed counts the failed outcomes.
func (r *Report) Failed() int {
	n := 0
	for _, o := range r.Outcomes {
		if !o.Passed {
			n++
		}
	}
	return n
}
