// Package testcaps finds the public captures the tests compare against:
// testdata/captures, copied with their attribution (MANIFEST.md) from the
// team's shared set, so a fresh clone tests with nothing beside it.
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

// Dir returns the captures directory. It is part of the repository, so
// its absence is a broken checkout and fails the test rather than skip it.
func Dir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(Root(t), "testdata", "captures")
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.md")); err != nil {
		t.Fatalf("captures missing from testdata (a broken checkout?): %v", err)
	}
	return dir
}
