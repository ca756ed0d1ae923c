// Command testsummary reads `go test -json` events on standard input and
// prints what a person needs from a test run: each package's result line,
// the output of every failing test, and at the end every skipped test with
// its reason. A skip is easy to miss in `ok` lines, so it is listed; under
// CI=true a skip fails the run, because CI has everything a test needs and
// a test that does not run there proves nothing. Used by `make test`.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of test2json output.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type testKey struct{ pkg, test string }

type summary struct {
	out     io.Writer
	output  map[testKey][]string // output so far of each running test
	skipped []string
	failed  []string
	bad     bool // a test or package failed
}

func main() {
	s := &summary{out: os.Stdout, output: map[testKey][]string{}}
	if err := s.read(os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(2)
	}
	os.Exit(s.finish(os.Getenv("CI") == "true"))
}

func (s *summary) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Not an event (a build error printed by go itself): show it.
			fmt.Fprintln(s.out, string(line))
			continue
		}
		s.event(&e)
	}
	return sc.Err()
}

func (s *summary) event(e *event) {
	k := testKey{e.Package, e.Test}
	switch e.Action {
	case "output", "build-output":
		if e.Test == "" {
			// Package-level lines: keep the result lines and anything
			// unusual (panics, build errors), drop the PASS/--- noise.
			o := strings.TrimRight(e.Output, "\n")
			if o == "PASS" || o == "FAIL" || strings.HasPrefix(o, "=== ") || o == "" {
				return
			}
			if !strings.HasPrefix(o, "--- ") {
				fmt.Fprintln(s.out, o)
			}
			return
		}
		s.output[k] = append(s.output[k], e.Output)
	case "skip":
		if e.Test != "" {
			s.skipped = append(s.skipped, fmt.Sprintf("%s %s: %s", e.Package, e.Test, skipReason(s.output[k])))
		}
		delete(s.output, k)
	case "fail":
		s.bad = true
		if e.Test != "" {
			s.failed = append(s.failed, e.Package+" "+e.Test)
			fmt.Fprint(s.out, strings.Join(s.output[k], ""))
		}
		delete(s.output, k)
	case "pass":
		delete(s.output, k)
	}
}

// skipReason is the message a test gave t.Skip: the last output line
// before the "--- SKIP" line, without its file:line prefix.
func skipReason(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "--- SKIP") || strings.HasPrefix(l, "=== ") {
			continue
		}
		if _, rest, ok := strings.Cut(l, ".go:"); ok {
			if _, msg, ok := strings.Cut(rest, ": "); ok {
				return msg
			}
		}
		return l
	}
	return "(no reason given)"
}

// finish prints the skipped and failed tests and returns the exit code.
func (s *summary) finish(ci bool) int {
	sort.Strings(s.skipped)
	if len(s.skipped) > 0 {
		fmt.Fprintf(s.out, "\nSKIPPED: %d tests did not run:\n", len(s.skipped))
		for _, l := range s.skipped {
			fmt.Fprintln(s.out, "  SKIPPED", l)
		}
	}
	if len(s.failed) > 0 {
		fmt.Fprintf(s.out, "\nFAILED: %d tests:\n", len(s.failed))
		for _, l := range s.failed {
			fmt.Fprintln(s.out, "  FAIL", l)
		}
	}
	switch {
	case s.bad:
		return 1
	case ci && len(s.skipped) > 0:
		fmt.Fprintln(s.out, "CI=true: a skipped test is a failure here (CI has everything the tests need)")
		return 1
	}
	return 0
}
