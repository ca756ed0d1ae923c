package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/flowscope/flowscope/flow"
)

// csvHeader names the CSV columns; scripts depend on it, so tests pin it.
const csvHeader = "id,proto,client_ip,client_port,server_ip,server_port," +
	"client_packets,client_bytes,client_payload_bytes," +
	"server_packets,server_bytes,server_payload_bytes," +
	"first_seen,last_seen,duration,conn_state,history,community_id," +
	"direction_by,end_reason,vlan,tunnel,tunnel_parent,ip_fragments," +
	"service,port_service,port_class,findings\r\n"

// CSVWriter streams flow records as RFC 4180 CSV (CRLF line ends) under a
// header row.
type CSVWriter struct {
	bw     *bufio.Writer
	buf    []byte
	cell   []byte // the findings cell, before quoting
	header bool   // header written
	allow  *Allowlist
}

// NewCSVWriter returns a CSVWriter that buffers its output to w; call Flush at the end.
func NewCSVWriter(w io.Writer, opt Options) *CSVWriter {
	return &CSVWriter{bw: bufio.NewWriterSize(w, 64<<10), buf: make([]byte, 0, 512), allow: opt.Allow}
}

// Write encodes r as one CSV row, after the header row if this is the first;
// its findings cell leaves out what opt.Allow suppresses.
func (cw *CSVWriter) Write(r *flow.Record) error {
	cw.writeHeader()
	fs, _ := cw.allow.Filter(r)
	cw.buf = appendCSVRecord(cw.buf[:0], r)
	cw.buf = append(cw.buf, ',')
	cw.buf = appendCSVField(cw.buf, r.Service)
	cw.buf = append(cw.buf, ',')
	cw.buf = appendCSVField(cw.buf, r.PortService)
	cw.buf = append(cw.buf, ',')
	cw.buf = appendCSVField(cw.buf, r.PortClass)
	cw.buf = append(cw.buf, ',')
	if len(fs) > 0 {
		cw.cell = appendFindingsCell(cw.cell[:0], fs)
		cw.buf = appendCSVField(cw.buf, string(cw.cell))
	}
	cw.buf = append(cw.buf, '\r', '\n')
	if _, err := cw.bw.Write(cw.buf); err != nil {
		return fmt.Errorf("report: write csv record %d: %w", r.ID, err)
	}
	return nil
}

// Flush writes any buffered output, and the header row if no record came.
func (cw *CSVWriter) Flush() error {
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
		cw.bw.WriteString(csvHeader)
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

// appendCSVRecord appends r's cells up to ip_fragments, without a line end.
func appendCSVRecord(b []byte, r *flow.Record) []byte {
	b = strconv.AppendUint(b, r.ID, 10)
	b = append(b, ',')
	b = appendCSVField(b, r.Proto)
	b = append(b, ',')
	b = appendCSVIP(b, &r.Client)
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(r.Client.Port), 10)
	b = append(b, ',')
	b = appendCSVIP(b, &r.Server)
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(r.Server.Port), 10)
	for _, s := range [2]*flow.Side{&r.Client, &r.Server} {
		b = append(b, ',')
		b = strconv.AppendUint(b, s.Packets, 10)
		b = append(b, ',')
		b = strconv.AppendUint(b, s.Bytes, 10)
		b = append(b, ',')
		b = strconv.AppendUint(b, s.PayloadBytes, 10)
	}
	b = append(b, ',')
	b = appendTime(b, r.FirstSeen)
	b = append(b, ',')
	b = appendTime(b, r.LastSeen)
	b = append(b, ',')
	if d := r.Duration(); d < 0 {
		// A leading '-' would trip the injection guard: quote the cell.
		b = append(b, '\'')
		b = appendSeconds(b, d)
	} else {
		b = appendSeconds(b, d)
	}
	b = append(b, ',')
	b = appendCSVField(b, r.ConnState)
	b = append(b, ',')
	b = appendCSVField(b, r.History)
	b = append(b, ',')
	b = appendCSVField(b, r.CommunityID)
	b = append(b, ',')
	b = appendCSVField(b, r.DirectionBy)
	b = append(b, ',')
	b = appendCSVField(b, r.EndReason)
	b = append(b, ',')
	if r.VLAN != 0 {
		b = strconv.AppendUint(b, uint64(r.VLAN), 10)
	}
	b = append(b, ',')
	b = appendCSVField(b, r.Tunnel)
	b = append(b, ',')
	if r.TunnelParent != 0 {
		b = strconv.AppendUint(b, r.TunnelParent, 10)
	}
	b = append(b, ',')
	if r.Fragments != 0 {
		b = strconv.AppendUint(b, r.Fragments, 10)
	}
	return b
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
