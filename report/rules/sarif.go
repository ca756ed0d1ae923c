package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/flowscope/flowscope/internal/buildinfo"
)

// SARIF 2.1.0 shapes: structs (not maps) so keys come out in a fixed order.
type wSarifLog struct {
	Schema  string      `json:"$schema"`
	Version string      `json:"version"`
	Runs    []wSarifRun `json:"runs"`
}

type wSarifRun struct {
	Tool        wSarifTool         `json:"tool"`
	Invocations []wSarifInvocation `json:"invocations"`
	Results     []wSarifResult     `json:"results"`
}

type wSarifTool struct {
	Driver wSarifDriver `json:"driver"`
}

type wSarifDriver struct {
	Name    string            `json:"name"`
	Version string            `json:"version"`
	Rules   []wSarifReporting `json:"rules"`
}

type wSarifReporting struct {
	ID               string            `json:"id"`
	ShortDescription wSarifMessage     `json:"shortDescription"`
	Properties       map[string]string `json:"properties,omitempty"`
}

type wSarifInvocation struct {
	ExecutionSuccessful bool                 `json:"executionSuccessful"`
	Notifications       []wSarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type wSarifNotification struct {
	Level   string        `json:"level"`
	Message wSarifMessage `json:"message"`
}

type wSarifMessage struct {
	Text string `json:"text"`
}

type wSarifResult struct {
	RuleID    string           `json:"ruleId"`
	RuleIndex int              `json:"ruleIndex"`
	Level     string           `json:"level"`
	Message   wSarifMessage    `json:"message"`
	Locations []wSarifLocation `json:"locations"`
	// Several violations share a rule's location; a fingerprint of their
	// own keeps code scanning from merging them into one alert.
	Fingerprints map[string]string `json:"partialFingerprints"`
	Properties   wSarifProps       `json:"properties"`
}

type wSarifProps struct {
	Capture  string   `json:"capture"`
	FlowIDs  []uint64 `json:"flowIds,omitempty"`
	Evidence string   `json:"evidence,omitempty"`
}

type wSarifLocation struct {
	PhysicalLocation wSarifPhysical `json:"physicalLocation"`
}

type wSarifPhysical struct {
	ArtifactLocation wSarifArtifact `json:"artifactLocation"`
	Region           *wSarifRegion  `json:"region,omitempty"`
}

type wSarifArtifact struct {
	URI string `json:"uri"`
}

type wSarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

// WriteSARIF writes a SARIF 2.1.0 log with one run: a reportingDescriptor per
// rule and an error result per violation located at the rule.
func WriteSARIF(w io.Writer, r *Report) error {
	run := wSarifRun{
		Tool:    wSarifTool{Driver: wSarifDriver{Name: "flowscope", Version: buildinfo.Version(), Rules: []wSarifReporting{}}},
		Results: []wSarifResult{}, // [] rather than null: "ran, found nothing"
	}
	ruleIndex := map[*Rule]int{}
	usedID := map[string]bool{}
	for _, o := range r.Outcomes {
		if _, ok := ruleIndex[o.Rule]; ok {
			continue
		}
		// Line-based ids are stable across runs; a suffix keeps them unique
		// should two rules share a line (or both lack one).
		base := "rule-" + strconv.Itoa(wLine(o.Rule))
		id := base
		for n := 2; usedID[id]; n++ {
			id = base + "-" + strconv.Itoa(n)
		}
		usedID[id] = true
		ruleIndex[o.Rule] = len(run.Tool.Driver.Rules)
		d := wSarifReporting{ID: id, ShortDescription: wSarifMessage{Text: wTitle(o.Rule)}}
		if o.Rule != nil && o.Rule.Kind != "" {
			d.Properties = map[string]string{"kind": o.Rule.Kind}
		}
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, d)
	}
	for _, o := range r.Outcomes {
		idx := ruleIndex[o.Rule]
		loc := wSarifLocation{PhysicalLocation: wSarifPhysical{
			ArtifactLocation: wSarifArtifact{URI: wURI(wRuleFile(r, o.Rule))},
		}}
		if line := wLine(o.Rule); line > 0 {
			loc.PhysicalLocation.Region = &wSarifRegion{StartLine: line, StartColumn: max(o.Rule.Column, 0)}
		}
		for _, v := range wViolations(o) {
			run.Results = append(run.Results, wSarifResult{
				RuleID:    run.Tool.Driver.Rules[idx].ID,
				RuleIndex: idx,
				Level:     "error",
				Message:   wSarifMessage{Text: v.Message + " (capture " + wCapture(o.Capture) + ")"},
				Locations: []wSarifLocation{loc},
				Fingerprints: map[string]string{
					"flowscope/v1": wFingerprint(run.Tool.Driver.Rules[idx].ID, o.Capture, wDetail(v)),
				},
				Properties: wSarifProps{Capture: wCapture(o.Capture), FlowIDs: v.FlowIDs, Evidence: v.Evidence},
			})
		}
	}
	inv := wSarifInvocation{ExecutionSuccessful: true}
	for _, c := range wCaptures(r) {
		if reasons := r.Untrusted[c]; len(reasons) > 0 {
			inv.Notifications = append(inv.Notifications, wSarifNotification{
				Level:   "warning",
				Message: wSarifMessage{Text: "untrusted capture " + wCapture(c) + ": " + wReasons(reasons, "; ")},
			})
		}
	}
	run.Invocations = []wSarifInvocation{inv}
	log := wSarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []wSarifRun{run},
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// wLine is the rule's 1-based line, or 0 when unknown.
func wLine(rule *Rule) int {
	if rule == nil || rule.Line < 0 {
		return 0
	}
	return rule.Line
}

// wURI turns a file path into a URI reference: relative paths stay relative
// (so code scanning resolves them against the checkout), absolute ones get
// file://, and characters such as spaces are percent-encoded.
func wURI(path string) string {
	p := filepath.ToSlash(path)
	u := url.URL{Path: p}
	if strings.HasPrefix(p, "/") {
		u.Scheme = "file"
	}
	return u.String()
}

// wFingerprint identifies a result across runs by what it is about, not by
// where it sits in the output.
func wFingerprint(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:16])
}
