package privdrop

import (
	"fmt"
	"strings"

	"github.com/landlock-lsm/go-landlock/landlock"
	llsys "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"
)

// Confine is the last step of a live capture's set-up, once the capture
// handle and every file the run writes are open: it sets no_new_privs on
// every thread (no exec can gain privileges again) and, where the kernel
// has Landlock, takes away all file system access, so that a packet
// parser, if exploited, can open nothing but the directories in read
// (read-only). It applies to root as well. It returns what it did, for the
// log.
func Confine(read ...string) (string, error) {
	// Landlock sets no_new_privs itself; without it, set it here, on all
	// threads (a prctl on one thread would leave the others free).
	abi, err := llsys.LandlockGetABIVersion()
	if err != nil || abi < 1 {
		if err := llsys.AllThreadsPrctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return "", fmt.Errorf("setting no_new_privs: %w", err)
		}
		return "no_new_privs; no Landlock in this kernel, so file system access stays open", nil
	}
	// Every file system access the ABI can restrict is denied but reading
	// the directories in read.
	var rules []landlock.Rule
	if len(read) > 0 {
		rules = append(rules, landlock.RODirs(read...).IgnoreIfMissing())
	}
	if err := landlock.V5.BestEffort().RestrictPaths(rules...); err != nil {
		return "", fmt.Errorf("restricting file system access (Landlock ABI %d): %w", abi, err)
	}
	if len(read) == 0 {
		return fmt.Sprintf("no_new_privs; Landlock ABI %d: no file system access", abi), nil
	}
	return fmt.Sprintf("no_new_privs; Landlock ABI %d: no file system access but reading %s", abi, strings.Join(read, ", ")), nil
}
