package pipeline

import (
	"errors"
	"os"
	"runtime/debug"
	"time"

	"github.com/flowscope/flowscope/capture"
	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/report"
)

// Progress is told how far a read of files has come.
type Progress interface {
	Update(frames uint64)
	Done()
}

// FilesResult is what a run over capture files saw.
type FilesResult struct {
	Inputs   []report.Input
	Stats    flow.Stats
	Filtered uint64
	// Errors are the inputs' problems (cannot open, cut, corrupt), in the
	// order met; what was read before a problem is still reported.
	Errors []error
	// Opened counts the inputs that could be opened.
	Opened int
	// OutputErr is the first error the sink returned while records came.
	OutputErr error
	// Beacons are the beacon detector's counts (nil when it was off).
	Beacons *report.BeaconStats
}

// Summary returns the end-of-run summary of the run, for filter expr.
func (r *FilesResult) Summary(expr string) *report.Summary {
	return &report.Summary{Inputs: r.Inputs, Stats: r.Stats, FilterExpr: expr, Filtered: r.Filtered, Beacons: r.Beacons}
}

// RunFiles reads the capture files (several are merged in packet time
// order) through a pipeline into sink. newProgress, if set, is given the
// opened files and told of the frames read.
func RunFiles(paths []string, cfg Config, sink report.Sink, newProgress func([]*capture.File) Progress) *FilesResult {
	res := &FilesResult{Inputs: make([]report.Input, len(paths))}
	files := make([]*capture.File, len(paths))
	var srcs []capture.Source
	var opened []*capture.File
	for i, path := range paths {
		res.Inputs[i].Path = path
		f, err := capture.OpenFile(path)
		if err != nil {
			res.Errors = append(res.Errors, err)
			res.Inputs[i].Problem = err.Error()
			continue
		}
		defer f.Close()
		if cfg.Filter != nil {
			f.ReadNotMapped() // the BPF filter reads frames in C, where no fault is caught
		}
		f.CallerGuards() // feed runs under SetPanicOnFault
		files[i] = f
		srcs = append(srcs, f)
		opened = append(opened, f)
	}
	res.Opened = len(srcs)
	if len(srcs) == 0 {
		return res
	}

	if ps, ok := sink.(report.Parallel); ok {
		cfg.Sink = ps
	} else {
		cfg.Emit = sink.Write
	}
	cfg.Flush = sink.Flush
	if cfg.Beacon != nil {
		cfg.EmitBeacon = func(r *flow.Record) error { return report.WriteBeacon(sink, r) }
	}
	if cfg.FlushEvery == 0 {
		cfg.FlushEvery = 200 * time.Millisecond
	}
	p := New(cfg)
	if streamed(paths) {
		p.FlushIdle(cfg.FlushEvery)
	}
	merged := capture.Merge(srcs...)
	var prog Progress
	if newProgress != nil {
		prog = newProgress(opened)
	}
	var frames uint64
	for !feed(merged, p, prog, &frames) {
		// A mapped file was cut short under the decoder: it has failed
		// (its error is among merged.Errors()); the others read on.
	}
	if prog != nil {
		prog.Done()
	}
	res.Stats = p.Close()
	p.ReportBeacons()
	res.Beacons = p.BeaconStats()
	res.Filtered = p.Filtered()
	res.OutputErr = p.Err()
	// Errors met while reading (a cut or corrupt record) belong to the
	// input they came from.
	for _, err := range merged.Errors() {
		res.Errors = append(res.Errors, err)
		var ce *capture.Error
		if errors.As(err, &ce) {
			for i := range res.Inputs {
				if files[i] != nil && res.Inputs[i].Path == ce.Path && res.Inputs[i].Problem == "" {
					res.Inputs[i].Problem = err.Error()
					break
				}
			}
		}
	}
	for i, f := range files {
		if f == nil {
			continue
		}
		in := &res.Inputs[i]
		in.Format = f.Format()
		in.Packets = f.Packets()
		for _, lt := range f.LinkTypes() {
			in.LinkTypes = append(in.LinkTypes, capture.LinkTypeName(lt))
		}
	}
	return res
}

// streamed reports whether an input may stall: standard input, a pipe or
// anything but a regular file.
func streamed(paths []string) bool {
	for _, path := range paths {
		if path == "-" {
			return true
		}
		if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// feed hands the merged inputs' frames to p until they end or the output
// fails, and returns true; it returns false when decoding touched a mapped
// file that was cut short meanwhile (capture.Recover has failed that file).
func feed(merged *capture.Merged, p *Pipeline, prog Progress, frames *uint64) (done bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if !capture.Recover(r) {
				panic(r)
			}
			done = false
		}
	}()
	var pkt capture.Packet
	for merged.Next(&pkt) == nil {
		p.Add(&pkt)
		*frames++
		if *frames&1023 == 0 && p.Failed() {
			break // the output is gone (a closed pipe, a full disk): said at the end
		}
		if prog != nil && *frames&0xffff == 0 {
			prog.Update(*frames)
		}
	}
	return true
}
