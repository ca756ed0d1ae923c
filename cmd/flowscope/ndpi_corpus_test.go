package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The corpus floors: the share of flows nDPI identifies by payload as a
// protocol we detect on which we name the same service, and the share of
// nDPI's "Known Proto on Non Std Port" flows (of a protocol we detect) on
// which we raise nonstandard-port for it. Issue 11 asks for 0.97 and 0.95;
// these are the figures reached so far and may only go up.
const (
	corpusAgreementFloor = 0.983
	corpusNonStdFloor    = 0.942
)

// TestNDPICorpus compares every flow of testdata/captures/ndpi-corpus with
// nDPI's payload verdicts (its "Confidence: DPI" lines: guesses by port or
// address decide nothing). It prints the figures and each disagreement by
// class, and holds the figures to the floors above.
func TestNDPICorpus(t *testing.T) {
	dir := filepath.Join(capturesDir(t), "ndpi-corpus")
	outs, _ := filepath.Glob(filepath.Join(dir, "result", "*.out"))
	if len(outs) == 0 {
		t.Fatal("no nDPI results in the corpus")
	}
	var compared, agree, nonStd, nonStdFound int
	classes := map[string][]string{} // "nDPI -> ours" to the flows
	var contradicted []string        // our findings on flows nDPI's payload verdict names otherwise
	for _, out := range outs {
		name := strings.TrimSuffix(filepath.Base(out), ".out")
		capture := filepath.Join(dir, "pcap", name)
		if _, err := os.Stat(capture); err != nil {
			t.Errorf("nDPI result %s has no capture: %v", name, err)
			continue
		}
		res := runFlowscope(t, nil, "-q", "-o", "json", "-r", capture)
		flows := parseJSONFlows(t, res.stdout)
		for _, nf := range parseNDPI(t, out) {
			if !nf.dpi || nf.unidentified {
				continue
			}
			f := matchNDPI(flows, nf)
			where := fmt.Sprintf("%s %s %s <-> %s", name, nf.proto, nf.a, nf.b)
			if f != nil {
				for _, x := range f.Findings {
					if x.Service != "" && x.Service != nf.service {
						contradicted = append(contradicted, fmt.Sprintf("%s: %s %s, nDPI says %s", where, x.Kind, x.Service, strings.Join(nf.names, ".")))
					}
				}
			}
			if nf.service == "" {
				continue // a protocol we have no detector for
			}
			compared++
			ours := "no flow"
			if f != nil {
				ours = f.Service
				if ours == "" {
					ours = "unidentified"
				}
			}
			if f != nil && f.Service == nf.service {
				agree++
			} else {
				class := nf.service + " -> " + ours
				classes[class] = append(classes[class], where)
			}
			if nf.nonStdPort {
				nonStd++
				if f != nil && hasFinding(f, "nonstandard-port", nf.service) {
					nonStdFound++
				} else {
					class := nf.service + " non-std-port -> no finding (" + ours + ")"
					classes[class] = append(classes[class], where)
				}
			}
		}
	}
	keys := make([]string, 0, len(classes))
	for k := range classes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("disagreement %s: %d", k, len(classes[k]))
		for _, w := range classes[k] {
			t.Logf("    %s", w)
		}
	}
	sort.Strings(contradicted)
	for _, c := range contradicted {
		t.Logf("finding nDPI's payload verdict contradicts: %s", c)
	}
	agreement := float64(agree) / float64(max(1, compared))
	nonStdShare := float64(nonStdFound) / float64(max(1, nonStd))
	t.Logf("ndpi-corpus: services agree on %d of %d flows nDPI identifies by payload (%.3f); nonstandard-port on %d of %d nDPI flags (%.3f)",
		agree, compared, agreement, nonStdFound, nonStd, nonStdShare)
	if agreement < corpusAgreementFloor {
		t.Errorf("agreement %.3f is below its floor %.3f", agreement, corpusAgreementFloor)
	}
	if nonStdShare < corpusNonStdFloor {
		t.Errorf("nonstandard-port share %.3f is below its floor %.3f", nonStdShare, corpusNonStdFloor)
	}
}
