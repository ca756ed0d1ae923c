package pipeline

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowscope/flowscope/capture"
	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/internal/synth"
)

// TestFlushIdleAtRoundBoundary: input that stalls right after a full round
// (nothing pending in the reader) still gets its output flushed.
func TestFlushIdleAtRoundBoundary(t *testing.T) {
	var flushes atomic.Int32
	p := New(Config{Flow: flow.DefaultConfig(), Workers: 2, Emit: func(*flow.Record) error { return nil },
		Flush: func() error { flushes.Add(1); return nil }, FlushEvery: time.Hour})
	p.FlushIdle(20 * time.Millisecond)
	g := synth.NewFloodGenerator(synth.FloodSpec{Flows: roundFrames, Seed: 1})
	var pkt capture.Packet
	for {
		f, ok := g.Next()
		if !ok {
			break
		}
		pkt = capture.Packet{Data: f.Data, CapLen: len(f.Data), Len: len(f.Data), LinkType: 1, Timestamp: time.Unix(0, f.TS)}
		p.Add(&pkt)
	}
	// The flood's last packet comes more than a UDP timeout later, so the
	// round that goes out at roundFrames has records to write.
	pkt.Timestamp = pkt.Timestamp.Add(2 * time.Minute)
	for left := roundFrames - p.nFrames; left > 0; left-- {
		p.Add(&pkt)
	}
	if p.nFrames != 0 {
		t.Fatalf("%d frames pending: the round did not end", p.nFrames)
	}
	// Workers and writer take their time on a loaded machine: wait for the
	// flush (at every 20 ms tick once the round is written), up to 10 s.
	for deadline := time.Now().Add(10 * time.Second); flushes.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if flushes.Load() == 0 {
		t.Errorf("input stalled after a full round and the output was never flushed in 10 s")
	}
	p.Close()
}
