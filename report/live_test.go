package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/flowscope/flowscope/flow"
)

func TestWriteIntervalLine(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 42, 13, 0, time.UTC)
	for _, tc := range []struct {
		name string
		iv   Interval
		want string
	}{
		{"libpcap", Interval{At: at, Elapsed: 10 * time.Second, Packets: 18234, Bytes: 12_100_000, Ended: 211, Open: 1504,
			Capture: Capture{Received: 18240, Dropped: 3, IfDropped: 1}},
			"flowscope 10:42:13 +10.0s: 18234 packets (12.1 MB), 211 flows ended, 1504 open; libpcap: 18240 received, 3 dropped by kernel, 1 by interface\n"},
		{"afpacket, one of each", Interval{At: at, Elapsed: 500 * time.Millisecond, Packets: 1, Bytes: 60, Ended: 1, Open: 0,
			Capture: Capture{Engine: "afpacket", Received: 1}},
			"flowscope 10:42:13 +500ms: 1 packet (60 B), 1 flow ended, 0 open; afpacket: 1 received, 0 dropped by kernel, 0 by interface\n"},
		{"no counters", Interval{At: at, Elapsed: time.Second, Capture: Capture{StatsErr: "eth0: capture statistics: gone"}},
			"flowscope 10:42:13 +1.00s: 0 packets (0 B), 0 flows ended, 0 open; libpcap counters unavailable: eth0: capture statistics: gone\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteIntervalLine(&b, &tc.iv); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got  %q\nwant %q", b.String(), tc.want)
			}
		})
	}
}

func TestWriteIntervalTable(t *testing.T) {
	open := svcRec(1, 2222, "ssh", "high")
	open.EndReason = flow.EndOpen.String()
	recs := []flow.Record{open}
	iv := &Interval{At: time.Unix(0, 0), Elapsed: time.Second, Open: 1}
	for _, refresh := range []bool{false, true} {
		var b bytes.Buffer
		if err := WriteIntervalTable(&b, iv, recs, Options{Refresh: refresh}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		cleared := strings.HasPrefix(out, "\x1b[H\x1b[2J")
		if cleared != refresh || !strings.Contains(out, "1 open; libpcap:") || !strings.Contains(out, ":2222") {
			t.Errorf("refresh %v:\n%q", refresh, out)
		}
	}
}

func TestCaptureSection(t *testing.T) {
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	base := Capture{Interface: "eth0", LinkType: "ethernet", Snaplen: 262144, Engine: "libpcap",
		Started: start, Stopped: start.Add(90 * time.Second), StopReason: "signal SIGINT",
		Captured: 100, Received: 100, WriteFile: "x.pcapng", Written: 100}
	dropped := base
	dropped.Received, dropped.Dropped = 120, 20
	noStats := base
	noStats.StatsErr = "eth0: capture statistics: no such device"
	for _, tc := range []struct {
		name    string
		c       Capture
		want    []string
		notWant string
	}{
		{"clean", base, []string{"interface: eth0 (ethernet, snaplen 262144)", "ran:       1m30s, stopped: signal SIGINT",
			"captured:  100 packets", "received:  100 (libpcap: passed the filter)", "dropped:   0 by the kernel, 0 by the interface",
			"written:   100 packets to x.pcapng"}, "did not keep up"},
		{"drops", dropped, []string{"dropped:   20 by the kernel, 0 by the interface", "! the capture did not keep up"}, ""},
		{"no counters", noStats, []string{"libpcap counters: unavailable", "! eth0: capture statistics: no such device"}, "received:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := writeSummary(t, &Summary{Capture: &tc.c}, Options{})
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %q:\n%s", w, got)
				}
			}
			if tc.notWant != "" && strings.Contains(got, tc.notWant) {
				t.Errorf("has %q:\n%s", tc.notWant, got)
			}
		})
	}
}
