package pipeline_test

import (
	"slices"
	"testing"
	"time"

	"github.com/flowscope/flowscope/capture"
	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/flow/beacon"
	"github.com/flowscope/flowscope/internal/synth"
	"github.com/flowscope/flowscope/linktype"
	"github.com/flowscope/flowscope/pipeline"
)

// TestReportBeaconsInterval reports beacons half-way through the input (as
// a live --interval report does) and at the end: each planted beacon is
// reported exactly once, the steady ones already half-way, and only after
// its group's connections have been written.
func TestReportBeaconsInterval(t *testing.T) {
	frames, planted := synth.BeaconScene(synth.BeaconSpec{Seed: 11, Duration: 3600, Browsers: 3})
	written := map[uint64]bool{}
	var reported []flow.Record
	cfg := pipeline.Config{Flow: flow.DefaultConfig(), Workers: 2, Beacon: &beacon.Config{}}
	cfg.Emit = func(r *flow.Record) error { written[r.ID] = true; return nil }
	cfg.EmitBeacon = func(r *flow.Record) error {
		for _, id := range r.Beacon.FlowIDs {
			if !written[id] {
				t.Errorf("beacon reported on flow %d before it was written", id)
			}
		}
		reported = append(reported, *r)
		return nil
	}
	p := pipeline.New(cfg)
	add := func(fs []synth.Frame) {
		for _, f := range fs {
			p.Add(&capture.Packet{Data: f.Data, Timestamp: time.Unix(0, f.TS).UTC(), CapLen: len(f.Data), Len: len(f.Data), LinkType: linktype.Ethernet})
		}
	}
	add(frames[:len(frames)/2])
	p.Sync()
	p.ReportBeacons()
	half := len(reported)
	add(frames[len(frames)/2:])
	p.Close()
	p.ReportBeacons()
	if half == 0 || half == len(reported) {
		t.Errorf("%d beacons reported half-way, %d in all: want some in each report", half, len(reported))
	}
	var clients []string
	for _, r := range reported {
		clients = append(clients, r.Client.IP.String())
	}
	slices.Sort(clients)
	var want []string
	for _, b := range planted {
		want = append(want, b.Client.String())
	}
	slices.Sort(want)
	if !slices.Equal(clients, want) {
		t.Errorf("reported %v, want each of %v once", clients, want)
	}
	if st := p.BeaconStats(); st == nil || st.Beacons != uint64(len(planted)) {
		t.Errorf("stats %+v", st)
	}
}
