package main

import (
	"fmt"
	"io"
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

// Close ends the export and says what went out; send errors are said even
// with -q, since those flows never reached the collector.
func (x *ipfixExport) Close() error {
	err := x.Exporter.Close()
	s := x.Stats()
	if !x.quiet || s.SendErrors > 0 {
		fmt.Fprintf(x.stderr, "ipfix: %d flow records in %d messages (%d bytes) to %s, observation domain %d",
			s.Records, s.Messages, s.Octets, x.Target(), x.Domain())
		if s.Reconnects > 0 {
			fmt.Fprintf(x.stderr, "; %d reconnects", s.Reconnects)
		}
		if s.SendErrors > 0 {
			fmt.Fprintf(x.stderr, "; %d send errors, %d flow records lost (first: %v)", s.SendErrors, s.NotSent, x.FirstError())
		}
		fmt.Fprintln(x.stderr)
	}
	return err
}
