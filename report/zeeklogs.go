package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/flowscope/flowscope/flow"
)

// ZeekLogs writes Zeek's logs, one file each (conn, dns, ssl, http, ssh and
// notice.log, joined by uid), beside the output format: an Exporter, so
// that the pipeline's workers encode every log's lines and the writer only
// copies them, in the records' order.
type ZeekLogs struct {
	where  string // for the summary: the directory
	ws     []*ZeekWriter
	closes []io.Closer
	lines  []uint64
}

// NewZeekLogs creates each log with create(name), e.g. "conn.log" (Zeek
// names its JSON logs the same), and writes them as TSV or JSON;
// notice.log keeps the findings the allowlist and minSeverity let through,
// as every output does. where names the logs in the summary.
func NewZeekLogs(where string, create func(name string) (io.WriteCloser, error), json bool, allow *Allowlist, minSeverity string) (*ZeekLogs, error) {
	z := &ZeekLogs{where: where, lines: make([]uint64, len(zeekLogs))}
	keep := newFindingFilter(allow, minSeverity)
	for _, log := range zeekLogs {
		name := log.path + ".log"
		w, err := create(name)
		if err != nil {
			for _, c := range z.closes {
				c.Close()
			}
			return nil, fmt.Errorf("creating %s: %w", name, err)
		}
		z.ws = append(z.ws, newZeekWriter(w, log, json, keep))
		z.closes = append(z.closes, w)
	}
	return z, nil
}

// AppendRecord encodes r's lines in every log, each log's behind its
// length; it may run on any goroutine.
func (z *ZeekLogs) AppendRecord(dst []byte, r *flow.Record) []byte {
	for _, w := range z.ws {
		var at int
		dst, at = startFrame(dst)
		dst = endFrame(w.Encode(dst, r), at)
	}
	return dst
}

// WriteRecord writes what AppendRecord encoded to each log.
func (z *ZeekLogs) WriteRecord(b []byte) error {
	var errs []error
	for i, w := range z.ws {
		frame, rest, err := nextFrame(b)
		if err != nil {
			return err
		}
		if len(frame) > 0 {
			errs = append(errs, w.WriteEncoded(frame)) // the other logs still get theirs
			z.lines[i] += uint64(bytes.Count(frame, []byte{'\n'}))
		}
		b = rest
	}
	return errors.Join(errs...)
}

// Flush writes out every log's buffer.
func (z *ZeekLogs) Flush() error {
	var err error
	for _, w := range z.ws {
		if ferr := w.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

// Close ends every log (Zeek's #close line) and closes its file.
func (z *ZeekLogs) Close() error {
	var err error
	for i, w := range z.ws {
		if ferr := w.Finish(); err == nil {
			err = ferr
		}
		if cerr := z.closes[i].Close(); err == nil {
			err = cerr
		}
	}
	z.ws, z.closes = nil, nil
	return err
}

// Report says where the logs went and how many lines each got.
func (z *ZeekLogs) Report() [][2]string {
	var parts []string
	for i, log := range zeekLogs {
		parts = append(parts, fmt.Sprintf("%s %d", log.path, z.lines[i]))
	}
	return [][2]string{{"zeek logs", z.where + ": " + strings.Join(parts, ", ") + " lines"}}
}

// writeBeacon writes a beacon finding to notice.log (a group's finding: no
// connection's line in the other logs).
func (z *ZeekLogs) writeBeacon(r *flow.Record) error {
	for i, log := range zeekLogs {
		if log == zeekNotice {
			b := z.ws[i].Encode(nil, r)
			z.lines[i] += uint64(bytes.Count(b, []byte{'\n'}))
			return z.ws[i].WriteEncoded(b)
		}
	}
	return nil
}
