package testcaps

import (
	"syscall"
	"testing"
	"time"
)

// CPUTime is the process's user and system CPU time, for tests that bound
// the work of a parser: wall time on a loaded machine (CI, other jobs)
// does not measure that.
func CPUTime(t testing.TB) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatalf("getrusage: %v", err) // a zero would let every bound pass
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
