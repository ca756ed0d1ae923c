// Package testcaps finds the shared public captures the tests compare
// against: ../shared/captures beside the repository.
package testcaps

import (
	"os"
	"path/filepath"
	"testing"
)

// Root returns the repository root (the directory holding go.mod) above
// the test's working directory.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = up
	}
}

// Dir returns the shared captures directory. Without it the test is
// skipped, except in CI (CI set), where it must be there and its absence
// fails the test.
func Dir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(Root(t), "..", "shared", "captures")
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.md")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared captures missing in CI: %v", err)
		}
		t.Skipf("shared captures missing (%v): they live in %s, next to the repository", err, dir)
	}
	return dir
}
