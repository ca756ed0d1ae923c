package report

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/flowscope/flowscope/flow"
)

// Zeek's logs, in its ASCII (TSV) format or its JSON one
// (LogAscii::use_json), so that what reads Zeek logs (zeek-cut, RITA, Zui,
// Security Onion, Splunk and Elastic integrations) reads flowscope's flows.
// Field names, types and meanings are Zeek's; README "Zeek logs" lists
// where they differ. A log is a zeekLog: its fields and a function that
// writes a record's line, if the record has one in that log.

// zeekLog is one of Zeek's logs.
type zeekLog struct {
	path   string
	fields [][2]string // name and Zeek type, in Zeek's order
	// line writes r's line through l, field by field in order; false when
	// r has no line in this log.
	line func(l *zeekLine, r *flow.Record, fs []Finding) bool
}

// zeekID are the fields every log starts with.
var zeekID = [][2]string{{"ts", "time"}, {"uid", "string"}, {"id.orig_h", "addr"}, {"id.orig_p", "port"},
	{"id.resp_h", "addr"}, {"id.resp_p", "port"}}

func zeekFields(rest ...[2]string) [][2]string {
	return append(append([][2]string{}, zeekID...), rest...)
}

// zeekLogs are the logs --zeek-logs writes (ZeekLogs); conn is -o zeek's.
var zeekLogs = []*zeekLog{zeekConn, zeekDNS, zeekSSL, zeekHTTP, zeekSSH, zeekNotice}

// zeekConn is conn.log (Zeek 7 added ip_proto; community_id is what
// Zeek's Community ID package adds).
var zeekConn = &zeekLog{path: "conn", fields: zeekFields(
	[2]string{"proto", "enum"}, [2]string{"service", "string"}, [2]string{"duration", "interval"},
	[2]string{"orig_bytes", "count"}, [2]string{"resp_bytes", "count"}, [2]string{"conn_state", "string"},
	[2]string{"local_orig", "bool"}, [2]string{"local_resp", "bool"}, [2]string{"missed_bytes", "count"},
	[2]string{"history", "string"}, [2]string{"orig_pkts", "count"}, [2]string{"orig_ip_bytes", "count"},
	[2]string{"resp_pkts", "count"}, [2]string{"resp_ip_bytes", "count"}, [2]string{"tunnel_parents", "set[string]"},
	[2]string{"ip_proto", "count"}, [2]string{"community_id", "string"}),
	line: func(l *zeekLine, r *flow.Record, _ []Finding) bool {
		l.id(r)
		l.str(zeekProto(r.Proto))
		l.str(zeekService(r.Service))
		// Zeek stops a TCP connection's duration when both sides have
		// closed (the last ACK does not count), and leaves duration and
		// payload bytes unset for a connection of no duration.
		last := r.LastSeen
		if !r.Closed.IsZero() && r.Closed.Before(last) {
			last = r.Closed
		}
		if d := last.Sub(r.FirstSeen); d > 0 {
			l.interval(d)
			l.count(r.Client.PayloadBytes)
			l.count(r.Server.PayloadBytes)
		} else {
			l.unset()
			l.unset()
			l.unset()
		}
		l.str(r.ConnState)
		// local_orig and local_resp: unset, as Zeek leaves them without
		// Site::local_nets. missed_bytes: unset, flowscope does not count
		// the stream's gaps (Zeek would write 0 for none; "-" claims nothing).
		l.unset()
		l.unset()
		l.unset()
		l.str(r.History)
		l.count(r.Client.Packets)
		l.count(r.Client.Bytes)
		l.count(r.Server.Packets)
		l.count(r.Server.Bytes)
		if r.TunnelParent != 0 {
			l.set(ZeekUID(r.TunnelParent))
		} else {
			l.unset()
		}
		l.count(uint64(r.IPProto))
		l.str(r.CommunityID)
		return true
	}}

// zeekDNS is dns.log: one line per DNS flow (Zeek writes one per
// transaction; a flowscope flow keeps its first question and answers).
var zeekDNS = &zeekLog{path: "dns", fields: zeekFields(
	[2]string{"proto", "enum"}, [2]string{"query", "string"}, [2]string{"qtype", "count"},
	[2]string{"qtype_name", "string"}, [2]string{"rcode_name", "string"}, [2]string{"answers", "vector[string]"}),
	line: func(l *zeekLine, r *flow.Record, _ []Finding) bool {
		d := r.DNS
		if d == nil || d.Query == "" {
			return false
		}
		l.id(r)
		l.str(zeekProto(r.Proto))
		l.wire(d.Query)
		if n, name, ok := zeekQType(d.QType); ok {
			l.count(n)
			l.str(name)
		} else {
			l.unset()
			l.wire(d.QType)
		}
		l.str(d.RCode)
		if len(d.Answers) > 0 {
			l.wireSet(d.Answers)
		} else {
			l.unset() // as Zeek, when nothing was answered
		}
		return true
	}}

// zeekSSL is ssl.log, with the fingerprints as the JA3 and JA4 packages
// name them.
var zeekSSL = &zeekLog{path: "ssl", fields: zeekFields(
	[2]string{"version", "string"}, [2]string{"cipher", "string"}, [2]string{"server_name", "string"},
	[2]string{"next_protocol", "string"}, [2]string{"ja3", "string"}, [2]string{"ja3s", "string"},
	[2]string{"ja4", "string"}, [2]string{"subject", "string"}, [2]string{"issuer", "string"}),
	line: func(l *zeekLine, r *flow.Record, _ []Finding) bool {
		t := r.TLS
		if t == nil {
			return false
		}
		l.id(r)
		l.str(zeekTLSVersion(t.Version))
		l.str(t.Cipher)
		l.wire(t.SNI)
		l.wire(t.ALPNChosen)
		l.str(t.JA3Hash)
		l.str(t.JA3SHash)
		l.str(t.JA4)
		if t.Cert != nil {
			l.wire(t.Cert.Subject)
			l.wire(t.Cert.Issuer)
		} else {
			l.unset()
			l.unset()
		}
		return true
	}}

// zeekHTTP is http.log: the flow's first request and its response.
var zeekHTTP = &zeekLog{path: "http", fields: zeekFields(
	[2]string{"trans_depth", "count"}, [2]string{"method", "string"}, [2]string{"host", "string"},
	[2]string{"uri", "string"}, [2]string{"user_agent", "string"}, [2]string{"status_code", "count"}),
	line: func(l *zeekLine, r *flow.Record, _ []Finding) bool {
		h := r.HTTP
		if h == nil {
			return false
		}
		l.id(r)
		l.count(1)
		l.wire(h.Method)
		l.wire(h.Host)
		l.wire(h.Path)
		l.wire(h.UserAgent)
		if h.Status != 0 {
			l.count(uint64(h.Status))
		} else {
			l.unset()
		}
		return true
	}}

// zeekSSH is ssh.log, with the HASSH fingerprints as the hassh package
// names them.
var zeekSSH = &zeekLog{path: "ssh", fields: zeekFields(
	[2]string{"version", "count"}, [2]string{"client", "string"}, [2]string{"server", "string"},
	[2]string{"hassh", "string"}, [2]string{"hasshServer", "string"}),
	line: func(l *zeekLine, r *flow.Record, _ []Finding) bool {
		s := r.SSH
		if s == nil {
			return false
		}
		l.id(r)
		if v := zeekSSHVersion(s.Server.Ident); v != 0 {
			l.count(v)
		} else {
			l.unset()
		}
		l.wire(s.Client.Ident)
		l.wire(s.Server.Ident)
		l.str(s.Client.HASSH)
		l.str(s.Server.HASSH)
		return true
	}}

// zeekNotice is notice.log-style: one line per finding, the note named
// FlowScope::Kind as Zeek names its notices (Module::Name).
var zeekNotice = &zeekLog{path: "notice", fields: zeekFields(
	[2]string{"proto", "enum"}, [2]string{"note", "string"}, [2]string{"msg", "string"},
	[2]string{"sub", "string"}, [2]string{"src", "addr"}, [2]string{"dst", "addr"}, [2]string{"p", "port"},
	[2]string{"severity", "string"}),
	line: nil, // one line per finding: see zeekNoticeLines
}

// zeekLine writes one line, field by field, as TSV or JSON.
type zeekLine struct {
	b     []byte
	json  bool
	names [][2]string
	i     int // next field
}

func (l *zeekLine) start(dst []byte, json bool, fields [][2]string) {
	l.b, l.json, l.names, l.i = dst, json, fields, 0
	if json {
		l.b = append(l.b, '{')
	}
}

func (l *zeekLine) end() []byte {
	if l.json {
		if l.b[len(l.b)-1] == ',' {
			l.b = l.b[:len(l.b)-1]
		}
		l.b = append(l.b, '}')
	}
	return append(l.b, '\n')
}

// next starts the next field: a tab between TSV cells, the name in JSON.
func (l *zeekLine) next() {
	if l.json {
		l.b = append(l.b, '"')
		l.b = append(l.b, l.names[l.i][0]...)
		l.b = append(l.b, '"', ':')
	} else if l.i > 0 {
		l.b = append(l.b, '\t')
	}
	l.i++
}

// done ends a JSON field.
func (l *zeekLine) done() {
	if l.json {
		l.b = append(l.b, ',')
	}
}

// unset leaves the field out of JSON and writes "-" in TSV.
func (l *zeekLine) unset() {
	if l.json {
		l.i++
		return
	}
	l.next()
	l.b = append(l.b, '-')
}

// str writes a string flowscope made (a name, a state): unset when empty.
func (l *zeekLine) str(s string) { l.wire(s) }

// wire writes a string from the wire, escaped as Zeek's writers do.
func (l *zeekLine) wire(s string) {
	if s == "" {
		l.unset()
		return
	}
	l.next()
	if l.json {
		l.b = appendJSONString(l.b, zeekEscape(s, false))
	} else {
		l.b = appendZeekString(l.b, s, false)
	}
	l.done()
}

// escaped writes a string already escaped to printable ASCII (a finding's
// evidence): as it is in TSV, as a JSON string in JSON.
func (l *zeekLine) escaped(s string) {
	if s == "" {
		l.unset()
		return
	}
	l.next()
	switch {
	case l.json:
		l.b = appendJSONString(l.b, s)
	case s == "-" || s == "(empty)":
		l.b = appendZeekString(l.b, s, false) // not to read as unset or empty
	default:
		l.b = append(l.b, s...)
	}
	l.done()
}

func (l *zeekLine) count(n uint64) {
	l.next()
	l.b = strconv.AppendUint(l.b, n, 10)
	l.done()
}

func (l *zeekLine) interval(d time.Duration) {
	l.next()
	l.b = appendZeekMicros(l.b, d.Microseconds())
	l.done()
}

func (l *zeekLine) time(t time.Time) {
	l.next()
	l.b = appendZeekMicros(l.b, t.UnixMicro())
	l.done()
}

func (l *zeekLine) addr(a netip.Addr) {
	l.next()
	if l.json {
		l.b = append(l.b, '"')
		l.b = a.Unmap().AppendTo(l.b)
		l.b = append(l.b, '"')
	} else {
		l.b = a.Unmap().AppendTo(l.b)
	}
	l.done()
}

// set writes a set or vector of strings flowscope made.
func (l *zeekLine) set(ss ...string) { l.wireSet(ss) }

// wireSet writes a set or vector: comma-separated in TSV ("(empty)" when
// empty), an array in JSON.
func (l *zeekLine) wireSet(ss []string) {
	l.next()
	if l.json {
		l.b = append(l.b, '[')
		for i, s := range ss {
			if i > 0 {
				l.b = append(l.b, ',')
			}
			l.b = appendJSONString(l.b, zeekEscape(s, false))
		}
		l.b = append(l.b, ']')
		l.done()
		return
	}
	if len(ss) == 0 {
		l.b = append(l.b, "(empty)"...)
		return
	}
	for i, s := range ss {
		if i > 0 {
			l.b = append(l.b, ',')
		}
		l.b = appendZeekString(l.b, s, true)
	}
}

// id writes the fields every log starts with.
func (l *zeekLine) id(r *flow.Record) {
	l.time(r.FirstSeen)
	l.str(ZeekUID(r.ID))
	l.addr(r.Client.IP)
	l.count(uint64(r.Client.Port))
	l.addr(r.Server.IP)
	l.count(uint64(r.Server.Port))
}

// zeekNow is the clock of the #open and #close lines (Zeek writes the wall
// time there); tests set it.
var zeekNow = time.Now

const zeekTimeFormat = "2006-01-02-15-04-05"

// ZeekWriter streams records as the lines of one Zeek log, as TSV under
// Zeek's header (closed by Finish) or as JSON lines.
type ZeekWriter struct {
	bw     *bufio.Writer
	log    *zeekLog
	json   bool
	keep   findingFilter
	buf    []byte
	header bool
}

// NewZeekWriter returns a writer of conn.log to w (JSON with json).
func NewZeekWriter(w io.Writer, json bool) *ZeekWriter {
	return newZeekWriter(w, zeekConn, json, newFindingFilter(nil, ""))
}

func newZeekWriter(w io.Writer, log *zeekLog, json bool, keep findingFilter) *ZeekWriter {
	return &ZeekWriter{bw: bufio.NewWriterSize(w, 64<<10), log: log, json: json, keep: keep, buf: make([]byte, 0, 512)}
}

func (z *ZeekWriter) writeHeader() {
	if z.header || z.json {
		return
	}
	z.header = true
	b := z.buf[:0]
	b = append(b, "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t"...)
	b = append(b, z.log.path...)
	b = append(b, "\n#open\t"...)
	b = zeekNow().UTC().AppendFormat(b, zeekTimeFormat)
	for i, what := range []string{"\n#fields", "\n#types"} {
		b = append(b, what...)
		for _, f := range z.log.fields {
			b = append(b, '\t')
			b = append(b, f[i]...)
		}
	}
	b = append(b, '\n')
	z.bw.Write(b)
}

// Write writes r's line(s), after the header if they are the first.
func (z *ZeekWriter) Write(r *flow.Record) error {
	z.writeHeader()
	z.buf = z.Encode(z.buf[:0], r)
	if _, err := z.bw.Write(z.buf); err != nil {
		return fmt.Errorf("report: write %s.log record %d: %w", z.log.path, r.ID, err)
	}
	return nil
}

// WriteEncoded writes lines Encode made, after the header.
func (z *ZeekWriter) WriteEncoded(b []byte) error {
	z.writeHeader()
	if _, err := z.bw.Write(b); err != nil {
		return fmt.Errorf("report: write %s.log: %w", z.log.path, err)
	}
	return nil
}

// Flush writes out what is buffered.
func (z *ZeekWriter) Flush() error { return z.bw.Flush() }

// Finish ends a TSV log with Zeek's #close line (the header first, when no
// line came: an empty log is still a log) and flushes.
func (z *ZeekWriter) Finish() error {
	if !z.json {
		z.writeHeader()
		b := append(z.buf[:0], "#close\t"...)
		b = zeekNow().UTC().AppendFormat(b, zeekTimeFormat)
		z.bw.Write(append(b, '\n'))
	}
	return z.bw.Flush()
}

// Encode appends r's line(s) in the log to dst; it may run on any goroutine.
func (z *ZeekWriter) Encode(dst []byte, r *flow.Record) []byte {
	var l zeekLine
	if z.log == zeekNotice {
		fs, _ := z.keep.filter(r)
		for i := range fs {
			l.start(dst, z.json, z.log.fields)
			zeekNoticeLine(&l, r, &fs[i])
			dst = l.end()
		}
		return dst
	}
	l.start(dst, z.json, z.log.fields)
	if !z.log.line(&l, r, nil) {
		return dst
	}
	return l.end()
}

func zeekNoticeLine(l *zeekLine, r *flow.Record, f *Finding) {
	l.id(r)
	l.str(zeekProto(r.Proto))
	l.str("FlowScope::" + zeekNoteName(f.Kind))
	l.wire(f.Reason)
	// Findings escaped the evidence as report.Escape does (\xNN, and \\
	// for a backslash); Zeek writes a backslash \x5c.
	l.escaped(strings.ReplaceAll(f.Evidence, `\\`, `\x5c`))
	l.addr(r.Client.IP)
	l.addr(r.Server.IP)
	l.count(uint64(r.Server.Port))
	l.str(f.Severity)
}

// zeekNoteName writes a finding kind as Zeek names notices:
// "nonstandard-port" is Nonstandard_Port.
func zeekNoteName(kind string) string {
	parts := strings.Split(kind, "-")
	for i, p := range parts {
		if p != "" {
			r := []rune(p)
			r[0] = unicode.ToUpper(r[0])
			parts[i] = string(r)
		}
	}
	return strings.Join(parts, "_")
}

// ZeekUID is the uid of the record with flow id: "C" and base62 digits of
// a mix of the id, like Zeek's random uids but the same for the same input,
// so that a tunnelled flow names its parent's uid without its record.
func ZeekUID(id uint64) string {
	return string(appendZeekUID(make([]byte, 0, 12), id))
}

func appendZeekUID(b []byte, id uint64) []byte {
	// splitmix64's finaliser: every bit of the id moves every bit of the uid.
	x := id + 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	x ^= x >> 31
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b = append(b, 'C')
	for range 11 { // 62^11 > 2^64
		b = append(b, digits[x%62])
		x /= 62
	}
	return b
}

// zeekProto is Zeek's transport_proto name: ICMPv6 is icmp; what is not
// TCP, UDP or ICMP is unknown_transport (ip_proto says which).
func zeekProto(p string) string {
	switch p {
	case "tcp", "udp", "icmp":
		return p
	case "icmp6":
		return "icmp"
	}
	return "unknown_transport"
}

// zeekService is Zeek's name for a service where it differs: Zeek's
// analyzer for TLS is called SSL.
func zeekService(s string) string {
	if s == "tls" {
		return "ssl"
	}
	return s
}

// zeekTLSVersion is Zeek's name of a version: "TLS 1.2" is TLSv12.
func zeekTLSVersion(v string) string {
	switch v {
	case "SSL 2.0":
		return "SSLv2"
	case "SSL 3.0":
		return "SSLv3"
	case "TLS 1.0":
		return "TLSv10"
	case "TLS 1.1":
		return "TLSv11"
	case "TLS 1.2":
		return "TLSv12"
	case "TLS 1.3":
		return "TLSv13"
	}
	return v
}

// zeekQTypes numbers the query types flowscope names, and Zeek's names
// where they differ (ANY is "*").
var zeekQTypes = map[string]struct {
	n    uint64
	name string
}{
	"A": {1, "A"}, "NS": {2, "NS"}, "CNAME": {5, "CNAME"}, "SOA": {6, "SOA"}, "PTR": {12, "PTR"},
	"HINFO": {13, "HINFO"}, "MX": {15, "MX"}, "TXT": {16, "TXT"}, "AAAA": {28, "AAAA"}, "SRV": {33, "SRV"},
	"NAPTR": {35, "NAPTR"}, "DS": {43, "DS"}, "RRSIG": {46, "RRSIG"}, "DNSKEY": {48, "DNSKEY"},
	"SVCB": {64, "SVCB"}, "HTTPS": {65, "HTTPS"}, "AXFR": {252, "AXFR"}, "ANY": {255, "*"},
}

func zeekQType(t string) (uint64, string, bool) {
	q, ok := zeekQTypes[t]
	return q.n, q.name, ok
}

// zeekSSHVersion is Zeek's ssh version: 2 for "SSH-2.0-" and "SSH-1.99-"
// servers, 1 for older; 0 when unknown.
func zeekSSHVersion(ident string) uint64 {
	switch {
	case strings.HasPrefix(ident, "SSH-2.0-"), strings.HasPrefix(ident, "SSH-1.99-"):
		return 2
	case strings.HasPrefix(ident, "SSH-1."):
		return 1
	}
	return 0
}

// appendZeekMicros writes microseconds as Zeek's time and interval:
// seconds, 6 decimals.
func appendZeekMicros(b []byte, us int64) []byte {
	if us < 0 {
		b = append(b, '-')
		us = -us
	}
	b = strconv.AppendInt(b, us/1e6, 10)
	frac := us % 1e6
	b = append(b, '.')
	for div := int64(1e5); div > 0; div /= 10 {
		b = append(b, byte('0'+frac/div%10))
	}
	return b
}

// appendZeekString writes s as Zeek's ASCII writer does: unset ("-") when
// empty, the separator, backslash and bytes that are not printable ASCII
// as \xNN (in a set, the set separator too), as is a value that would read
// as the unset or empty marker.
func appendZeekString(b []byte, s string, inSet bool) []byte {
	switch s {
	case "":
		return append(b, '-')
	case "-":
		return append(b, `\x2d`...)
	case "(empty)":
		return append(b, `\x28empty)`...)
	}
	return append(b, zeekEscape(s, inSet)...)
}

// zeekEscape escapes bytes outside printable ASCII (the tab separator
// among them) and the backslash as \xNN, and with comma the set separator.
func zeekEscape(s string, comma bool) string {
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		c := s[i]
		clean = c >= 0x20 && c < 0x7f && c != '\\' && !(comma && c == ',')
	}
	if clean {
		return s
	}
	const hex = "0123456789abcdef"
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '\\' || (comma && c == ',') {
			b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
			continue
		}
		b = append(b, c)
	}
	return string(b)
}
