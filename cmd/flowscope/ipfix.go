package main

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/flowscope/flowscope/export/ipfix"
	"github.com/flowscope/flowscope/report"
)

// ipfixActive is the active timeout --ipfix implies when --active-timeout
// is not given: a collector then sees a long flow every minute, as from a
// router, rather than once every 30 minutes.
const ipfixActive = 60 * time.Second

// ipfixExport is the --ipfix exporter as the report's sinks take it.
type ipfixExport struct {
	ipfix.Record
	*ipfix.Exporter
	stderr io.Writer
	quiet  bool
}

// openIPFIX connects to the --ipfix collector (nil without --ipfix). Live,
// it runs before the process confines itself.
func (o *options) openIPFIX(stderr io.Writer) (report.Exporter, error) {
	if o.ipfixTarget == nil {
		return nil, nil
	}
	e, err := ipfix.Dial(o.ipfixTarget, ipfix.Config{Domain: o.ipfixDomain})
	if err != nil {
		return nil, fmt.Errorf("--ipfix: %w", err)
	}
	return &ipfixExport{Exporter: e, stderr: stderr, quiet: o.quiet}, nil
}

// Report is the summary's account of the export: where, what went, and
// what was lost.
func (x *ipfixExport) Report() [][2]string {
	return ipfixRows(x.Target().String(), x.Domain(), x.Stats(), x.FirstError())
}

// ipfixRows are the summary's rows for an export's figures.
func ipfixRows(target string, domain uint32, s ipfix.Stats, firstErr error) [][2]string {
	rows := [][2]string{
		{"ipfix", fmt.Sprintf("%s, observation domain %d", target, domain)},
		{"sent", fmt.Sprintf("%d flow records in %d messages (%d bytes)", s.Records, s.Messages, s.Octets)},
	}
	if s.Reconnects > 0 {
		rows = append(rows, [2]string{"reconnects", strconv.FormatUint(s.Reconnects, 10)})
	}
	if s.Delayed > 0 {
		// Held while the collector was away, sent when it came back (the
		// ones that never went are among the send errors).
		rows = append(rows, [2]string{"delayed", fmt.Sprintf("%d messages held while the collector was away", s.Delayed)})
	}
	if s.SendErrors > 0 {
		rows = append(rows, [2]string{"send errors", fmt.Sprintf("%d, %d flow records lost (first: %v)", s.SendErrors, s.NotSent, firstErr)})
	}
	return rows
}

// Close ends the export. With -q there is no summary, but lost flows are
// still said, on stderr.
func (x *ipfixExport) Close() error {
	err := x.Exporter.Close()
	if s := x.Stats(); x.quiet && s.SendErrors > 0 {
		fmt.Fprintf(x.stderr, "flowscope: warning: ipfix to %s: %d send errors, %d flow records lost (first: %v)\n",
			x.Target(), s.SendErrors, s.NotSent, x.FirstError())
	}
	return err
}
