// Package rules holds a capture to a rules file for CI: flows or services
// that must be present (expect), must not appear (forbid), bounds (limit)
// and accepted findings (allow); and writes the outcome for humans, JUnit,
// SARIF and GitHub Actions.
package rules

import (
	"net/netip"
	"time"
)

// Rule is one rule of a rules file. The exported fields are what reports
// show; the matching logic lives in unexported fields.
type Rule struct {
	Kind   string // "expect", "forbid", "limit" or "allow"
	Name   string // the rule's "name:" or a description made from it
	File   string // rules file path
	Line   int    // 1-based position of the rule in the file
	Column int
	spec   ruleSpec
}

// ruleSpec is what a rule checks, as parsed; only the fields of its kind
// are set.
type ruleSpec struct {
	match evalMatch
	desc  string // the match fields as written, for messages ("any flow" when none)

	// expect: the number of matching flows must be in [min, max].
	min    uint64
	max    uint64
	hasMax bool

	// limit: totals over the matching flows, and bounds on each of them.
	bytes, flows       uint64
	hasBytes, hasFlows bool
	bytesText          string // the limit as written ("10MB"), for messages
	perFlow            evalPerFlow

	// allow: one line in --allow syntax.
	allow string

	// only: every flow must match one of these.
	only []evalMatch
}

// evalPerFlow bounds each matching flow; a zero has* leaves that bound out.
type evalPerFlow struct {
	duration                          time.Duration
	packets, bytes                    uint64
	hasDuration, hasPackets, hasBytes bool
}

// evalMatch selects flows: every set field must match, and a field with
// several values matches when any of them does.
type evalMatch struct {
	protos      []string
	services    []string // "" (written "none") for flows with no recognised service
	clients     []netip.Prefix
	servers     []netip.Prefix
	ports       []evalPort
	names       []string // lower-case globs for server_name (sni is its alias)
	findings    []string // finding kinds, after the allowlists
	tlsVersions []string // normalised: "TLS 1.2"
	tlsBelow    int      // evalTLSRank of the bound; 0 = unset
	tlsBelowStr string
	serverNotIn []netip.Prefix
}

// evalPort is a server port, on one transport or ("" proto) any.
type evalPort struct {
	proto string
	port  uint16
}
