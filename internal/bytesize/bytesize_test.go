package bytesize

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{"1500", 1500, false},
		{" 64KB ", 64000, false},
		{"64kb", 64000, false},
		{"512MiB", 512 << 20, false},
		{"512mib", 512 << 20, false},
		{"1.5G", 3 << 29, false},
		{"2GB", 2e9, false},
		{"10 MB", 10e6, false},
		{"1K", 1024, false},
		{"0", 0, false},
		{"1PiB", 0, true},
		{"2000T", 0, true},
		{"-1", 0, true},
		{"MB", 0, true},
		{"NaN", 0, true},
		{"", 0, true},
	} {
		got, _, err := Parse(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("Parse(%q) = %d, %v", tc.in, got, err)
		}
	}
	if _, unit, err := Parse("10 megs"); !errors.Is(err, ErrUnit) || unit != "megs" {
		t.Errorf("unknown unit: %q, %v", unit, err)
	}
}
