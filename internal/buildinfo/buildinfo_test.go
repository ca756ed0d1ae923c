package buildinfo

import (
	"runtime/debug"
	"testing"
)

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
