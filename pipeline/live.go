package pipeline

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/flowscope/flowscope/capture"
	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/report"
)

// LivePoll bounds how long a stop request or an idle timeout waits for the
// next packet: the capture is opened with it (capture.LiveOptions.Poll).
const LivePoll = 100 * time.Millisecond

// drainLimit bounds the reading of a backlog after a stop; counterPoll is
// how often libpcap's counters are read (they wrap at 2^32).
const (
	drainLimit  = 5 * time.Second
	counterPoll = 10 * time.Second
)

// LiveRun is one live capture through the pipeline: packets from Live
// (saved to Writer with -w) until Count packets, Duration, a signal or an
// error; the records go to Sink, and with Interval a report is written
// every Interval.
type LiveRun struct {
	Config   Config // the flow tables and workers; Emit is LiveRun's
	Live     *capture.Live
	Writer   *capture.Writer // -w, or nil
	Sink     report.Sink
	Opt      report.Options // interval tables and findings
	Info     report.Capture // what is captured; the counters are filled in
	Filter   string
	Count    uint64
	Duration time.Duration
	Interval time.Duration
	Quiet    bool
	// FindingsOnly and Table say what the interval reports print.
	FindingsOnly, Table bool
	Stdout, Stderr      io.Writer

	pipe *Pipeline
	// What emit touches runs on the pipeline's writer goroutine; the
	// capture loop reads it only after pipe.Sync.
	ivEnded int
	ended   []flow.Record // flows ended since the last interval report (table)
	// ivBeacons are the beacon records of this interval (table).
	ivBeacons []flow.Record
	outErr    error
	failed    atomic.Bool // outErr is set
	stats     flow.Stats

	frame, ivPackets, ivBytes uint64
}

// Run captures until something stops it (sigs delivers SIGINT or SIGTERM),
// then ends every flow and writes the report. It returns 0, or 1 when the
// capture, the -w file or the output failed (said on Stderr).
func (r *LiveRun) Run(sigs chan os.Signal) int {
	cfg := r.Config
	cfg.Emit, cfg.Sink = r.emit, nil
	if cfg.Beacon != nil {
		cfg.EmitBeacon = r.emitBeacon
	}
	r.pipe = New(cfg)
	return r.loop(sigs)
}

// emit receives every finished flow, on the pipeline's writer goroutine.
// The sink keeps no more than its format needs (JSON and CSV nothing, the
// table its top N and the flows with findings), so that memory does not
// grow with the flows however long the capture runs; interval tables keep
// what ended since the last.
func (r *LiveRun) emit(rec *flow.Record) error {
	r.ivEnded++
	if err := r.Sink.Write(rec); err != nil {
		if r.outErr == nil {
			r.outErr = err
			r.failed.Store(true)
		}
		return err
	}
	if r.Interval > 0 && r.Table && !r.FindingsOnly {
		r.ended = append(r.ended, *rec)
	}
	return nil
}

// emitBeacon writes a beacon record (interval reports and the end); an
// interval table lists its finding with the flows that ended.
func (r *LiveRun) emitBeacon(rec *flow.Record) error {
	if err := report.WriteBeacon(r.Sink, rec); err != nil {
		if r.outErr == nil {
			r.outErr = err
			r.failed.Store(true)
		}
		return err
	}
	if r.Interval > 0 && r.Table && !r.FindingsOnly {
		r.ivBeacons = append(r.ivBeacons, *rec)
	}
	return nil
}

// loop reads packets until something stops the capture, then reports.
func (r *LiveRun) loop(sigs chan os.Signal) int {
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
	r.Info.Started = start
	nextFlush, nextCounters := time.Second, counterPoll
	nextReport := time.Duration(math.MaxInt64)
	if r.Interval > 0 {
		nextReport = r.Interval
	}
	lastReport := start
	var lastCheck int64 // packet time of the last clock check

	code := 0
	var pkt capture.Packet
	stop := ""
	for stop == "" {
		check := false
		err := r.Live.Next(&pkt)
		switch {
		case err == nil:
			if err := r.packet(&pkt); err != nil {
				stop, code = err.Error(), 1
			}
			if r.Count > 0 && r.frame >= r.Count {
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
			r.pipe.Advance(time.Now().UnixNano() - int64(2*LivePoll))
			check = true
		default:
			fmt.Fprintf(r.Stderr, "flowscope: %v\n", err)
			stop, code = err.Error(), 1
		}
		if s := stopSig.Load(); s != nil && stop == "" {
			stop = "signal " + signalName(s.(os.Signal))
			if err := r.drain(time.Now().UnixNano()); err != nil {
				code = 1
			}
		}
		if r.failed.Load() && stop == "" {
			r.pipe.Sync()
			fmt.Fprintf(r.Stderr, "flowscope: writing output: %v\n", r.outErr)
			stop, code = "output failed", 1
		}
		if !check || stop != "" {
			continue
		}
		now := time.Now()
		el := now.Sub(start)
		if r.Duration > 0 && el >= r.Duration {
			stop = fmt.Sprintf("after %s (--duration)", r.Duration)
			if err := r.drain(now.UnixNano()); err != nil {
				code = 1
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
			nextReport = el + r.Interval
		}
	}

	r.Info.Stopped = time.Now()
	r.Info.StopReason = stop
	r.readCounters()
	r.Live.Close()
	r.stats = r.pipe.Close()
	r.pipe.ReportBeacons()
	if r.Writer != nil {
		if r.Info.StatsErr == "" {
			st := capture.LiveStats{Received: r.Info.Received, Dropped: r.Info.Dropped, IfDropped: r.Info.IfDropped}
			if err := r.Writer.WriteStats(r.Info.Started, r.Info.Stopped, st); err != nil {
				fmt.Fprintf(r.Stderr, "flowscope: %v\n", err)
				code = 1
			}
		}
		if err := r.Writer.Close(); err != nil {
			fmt.Fprintf(r.Stderr, "flowscope: %v\n", err)
			code = 1
		}
		r.Info.Written = r.Writer.Packets()
	}
	if err := r.finish(); err != nil {
		fmt.Fprintf(r.Stderr, "flowscope: writing output: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// packet saves (-w) and analyses one captured packet.
func (r *LiveRun) packet(pkt *capture.Packet) error {
	r.frame++
	if r.Writer != nil {
		if err := r.Writer.Write(pkt); err != nil {
			fmt.Fprintf(r.Stderr, "flowscope: %v\n", err)
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
func (r *LiveRun) drain(stopAt int64) error {
	var pkt capture.Packet
	limit := time.Now().Add(drainLimit)
	for time.Now().Before(limit) {
		if r.Count > 0 && r.frame >= r.Count {
			return nil
		}
		if r.Live.Next(&pkt) != nil || pkt.Timestamp.UnixNano() > stopAt {
			return nil
		}
		if err := r.packet(&pkt); err != nil {
			return err
		}
	}
	return nil
}

// readCounters copies libpcap's counters into the capture description.
func (r *LiveRun) readCounters() {
	st, err := r.Live.Stats()
	r.Info.Captured = r.frame
	if err != nil {
		r.Info.StatsErr = err.Error()
		return
	}
	r.Info.StatsErr = ""
	r.Info.Received, r.Info.Dropped, r.Info.IfDropped = st.Received, st.Dropped, st.IfDropped
}

// flushOutput pushes streamed records out, so that a reader of the pipe
// sees a flow about a second after it ends.
func (r *LiveRun) flushOutput() {
	r.pipe.Sync()
	if err := r.Sink.Flush(); err != nil && r.outErr == nil {
		r.outErr = err
		r.failed.Store(true)
	}
	if r.Writer != nil {
		_ = r.Writer.Flush() // a failing disk shows on the next Write or at Close
	}
}

// intervalReport is one --interval report.
func (r *LiveRun) intervalReport(at time.Time, elapsed time.Duration) {
	r.readCounters()
	var open []flow.Record
	if r.Table && !r.FindingsOnly {
		r.pipe.Snapshot(func(rec *flow.Record) { open = append(open, *rec) })
	} else {
		r.pipe.Sync()
	}
	r.pipe.ReportBeacons()
	iv := &report.Interval{At: at, Elapsed: elapsed, Packets: r.ivPackets, Bytes: r.ivBytes,
		Ended: r.ivEnded, Open: r.pipe.Open(), Capture: r.Info}
	var err error
	switch {
	case r.FindingsOnly:
		if !r.Quiet {
			err = report.WriteIntervalLine(r.Stderr, iv)
		}
		if err == nil {
			err = report.WriteFindings(r.Stdout, report.TakeFindings(r.Sink), r.Opt)
		}
	case !r.Table:
		r.flushOutput()
		if !r.Quiet {
			err = report.WriteIntervalLine(r.Stderr, iv)
		}
	default:
		recs := append(r.ended, open...)
		opt := r.Opt
		opt.Beacons = r.ivBeacons
		err = report.WriteIntervalTable(r.Stdout, iv, recs, opt)
		r.ended = recs
	}
	if err != nil && r.outErr == nil {
		r.outErr = err
		r.failed.Store(true)
	}
	clear(r.ended)
	r.ended = r.ended[:0]
	clear(r.ivBeacons)
	r.ivBeacons = r.ivBeacons[:0]
	r.ivPackets, r.ivBytes, r.ivEnded = 0, 0, 0
}

// finish writes the end-of-capture report; the pipeline is closed.
func (r *LiveRun) finish() error {
	sum := &report.Summary{Stats: r.stats, FilterExpr: r.Filter, Capture: &r.Info, Beacons: r.pipe.BeaconStats()}
	if r.Interval > 0 && r.Table && !r.FindingsOnly {
		fmt.Fprintf(r.Stdout, "\nflowscope: capture stopped (%s); all flows:\n", r.Info.StopReason)
	}
	err := r.Sink.Close(sum)
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
