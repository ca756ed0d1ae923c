package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/flowscope/flowscope/flow"
)

// CSVWriter streams flow records as RFC 4180 CSV (CRLF line ends) under a
// header row.
type CSVWriter struct {
	bw     *bufio.Writer
	buf    []byte
	header bool // header written
	keep   findingFilter
	cols   []csvColumn
	err    error // a bad opt.Fields, returned by Write and Flush
}

// NewCSVWriter returns a CSVWriter that buffers its output to w; call Flush at the end.
func NewCSVWriter(w io.Writer, opt Options) *CSVWriter {
	cols, err := pickCSVColumns(opt.Fields)
	return &CSVWriter{bw: bufio.NewWriterSize(w, 64<<10), buf: make([]byte, 0, 512), keep: newFindingFilter(opt.Allow, opt.MinSeverity), cols: cols, err: err}
}

// Write encodes r as one CSV row, after the header row if this is the first;
// its findings cell leaves out what opt.Allow and opt.MinSeverity do not let through.
func (cw *CSVWriter) Write(r *flow.Record) error {
	if cw.err != nil {
		return cw.err
	}
	cw.writeHeader()
	cw.buf = cw.Encode(cw.buf[:0], r)
	if _, err := cw.bw.Write(cw.buf); err != nil {
		return fmt.Errorf("report: write csv record %d: %w", r.ID, err)
	}
	return nil
}

// Encode appends r's CSV row to dst; it may run on any goroutine.
func (cw *CSVWriter) Encode(dst []byte, r *flow.Record) []byte {
	fs, _ := cw.keep.filter(r)
	for i, c := range cw.cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = c.cell(dst, r, fs)
	}
	return append(dst, '\r', '\n')
}

// WriteEncoded writes rows Encode made, after the header row.
func (cw *CSVWriter) WriteEncoded(b []byte) error {
	if cw.err != nil {
		return cw.err
	}
	cw.writeHeader()
	if _, err := cw.bw.Write(b); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	return nil
}

// Flush writes any buffered output, and the header row if no record came.
func (cw *CSVWriter) Flush() error {
	if cw.err != nil {
		return cw.err
	}
	cw.writeHeader()
	if err := cw.bw.Flush(); err != nil {
		return fmt.Errorf("report: flush csv: %w", err)
	}
	return nil
}

// writeHeader leaves errors to the next Write or Flush: bufio keeps them.
func (cw *CSVWriter) writeHeader() {
	if !cw.header {
		cw.header = true
		for i, c := range cw.cols {
			if i > 0 {
				cw.bw.WriteByte(',')
			}
			cw.bw.WriteString(c.name)
		}
		cw.bw.WriteString("\r\n")
	}
}

// WriteCSV writes a header row and one row per record, in the order given.
func WriteCSV(w io.Writer, recs []flow.Record, opt Options) error {
	cw := NewCSVWriter(w, opt)
	for i := range recs {
		if err := cw.Write(&recs[i]); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// appendFindingsCell appends fs as "kind:service:port" joined by ";"
// (e.g. "nonstandard-port:ssh:tcp/2222"; service is empty when none was
// recognised).
func appendFindingsCell(b []byte, fs []Finding) []byte {
	for i := range fs {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, fs[i].Kind...)
		b = append(b, ':')
		b = append(b, fs[i].Service...)
		b = append(b, ':')
		b = append(b, fs[i].Port...)
	}
	return b
}

// appendCSVIP appends the side's address ("" when unset). Only a zone can
// hold characters that need quoting or guarding.
func appendCSVIP(b []byte, s *flow.Side) []byte {
	if s.IP.Zone() != "" {
		return appendCSVField(b, s.IP.String())
	}
	return s.IP.AppendTo(b)
}

// appendCSVField appends s as one CSV cell. Formula-injection guard: a
// spreadsheet runs a cell that starts with = + - @ tab or CR as a formula,
// so such a cell gets a leading single quote, which spreadsheets show as
// text (OWASP's CSV injection advice). The cell is then quoted per RFC 4180
// if it holds a comma, quote, CR or LF, or starts with a space.
func appendCSVField(b []byte, s string) []byte {
	guard := s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
	quote := strings.ContainsAny(s, ",\"\r\n") || (s != "" && s[0] == ' ')
	if !guard && !quote {
		return append(b, s...)
	}
	if quote {
		b = append(b, '"')
	}
	if guard {
		b = append(b, '\'')
	}
	if !quote {
		return append(b, s...)
	}
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}
