package main

import (
	"net"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// listenInNetns opens a TCP listener on 127.0.0.1 inside network
// namespace ns: from a thread moved into it, which then ends with its
// goroutine (never unlocked), so no other goroutine runs there.
func listenInNetns(t *testing.T, ns string) net.Listener {
	t.Helper()
	type res struct {
		ln  net.Listener
		err error
	}
	ch := make(chan res, 1)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open("/var/run/netns/" + ns)
		if err != nil {
			ch <- res{err: err}
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- res{err: err}
			return
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		ch <- res{ln, err}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatalf("listening in netns %s: %v", ns, r.err)
	}
	return r.ln
}

// TestLiveIPFIX exports a live capture over TCP to a collector in the
// capture's namespace. The collector closes the session mid-capture, after
// flowscope confined itself (no_new_privs, Landlock): flowscope opens a
// new session, without a name lookup or a file, and the two sessions
// together carry every flow of the JSON output once.
func TestLiveIPFIX(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed")
	}
	p := newNetns(t)
	startServer(t, p)
	c := &ipfixCollector{network: "tcp", done: make(chan struct{})}
	c.serveTCP(listenInNetns(t, p.server))
	t.Cleanup(c.stop)
	lc := startCapture(t, p.server, "-i", p.serverIf, "-Z", "root", "-o", "json", "--ipfix-domain", "7",
		"--ipfix", "tcp://"+c.addr, "host", liveServer)
	if !strings.Contains(lc.stderr.String(), "flowscope: confined:") {
		t.Fatalf("not confined:\n%s", lc.stderr.String())
	}
	runClient(t, p.client)
	// TCP flows end 5 s after their FINs; the export is flushed every second.
	deadline := time.Now().Add(15 * time.Second)
	for !c.flowRecords() {
		if time.Now().After(deadline) {
			t.Fatalf("no flow exported while the capture runs:\n%s", lc.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.dropSessions()
	runClient(t, p.client)
	if code := lc.stop(t, syscall.SIGINT); code != 0 {
		t.Fatalf("exit %d:\n%s", code, lc.stderr.String())
	}
	flows := parseJSONFlows(t, lc.stdout.Bytes())
	checkExportLine(t, []byte(lc.stderr.String()), len(flows))
	if !regexp.MustCompile(`\n  reconnects: +1\n`).MatchString(lc.stderr.String()) {
		t.Errorf("no reconnect reported:\n%s", lc.stderr.String())
	}
	sessions := decodeSessions(t, tshark, c.messages(t))
	if len(sessions) != 2 {
		t.Fatalf("%d sessions, want 2", len(sessions))
	}
	checkIPFIXDecoded(t, sessions, flows)
}
