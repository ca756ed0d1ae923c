package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/flowscope/flowscope/flow"
)

// Sink is one output format: it receives every record, in the order they
// are to be written, as flows end, and ends the output with the run's
// summary. Streaming formats write each record at once and keep nothing;
// the others keep what they need, bounded (the table its top N and the
// flows with findings).
type Sink interface {
	// Write takes one record; it must not keep r itself (copy what it needs).
	Write(r *flow.Record) error
	// Flush pushes out what is buffered, so that a reader sees it now.
	Flush() error
	// Close writes what remains and the summary (sum.Tally holds the
	// records' tally).
	Close(sum *Summary) error
}

// SinkConfig is what every format may use.
type SinkConfig struct {
	Stdout, Stderr io.Writer
	Options
	// FindingsOnly prints only the findings, in the format's syntax.
	FindingsOnly bool
	// Quiet leaves out the summary on stderr (json, csv, findings).
	Quiet bool
	// Export, if set, receives every record too (--ipfix).
	Export Exporter
}

// formats lists the output formats: a new one is a file with its Sink and
// one line here.
var formats = []struct {
	name string
	make func(c SinkConfig) (Sink, error)
}{
	{"table", newTableSink},
	{"json", func(c SinkConfig) (Sink, error) { return &streamSink{c: c, w: NewJSONWriter(c.Stdout, c.Options)}, nil }},
	{"csv", newCSVSink},
	{"zeek", newZeekSink},
	{"html", newHTMLSink},
}

// FormatNames lists the output formats, for help and error messages.
func FormatNames() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}

// NewSink returns the sink of c.Format, with the summary's tally kept as
// records pass.
func NewSink(c SinkConfig) (Sink, error) {
	if c.Format == "" {
		c.Format = "table"
	}
	for _, f := range formats {
		if f.name != c.Format {
			continue
		}
		var s Sink
		var err error
		if c.FindingsOnly {
			s = &findingsSink{c: c, shown: newFindingFilter(c.Allow, c.MinSeverity)}
		} else if s, err = f.make(c); err != nil {
			return nil, err
		}
		return withExport(&tallySink{Sink: s, tally: newTally(newFindingFilter(c.Allow, c.MinSeverity), c.Bytes)}, c.Export), nil
	}
	return nil, fmt.Errorf("unknown output format %q (want %s)", c.Format, strings.Join(FormatNames(), ", "))
}

// Parallel is what every sink NewSink returns offers the pipeline's
// workers: a tally of their own records for the summary (merged at Close),
// and for streaming formats an encoder, so that the one goroutine that
// writes only puts finished bytes in order.
type Parallel interface {
	Sink
	// WorkerTally returns a tally for one worker; from the first call on,
	// Write no longer tallies (the workers do).
	WorkerTally() *Tally
	// Encoder returns the format's record encoder, safe for concurrent
	// use, or nil when the format keeps records rather than bytes.
	Encoder() func(dst []byte, r *flow.Record) []byte
	// WriteEncoded writes what the encoder made, in the records' order.
	WriteEncoded(b []byte) error
}

// tallySink counts every record for the summary as it passes.
type tallySink struct {
	Sink
	tally   *Tally
	workers []*Tally
}

func (t *tallySink) Write(r *flow.Record) error {
	if t.workers == nil {
		t.tally.Add(r)
	}
	return t.Sink.Write(r)
}

func (t *tallySink) WorkerTally() *Tally {
	w := newTally(t.tally.keep, t.tally.kind)
	t.workers = append(t.workers, w)
	return w
}

func (t *tallySink) Encoder() func([]byte, *flow.Record) []byte {
	if s, ok := t.Sink.(*streamSink); ok {
		return s.w.Encode
	}
	return nil
}

func (t *tallySink) WriteEncoded(b []byte) error {
	if s, ok := t.Sink.(*streamSink); ok {
		return s.w.WriteEncoded(b)
	}
	return errors.New("report: this format takes records, not encoded bytes")
}

func (t *tallySink) Close(sum *Summary) error {
	for _, w := range t.workers {
		t.tally.Merge(w)
	}
	t.workers = t.workers[:0]
	sum.Tally = t.tally
	return t.Sink.Close(sum)
}

// recordWriter is a streaming encoder (JSONWriter, CSVWriter).
type recordWriter interface {
	Write(r *flow.Record) error
	Encode(dst []byte, r *flow.Record) []byte
	WriteEncoded(b []byte) error
	Flush() error
}

// streamSink writes each record as it comes; the summary goes to stderr.
type streamSink struct {
	c SinkConfig
	w recordWriter
}

func newCSVSink(c SinkConfig) (Sink, error) {
	if _, err := pickCSVColumns(c.Fields); err != nil {
		return nil, err
	}
	return &streamSink{c: c, w: NewCSVWriter(c.Stdout, c.Options)}, nil
}

func newZeekSink(c SinkConfig) (Sink, error) {
	if len(c.Fields) > 0 {
		return nil, errors.New("--fields does not apply to -o zeek: conn.log has Zeek's columns (zeek-cut picks some)")
	}
	return &streamSink{c: c, w: newZeekWriter(c.Stdout, zeekConn, c.ZeekJSON, newFindingFilter(c.Allow, c.MinSeverity))}, nil
}

func (s *streamSink) Write(r *flow.Record) error { return s.w.Write(r) }
func (s *streamSink) Flush() error               { return s.w.Flush() }

// Close writes the summary even when the output failed: stderr may still
// be there to read it.
func (s *streamSink) Close(sum *Summary) error {
	var err error
	if f, ok := s.w.(interface{ Finish() error }); ok {
		err = f.Finish() // a footer (Zeek's #close)
	} else {
		err = s.w.Flush()
	}
	if serr := writeStderrSummary(s.c, sum); err == nil {
		err = serr
	}
	return err
}

func writeStderrSummary(c SinkConfig, sum *Summary) error {
	if c.Quiet || c.Stderr == nil {
		return nil
	}
	return WriteSummary(c.Stderr, sum, Options{Allow: c.Allow, MinSeverity: c.MinSeverity})
}

// tableSink keeps the top N flows and those with findings, and prints the
// table and the summary at the end.
type tableSink struct {
	c       SinkConfig
	keep    *TableKeeper
	beacons []flow.Record // beacon records, listed with the findings
}

func newTableSink(c SinkConfig) (Sink, error) {
	return &tableSink{c: c, keep: NewTableKeeper(c.Top, c.Bytes, c.Allow, c.MinSeverity)}, nil
}

func (t *tableSink) Write(r *flow.Record) error { t.keep.Add(r); return nil }
func (t *tableSink) Flush() error               { return nil }

func (t *tableSink) Close(sum *Summary) error {
	recs, hidden := t.keep.Records()
	opt := t.c.Options
	opt.Hidden, opt.Beacons = hidden, t.beacons
	w := bufio.NewWriterSize(t.c.Stdout, 64<<10)
	err := WriteTable(w, recs, opt)
	if err == nil {
		fmt.Fprintln(w)
		err = WriteSummary(w, sum, opt)
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

// findingsSink keeps the flows with findings and lists the findings at the
// end, in the format's syntax; the summary goes to stderr.
type findingsSink struct {
	c     SinkConfig
	recs  []flow.Record
	shown findingFilter // records with no finding it shows are not kept
}

func (f *findingsSink) Write(r *flow.Record) error {
	if f.shown.keeps(r) {
		f.recs = append(f.recs, *r)
	}
	return nil
}

func (f *findingsSink) Flush() error { return nil }

// Take returns the findings' records kept since the last Take and forgets
// them (live interval reports print them as they come).
func (f *findingsSink) Take() []flow.Record {
	recs := f.recs
	f.recs = nil
	return recs
}

// Close lists the findings; the summary follows them where the format puts
// it: on stdout after a table (as without --findings-only), else on stderr.
func (f *findingsSink) Close(sum *Summary) error {
	if f.c.Format != "table" && f.c.Format != "" {
		if err := WriteFindings(f.c.Stdout, f.recs, f.c.Options); err != nil {
			return err
		}
		return writeStderrSummary(f.c, sum)
	}
	w := bufio.NewWriterSize(f.c.Stdout, 64<<10)
	err := WriteFindings(w, f.recs, f.c.Options)
	if err == nil {
		fmt.Fprintln(w)
		err = WriteSummary(w, sum, f.c.Options)
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

// TakeFindings returns the records with findings that a --findings-only
// sink kept since the last call, and forgets them (live interval reports
// print them as they come); nil for other sinks.
func TakeFindings(s Sink) []flow.Record {
	if x, ok := s.(*exportSink); ok {
		s = x.Unwrap()
	}
	if t, ok := s.(*tallySink); ok {
		s = t.Sink
	}
	if f, ok := s.(*findingsSink); ok {
		return f.Take()
	}
	return nil
}
