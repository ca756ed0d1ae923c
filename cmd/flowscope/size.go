package main

import (
	"errors"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// defaultMaxMemory keeps flowscope's peak RSS under 1 GiB on any capture:
// the open flows' budget, plus the pipeline's buffers and the runtime.
const defaultMaxMemory = "512MiB"

// sizeUnits are the suffixes parseSize takes: binary with or without "i",
// decimal when spelled with "B" after a capital (MB, GB).
var sizeUnits = []struct {
	suffix string
	mult   float64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}, {"B", 1},
}

// parseSize reads a byte count such as 512MiB, 1.5G, 2GB or 1048576.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := 1.0
	for _, u := range sizeUnits {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || math.IsNaN(v) || v*mult > 1<<50 { // a PiB: no sum of it overflows
		return 0, errors.New("not a size")
	}
	return int64(v * mult), nil
}

// limitHeap makes the garbage collector work harder as the heap nears the
// budget, instead of letting it double past it (GOGC's default); the
// pipeline's buffers and the runtime get a margin beyond it. An explicit
// GOMEMLIMIT in the environment wins.
func limitHeap(budget int64) {
	if _, set := lookupEnv("GOMEMLIMIT"); set {
		return
	}
	debug.SetMemoryLimit(budget + budget/4 + 64<<20)
}

var lookupEnv = os.LookupEnv
