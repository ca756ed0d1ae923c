package main

import (
	"bufio"
	"encoding/json"
	"os/exec"
	"testing"
	"time"

	"github.com/flowscope/flowscope/internal/synth"
)

// TestStreamingPipe feeds flowscope -r - through a pipe that stays open:
// the records of flows that ended (by their idle timeout, in packet time)
// must reach standard output before the pipe is closed, within a second or
// two of the packet that showed they ended.
func TestStreamingPipe(t *testing.T) {
	cmd := exec.CommandContext(t.Context(), binPath, "-q", "-o", "json", "-r", "-")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer in.Close()

	pw, err := synth.NewPcapWriter(in)
	if err != nil {
		t.Fatal(err)
	}
	// 100 one-packet UDP flows in the first second, then one packet two
	// minutes later: the first 100 have ended (UDP idle timeout 1 min).
	g := synth.NewFloodGenerator(synth.FloodSpec{Flows: 101, Rate: 100, Seed: 9})
	for i := 0; ; i++ {
		f, ok := g.Next()
		if !ok {
			break
		}
		if i == 100 {
			f.TS += int64(2 * time.Minute)
		}
		if err := pw.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := pw.Flush(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()

	lines := make(chan string, 1000) // never blocks the reader, whatever the test does
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(10 * time.Second)
	for n := 0; n < 100; n++ {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("output ended after %d records", n)
			}
			var r struct {
				EndReason string `json:"end_reason"`
			}
			if err := json.Unmarshal([]byte(l), &r); err != nil || r.EndReason != "idle" {
				t.Fatalf("record %d: %v %q", n, err, l)
			}
		case <-deadline:
			t.Fatalf("only %d of 100 ended flows were written while the pipe stayed open", n)
		}
	}
	t.Logf("100 records %v after the last packet, the pipe still open", time.Since(start).Round(time.Millisecond))
	in.Close()
	rest := 0
	for range lines {
		rest++
	}
	if rest != 1 {
		t.Errorf("%d records after the pipe closed, want 1 (the flow still open)", rest)
	}
}
