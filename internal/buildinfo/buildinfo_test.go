package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	stamped := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261206133000-737f088abcde+dirty"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "737f088abcde"}, {Key: "vcs.time", Value: "2026-12-06T13:30:00Z"},
			{Key: "vcs.modified", Value: "true"}}}
	cases := []struct {
		name              string
		bi                *debug.BuildInfo
		libpcap, override string
		want              []string
	}{
		{"stamped, cgo", stamped, "libpcap version 1.10.3", "", []string{
			"flowscope v0.0.0-20261206133000-737f088abcde+dirty\n", "revision: 737f088abcde (with uncommitted changes)\n",
			"date:     2026-12-06T13:30:00Z\n", "go:       go1.26.8 ", "libpcap:  libpcap version 1.10.3\n", "build:    libpcap (cgo)"}},
		{"pure Go", stamped, "", "", []string{"libpcap:  none\n", "build:    pure Go (no libpcap): no BPF filters, no live capture"}},
		{"no build info", nil, "", "", []string{"flowscope (devel)\n", "revision: unknown (not built from a git checkout)", "date:     unknown"}},
		{"link-time version", stamped, "x", "v1.2.3", []string{"flowscope v1.2.3\n", "revision: 737f088abcde"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			if err := FromBuildInfo(c.bi, c.libpcap, c.override).Write(&b); err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, b.String())
				}
			}
		})
	}
}

// A test binary has build info whose main module version is "(devel)" or
// empty; Version never returns "".
func TestVersion(t *testing.T) {
	bi, ok := debug.ReadBuildInfo()
	want := "(devel)"
	if ok && bi.Main.Version != "" {
		want = bi.Main.Version
	}
	if got := Version(); got != want || got == "" {
		t.Errorf("Version() = %q, want %q", got, want)
	}
}
