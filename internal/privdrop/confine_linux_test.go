package privdrop

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

const confineChild = "FLOWSCOPE_CONFINE_CHILD"

// TestConfine confines a child copy of this test process (confinement
// cannot be undone) and checks there that every thread has no_new_privs
// and, with Landlock, that no file can be opened, for reading or writing,
// but for reading in the directory it was given, whereas files opened
// before keep working.
func TestConfine(t *testing.T) {
	if dir := os.Getenv(confineChild); dir != "" {
		confinedChild(t, dir)
		return
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "readable"), []byte("yes"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestConfine$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), confineChild+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("confined child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestConfine") {
		t.Fatalf("the confined child did not run the test:\n%s", out)
	}
	t.Logf("child:\n%s", out)
}

func confinedChild(t *testing.T, dir string) {
	before, err := os.CreateTemp("", "confine-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(before.Name())
	// Threads started before Confine must be confined too.
	var started sync.WaitGroup
	release := make(chan struct{})
	threads := 4
	results := make(chan int, threads)
	for range threads {
		started.Add(1)
		go func() {
			runtime.LockOSThread()
			started.Done()
			<-release
			v, err := unix.PrctlRetInt(unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)
			if err != nil {
				v = -1
			}
			results <- v
		}()
	}
	started.Wait()

	what, err := Confine(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(what)
	close(release)
	for range threads {
		if v := <-results; v != 1 {
			t.Errorf("a thread started before Confine has no_new_privs = %d", v)
		}
	}
	if _, err := before.WriteString("still writable\n"); err != nil {
		t.Errorf("a file opened before Confine: %v", err)
	}
	if !strings.Contains(what, "Landlock ABI") {
		t.Logf("no Landlock here: file access not checked (%s)", what)
		return
	}
	if b, err := os.ReadFile(filepath.Join(dir, "readable")); err != nil || string(b) != "yes" {
		t.Errorf("reading in the directory left open: %q, %v", b, err)
	}
	for _, try := range []struct {
		what string
		open func() error
	}{
		{"read /etc/passwd", func() error { f, err := os.Open("/etc/passwd"); f.Close(); return err }},
		{"read /proc/self/status", func() error { _, err := os.ReadFile("/proc/self/status"); return err }},
		{"create in /tmp", func() error { f, err := os.CreateTemp("", "after-"); f.Close(); return err }},
		{"reopen the earlier file", func() error { f, err := os.Open(before.Name()); f.Close(); return err }},
		{"write in the readable directory", func() error { return os.WriteFile(filepath.Join(dir, "new"), nil, 0o644) }},
	} {
		if err := try.open(); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("%s after Confine: %v, want permission denied", try.what, err)
		}
	}
}
