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

// Small returns the contents of the repository's captures (the fixtures, the public
// captures and nDPI's corpus) of at most maxSize bytes, as fuzz seeds: small
// ones keep every execution fast. Finding none fails the test, so that a
// fuzz target never runs on nothing.
func Small(t testing.TB, maxSize int64) [][]byte {
	t.Helper()
	root, dir := Root(t), Dir(t)
	var paths []string
	for _, pat := range []string{
		filepath.Join(root, "testdata", "*.pcap*"), filepath.Join(root, "testdata", "fixtures", "*.pcap*"),
		filepath.Join(dir, "*.pcap*"), filepath.Join(dir, "ndpi-corpus", "pcap", "*.pcap*"),
	} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m {
			if ext := filepath.Ext(p); ext != ".pcap" && ext != ".pcapng" {
				continue
			}
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Size() <= maxSize {
				paths = append(paths, p)
			}
		}
	}
	if len(paths) == 0 {
		t.Fatalf("no capture of at most %d bytes in %s or %s", maxSize, filepath.Join(root, "testdata"), dir)
	}
	seeds := make([][]byte, len(paths))
	for i, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		seeds[i] = data
	}
	return seeds
}
