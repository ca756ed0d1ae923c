package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/flowscope/flowscope/flow"
)

// Zeek's conn.log in its ASCII (TSV) format, so that what reads Zeek logs
// (zeek-cut, RITA, Zui, Security Onion, Splunk and Elastic integrations)
// reads flowscope's flows. Field names, types and meanings are Zeek's
// (base/protocols/conn/main.zeek); README "Zeek logs" lists where they
// differ.

// zeekConnFields are conn.log's columns and their Zeek types, in Zeek's
// order (Zeek 7 added ip_proto; community_id is what Zeek's Community ID
// package adds).
var zeekConnFields = [...][2]string{
	{"ts", "time"}, {"uid", "string"}, {"id.orig_h", "addr"}, {"id.orig_p", "port"},
	{"id.resp_h", "addr"}, {"id.resp_p", "port"}, {"proto", "enum"}, {"service", "string"},
	{"duration", "interval"}, {"orig_bytes", "count"}, {"resp_bytes", "count"},
	{"conn_state", "string"}, {"local_orig", "bool"}, {"local_resp", "bool"},
	{"missed_bytes", "count"}, {"history", "string"}, {"orig_pkts", "count"},
	{"orig_ip_bytes", "count"}, {"resp_pkts", "count"}, {"resp_ip_bytes", "count"},
	{"tunnel_parents", "set[string]"}, {"ip_proto", "count"}, {"community_id", "string"},
}

// zeekNow is the clock of the #open and #close lines (Zeek writes the wall
// time there); tests set it.
var zeekNow = time.Now

const zeekTimeFormat = "2006-01-02-15-04-05"

// ZeekWriter streams records as conn.log lines under Zeek's header.
type ZeekWriter struct {
	bw     *bufio.Writer
	buf    []byte
	header bool
}

// NewZeekWriter returns a ZeekWriter buffering to w; Close ends the log.
func NewZeekWriter(w io.Writer) *ZeekWriter {
	return &ZeekWriter{bw: bufio.NewWriterSize(w, 64<<10), buf: make([]byte, 0, 512)}
}

func (z *ZeekWriter) writeHeader() {
	if z.header {
		return
	}
	z.header = true
	b := z.buf[:0]
	b = append(b, "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t"...)
	b = zeekNow().UTC().AppendFormat(b, zeekTimeFormat)
	for i, what := range []string{"\n#fields", "\n#types"} {
		b = append(b, what...)
		for _, f := range zeekConnFields {
			b = append(b, '\t')
			b = append(b, f[i]...)
		}
	}
	b = append(b, '\n')
	z.bw.Write(b)
}

// Write writes r's line, after the header if it is the first.
func (z *ZeekWriter) Write(r *flow.Record) error {
	z.writeHeader()
	z.buf = z.Encode(z.buf[:0], r)
	if _, err := z.bw.Write(z.buf); err != nil {
		return fmt.Errorf("report: write conn.log record %d: %w", r.ID, err)
	}
	return nil
}

// WriteEncoded writes lines Encode made, after the header.
func (z *ZeekWriter) WriteEncoded(b []byte) error {
	z.writeHeader()
	if _, err := z.bw.Write(b); err != nil {
		return fmt.Errorf("report: write conn.log: %w", err)
	}
	return nil
}

// Flush writes out what is buffered.
func (z *ZeekWriter) Flush() error { return z.bw.Flush() }

// Finish ends the log with Zeek's #close line (the header first, when no
// flow came: an empty log is still a log) and flushes.
func (z *ZeekWriter) Finish() error {
	z.writeHeader()
	b := append(z.buf[:0], "#close\t"...)
	b = zeekNow().UTC().AppendFormat(b, zeekTimeFormat)
	z.bw.Write(append(b, '\n'))
	return z.bw.Flush()
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

// Encode appends r's conn.log line to dst; it may run on any goroutine.
func (z *ZeekWriter) Encode(dst []byte, r *flow.Record) []byte {
	b := appendZeekTime(dst, r.FirstSeen)
	b = append(b, '\t')
	b = appendZeekUID(b, r.ID)
	b = append(b, '\t')
	b = r.Client.IP.AppendTo(b)
	b = append(b, '\t')
	b = strconv.AppendUint(b, uint64(r.Client.Port), 10)
	b = append(b, '\t')
	b = r.Server.IP.AppendTo(b)
	b = append(b, '\t')
	b = strconv.AppendUint(b, uint64(r.Server.Port), 10)
	b = append(b, '\t')
	b = append(b, zeekProto(r.Proto)...)
	b = append(b, '\t')
	b = appendZeekString(b, zeekService(r.Service))
	// Zeek stops a TCP connection's duration when both sides have closed
	// (the last ACK does not count), and leaves duration and payload
	// bytes unset for a connection of no duration.
	last := r.LastSeen
	if !r.Closed.IsZero() && r.Closed.Before(last) {
		last = r.Closed
	}
	if d := last.Sub(r.FirstSeen); d > 0 {
		b = append(b, '\t')
		b = appendZeekInterval(b, d)
		b = append(b, '\t')
		b = strconv.AppendUint(b, r.Client.PayloadBytes, 10)
		b = append(b, '\t')
		b = strconv.AppendUint(b, r.Server.PayloadBytes, 10)
	} else {
		b = append(b, "\t-\t-\t-"...)
	}
	b = append(b, '\t')
	b = append(b, r.ConnState...)
	// local_orig and local_resp: unset, as Zeek leaves them without
	// Site::local_nets. missed_bytes: unset, flowscope does not count the
	// stream's gaps (Zeek would write 0 for none; "-" claims nothing).
	b = append(b, "\t-\t-\t-\t"...)
	b = appendZeekString(b, r.History)
	for _, n := range [...]uint64{r.Client.Packets, r.Client.Bytes, r.Server.Packets, r.Server.Bytes} {
		b = append(b, '\t')
		b = strconv.AppendUint(b, n, 10)
	}
	b = append(b, '\t')
	if r.TunnelParent != 0 {
		b = appendZeekUID(b, r.TunnelParent)
	} else {
		b = append(b, '-')
	}
	b = append(b, '\t')
	b = strconv.AppendUint(b, uint64(r.IPProto), 10)
	b = append(b, '\t')
	b = appendZeekString(b, r.CommunityID)
	return append(b, '\n')
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

// appendZeekTime writes t as Zeek's time: seconds since the epoch, 6 decimals.
func appendZeekTime(b []byte, t time.Time) []byte {
	return appendZeekMicros(b, t.UnixMicro())
}

// appendZeekInterval writes d as Zeek's interval: seconds, 6 decimals.
func appendZeekInterval(b []byte, d time.Duration) []byte {
	return appendZeekMicros(b, d.Microseconds())
}

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
// empty, and the separator, the set separator and bytes that are not
// printable ASCII as \xNN, as is a value that would read as the unset
// or the empty marker.
func appendZeekString(b []byte, s string) []byte {
	switch s {
	case "":
		return append(b, '-')
	case "-":
		return append(b, `\x2d`...)
	case "(empty)":
		return append(b, `\x28empty)`...)
	}
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '\\' || c == ',' {
			b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
			continue
		}
		b = append(b, c)
	}
	return b
}
