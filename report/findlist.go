package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flowscope/flowscope/flow"
)

// flowFinding is a finding and the record it is about.
type flowFinding struct {
	r *flow.Record
	f Finding
}

// collectFindings returns the findings of recs that opt's allowlist and
// minimum severity let through, in recs' order, and how many the allowlist
// suppressed.
func collectFindings(recs []flow.Record, opt Options) (ffs []flowFinding, suppressed int) {
	keep := newFindingFilter(opt.Allow, opt.MinSeverity)
	for i := range recs {
		fs, n := keep.filter(&recs[i])
		suppressed += n
		for _, f := range fs {
			ffs = append(ffs, flowFinding{&recs[i], f})
		}
	}
	return ffs, suppressed
}

// sortFindings orders by severity (high first), then flow ID; a flow's
// own findings keep their order.
func sortFindings(ffs []flowFinding) {
	slices.SortStableFunc(ffs, func(a, b flowFinding) int {
		if c := cmp.Compare(severityRank(a.f.Severity), severityRank(b.f.Severity)); c != 0 {
			return c
		}
		return cmp.Compare(a.r.ID, b.r.ID)
	})
}

// WriteFindings writes only the findings opt.Allow and opt.MinSeverity let
// through, as opt.Format says (table, json or csv lines in recs' order, or
// Zeek's notice.log).
func WriteFindings(w io.Writer, recs []flow.Record, opt Options) error {
	ffs, suppressed := collectFindings(recs, opt)
	bw := bufio.NewWriterSize(w, 64<<10)
	switch opt.Format {
	case "", "table":
		if len(ffs) == 0 {
			bw.WriteString("no findings\n")
		} else {
			writeFindingsSection(bw, ffs, opt.Width)
		}
		// No summary follows this table to say it.
		if suppressed > 0 {
			fmt.Fprintf(bw, "%d suppressed by the allowlist\n", suppressed)
		}
	case "json":
		var b []byte
		for i := range ffs {
			b = appendJSONFlowFinding(b[:0], &ffs[i])
			bw.Write(b)
		}
	case "csv":
		bw.WriteString(findingsCSVHeader)
		var b []byte
		for i := range ffs {
			b = appendCSVFlowFinding(b[:0], &ffs[i])
			bw.Write(b)
		}
	case "zeek":
		// Zeek's notice.log: a line per finding (its header and #close
		// even when there is none).
		zw := newZeekWriter(bw, zeekNotice, opt.ZeekJSON, newFindingFilter(nil, ""))
		var l zeekLine
		var b []byte
		zw.writeHeader()
		for i := range ffs {
			l.start(b[:0], opt.ZeekJSON, zeekNotice.fields)
			zeekNoticeLine(&l, ffs[i].r, &ffs[i].f)
			b = l.end()
			zw.bw.Write(b)
		}
		if err := zw.Finish(); err != nil {
			return fmt.Errorf("report: write findings: %w", err)
		}
	default:
		return fmt.Errorf("report: unknown findings format %q (want table, json, csv or zeek)", opt.Format)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: write findings: %w", err)
	}
	return nil
}

// appendJSONFlowFinding appends one finding as a JSON line: the flow's
// identity first, then the finding's fields.
func appendJSONFlowFinding(b []byte, ff *flowFinding) []byte {
	r := ff.r
	b = append(b, `{"id":`...)
	b = strconv.AppendUint(b, r.ID, 10)
	b = append(b, `,"proto":`...)
	b = appendJSONString(b, r.Proto)
	for _, s := range [2]struct {
		name string
		side *flow.Side
	}{{`,"client":{"ip":`, &r.Client}, {`,"server":{"ip":`, &r.Server}} {
		b = append(b, s.name...)
		b = appendJSONIP(b, s.side)
		b = append(b, `,"port":`...)
		b = strconv.AppendUint(b, uint64(s.side.Port), 10)
		b = append(b, '}')
	}
	b = append(b, `,"community_id":`...)
	b = appendJSONString(b, r.CommunityID)
	b = append(b, ',')
	b = appendJSONFindingFields(b, &ff.f)
	return append(b, '}', '\n')
}

// findingsCSVHeader names WriteFindings' CSV columns; lists inside a cell
// are joined by ";", as in the flow CSV's findings column.
const findingsCSVHeader = "id,proto,client_ip,client_port,server_ip,server_port,community_id," +
	"kind,severity,service,port,expected_services,expected_ports,detector,confidence," +
	"frame,direction,evidence,reason\r\n"

func appendCSVFlowFinding(b []byte, ff *flowFinding) []byte {
	r, f := ff.r, &ff.f
	b = strconv.AppendUint(b, r.ID, 10)
	b = append(b, ',')
	b = appendCSVField(b, r.Proto)
	for _, s := range [2]*flow.Side{&r.Client, &r.Server} {
		b = append(b, ',')
		b = appendCSVIP(b, s)
		b = append(b, ',')
		b = strconv.AppendUint(b, uint64(s.Port), 10)
	}
	for _, cell := range [...]string{r.CommunityID, f.Kind, f.Severity, f.Service, f.Port,
		strings.Join(f.ExpectedServices, ";"), strings.Join(f.ExpectedPorts, ";"), f.Detector, f.Confidence} {
		b = append(b, ',')
		b = appendCSVField(b, cell)
	}
	b = append(b, ',')
	if f.Frame != 0 {
		b = strconv.AppendUint(b, f.Frame, 10)
	}
	for _, cell := range [...]string{f.Direction, f.Evidence, f.Reason} {
		b = append(b, ',')
		b = appendCSVField(b, cell)
	}
	return append(b, '\r', '\n')
}

// Aligned columns of a finding's first line; the flow follows them.
const (
	fcSeverity = iota
	fcKind
	fcService
	fcPort
	fcID
	numFindingCols
)

// writeFindingsSection writes "findings:" and two lines per finding,
// sorted by severity then flow ID: severity, kind, service, port and flow
// (ID, client → server) aligned, then the reason and the evidence. With
// maxWidth > 0, addresses are shortened to fit, the evidence moves to a
// third line when some does not fit after its reason, and lines are cut
// (long evidence ends in "…"). It reorders ffs.
func writeFindingsSection(bw *bufio.Writer, ffs []flowFinding, maxWidth int) {
	sortFindings(ffs)
	cells := make([][numFindingCols]string, len(ffs))
	evs := make([]string, len(ffs))
	var width [numFindingCols]int
	// Evidence gets lines of its own (in every finding, for a steady
	// layout) rather than be cut away after a long reason.
	split := false
	for i := range ffs {
		r, f := ffs[i].r, &ffs[i].f
		c := &cells[i]
		c[fcSeverity] = f.Severity
		c[fcKind] = f.Kind
		// A finding without a service is payload no detector recognised.
		c[fcService] = cmp.Or(f.Service, "?")
		c[fcPort] = f.Port
		c[fcID] = "#" + strconv.FormatUint(r.ID, 10)
		for k := range numFindingCols {
			width[k] = max(width[k], utf8.RuneCountInString(c[k]))
		}
		if f.Evidence != "" {
			evs[i] = string(appendEvidence(nil, f))
			split = split || maxWidth > 0 && 4+utf8.RuneCountInString(f.Reason)+2+len(evs[i]) > maxWidth
		}
	}

	bw.WriteString("findings:\n")
	var t table // for its address formatting
	var line []byte
	flush := func() {
		for len(line) > 0 && line[len(line)-1] == ' ' {
			line = line[:len(line)-1]
		}
		if maxWidth > 0 {
			line = cutRunes(line, maxWidth)
		}
		bw.Write(line)
		bw.WriteByte('\n')
	}
	for i := range ffs {
		r := ffs[i].r
		line = appendSpaces(line[:0], 2)
		for k := range numFindingCols {
			line = append(line, cells[i][k]...)
			line = appendSpaces(line, width[k]-utf8.RuneCountInString(cells[i][k])+colGap)
		}
		line = t.appendFlow(line, r, maxWidth-utf8.RuneCount(line))
		flush()

		line = append(appendSpaces(line[:0], 4), ffs[i].f.Reason...)
		if evs[i] != "" {
			if split {
				flush()
				line = appendSpaces(line[:0], 4)
			} else {
				line = append(line, "; "...)
			}
			line = append(line, evs[i]...)
		}
		flush()
	}
}

// appendEvidence appends "evidence (server, frame 4): bytes" for f.
func appendEvidence(b []byte, f *Finding) []byte {
	b = append(b, "evidence"...)
	switch {
	case f.Direction != "" && f.Frame != 0:
		b = fmt.Appendf(b, " (%s, frame %d)", f.Direction, f.Frame)
	case f.Direction != "":
		b = fmt.Appendf(b, " (%s)", f.Direction)
	case f.Frame != 0:
		b = fmt.Appendf(b, " (frame %d)", f.Frame)
	}
	b = append(b, ": "...)
	return append(b, f.Evidence...)
}

// appendFlow appends "client → server", shortening the addresses (never
// the ports) to fit maxRunes when maxRunes > 0.
func (t *table) appendFlow(b []byte, r *flow.Record, maxRunes int) []byte {
	const arrow = " → "
	cw, sw := 0, 0
	if maxRunes > 0 {
		nc := utf8.RuneCount(t.appendAddr(nil, r, &r.Client, 0))
		ns := utf8.RuneCount(t.appendAddr(nil, r, &r.Server, 0))
		if nc+ns+utf8.RuneCountInString(arrow) > maxRunes {
			cw, sw = splitBudget(maxRunes-utf8.RuneCountInString(arrow), nc, ns)
			cw = max(cw, addrFixed(r, &r.Client)+1)
			sw = max(sw, addrFixed(r, &r.Server)+1)
		}
	}
	b = t.appendAddr(b, r, &r.Client, cw)
	b = append(b, arrow...)
	return t.appendAddr(b, r, &r.Server, sw)
}
