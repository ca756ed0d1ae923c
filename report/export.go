package report

import (
	"encoding/binary"
	"errors"

	"github.com/flowscope/flowscope/flow"
)

// Exporter receives every record beside the output format (IPFIX, to a
// collector): the same records, in the same order, as they end.
type Exporter interface {
	// AppendRecord encodes r for WriteRecord; it runs on the pipeline's
	// workers, concurrently, and keeps nothing.
	AppendRecord(dst []byte, r *flow.Record) []byte
	// WriteRecord, Flush and Close run on the writer's goroutine.
	WriteRecord(b []byte) error
	Flush() error
	// Close sends what is left.
	Close() error
	// Report is what the summary says of the export, as key and value
	// rows; called after Close.
	Report() [][2]string
}

// exportSink hands every record to the format's sink and to an Exporter.
// With a streaming format the workers encode both, one after the other in
// one buffer (the export's length first), so the writer only copies bytes.
type exportSink struct {
	Parallel
	exp Exporter
	buf []byte // Write's encoding, reused
}

func withExport(s Parallel, e Exporter) Parallel {
	if e == nil {
		return s
	}
	return &exportSink{Parallel: s, exp: e}
}

func (x *exportSink) Write(r *flow.Record) error {
	x.buf = x.exp.AppendRecord(x.buf[:0], r)
	if err := x.exp.WriteRecord(x.buf); err != nil {
		return err
	}
	return x.Parallel.Write(r)
}

func (x *exportSink) Encoder() func([]byte, *flow.Record) []byte {
	enc := x.Parallel.Encoder()
	if enc == nil {
		return nil // the format keeps records: Write gets them
	}
	return func(dst []byte, r *flow.Record) []byte {
		at := len(dst)
		dst = x.exp.AppendRecord(append(dst, 0, 0, 0, 0), r)
		binary.BigEndian.PutUint32(dst[at:], uint32(len(dst)-at-4))
		return enc(dst, r)
	}
}

func (x *exportSink) WriteEncoded(b []byte) error {
	if len(b) < 4 || int(binary.BigEndian.Uint32(b)) > len(b)-4 {
		return errors.New("report: export encoding cut short")
	}
	n := 4 + int(binary.BigEndian.Uint32(b))
	if err := x.exp.WriteRecord(b[4:n]); err != nil {
		return err
	}
	return x.Parallel.WriteEncoded(b[n:])
}

func (x *exportSink) Flush() error {
	err := x.exp.Flush()
	if ferr := x.Parallel.Flush(); err == nil {
		err = ferr
	}
	return err
}

// Close ends the export first, so that the summary can say how it went.
func (x *exportSink) Close(sum *Summary) error {
	err := x.exp.Close()
	sum.Export = x.exp.Report()
	if cerr := x.Parallel.Close(sum); err == nil {
		err = cerr
	}
	return err
}

// Unwrap returns the format's sink.
func (x *exportSink) Unwrap() Sink { return x.Parallel }

// exportSection is the summary's report of the export, when there is one.
func exportSection(s *Summary) section {
	var sec section
	if len(s.Export) == 0 {
		return sec
	}
	sec.title = "export:"
	for _, r := range s.Export {
		sec.add(r[0], r[1])
	}
	return sec
}

// Exporters joins exporters into one (nil for none): each record's
// encodings one after the other, each behind its length.
func Exporters(es ...Exporter) Exporter {
	var m multiExporter
	for _, e := range es {
		if e != nil {
			m = append(m, e)
		}
	}
	switch len(m) {
	case 0:
		return nil
	case 1:
		return m[0]
	}
	return m
}

type multiExporter []Exporter

func (m multiExporter) AppendRecord(dst []byte, r *flow.Record) []byte {
	for _, e := range m {
		at := len(dst)
		dst = e.AppendRecord(append(dst, 0, 0, 0, 0), r)
		binary.BigEndian.PutUint32(dst[at:], uint32(len(dst)-at-4))
	}
	return dst
}

func (m multiExporter) WriteRecord(b []byte) error {
	var err error
	for _, e := range m {
		if len(b) < 4 || int(binary.BigEndian.Uint32(b)) > len(b)-4 {
			return errors.New("report: export encoding cut short")
		}
		n := 4 + int(binary.BigEndian.Uint32(b))
		if werr := e.WriteRecord(b[4:n]); err == nil {
			err = werr // the others still get theirs
		}
		b = b[n:]
	}
	return err
}

func (m multiExporter) Flush() error {
	var err error
	for _, e := range m {
		if ferr := e.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (m multiExporter) Close() error {
	var err error
	for _, e := range m {
		if cerr := e.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

func (m multiExporter) Report() [][2]string {
	var rows [][2]string
	for _, e := range m {
		rows = append(rows, e.Report()...)
	}
	return rows
}
