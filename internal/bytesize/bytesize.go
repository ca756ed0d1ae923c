// Package bytesize reads the byte counts users write (--max-memory 512MiB,
// a rules file's bytes: 10MB), one way everywhere.
package bytesize

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// Units lists the units Parse takes, for messages: decimal with "B" (kB,
// MB, GB, TB), binary with "iB" (KiB ... TiB) or alone (K, M, G, T), as
// tools from dd to Docker read them. Case does not matter.
var Units = []string{"B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB", "K", "M", "G", "T"}

var mults = map[string]float64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
	"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40,
}

// Max is the largest count Parse returns, a PiB: no sum of a few of them
// overflows an int64.
const Max = 1 << 50

// ErrUnit is returned for a unit Parse does not know; Unit says which.
var ErrUnit = errors.New("unknown unit")

// Parse reads a count such as 1500, 64KB, 512MiB, 1.5G. It returns the
// unit it did not know, with ErrUnit, so that callers can suggest one.
func Parse(s string) (n int64, unit string, err error) {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 && (t[i-1] < '0' || t[i-1] > '9') && t[i-1] != '.' {
		i--
	}
	num, unit := strings.TrimSpace(t[:i]), strings.TrimSpace(t[i:])
	mult, ok := mults[strings.ToLower(unit)]
	if !ok {
		return 0, unit, ErrUnit
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, "", errors.New("not a size")
	}
	v := math.Round(f * mult)
	if v > Max {
		return 0, "", errors.New("too large (at most 1 PiB)")
	}
	return int64(v), "", nil
}
