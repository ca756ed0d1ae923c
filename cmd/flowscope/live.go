package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/flowscope/flowscope/capture"
	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/internal/privdrop"
	"github.com/flowscope/flowscope/pipeline"
	"github.com/flowscope/flowscope/report"
)

// pollInterval bounds how long a stop request or an idle timeout waits
// for the next packet.
const pollInterval = 100 * time.Millisecond

// drainLimit bounds the reading of a backlog after a stop; counterPoll is
// how often libpcap's counters are read (they wrap at 2^32).
const (
	drainLimit  = 5 * time.Second
	counterPoll = 10 * time.Second
)

// listInterfaces is -D: the interfaces libpcap can capture on.
func listInterfaces(stdout, stderr io.Writer) int {
	ifs, err := capture.Interfaces()
	if err != nil {
		fmt.Fprintf(stderr, "flowscope: %v\n", err)
		return exitReadError
	}
	if len(ifs) == 0 {
		fmt.Fprintln(stderr, "flowscope: libpcap lists no interfaces (capturing usually needs root or CAP_NET_RAW)")
		return exitPermission
	}
	for n, i := range ifs {
		var flags []string
		if i.Up {
			flags = append(flags, "Up")
		}
		if i.Running {
			flags = append(flags, "Running")
		}
		if i.Loopback {
			flags = append(flags, "Loopback")
		}
		line := fmt.Sprintf("%d.%s", n+1, i.Name)
		if i.Description != "" {
			line += " (" + i.Description + ")"
		}
		if len(flags) > 0 {
			line += " [" + strings.Join(flags, ", ") + "]"
		}
		for _, a := range i.Addresses {
			if ones, bits := a.Mask.Size(); bits > 0 {
				line += fmt.Sprintf(" %s/%d", a.IP, ones)
			} else {
				line += " " + a.IP.String()
			}
		}
		fmt.Fprintln(stdout, line)
	}
	return exitOK
}

// liveRun is the state of one live capture.
type liveRun struct {
	o      *options
	stdout io.Writer
	stderr io.Writer
	opt    report.Options

	live *capture.Live
	wr   *capture.Writer
	pipe *pipeline.Pipeline

	// What emit touches runs on the pipeline's writer goroutine; the
	// capture loop reads it only after pipe.Sync.
	sink    report.Sink
	ivEnded int
	ended   []flow.Record // flows ended since the last interval report (table)
	outErr  error
	failed  atomic.Bool // outErr is set
	capInfo report.Capture
	stats   flow.Stats

	frame, ivPackets, ivBytes uint64
	droppedTo                 string // the user root was given up for
}

// runLive captures on o.iface until -c, --duration, a signal or an error,
// and reports like the offline path.
func runLive(o *options, stdout, stderr io.Writer, allow *report.Allowlist) int {
	// Caught from the start: a stop asked for while the capture opens is
	// still a clean stop.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	// A reader that goes away (jq quit, head) makes writes fail with EPIPE
	// instead of killing the process: the capture then stops cleanly and
	// the -w file is completed.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)

	l, err := capture.OpenLive(capture.LiveOptions{
		Interface: o.iface, Snaplen: o.snaplen, Promisc: o.promisc, BufferSize: o.bufferMiB << 20,
		Immediate: o.immediate, Filter: o.filter, Poll: pollInterval, Engine: o.engine,
	})
	if err != nil {
		fmt.Fprintf(stderr, "flowscope: %v\n", err)
		var ce *capture.Error
		if errors.As(err, &ce) && ce.Kind == capture.Permission {
			exe := "flowscope"
			if p, perr := os.Executable(); perr == nil {
				exe = p
			}
			fmt.Fprintf(stderr, "flowscope: run it as root (sudo %s -i %s ...), or allow it once: sudo setcap cap_net_raw,cap_net_admin=eip %s\n", exe, o.iface, exe)
		}
		return exitCode(err)
	}
	defer l.Close()

	r := &liveRun{o: o, stdout: stdout, stderr: stderr, live: l}
	r.capInfo = report.Capture{Interface: o.iface, LinkType: capture.LinkTypeName(l.LinkType()),
		Snaplen: l.Snaplen(), Filter: o.filter, Engine: o.engine, WriteFile: o.writeFile}
	if code := r.dropPrivileges(); code != exitOK {
		return code
	}
	// Created after the drop, as the user it is for (like tcpdump): root
	// never opens a path the user chose.
	if o.writeFile != "" {
		r.wr, err = capture.CreateWriter(o.writeFile, capture.WriterInfo{
			LinkType: l.LinkType(), Snaplen: l.Snaplen(), Interface: o.iface, Filter: o.filter})
		if err != nil {
			fmt.Fprintf(stderr, "flowscope: %v\n", err)
			if r.droppedTo != "" && errors.Is(err, fs.ErrPermission) {
				fmt.Fprintf(stderr, "flowscope: the file is created as %s, who flowscope runs as by now: write where %s may, or keep root with -Z root\n", r.droppedTo, r.droppedTo)
			}
			return exitReadError
		}
	}

	sc := o.sinkConfig(stdout, stderr, allow)
	if o.output != "table" {
		sc.Width = 0
	}
	r.opt = sc.Options
	r.opt.Refresh = r.opt.Width > 0
	if r.sink, err = report.NewSink(sc); err != nil {
		fmt.Fprintf(stderr, "flowscope: %v\n", err)
		return exitUsage
	}
	r.pipe = pipeline.New(pipeline.Config{Flow: o.flowConfig(), Workers: o.workers, Emit: r.emit})
	filter := ""
	if o.filter != "" {
		filter = fmt.Sprintf(", filter %q", o.filter)
	}
	// Scripts and tests wait for this line (also with -q): the capture is running.
	fmt.Fprintf(stderr, "flowscope: capturing on %s (link type %s, snaplen %d%s); Ctrl-C stops\n",
		o.iface, r.capInfo.LinkType, r.capInfo.Snaplen, filter)
	return r.loop(sigs)
}

// dropPrivileges gives up root once the handle is open: to -Z USER, or by
// default to the user who ran sudo.
func (r *liveRun) dropPrivileges() int {
	var t *privdrop.Target
	switch {
	case r.o.dropUser == "root":
		return exitOK
	case r.o.dropUser != "":
		if os.Geteuid() != 0 {
			fmt.Fprintf(r.stderr, "flowscope: -Z %s: switching user needs root; flowscope already runs as uid %d\n", r.o.dropUser, os.Geteuid())
			return exitPermission
		}
		var err error
		if t, err = privdrop.Lookup(r.o.dropUser); err != nil {
			fmt.Fprintf(r.stderr, "flowscope: %v\n", err)
			return exitUsage
		}
	default:
		if t = privdrop.FromSudo(); t == nil {
			if os.Geteuid() == 0 && !r.o.quiet {
				fmt.Fprintln(r.stderr, "flowscope: warning: packets are parsed as root; -Z USER drops to USER once the capture is open")
			}
			return exitOK
		}
	}
	if err := privdrop.Drop(t); err != nil {
		fmt.Fprintf(r.stderr, "flowscope: %v\n", err)
		return exitPermission
	}
	r.droppedTo = t.Name
	return exitOK
}

// emit receives every finished flow, on the pipeline's writer goroutine.
// The sink keeps no more than its format needs (JSON and CSV nothing, the
// table its top N and the flows with findings), so that memory does not
// grow with the flows however long the capture runs; interval tables keep
// what ended since the last.
func (r *liveRun) emit(rec *flow.Record) error {
	r.ivEnded++
	if err := r.sink.Write(rec); err != nil {
		if r.outErr == nil {
			r.outErr = err
			r.failed.Store(true)
		}
		return err
	}
	if r.o.interval > 0 && r.o.output == "table" && !r.o.findingsOnly {
		r.ended = append(r.ended, *rec)
	}
	return nil
}

// loop reads packets until something stops the capture, then reports.
func (r *liveRun) loop(sigs chan os.Signal) int {
	o := r.o
	var stopSig atomic.Value
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case s := <-sigs:
			stopSig.Store(s)
			// A second signal kills at once, should the flush hang.
			signal.Stop(sigs)
		case <-done:
		}
	}()

	// Durations and report times run on the monotonic clock, so that a
	// change of the system time neither stretches nor cuts them.
	start := time.Now()
	r.capInfo.Started = start
	nextFlush, nextCounters := time.Second, counterPoll
	nextReport := time.Duration(math.MaxInt64)
	if o.interval > 0 {
		nextReport = o.interval
	}
	lastReport := start
	var lastCheck int64 // packet time of the last clock check

	code := exitOK
	var pkt capture.Packet
	stop := ""
	for stop == "" {
		check := false
		err := r.live.Next(&pkt)
		switch {
		case err == nil:
			if err := r.packet(&pkt); err != nil {
				stop, code = err.Error(), exitReadError
			}
			if o.count > 0 && r.frame >= o.count {
				stop = fmt.Sprintf("after %d packets (-c)", r.frame)
			}
			// The packet's time says when to read the clock: every 10 ms
			// of it, when it steps back, or every 4096 packets.
			ts := pkt.Timestamp.UnixNano()
			if d := ts - lastCheck; d >= int64(10*time.Millisecond) || d < 0 || r.frame&4095 == 0 {
				check, lastCheck = true, ts
			}
		case errors.Is(err, capture.ErrNoPacket):
			// Idle flows end on time even when nothing arrives; held back by
			// two poll intervals for packets the kernel stamped before now.
			r.pipe.Advance(time.Now().UnixNano() - int64(2*pollInterval))
			check = true
		default:
			fmt.Fprintf(r.stderr, "flowscope: %v\n", err)
			stop, code = err.Error(), exitReadError
		}
		if s := stopSig.Load(); s != nil && stop == "" {
			stop = "signal " + signalName(s.(os.Signal))
			if err := r.drain(time.Now().UnixNano()); err != nil {
				code = exitReadError
			}
		}
		if r.failed.Load() && stop == "" {
			r.pipe.Sync()
			fmt.Fprintf(r.stderr, "flowscope: writing output: %v\n", r.outErr)
			stop, code = "output failed", exitReadError
		}
		if !check || stop != "" {
			continue
		}
		now := time.Now()
		el := now.Sub(start)
		if o.duration > 0 && el >= o.duration {
			stop = fmt.Sprintf("after %s (--duration)", o.duration)
			if err := r.drain(now.UnixNano()); err != nil {
				code = exitReadError
			}
		}
		if el >= nextFlush {
			r.flushOutput()
			nextFlush = el + time.Second
		}
		if el >= nextCounters {
			r.readCounters() // libpcap's 32-bit counters are summed before they wrap
			nextCounters = el + counterPoll
		}
		if stop == "" && el >= nextReport {
			r.intervalReport(now, now.Sub(lastReport))
			lastReport = now
			nextReport = el + o.interval
		}
	}

	r.capInfo.Stopped = time.Now()
	r.capInfo.StopReason = stop
	r.readCounters()
	r.live.Close()
	r.stats = r.pipe.Close()
	if r.wr != nil {
		if r.capInfo.StatsErr == "" {
			st := capture.LiveStats{Received: r.capInfo.Received, Dropped: r.capInfo.Dropped, IfDropped: r.capInfo.IfDropped}
			if err := r.wr.WriteStats(r.capInfo.Started, r.capInfo.Stopped, st); err != nil {
				fmt.Fprintf(r.stderr, "flowscope: %v\n", err)
				code = exitReadError
			}
		}
		if err := r.wr.Close(); err != nil {
			fmt.Fprintf(r.stderr, "flowscope: %v\n", err)
			code = exitReadError
		}
		r.capInfo.Written = r.wr.Packets()
	}
	if err := r.finish(); err != nil {
		fmt.Fprintf(r.stderr, "flowscope: writing output: %v\n", err)
		if code == exitOK {
			code = exitReadError
		}
	}
	return code
}

// packet saves (-w) and analyses one captured packet.
func (r *liveRun) packet(pkt *capture.Packet) error {
	r.frame++
	if r.wr != nil {
		if err := r.wr.Write(pkt); err != nil {
			fmt.Fprintf(r.stderr, "flowscope: %v\n", err)
			return err
		}
	}
	r.pipe.Add(pkt)
	r.ivPackets++
	r.ivBytes += uint64(pkt.Len)
	return nil
}

// drain reads what the kernel had captured when the capture was to stop
// (packet time stopAt), so that a stop loses nothing: up to the first
// packet stamped later, an empty ring, -c, or drainLimit.
func (r *liveRun) drain(stopAt int64) error {
	var pkt capture.Packet
	limit := time.Now().Add(drainLimit)
	for time.Now().Before(limit) {
		if r.o.count > 0 && r.frame >= r.o.count {
			return nil
		}
		if r.live.Next(&pkt) != nil || pkt.Timestamp.UnixNano() > stopAt {
			return nil
		}
		if err := r.packet(&pkt); err != nil {
			return err
		}
	}
	return nil
}

// readCounters copies libpcap's counters into the capture description.
func (r *liveRun) readCounters() {
	st, err := r.live.Stats()
	r.capInfo.Captured = r.frame
	if err != nil {
		r.capInfo.StatsErr = err.Error()
		return
	}
	r.capInfo.StatsErr = ""
	r.capInfo.Received, r.capInfo.Dropped, r.capInfo.IfDropped = st.Received, st.Dropped, st.IfDropped
}

// flushOutput pushes streamed records out, so that a reader of the pipe
// sees a flow about a second after it ends.
func (r *liveRun) flushOutput() {
	r.pipe.Sync()
	if err := r.sink.Flush(); err != nil && r.outErr == nil {
		r.outErr = err
		r.failed.Store(true)
	}
	if r.wr != nil {
		_ = r.wr.Flush() // a failing disk shows on the next Write or at Close
	}
}

// intervalReport is one --interval report.
func (r *liveRun) intervalReport(at time.Time, elapsed time.Duration) {
	r.readCounters()
	var open []flow.Record
	if r.o.output == "table" && !r.o.findingsOnly {
		r.pipe.Snapshot(func(rec *flow.Record) { open = append(open, *rec) })
	} else {
		r.pipe.Sync()
	}
	iv := &report.Interval{At: at, Elapsed: elapsed, Packets: r.ivPackets, Bytes: r.ivBytes,
		Ended: r.ivEnded, Open: r.pipe.Open(), Capture: r.capInfo}
	var err error
	switch {
	case r.o.findingsOnly:
		if !r.o.quiet {
			err = report.WriteIntervalLine(r.stderr, iv)
		}
		if err == nil {
			err = report.WriteFindings(r.stdout, report.TakeFindings(r.sink), r.opt)
		}
	case r.o.output != "table":
		r.flushOutput()
		if !r.o.quiet {
			err = report.WriteIntervalLine(r.stderr, iv)
		}
	default:
		recs := append(r.ended, open...)
		err = report.WriteIntervalTable(r.stdout, iv, recs, r.opt)
		r.ended = recs
	}
	if err != nil && r.outErr == nil {
		r.outErr = err
		r.failed.Store(true)
	}
	clear(r.ended)
	r.ended = r.ended[:0]
	r.ivPackets, r.ivBytes, r.ivEnded = 0, 0, 0
}

// finish writes the end-of-capture report; the pipeline is closed.
func (r *liveRun) finish() error {
	sum := &report.Summary{Stats: r.stats, FilterExpr: r.o.filter, Capture: &r.capInfo}
	if r.o.interval > 0 && r.o.output == "table" && !r.o.findingsOnly {
		fmt.Fprintf(r.stdout, "\nflowscope: capture stopped (%s); all flows:\n", r.capInfo.StopReason)
	}
	err := r.sink.Close(sum)
	if r.outErr != nil {
		err = nil // said already; the summary still went to stderr
	}
	return err
}

func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}
