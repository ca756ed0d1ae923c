package rules

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowscope/flowscope/internal/testcaps"
)

// testLaughs is a "billion laughs": each level lists the one below ten
// times, so the last alias stands for 10^levels scalars.
func testLaughs(levels int) string {
	var b strings.Builder
	b.WriteString("x0: &l0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "x%d: &l%d [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	fmt.Fprintf(&b, "rules:\n  - forbid: {service: *l%d}\n", levels)
	return b.String()
}

// TestParseHostile: files built to crash, hang or exhaust the parser end
// in well under a second with an error at file:line:column.
func TestParseHostile(t *testing.T) {
	deep := "rules:\n  - forbid: {service: " + strings.Repeat("[", 40) + "http" + strings.Repeat("]", 40) + "}\n"
	tests := []struct {
		name, src string
		want      string // in the error, after "rules.yaml:"
	}{
		{"self alias", "rules:\n  - forbid: &a {service: [*a]}\n", `2:27: alias *a is inside the node it stands for`},
		{"self alias at the top", "forbid: &a {service: [*a]}\n", `1:23: alias *a is inside the node it stands for`},
		{"alias cycle through a list", "rules: &r\n  - forbid: {service: *r}\n", `2:23: alias *r is inside the node it stands for`},
		{"billion laughs", testLaughs(9), `: aliases expand to more than 10000 nodes`},
		{"laughs in the name", strings.Replace(testLaughs(9), "forbid: {service: *l9}", "forbid: {service: http}\n    name: *l9", 1), `: aliases expand to more than 10000 nodes`},
		{"deep nesting", deep, `2:35: nested deeper than 16 levels`},
		{"deeper than yaml allows", "rules:\n  - forbid: {service: " + strings.Repeat("[", 20000) + "\n", `2:1022: nested deeper than 16 levels`},
		{"deep block sequences", "rules:\n" + strings.Repeat("- ", 12000) + "x\n", `2:1001: nested deeper than 16 levels`},
		{"huge file", "rules:\n" + strings.Repeat("# padding padding padding padding\n", 40000), `30842:10: rules file is larger than 1048576 bytes`},
		{"huge value", "rules:\n  - forbid: {sni: " + strings.Repeat("a", 1<<20) + "}\n", `rules file is larger than 1048576 bytes`},
		{"unknown anchor", "rules:\n  - forbid: {service: *nope}\n", `2:23: unknown anchor 'nope' referenced`},
	}
	pos := regexp.MustCompile(`^rules\.yaml:\d+:\d+: `)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := testcaps.CPUTime(t)
			rs, err := Parse(strings.NewReader(tt.src), "rules.yaml")
			if took := testcaps.CPUTime(t) - start; took > time.Second {
				t.Errorf("took %v", took)
			}
			if err == nil {
				t.Fatalf("no error; %d rules", len(rs))
			}
			if !strings.Contains(err.Error(), tt.want) || !pos.MatchString(err.Error()) {
				t.Errorf("error %.300q, want file:line:column and %q", err, tt.want)
			}
			if len(err.Error()) > 4096 {
				t.Errorf("error is %d bytes long", len(err.Error()))
			}
		})
	}
}

// A file with an error on every line stops listing them after a few.
func TestParseManyErrors(t *testing.T) {
	src := "rules:\n" + strings.Repeat("  - forbid: {finding: odd-port}\n", 30000)
	start := testcaps.CPUTime(t)
	_, err := Parse(strings.NewReader(src), "rules.yaml")
	if took := testcaps.CPUTime(t) - start; took > time.Second {
		t.Errorf("took %v", took)
	}
	if err == nil || strings.Count(err.Error(), "\n") > 25 || !strings.Contains(err.Error(), "and 29980 more errors") {
		t.Errorf("error %.500q: want 20 errors and a count of the rest", err)
	}
}

// Aliases that neither loop nor blow up still work: one list shared by two rules.
func TestParseAliases(t *testing.T) {
	rs := testParse(t, "rules:\n  - forbid: {service: &plain [http, ftp]}\n  - expect: {service: *plain}\n")
	if len(rs) != 2 || wTitle(rs[1]) != "expect service=[http,ftp]" {
		t.Fatalf("rules %+v", rs)
	}
}
