package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// FuzzParseAllowlist: no input makes ParseAllowlist panic; an error names
// file:line:column; what parses is one rule per non-empty line and can be
// applied. The seed corpus is in testdata/fuzz/FuzzParseAllowlist.
func FuzzParseAllowlist(f *testing.F) {
	f.Add([]byte("http tcp/8080\n* 192.168.0.0/16 port-mismatch\n"))
	pos := regexp.MustCompile(`^a\.txt:\d+:\d+: `)
	r := svcRec(1, 2222, "ssh", "high")
	f.Fuzz(func(t *testing.T, src []byte) {
		a, err := ParseAllowlist(bytes.NewReader(src), "a.txt")
		if err != nil {
			if !pos.MatchString(err.Error()) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error without file:line:column, or on several lines: %q", err)
			}
			if strings.IndexFunc(err.Error(), func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
				t.Fatalf("raw control character in an error: %q", err)
			}
			return
		}
		if len(a.rules) > strings.Count(string(src), "\n")+1 {
			t.Fatalf("%d rules from %d lines", len(a.rules), strings.Count(string(src), "\n")+1)
		}
		a.Filter(&r)
	})
}
