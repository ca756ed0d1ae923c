package main

import (
	"bytes"
	"strings"
	"testing"
)

// events builds test2json lines.
func events(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

func TestSummary(t *testing.T) {
	pass := events(
		`{"Action":"run","Package":"p","Test":"TestA"}`,
		`{"Action":"output","Package":"p","Test":"TestA","Output":"--- PASS: TestA (0.00s)\n"}`,
		`{"Action":"pass","Package":"p","Test":"TestA"}`,
		`{"Action":"output","Package":"p","Output":"ok  \tp\t0.01s\n"}`,
		`{"Action":"pass","Package":"p"}`,
	)
	skip := events(
		`{"Action":"run","Package":"p","Test":"TestB"}`,
		`{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:12: needs tshark\n"}`,
		`{"Action":"output","Package":"p","Test":"TestB","Output":"--- SKIP: TestB (0.00s)\n"}`,
		`{"Action":"skip","Package":"p","Test":"TestB"}`,
	)
	fail := events(
		`{"Action":"run","Package":"p","Test":"TestC"}`,
		`{"Action":"output","Package":"p","Test":"TestC","Output":"    c_test.go:3: got 1, want 2\n"}`,
		`{"Action":"fail","Package":"p","Test":"TestC"}`,
		`{"Action":"fail","Package":"p"}`,
	)
	tests := []struct {
		name   string
		in     string
		ci     bool
		code   int
		has    []string
		hasNot []string
	}{
		{"all pass", pass, true, 0, []string{"ok  \tp\t0.01s"}, []string{"SKIPPED", "--- PASS"}},
		{"skip outside CI", pass + skip, false, 0, []string{"SKIPPED: 1 tests", "SKIPPED p TestB: needs tshark"}, nil},
		{"skip in CI", pass + skip, true, 1, []string{"SKIPPED p TestB: needs tshark", "CI=true"}, nil},
		{"failure", pass + fail, false, 1, []string{"got 1, want 2", "FAIL p TestC"}, nil},
		{"build error line", "# p\nx.go:1: syntax error\n" + `{"Action":"fail","Package":"p"}` + "\n", false, 1, []string{"syntax error"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			s := &summary{out: &out, output: map[testKey][]string{}}
			if err := s.read(strings.NewReader(tc.in)); err != nil {
				t.Fatal(err)
			}
			if code := s.finish(tc.ci); code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, out.String())
			}
			for _, h := range tc.has {
				if !strings.Contains(out.String(), h) {
					t.Errorf("output lacks %q:\n%s", h, out.String())
				}
			}
			for _, h := range tc.hasNot {
				if strings.Contains(out.String(), h) {
					t.Errorf("output has %q:\n%s", h, out.String())
				}
			}
		})
	}
}
