// Package report prints flow records and run summaries: JSON lines and CSV
// for machines, aligned tables and summaries for people. It never decodes
// packets; everything it shows comes from flow.Record and flow.Stats.
package report

import (
	"github.com/flowscope/flowscope/flow"
)

// Input describes one capture file that was read.
type Input struct {
	Path, Format string // format e.g. "pcapng (zstd)"
	Packets      uint64
	LinkTypes    []string
	// Problem is empty, or a one-line description of what went wrong
	// (e.g. "truncated at byte 4096 ...").
	Problem string
}

// Summary is everything the end-of-run summary shows.
type Summary struct {
	Inputs     []Input
	Stats      flow.Stats
	Records    []flow.Record // all records, for top talkers / ports (when Tally is nil)
	Tally      *Tally        // the records tallied as they came, instead of Records (its allowlist, not Options.Allow, applies)
	FilterExpr string        // BPF filter, if any
	Filtered   uint64        // packets the filter rejected
	Capture    *Capture      // live capture, nil for files
	Export     [][2]string   // the exporter's report (--ipfix), key and value rows
	Beacons    *BeaconStats  // the beacon detector's counts, nil when it was off
}

// Options controls the outputs.
type Options struct {
	Top    int        // table rows at most (0 = all)
	Width  int        // terminal width to fit (0 = do not fit, e.g. not a terminal)
	Allow  *Allowlist // findings to suppress in every output (nil = none)
	Format string     // WriteFindings' output: "table" (or ""), "json" or "csv"
	Fields []string   // CSV columns (and table columns) to show, by name; empty: the defaults
	Bytes  ByteKind   // what the table's byte columns count (and order by)
	// Hidden counts flows left out of the records given to WriteTable (a
	// TableKeeper's), for its "more flows" line.
	Hidden int
	// Refresh clears the terminal before each interval table, so that it
	// reads as one view updated in place (live capture on a terminal).
	Refresh bool
	// MinSeverity is the lowest severity of the findings every output
	// shows ("" = all; see CheckSeverity).
	MinSeverity string
	// ZeekJSON writes Zeek's logs as JSON lines (LogAscii::use_json)
	// rather than TSV.
	ZeekJSON bool
	// Beacons are beacon records (see beacon.go) whose findings the
	// table lists after the flows'; they are no rows.
	Beacons []flow.Record
}

// hasPorts reports whether a side's Port is a transport port worth showing;
// ICMP keys carry type and code there, which read wrongly as "ip:port".
func hasPorts(r *flow.Record, port uint16) bool {
	if port == 0 && isBeaconRecord(r) {
		return false // a beacon record's client: a group has no one port
	}
	switch r.Proto {
	case "tcp", "udp", "sctp":
		return true
	case "icmp", "icmp6":
		return false
	}
	return port != 0
}
