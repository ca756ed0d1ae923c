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

// Write hands r to the format, then to the exporter: a failing export
// never costs the output a record.
func (x *exportSink) Write(r *flow.Record) error {
	err := x.Parallel.Write(r)
	x.buf = x.exp.AppendRecord(x.buf[:0], r)
	return errors.Join(err, x.exp.WriteRecord(x.buf))
}

func (x *exportSink) Encoder() func([]byte, *flow.Record) []byte {
	enc := x.Parallel.Encoder()
	if enc == nil {
		return nil // the format keeps records: Write gets them
	}
	return func(dst []byte, r *flow.Record) []byte {
		dst, at := startFrame(dst)
		dst = endFrame(x.exp.AppendRecord(dst, r), at)
		return enc(dst, r)
	}
}

// WriteEncoded writes the format's bytes, then the export's.
func (x *exportSink) WriteEncoded(b []byte) error {
	exp, rest, err := nextFrame(b)
	if err != nil {
		return err
	}
	return errors.Join(x.Parallel.WriteEncoded(rest), x.exp.WriteRecord(exp))
}

// Frames put several encodings of a record in one buffer, each behind its
// 4-byte length: the workers encode them all, the writer splits them.
func startFrame(dst []byte) ([]byte, int) { return append(dst, 0, 0, 0, 0), len(dst) }

func endFrame(dst []byte, at int) []byte {
	binary.BigEndian.PutUint32(dst[at:], uint32(len(dst)-at-4))
	return dst
}

func nextFrame(b []byte) (frame, rest []byte, err error) {
	if len(b) < 4 || int(binary.BigEndian.Uint32(b)) > len(b)-4 {
		return nil, nil, errors.New("report: export encoding cut short")
	}
	n := 4 + int(binary.BigEndian.Uint32(b))
	return b[4:n], b[n:], nil
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
		var at int
		dst, at = startFrame(dst)
		dst = endFrame(e.AppendRecord(dst, r), at)
	}
	return dst
}

func (m multiExporter) WriteRecord(b []byte) error {
	var errs []error
	for _, e := range m {
		frame, rest, err := nextFrame(b)
		if err != nil {
			return err
		}
		errs = append(errs, e.WriteRecord(frame)) // the others still get theirs
		b = rest
	}
	return errors.Join(errs...)
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

func (m multiExporter) writeBeacon(r *flow.Record) error {
	var errs []error
	for _, e := range m {
		if w, ok := e.(beaconWriter); ok {
			errs = append(errs, w.writeBeacon(r))
		}
	}
	return errors.Join(errs...)
}
