package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/flowscope/flowscope/internal/synth"
)

// BenchmarkLiveReplay replays a generated capture into a veth with
// tcpreplay and captures it on the peer end, in network namespaces (root
// only). It reports the rate tcpreplay reached at --topspeed, the share the
// capture dropped there, and the highest rate at which the kernel dropped
// nothing (stepping the replay rate down from top speed), and the capture
// process's CPU time per packet (its headroom). tcpdump -w
// /dev/null, when installed, is measured the same way as a reference.
func BenchmarkLiveReplay(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root (network namespaces, capture); make bench-live runs it with sudo")
	}
	if _, err := exec.LookPath("tcpreplay"); err != nil {
		b.Skip("needs tcpreplay: apt-get install tcpreplay (make bench-live installs it)")
	}
	p := newNetns(b)
	path := synthCapture(b, synth.Spec{Flows: 50_000, Packets: 1_000_000, Concurrency: 10_000, Seed: 2})

	type engine struct {
		name string
		cmd  func() []string
	}
	engines := []engine{
		{"flowscope-libpcap", func() []string {
			return []string{binPath, "-i", p.serverIf, "-o", "json", "-Z", "root"}
		}},
		{"flowscope-libpcap-flows-only", func() []string {
			return []string{binPath, "-i", p.serverIf, "-o", "json", "-Z", "root", "--flows-only"}
		}},
		{"flowscope-afpacket", func() []string {
			return []string{binPath, "-i", p.serverIf, "-o", "json", "-Z", "root", "--engine", "afpacket"}
		}},
		{"flowscope-afpacket-flows-only", func() []string {
			return []string{binPath, "-i", p.serverIf, "-o", "json", "-Z", "root", "--engine", "afpacket", "--flows-only"}
		}},
	}
	if tcpdump, err := exec.LookPath("tcpdump"); err == nil {
		engines = append(engines, engine{"tcpdump-w-devnull", func() []string {
			return []string{tcpdump, "-i", p.serverIf, "-n", "-B", "32768", "-w", "/dev/null"}
		}})
	}
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			var top replayResult
			var zeroDrop float64
			for i := 0; i < b.N; i++ {
				top = replayOnce(b, p, path, e.cmd(), 0)
				zeroDrop = 0
				if top.dropped == 0 {
					zeroDrop = top.sentPPS
				} else {
					// Step down from top speed until the kernel drops nothing.
					for rate := top.sentPPS * 0.8; rate > 10_000; rate *= 0.75 {
						r := replayOnce(b, p, path, e.cmd(), int(rate))
						if r.dropped == 0 && r.captured >= r.sent {
							zeroDrop = r.sentPPS
							break
						}
					}
				}
			}
			b.ReportMetric(top.sentPPS, "topspeed-pps")
			b.ReportMetric(100*float64(top.dropped)/float64(max(top.sent, 1)), "topspeed-drop-%")
			b.ReportMetric(zeroDrop, "zero-drop-pps")
			b.ReportMetric(top.cpuPerPacket, "cpu-ns/pkt")
		})
	}
}

type replayResult struct {
	sent, captured, dropped uint64
	sentPPS                 float64
	cpuPerPacket            float64 // the capture process's user+system CPU ns per captured packet
}

var (
	tcpreplayActual = regexp.MustCompile(`Actual: (\d+) packets \(\d+ bytes\) sent in ([0-9.]+) seconds`)
	fsCaptured      = regexp.MustCompile(`captured: +(\d+) packets`)
	fsDropped       = regexp.MustCompile(`dropped: +(\d+) by the kernel, (\d+) by the interface`)
	tdCaptured      = regexp.MustCompile(`(\d+) packets captured`)
	tdDropped       = regexp.MustCompile(`(\d+) packets dropped by kernel`)
)

// replayOnce starts the capture command in the server namespace, replays
// the file from the client namespace (pps 0: --topspeed) and stops it.
func replayOnce(b *testing.B, p *netnsPair, file string, capCmd []string, pps int) replayResult {
	b.Helper()
	var stderr lockedBuffer
	cmd := exec.Command("ip", append([]string{"netns", "exec", p.server}, capCmd...)...)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		s := stderr.String()
		if bytes.Contains([]byte(s), []byte("capturing on")) || bytes.Contains([]byte(s), []byte("listening on")) {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			b.Fatalf("capture did not start: %s", s)
		}
	}
	rate := "--topspeed"
	if pps > 0 {
		rate = "--pps=" + strconv.Itoa(pps)
	}
	out, err := exec.Command("ip", "netns", "exec", p.client, "tcpreplay", "-K", "-i", p.clientIf, rate, file).CombinedOutput()
	if err != nil {
		cmd.Process.Kill()
		b.Fatalf("tcpreplay: %v\n%s", err, out)
	}
	m := tcpreplayActual.FindSubmatch(out)
	if m == nil {
		cmd.Process.Kill()
		b.Fatalf("tcpreplay output: %s", out)
	}
	var r replayResult
	r.sent, _ = strconv.ParseUint(string(m[1]), 10, 64)
	secs, _ := strconv.ParseFloat(string(m[2]), 64)
	r.sentPPS = float64(r.sent) / secs
	time.Sleep(500 * time.Millisecond) // let the capture read what is queued
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	s := stderr.String()
	if c := fsCaptured.FindStringSubmatch(s); c != nil {
		r.captured, _ = strconv.ParseUint(c[1], 10, 64)
		d := fsDropped.FindStringSubmatch(s)
		if d == nil {
			b.Fatalf("no drop counters: %s", s)
		}
		k, _ := strconv.ParseUint(d[1], 10, 64)
		i, _ := strconv.ParseUint(d[2], 10, 64)
		r.dropped = k + i
	} else if c := tdCaptured.FindStringSubmatch(s); c != nil {
		r.captured, _ = strconv.ParseUint(c[1], 10, 64)
		if d := tdDropped.FindStringSubmatch(s); d != nil {
			r.dropped, _ = strconv.ParseUint(d[1], 10, 64)
		}
	} else {
		b.Fatalf("no capture counts: %s", s)
	}
	// A packet neither captured nor counted as dropped is lost too.
	if r.captured+r.dropped < r.sent {
		r.dropped = r.sent - r.captured
	}
	r.cpuPerPacket = float64(cpu.Nanoseconds()) / float64(max(r.captured, 1))
	b.Logf("%s: sent %d at %.0f pps, captured %d, dropped %d, %.0f CPU ns/packet", fmt.Sprint(capCmd[0:1]), r.sent, r.sentPPS, r.captured, r.dropped, r.cpuPerPacket)
	return r
}
