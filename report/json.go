package report

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/flowscope/flowscope/flow"
)

// JSONWriter streams flow records as JSON lines, one object per record.
type JSONWriter struct {
	bw   *bufio.Writer
	buf  []byte // one record, reused so that Write allocates nothing
	keep findingFilter
}

// NewJSONWriter returns a JSONWriter that buffers its output to w; call Flush at the end.
func NewJSONWriter(w io.Writer, opt Options) *JSONWriter {
	return &JSONWriter{bw: bufio.NewWriterSize(w, 64<<10), buf: make([]byte, 0, 1024), keep: newFindingFilter(opt.Allow, opt.MinSeverity)}
}

// Write encodes r as one JSON line, with its findings that opt.Allow and opt.MinSeverity let through.
func (jw *JSONWriter) Write(r *flow.Record) error {
	fs, _ := jw.keep.filter(r)
	jw.buf = appendJSONRecord(jw.buf[:0], r, fs)
	if _, err := jw.bw.Write(jw.buf); err != nil {
		return fmt.Errorf("report: write json record %d: %w", r.ID, err)
	}
	return nil
}

// Encode appends r's JSON line to dst; it may run on any goroutine.
func (jw *JSONWriter) Encode(dst []byte, r *flow.Record) []byte {
	fs, _ := jw.keep.filter(r)
	return appendJSONRecord(dst, r, fs)
}

// WriteEncoded writes lines Encode made.
func (jw *JSONWriter) WriteEncoded(b []byte) error {
	if _, err := jw.bw.Write(b); err != nil {
		return fmt.Errorf("report: write json: %w", err)
	}
	return nil
}

// Flush writes any buffered output.
func (jw *JSONWriter) Flush() error {
	if err := jw.bw.Flush(); err != nil {
		return fmt.Errorf("report: flush json: %w", err)
	}
	return nil
}

// WriteJSON writes recs as JSON lines, in the order given.
func WriteJSON(w io.Writer, recs []flow.Record, opt Options) error {
	jw := NewJSONWriter(w, opt)
	for i := range recs {
		if err := jw.Write(&recs[i]); err != nil {
			return err
		}
	}
	return jw.Flush()
}

// appendJSONRecord appends r and its findings fs as one JSON object and a
// newline. Field names match flow.Record's json tags; scripts depend on
// them, so tests pin them.
func appendJSONRecord(b []byte, r *flow.Record, fs []Finding) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendUint(b, r.ID, 10)
	b = append(b, `,"proto":`...)
	b = appendJSONString(b, r.Proto)
	b = append(b, `,"ip_proto":`...)
	b = strconv.AppendUint(b, uint64(r.IPProto), 10)
	b = append(b, `,"ip_version":`...)
	b = strconv.AppendUint(b, uint64(r.IPVersion), 10)
	b = append(b, `,"client":`...)
	b = appendJSONSide(b, &r.Client)
	b = append(b, `,"server":`...)
	b = appendJSONSide(b, &r.Server)
	b = append(b, `,"first_seen":"`...)
	b = appendTime(b, r.FirstSeen)
	b = append(b, `","last_seen":"`...)
	b = appendTime(b, r.LastSeen)
	b = append(b, `","duration":`...)
	b = appendSeconds(b, r.Duration())
	b = append(b, `,"conn_state":`...)
	b = appendJSONString(b, r.ConnState)
	b = append(b, `,"history":`...)
	b = appendJSONString(b, r.History)
	b = append(b, `,"community_id":`...)
	b = appendJSONString(b, r.CommunityID)
	b = append(b, `,"direction_by":`...)
	b = appendJSONString(b, r.DirectionBy)
	b = append(b, `,"end_reason":`...)
	b = appendJSONString(b, r.EndReason)
	b = append(b, `,"first_frame":`...)
	b = strconv.AppendUint(b, r.FirstFrame, 10)
	if r.ICMPID != 0 {
		b = append(b, `,"icmp_id":`...)
		b = strconv.AppendUint(b, uint64(r.ICMPID), 10)
	}
	if r.VLAN != 0 {
		b = append(b, `,"vlan":`...)
		b = strconv.AppendUint(b, uint64(r.VLAN), 10)
	}
	if r.Tunnel != "" {
		b = append(b, `,"tunnel":`...)
		b = appendJSONString(b, r.Tunnel)
	}
	if r.TunnelParent != 0 {
		b = append(b, `,"tunnel_parent":`...)
		b = strconv.AppendUint(b, r.TunnelParent, 10)
	}
	if r.Fragments != 0 {
		b = append(b, `,"ip_fragments":`...)
		b = strconv.AppendUint(b, r.Fragments, 10)
	}
	if r.Continues != 0 {
		b = append(b, `,"continues":`...)
		b = strconv.AppendUint(b, r.Continues, 10)
	}
	b = append(b, `,"service":`...)
	b = appendJSONString(b, r.Service)
	if r.Service != "" {
		b = append(b, `,"service_confidence":`...)
		b = appendJSONString(b, r.ServiceConfidence)
		b = append(b, `,"service_detector":`...)
		b = appendJSONString(b, r.ServiceDetector)
		b = append(b, `,"evidence":`...)
		b = appendJSONEscaped(b, r.Evidence)
		b = append(b, `,"evidence_dir":`...)
		b = appendJSONString(b, r.EvidenceDir)
		b = append(b, `,"evidence_frame":`...)
		b = strconv.AppendUint(b, r.EvidenceFrame, 10)
		if o := r.OtherSide; o != nil {
			b = append(b, `,"other_service":`...)
			b = appendJSONString(b, o.OtherService)
			b = append(b, `,"other_service_confidence":`...)
			b = appendJSONString(b, o.OtherConfidence)
			b = append(b, `,"other_service_detector":`...)
			b = appendJSONString(b, o.OtherDetector)
			b = append(b, `,"other_evidence":`...)
			b = appendJSONEscaped(b, o.OtherEvidence)
			b = append(b, `,"other_evidence_dir":`...)
			b = appendJSONString(b, o.OtherDir)
		}
	}
	b = append(b, `,"port_service":`...)
	b = appendJSONString(b, r.PortService)
	b = append(b, `,"port_class":`...)
	b = appendJSONString(b, r.PortClass)
	if r.Features != nil { // absent with --flows-only
		b = appendFeatures(b, r.Features)
	}
	if r.ServerName != "" {
		b = append(b, `,"server_name":`...)
		b = appendJSONString(b, Escape(r.ServerName))
	}
	if r.DNS != nil {
		b = append(b, `,"dns":{"query":`...)
		b = appendJSONString(b, Escape(r.DNS.Query))
		b = append(b, `,"qtype":`...)
		b = appendJSONString(b, r.DNS.QType)
		b = append(b, `,"rcode":`...)
		b = appendJSONString(b, r.DNS.RCode)
		b = append(b, `,"answers":`...)
		b = appendStrings(b, r.DNS.Answers)
		b = append(b, '}')
	}
	if r.TLS != nil {
		b = appendTLS(b, r.TLS)
	}
	if r.SSH != nil {
		b = append(b, `,"ssh":{"client":`...)
		b = appendSSHSide(b, &r.SSH.Client)
		b = append(b, `,"server":`...)
		b = appendSSHSide(b, &r.SSH.Server)
		b = append(b, '}')
	}
	if h := r.HTTP; h != nil {
		b = append(b, `,"http":{"method":`...)
		b = appendJSONString(b, Escape(h.Method))
		b = append(b, `,"host":`...)
		b = appendJSONString(b, Escape(h.Host))
		b = append(b, `,"path":`...)
		b = appendJSONString(b, Escape(h.Path))
		b = append(b, `,"user_agent":`...)
		b = appendJSONString(b, Escape(h.UserAgent))
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(h.Status), 10)
		b = append(b, '}')
	}
	b = append(b, `,"findings":[`...)
	for i := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONFinding(b, &fs[i])
	}
	return append(b, ']', '}', '\n')
}

// appendJSONFinding appends f as a JSON object, fields in Finding's order
// and under its json names.
func appendJSONFinding(b []byte, f *Finding) []byte {
	b = append(b, '{')
	b = appendJSONFindingFields(b, f)
	return append(b, '}')
}

// appendJSONFindingFields appends f's fields without braces, so that
// WriteFindings can put the flow's fields first.
func appendJSONFindingFields(b []byte, f *Finding) []byte {
	b = append(b, `"kind":`...)
	b = appendJSONString(b, f.Kind)
	b = append(b, `,"severity":`...)
	b = appendJSONString(b, f.Severity)
	b = append(b, `,"service":`...)
	b = appendJSONString(b, f.Service)
	b = append(b, `,"port":`...)
	b = appendJSONString(b, f.Port)
	b = append(b, `,"expected_services":`...)
	b = appendJSONStrings(b, f.ExpectedServices)
	b = append(b, `,"expected_ports":`...)
	b = appendJSONStrings(b, f.ExpectedPorts)
	if f.Detector != "" {
		b = append(b, `,"detector":`...)
		b = appendJSONString(b, f.Detector)
	}
	if f.Confidence != "" {
		b = append(b, `,"confidence":`...)
		b = appendJSONString(b, f.Confidence)
	}
	if f.Frame != 0 {
		b = append(b, `,"frame":`...)
		b = strconv.AppendUint(b, f.Frame, 10)
	}
	if f.Direction != "" {
		b = append(b, `,"direction":`...)
		b = appendJSONString(b, f.Direction)
	}
	b = append(b, `,"evidence":`...)
	b = appendJSONString(b, f.Evidence)
	b = append(b, `,"reason":`...)
	b = appendJSONString(b, f.Reason)
	if f.Beacon != nil {
		b = appendJSONBeacon(b, f.Beacon)
	}
	return b
}

// appendJSONStrings appends ss as a JSON array; nil is [], not null, so
// that consumers can always iterate.
func appendJSONStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONEscaped appends Escape(raw) as a JSON string without building
// the escaped string: Escape's output is printable ASCII, so only its
// backslashes (and quotes) need JSON escaping on top.
func appendJSONEscaped(b []byte, raw string) []byte {
	b = append(b, '"')
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\\':
			b = append(b, `\\\\`...)
		case c == '"':
			b = append(b, '\\', '"')
		case c >= 0x20 && c < 0x7f:
			b = append(b, c)
		default:
			b = append(b, '\\', '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		}
	}
	return append(b, '"')
}

func appendJSONSide(b []byte, s *flow.Side) []byte {
	b = append(b, `{"ip":`...)
	b = appendJSONIP(b, s)
	b = append(b, `,"port":`...)
	b = strconv.AppendUint(b, uint64(s.Port), 10)
	b = append(b, `,"packets":`...)
	b = strconv.AppendUint(b, s.Packets, 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendUint(b, s.Bytes, 10)
	b = append(b, `,"payload_bytes":`...)
	b = strconv.AppendUint(b, s.PayloadBytes, 10)
	b = append(b, `,"frame_bytes":`...)
	b = strconv.AppendUint(b, s.FrameBytes, 10)
	if s.TCPFlags != "" {
		b = append(b, `,"tcp_flags":`...)
		b = appendJSONString(b, s.TCPFlags)
	}
	return append(b, '}')
}

// appendJSONIP appends the side's address as a JSON string ("" when unset,
// as netip.Addr marshals). Without a zone the text is hex, digits, dots and
// colons, so it needs no escaping; a zone is arbitrary text and takes the
// escaping (and allocating) path.
func appendJSONIP(b []byte, s *flow.Side) []byte {
	if s.IP.Zone() != "" {
		return appendJSONString(b, s.IP.String())
	}
	b = append(b, '"')
	b = s.IP.AppendTo(b)
	return append(b, '"')
}

// appendFeatures writes the flow's volume and timing features.
func appendFeatures(b []byte, f *flow.Features) []byte {
	b = append(b, `,"features":{"client":`...)
	b = appendSideFeatures(b, &f.Client)
	b = append(b, `,"server":`...)
	b = appendSideFeatures(b, &f.Server)
	b = append(b, `,"active_periods":`...)
	b = strconv.AppendUint(b, uint64(f.ActivePeriods), 10)
	b = appendFloatField(b, "idle_time", f.IdleTime)
	b = appendFloatField(b, "rtt_client", f.RTTClient)
	b = appendFloatField(b, "rtt_server", f.RTTServer)
	b = append(b, `,"splt_lengths":[`...)
	for i, n := range f.SPLTLengths {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(n), 10)
	}
	b = append(b, `],"splt_dirs":`...)
	b = appendJSONString(b, f.SPLTDirs)
	b = append(b, `,"splt_gaps":[`...)
	for i, g := range f.SPLTGaps {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendFloat(b, g)
	}
	return append(b, "]}"...)
}

func appendSideFeatures(b []byte, s *flow.SideFeatures) []byte {
	b = append(b, `{"sizes":`...)
	b = appendDist(b, &s.Sizes)
	b = append(b, `,"iat":`...)
	b = appendDist(b, &s.IAT)
	b = append(b, `,"data_packets":`...)
	b = strconv.AppendUint(b, s.DataPackets, 10)
	b = append(b, `,"empty_packets":`...)
	b = strconv.AppendUint(b, s.EmptyPackets, 10)
	b = appendFloatField(b, "bytes_per_sec", s.BytesPerSec)
	b = appendFloatField(b, "packets_per_sec", s.PacketsPerSec)
	b = append(b, `,"retransmissions":`...)
	b = strconv.AppendUint(b, s.Retransmissions, 10)
	b = append(b, `,"out_of_order":`...)
	b = strconv.AppendUint(b, s.OutOfOrder, 10)
	b = append(b, `,"zero_window":`...)
	b = strconv.AppendUint(b, s.ZeroWindow, 10)
	b = appendFloatField(b, "payload_entropy", s.PayloadEntropy)
	return append(b, '}')
}

func appendDist(b []byte, d *flow.Dist) []byte {
	b = append(b, `{"n":`...)
	b = strconv.AppendUint(b, d.N, 10)
	b = appendFloatField(b, "min", d.Min)
	b = appendFloatField(b, "max", d.Max)
	b = appendFloatField(b, "mean", d.Mean)
	b = appendFloatField(b, "std", d.Std)
	return append(b, '}')
}

func appendFloatField(b []byte, name string, x float64) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendFloat(b, x)
}

// appendFloat writes x rounded to nanoseconds' precision (9 decimals,
// trailing zeros dropped), no exponent; NaN and infinities, which JSON
// cannot hold, as 0. Times and rates never carry more than the capture's
// nanoseconds, and a fixed precision reads better than the shortest exact
// form (219.9, not 219.89999999999998). It is also far faster: integer
// digits instead of float formatting. From 2^53 ns (about 9e6) on, where
// nanoseconds no longer fit a float exactly, strconv's shortest form.
func appendFloat(b []byte, x float64) []byte {
	const scale = 1e9
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return append(b, '0')
	case math.Abs(x) >= 1<<53/scale:
		// x·1e9 would no longer be exact (and 2345678901.7 would print
		// as 2345678901.699999744): the shortest form is exact there.
		return strconv.AppendFloat(b, x, 'f', -1, 64)
	}
	n := int64(math.Round(x * scale))
	if n == 0 {
		return append(b, '0') // features are often zero; -0 too
	}
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	b = strconv.AppendUint(b, uint64(n)/scale, 10)
	frac := uint32(uint64(n) % scale)
	if frac == 0 {
		return b
	}
	// Nine digits, two at a time from the right, then the trailing
	// zeros dropped.
	var d [9]byte
	for i := 8; i > 0; i -= 2 {
		q := frac / 100
		r := (frac - q*100) * 2
		d[i-1], d[i] = digitPairs[r], digitPairs[r+1]
		frac = q
	}
	d[0] = byte('0' + frac)
	end := len(d)
	for d[end-1] == '0' {
		end--
	}
	b = append(b, '.')
	return append(b, d[:end]...)
}

// appendTLS writes a TLS flow's handshake metadata; SNI, ALPN and the
// certificate came off the wire and are escaped like evidence.
func appendTLS(b []byte, t *flow.TLSInfo) []byte {
	b = append(b, `,"tls":{"sni":`...)
	b = appendJSONString(b, Escape(t.SNI))
	b = append(b, `,"alpn":`...)
	b = appendStrings(b, t.ALPN)
	for _, f := range [...]struct{ name, v string }{
		{"alpn_chosen", Escape(t.ALPNChosen)}, {"client_version", t.ClientVersion}, {"version", t.Version},
		{"cipher", t.Cipher}, {"ja3", t.JA3}, {"ja3_hash", t.JA3Hash}, {"ja3s", t.JA3S},
		{"ja3s_hash", t.JA3SHash}, {"ja4", t.JA4},
	} {
		b = append(b, ',', '"')
		b = append(b, f.name...)
		b = append(b, '"', ':')
		b = appendJSONString(b, f.v)
	}
	if c := t.Cert; c != nil {
		b = append(b, `,"cert":{"subject":`...)
		b = appendJSONString(b, Escape(c.Subject))
		b = append(b, `,"issuer":`...)
		b = appendJSONString(b, Escape(c.Issuer))
		b = append(b, `,"not_before":`...)
		b = appendJSONString(b, c.NotBefore.UTC().Format(time.RFC3339))
		b = append(b, `,"not_after":`...)
		b = appendJSONString(b, c.NotAfter.UTC().Format(time.RFC3339))
		b = append(b, `,"san":`...)
		b = appendStrings(b, c.SAN)
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, Escape(s))
	}
	return append(b, ']')
}

func appendSSHSide(b []byte, s *flow.SSHSideInfo) []byte {
	b = append(b, `{"ident":`...)
	b = appendJSONString(b, Escape(s.Ident))
	b = append(b, `,"software":`...)
	b = appendJSONString(b, Escape(s.Software))
	b = append(b, `,"hassh":`...)
	b = appendJSONString(b, s.HASSH)
	return append(b, '}')
}
