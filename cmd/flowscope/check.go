package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/flow/beacon"
	"github.com/flowscope/flowscope/pipeline"
	"github.com/flowscope/flowscope/report"
	"github.com/flowscope/flowscope/report/rules"
	"github.com/spf13/pflag"
)

// Exit codes of `flowscope check`, documented in README.md.
const (
	checkPass     = 0
	checkFail     = 1
	checkUsage    = 2
	checkBadInput = 3
)

// runCheck is `flowscope check --rules FILE capture...`.
func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("flowscope check", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	rulesFile := fs.String("rules", "", "rules `FILE` (YAML) to hold the captures to")
	strict := fs.Bool("strict", false, "also fail when a capture cannot be fully trusted (truncated, unknown link types, undecodable packets, incomplete fragments)")
	junit := fs.String("junit", "", "write a JUnit XML report to `FILE`")
	sarif := fs.String("sarif", "", "write a SARIF 2.1.0 report to `FILE`")
	maxViolations := fs.Int("max-violations", rules.DefaultMaxViolations, "list at most `N` violations per rule and capture, then \"… and M more\" (0: all)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: flowscope check --rules FILE [--strict] [--max-violations N] [--junit FILE] [--sarif FILE] capture [capture ...]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return checkPass
		}
		fmt.Fprintf(stderr, "flowscope check: %v\n", err)
		return checkUsage
	}
	if *maxViolations < 0 {
		fmt.Fprintf(stderr, "flowscope check: --max-violations %d: want 0 (all) or more\n", *maxViolations)
		return checkUsage
	}
	if *rulesFile == "" || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "flowscope check: need --rules FILE and at least one capture")
		return checkUsage
	}
	f, err := os.Open(*rulesFile)
	if err != nil {
		fmt.Fprintf(stderr, "flowscope check: %v\n", err)
		return checkUsage
	}
	// Escaped: the path names the file in every message and report.
	rs, err := rules.Parse(f, report.Escape(*rulesFile))
	f.Close()
	if err != nil {
		fmt.Fprintf(stderr, "flowscope check: %v\n", err)
		return checkUsage
	}
	allow := rules.Allowlist(rs)

	rep := &rules.Report{RulesFile: *rulesFile, Untrusted: map[string][]string{}}
	code := checkPass
	for _, path := range fs.Args() {
		recs, stats, readErr := analyzeCapture(path)
		if readErr != nil {
			// The message names the capture's path: escaped like it is in the report.
			fmt.Fprintf(stderr, "flowscope check: %s\n", report.Escape(readErr.Error()))
			if stats.Frames == 0 {
				// Nothing could be read: the rules cannot be judged on it.
				code = checkBadInput
				continue
			}
		}
		report.SortByStart(recs)
		rep.Outcomes = append(rep.Outcomes, rules.Check(rs, path, recs, allow, *maxViolations)...)
		if u := untrusted(stats, readErr); len(u) > 0 {
			rep.Untrusted[path] = u
		}
	}

	if err := rules.WriteText(stdout, rep); err != nil {
		fmt.Fprintf(stderr, "flowscope check: %v\n", err)
	}
	if os.Getenv("GITHUB_ACTIONS") == "true" {
		rules.WriteGitHub(stdout, rep)
	}
	for _, out := range []struct {
		path  string
		write func(io.Writer, *rules.Report) error
	}{{*junit, rules.WriteJUnit}, {*sarif, rules.WriteSARIF}} {
		if out.path == "" {
			continue
		}
		if err := writeFile(out.path, rep, out.write); err != nil {
			fmt.Fprintf(stderr, "flowscope check: writing %s: %v\n", out.path, err)
			if code == checkPass {
				code = checkUsage
			}
		}
	}
	switch {
	case code != checkPass:
		return code
	case rep.Failed() > 0:
		return checkFail
	case *strict && len(rep.Untrusted) > 0:
		paths := make([]string, 0, len(rep.Untrusted))
		for p := range rep.Untrusted {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			fmt.Fprintf(stderr, "flowscope check: --strict: %s cannot be trusted: %v\n", p, rep.Untrusted[p])
		}
		return checkFail
	}
	return checkPass
}

func writeFile(path string, rep *rules.Report, write func(io.Writer, *rules.Report) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f, rep); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// analyzeCapture reads one capture into flow records with the default
// configuration. A read error after some packets still returns them.
func analyzeCapture(path string) ([]flow.Record, flow.Stats, error) {
	var c report.Collector
	res := pipeline.RunFiles([]string{path}, pipeline.Config{Flow: flow.DefaultConfig(), Beacon: &beacon.Config{}}, &c, nil)
	var err error
	if len(res.Errors) > 0 {
		err = res.Errors[0]
	}
	return c.Records, res.Stats, err
}

// untrusted lists what makes a capture's result incomplete, for --strict.
func untrusted(st flow.Stats, readErr error) []string {
	var out []string
	if readErr != nil {
		out = append(out, readErr.Error())
	}
	for _, reason := range []string{"unknown-link-type", "malformed", "truncated"} {
		if n := st.Skipped[reason]; n > 0 {
			out = append(out, fmt.Sprintf("%d frames %s", n, reason))
		}
	}
	if st.FragmentsUnattributed > 0 || st.DatagramsIncomplete > 0 {
		out = append(out, fmt.Sprintf("%d fragments unattributed, %d datagrams incomplete", st.FragmentsUnattributed, st.DatagramsIncomplete))
	}
	return out
}
