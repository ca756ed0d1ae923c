// Command synthpcap writes a synthetic benchmark capture (see package synth):
// a mix of TLS-over-TCP and DNS-over-UDP flows (--shape mix, the default),
// or a flood of one-packet UDP flows with random 5-tuples (--shape flood).
// With --stream it writes an endless capture (to stdout unless -o names a
// file), optionally paced to the wall clock with --pace:
//
//	synthpcap --stream --shape flood --rate 50000 --pace | flowscope -r -
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/flowscope/flowscope/internal/synth"
	"github.com/spf13/pflag"
)

func main() {
	out := pflag.StringP("output", "o", "", "pcap `FILE` to write (- or none with --stream: stdout)")
	shape := pflag.String("shape", "mix", "mix: TLS and DNS flows with IMIX sizes; flood: one-packet UDP flows with random 5-tuples")
	s := synth.Spec{}
	pflag.IntVar(&s.Flows, "flows", 200_000, "distinct flows (with --stream and mix: only sets, with --packets, the packets per flow)")
	pflag.IntVar(&s.Packets, "packets", 4_000_000, "mix: packets in all")
	pflag.IntVar(&s.Concurrency, "concurrency", 20_000, "mix: flows open at once")
	pflag.Int64Var(&s.Seed, "seed", 1, "random seed")
	pflag.Float64Var(&s.Rate, "rate", 0, "new flows per `N`/s of packet time (flood: 50000 when 0, so 2M flows span 40 s; mix: packets 1-21 µs apart when 0)")
	stream := pflag.Bool("stream", false, "write without end (stop with a signal or by closing the pipe)")
	pace := pflag.Bool("pace", false, "hold packet time to the wall clock (sleep as needed; flushes every 10 ms of packet time)")
	pflag.Parse()

	var src synth.Source
	switch *shape {
	case "mix":
		s.Endless = *stream
		src = synth.NewGenerator(s)
	case "flood":
		fs := synth.FloodSpec{Flows: s.Flows, Rate: s.Rate, Seed: s.Seed}
		if *stream {
			fs.Flows = 0
		}
		src = synth.NewFloodGenerator(fs)
	default:
		fail(2, "--shape must be mix or flood, not %q", *shape)
	}
	name, f := *out, os.Stdout
	switch {
	case name == "" && !*stream:
		fail(2, "-o FILE is required (or --stream)")
	case name == "" || name == "-":
		name = "stdout"
	default:
		var err error
		if f, err = os.Create(name); err != nil {
			fail(1, "%v", err)
		}
	}
	err := write(f, src, *pace)
	if cerr := f.Close(); err == nil && f != os.Stdout {
		err = cerr
	}
	if errors.Is(err, syscall.EPIPE) {
		return // the reader is gone: the end of a stream
	}
	if err != nil {
		fail(1, "writing %s: %v", name, err)
	}
}

// write copies src into w as pcap, holding packet time to the wall clock
// when pace is set.
func write(w io.Writer, src synth.Source, pace bool) error {
	if !pace {
		return synth.WriteSource(w, src)
	}
	pw, err := synth.NewPcapWriter(w)
	if err != nil {
		return err
	}
	const step = int64(10 * time.Millisecond)
	var start time.Time
	var first, check int64
	for {
		f, ok := src.Next()
		if !ok {
			return pw.Flush()
		}
		if start.IsZero() {
			start, first, check = time.Now(), f.TS, f.TS
		}
		if f.TS >= check {
			// Hand over what is buffered, then wait for the frame's time.
			if err := pw.Flush(); err != nil {
				return err
			}
			time.Sleep(time.Until(start.Add(time.Duration(f.TS - first))))
			check = f.TS + step
		}
		if err := pw.Write(f); err != nil {
			return err
		}
	}
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "synthpcap: "+format+"\n", args...)
	os.Exit(code)
}
