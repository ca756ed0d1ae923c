package pipeline_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strconv"
	"testing"

	"github.com/flowscope/flowscope/capture"
	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/flow/decode"
	"github.com/flowscope/flowscope/internal/testcaps"
	"github.com/flowscope/flowscope/pipeline"
	"github.com/flowscope/flowscope/report"
)

// FuzzPipeline drives the analyzer end to end as the CLI does: a capture's
// frames → decode → two sharded flow tables (reassembly, service and
// handshake state, DNS names, features) → records through the JSON, CSV and
// table sinks with their summaries. Seeds: every small capture in
// testdata/; regression inputs in testdata/fuzz/FuzzPipeline.
func FuzzPipeline(f *testing.F) {
	seeds := testcaps.Small(f, 16<<10)
	for _, data := range seeds {
		f.Add(data)
	}
	f.Logf("%d seeds", len(seeds))
	f.Fuzz(func(t *testing.T, data []byte) {
		frames, js := runFormat(t, data, "json")
		recs := checkJSON(t, js.out)
		checkCounts(t, frames, js.stats, recs)

		_, cs := runFormat(t, data, "csv")
		rows := checkCSV(t, cs.out)
		if rows != len(recs) {
			t.Fatalf("%d CSV rows, %d JSON records", rows, len(recs))
		}

		_, tb := runFormat(t, data, "table")
		checkTable(t, tb.out, len(recs))
	})
}

// run is one pass's output and counts.
type run struct {
	out   []byte
	stats flow.Stats
}

// fuzzConfig keeps the bounds small, so that eviction and the
// identification share are reached by small inputs too.
func fuzzConfig() pipeline.Config {
	cfg := flow.DefaultConfig()
	cfg.MaxFlows = 32
	cfg.MaxIdentifying = 8
	return pipeline.Config{Flow: cfg, Workers: 2}
}

// runFormat reads data as a capture file through a pipeline into the sink
// of format, as pipeline.RunFiles does, and returns the frames read.
func runFormat(t *testing.T, data []byte, format string) (uint64, run) {
	var out, summary bytes.Buffer
	sink, err := report.NewSink(report.SinkConfig{Stdout: &out, Stderr: &summary,
		Options: report.Options{Format: format, Top: 5}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := fuzzConfig()
	cfg.Sink = sink.(report.Parallel)
	cfg.Flush = sink.Flush
	p := pipeline.New(cfg)
	var frames uint64
	src, err := capture.Open(bytes.NewReader(data), "fuzz")
	if err == nil {
		var pkt capture.Packet
		for err = src.Next(&pkt); err == nil; err = src.Next(&pkt) {
			p.Add(&pkt)
			frames++
		}
		src.Close()
	}
	var ce *capture.Error
	if err != io.EOF && !errors.As(err, &ce) {
		t.Fatalf("reading: %v (%T) is not a *capture.Error", err, err)
	}
	st := p.Close()
	if err := p.Err(); err != nil {
		t.Fatalf("%s: writing a record: %v", format, err)
	}
	in := report.Input{Path: "fuzz"}
	if ce != nil {
		in.Problem = ce.Error()
	}
	if err := sink.Close(&report.Summary{Inputs: []report.Input{in}, Stats: st}); err != nil {
		t.Fatalf("%s: closing: %v", format, err)
	}
	return frames, run{out: out.Bytes(), stats: st}
}

// side is what the invariants need of a record's side.
type side struct {
	Packets      uint64 `json:"packets"`
	Bytes        uint64 `json:"bytes"`
	PayloadBytes uint64 `json:"payload_bytes"`
}

type record struct {
	ID     uint64 `json:"id"`
	Client side   `json:"client"`
	Server side   `json:"server"`
}

// checkJSON: every line is one JSON object; IP bytes cover the payload.
func checkJSON(t *testing.T, out []byte) []record {
	var recs []record
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("JSON line %d: %v: %q", len(recs)+1, err, sc.Bytes())
		}
		if !json.Valid(sc.Bytes()) {
			t.Fatalf("JSON line %d is not valid JSON: %q", len(recs)+1, sc.Bytes())
		}
		for _, s := range []side{r.Client, r.Server} {
			if s.Bytes < s.PayloadBytes {
				t.Fatalf("record %d: %d IP bytes < %d payload bytes: %s", r.ID, s.Bytes, s.PayloadBytes, sc.Bytes())
			}
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

// checkCounts: every frame read is counted, and the flows hold exactly
// the IP packets decoded.
func checkCounts(t *testing.T, frames uint64, st flow.Stats, recs []record) {
	if st.Frames != frames {
		t.Fatalf("%d frames read, %d counted", frames, st.Frames)
	}
	if st.Flows != uint64(len(recs)) {
		t.Fatalf("%d records written, %d counted", len(recs), st.Flows)
	}
	var pkts uint64
	for _, r := range recs {
		pkts += r.Client.Packets + r.Server.Packets
	}
	// Every IP packet decoded is a packet of one record, and so is every
	// fragment held for its first one, once that came.
	held := st.Skipped[decode.SkipFragmentPending.String()]
	if want := st.IPPackets + held - st.FragmentsUnattributed; pkts != want {
		t.Fatalf("records hold %d packets; %d IP packets + %d held fragments - %d never attributed = %d",
			pkts, st.IPPackets, held, st.FragmentsUnattributed, want)
	}
	// A frame yields packets or is counted as skipped.
	var skipped uint64
	for _, n := range st.Skipped {
		skipped += n
	}
	if frames > st.IPPackets+skipped {
		t.Fatalf("%d frames read, only %d IP packets and %d skipped (%v)", frames, st.IPPackets, skipped, st.Skipped)
	}
}

// checkCSV: the CSV parses, every row has the header's column count; it
// returns the number of data rows.
func checkCSV(t *testing.T, out []byte) int {
	r := csv.NewReader(bytes.NewReader(out))
	r.FieldsPerRecord = 0 // every row as many fields as the header
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	if len(rows) == 0 {
		return 0
	}
	return len(rows) - 1
}

var tableRecords = regexp.MustCompile(`(?m)^  records: +(\d+)$`)

// checkTable: the table's summary counts the records the JSON had.
func checkTable(t *testing.T, out []byte, records int) {
	if records == 0 {
		return
	}
	m := tableRecords.FindSubmatch(out)
	if m == nil || string(m[1]) != strconv.Itoa(records) {
		t.Fatalf("table summary should count %d records:\n%s", records, out)
	}
}
