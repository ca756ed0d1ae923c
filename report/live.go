package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/flowscope/flowscope/flow"
)

// Capture describes a live capture: what was captured and libpcap's
// counters, so that a reader can tell whether the capture kept up.
type Capture struct {
	Interface string
	LinkType  string
	Snaplen   int
	Filter    string
	Engine    string // "libpcap" or "afpacket"

	Received  uint64 // packets the kernel passed to the capture (after the filter)
	Dropped   uint64 // dropped by the kernel: the capture buffer was full
	IfDropped uint64 // dropped by the interface or driver
	Captured  uint64 // packets flowscope read
	StatsErr  string // why the counters are missing, if they are

	WriteFile string // -w file, if any
	Written   uint64

	Started, Stopped time.Time
	StopReason       string // e.g. "signal SIGINT", "after 100 packets (-c)", "after 5m0s (--duration)", "output failed"
}

// engine names the capture engine, whose counters the reports show.
func (c *Capture) engine() string {
	if c.Engine == "" {
		return "libpcap"
	}
	return c.Engine
}

// Interval is one periodic report of a live capture.
type Interval struct {
	At      time.Time
	Elapsed time.Duration // since the previous report
	Packets uint64        // captured in the interval
	Bytes   uint64        // their wire bytes
	Ended   int           // flows that ended in the interval
	Open    int           // flows open now
	Capture Capture       // counters so far
}

// WriteIntervalLine writes one line: the interval's traffic, flows and libpcap's counters.
func WriteIntervalLine(w io.Writer, iv *Interval) error {
	b := make([]byte, 0, 256)
	b = append(b, "flowscope "...)
	b = iv.At.UTC().AppendFormat(b, "15:04:05")
	b = append(b, " +"...)
	b = appendHumanDuration(b, iv.Elapsed)
	b = append(b, ": "...)
	b = append(b, plural(iv.Packets, "packet")...)
	b = append(b, " ("...)
	b = appendByteSize(b, iv.Bytes) // frame bytes, as captured
	b = append(b, "), "...)
	b = append(b, plural(uint64(iv.Ended), "flow")...)
	b = append(b, " ended, "...)
	b = strconv.AppendInt(b, int64(iv.Open), 10)
	b = append(b, " open; "...)
	b = appendCounters(b, &iv.Capture)
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("report: write interval: %w", err)
	}
	return nil
}

// appendCounters writes libpcap's counters as one phrase.
func appendCounters(b []byte, c *Capture) []byte {
	if c.StatsErr != "" {
		return append(b, c.engine()+" counters unavailable: "+c.StatsErr...)
	}
	b = append(b, c.engine()...)
	b = append(b, ": "...)
	b = strconv.AppendUint(b, c.Received, 10)
	b = append(b, " received, "...)
	b = strconv.AppendUint(b, c.Dropped, 10)
	b = append(b, " dropped by kernel, "...)
	b = strconv.AppendUint(b, c.IfDropped, 10)
	b = append(b, " by interface"...)
	return b
}

// WriteIntervalTable writes the interval line and a top-N table of the
// flows that ended in the interval and those still open (end reason "open").
func WriteIntervalTable(w io.Writer, iv *Interval, recs []flow.Record, opt Options) error {
	bw := bufio.NewWriter(w)
	if opt.Refresh {
		bw.WriteString("\x1b[H\x1b[2J") // cursor home, clear screen
	} else {
		bw.WriteByte('\n')
	}
	if err := WriteIntervalLine(bw, iv); err != nil {
		return err
	}
	if err := WriteTable(bw, recs, opt); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: write interval: %w", err)
	}
	return nil
}

// captureSection is the summary's account of a live capture.
func captureSection(s *Summary) section {
	var sec section
	c := s.Capture
	if c == nil {
		return sec
	}
	sec.title = "capture:"
	iface := c.Interface
	if c.LinkType != "" {
		iface += " (" + c.LinkType + ", snaplen " + strconv.Itoa(c.Snaplen) + ")"
	}
	sec.add("interface", iface)
	if c.Engine != "" {
		sec.add("engine", c.Engine)
	}
	if !c.Started.IsZero() {
		ran := c.Stopped.Sub(c.Started).Round(time.Millisecond)
		v := HumanDuration(ran)
		if c.StopReason != "" {
			v += ", stopped: " + oneLine(c.StopReason)
		}
		sec.add("ran", v)
	}
	sec.add("captured", plural(c.Captured, "packet"))
	if c.StatsErr != "" {
		sec.rows = append(sec.rows, row{key: c.engine() + " counters", value: "unavailable",
			notes: []string{"! " + oneLine(c.StatsErr)}})
	} else {
		sec.add("received", u(c.Received)+" ("+c.engine()+": passed the filter)")
		r := row{key: "dropped", value: u(c.Dropped) + " by the kernel, " + u(c.IfDropped) + " by the interface"}
		if c.Dropped > 0 || c.IfDropped > 0 {
			r.notes = []string{"! the capture did not keep up: flows are missing packets; raise --buffer-size, narrow the filter or use --flows-only"}
		}
		sec.rows = append(sec.rows, r)
	}
	if c.WriteFile != "" {
		sec.add("written", plural(c.Written, "packet")+" to "+c.WriteFile)
	}
	return sec
}
