package testcaps

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// asNobodyEnv marks the child process AsNobody starts.
const asNobodyEnv = "FLOWSCOPE_TEST_AS_NOBODY"

// Nobody is the unprivileged user tests run as when they need one.
var Nobody = &syscall.Credential{Uid: 65534, Gid: 65534}

// AsNobody lets a test that needs an unprivileged user (root reads a mode
// 000 file) run under root too, as CI does, instead of skipping there: as
// root it runs this one test again in a copy of the test binary as user
// nobody, fails if that fails, and returns true (the caller returns).
// Otherwise (not root, or in that child) it returns false and the test
// goes on.
func AsNobody(t *testing.T) bool {
	t.Helper()
	if os.Geteuid() != 0 || os.Getenv(asNobodyEnv) != "" {
		return false
	}
	// go test's build directory is private to root: copy the binary where
	// nobody may run it.
	dir, err := os.MkdirTemp("", "flowscope-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "test")
	if err := copyFile(bin, os.Args[0]); err != nil {
		t.Fatal(err)
	}
	// -test.run splits on "/" for subtests: quote each part.
	parts := strings.Split(t.Name(), "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	cmd := exec.Command(bin, "-test.run", strings.Join(parts, "/"), "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), asNobodyEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: Nobody}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s as user nobody: %v\n%s", t.Name(), err, out)
	}
	// A pattern that matched nothing passes too: make sure it ran.
	if !strings.Contains(string(out), "--- PASS: "+t.Name()+" ") {
		t.Fatalf("%s did not run as user nobody:\n%s", t.Name(), out)
	}
	t.Logf("ran as user nobody:\n%s", out)
	return true
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
