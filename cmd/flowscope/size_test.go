package main

import "testing"

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"512MiB", 512 << 20, true},
		{"1GiB", 1 << 30, true},
		{"1.5G", 3 << 29, true},
		{"2GB", 2e9, true},
		{"100 MB", 100e6, true},
		{"64k", 64 << 10, true}, // units in any case, as in rules files
		{"1048576", 1 << 20, true},
		{"-1G", 0, false},
		{"lots", 0, false},
		{"", 0, false},
		{"1e30GiB", 0, false},
	} {
		got, err := parseSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
