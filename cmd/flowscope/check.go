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
	htmlFile := fs.String("html", "", "write an HTML report of the captures (as -o html, with the rules' results) to `FILE`")
	minSeverity := fs.String("min-severity", "", "findings below `LEVEL` (info, low, medium, high) count for no rule (default: all count)")
	maxViolations := fs.Int("max-violations", rules.DefaultMaxViolations, "list at most `N` violations per rule and capture, then \"… and M more\" (0: all)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: flowscope check --rules FILE [--strict] [--min-severity LEVEL] [--max-violations N] [--junit FILE] [--sarif FILE] [--html FILE] capture [capture ...]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return checkPass
		}
		fmt.Fprintf(stderr, "flowscope check: %v\n", err)
		return checkUsage
	}
	if err := report.CheckSeverity(*minSeverity); err != nil {
		fmt.Fprintf(stderr, "flowscope check: --min-severity: %v\n", err)
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
	// Raw: Parse escapes it in its messages, the writers in theirs.
	rs, err := rules.Parse(f, *rulesFile)
	f.Close()
	if err != nil {
		fmt.Fprintf(stderr, "flowscope check: %v\n", err)
		return checkUsage
	}
	allow := rules.Allowlist(rs)

	rep := &rules.Report{RulesFile: *rulesFile, Untrusted: map[string][]string{}}
	code := checkPass
	var book *report.HTMLBook
	if *htmlFile != "" {
		book = report.NewHTMLBook(report.SinkConfig{Options: report.Options{Allow: allow, MinSeverity: *minSeverity}})
	}
	for _, path := range fs.Args() {
		ck := rules.NewChecker(rs, path, allow, *maxViolations)
		ck.MinSeverity(*minSeverity)
		var sink report.Sink = ck
		var page report.Sink
		if book != nil {
			page = book.Sink(report.Escape(path))
			sink = report.Tee(ck, page)
		}
		res, readErr := runCapture(path, sink)
		stats := res.Stats
		if page != nil {
			page.Close(res.Summary(""))
		}
		if readErr != nil {
			// The message names the capture's path: escaped like it is in the report.
			fmt.Fprintf(stderr, "flowscope check: %s\n", report.Escape(readErr.Error()))
			if stats.Frames == 0 {
				// Nothing could be read: the rules cannot be judged on it.
				code = checkBadInput
				if book != nil {
					book.Last().NotJudged = "nothing could be read: " + report.Escape(readErr.Error())
				}
				continue
			}
		}
		outcomes := ck.Outcomes()
		rep.Outcomes = append(rep.Outcomes, outcomes...)
		if book != nil {
			book.Last().Checks = rules.HTMLChecks(rep, outcomes)
		}
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
	}{{*junit, rules.WriteJUnit}, {*sarif, rules.WriteSARIF}, {*htmlFile, func(w io.Writer, rep *rules.Report) error {
		return book.Write(w, "flowscope check: "+report.Escape(rep.RulesFile))
	}}} {
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

// analyzeCapture streams one capture's flow records into ck (the checker,
// or baseline's collector of selectors),
// with the default flow configuration and memory budget (as a plain run's:
// the checker keeps no records, so a capture of any size checks in bounded
// memory). A read error after some packets has still fed it their flows.
func analyzeCapture(path string, ck report.Sink) (flow.Stats, error) {
	res, err := runCapture(path, ck)
	return res.Stats, err
}

// runCapture is analyzeCapture with the whole result (check --html's
// summary needs the inputs).
func runCapture(path string, ck report.Sink) (*pipeline.FilesResult, error) {
	budget, _ := parseSize(defaultMaxMemory)
	cfg := flow.DefaultConfig()
	cfg.MaxFlows, cfg.MaxIdentifying = flow.Budget(budget, false)
	limitHeap(budget)
	res := pipeline.RunFiles([]string{path}, pipeline.Config{Flow: cfg, Beacon: &beacon.Config{}}, ck, nil)
	var err error
	if len(res.Errors) > 0 {
		err = res.Errors[0]
	}
	return res, err
}

// untrusted lists what makes a capture's result incomplete, for --strict.
func untrusted(st flow.Stats, readErr error) []string {
	var out []string
	if readErr != nil {
		out = append(out, readErr.Error())
	}
	for _, reason := range []string{"unknown-link-type", "malformed", "truncated", "tunnel-payload-malformed", "tunnel-payload-truncated"} {
		if n := st.Skipped[reason]; n > 0 {
			out = append(out, fmt.Sprintf("%d frames %s", n, reason))
		}
	}
	if st.FragmentsUnattributed > 0 || st.DatagramsIncomplete > 0 {
		out = append(out, fmt.Sprintf("%d fragments unattributed, %d datagrams incomplete", st.FragmentsUnattributed, st.DatagramsIncomplete))
	}
	return out
}
