package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"

	"github.com/flowscope/flowscope/flow"
)

// JSONWriter streams flow records as JSON lines, one object per record.
type JSONWriter struct {
	bw  *bufio.Writer
	buf []byte // one record, reused so that Write allocates nothing
}

// NewJSONWriter returns a JSONWriter that buffers its output to w; call Flush at the end.
func NewJSONWriter(w io.Writer) *JSONWriter {
	return &JSONWriter{bw: bufio.NewWriterSize(w, 64<<10), buf: make([]byte, 0, 1024)}
}

// Write encodes r as one JSON line.
func (jw *JSONWriter) Write(r *flow.Record) error {
	jw.buf = appendJSONRecord(jw.buf[:0], r)
	if _, err := jw.bw.Write(jw.buf); err != nil {
		return fmt.Errorf("report: write json record %d: %w", r.ID, err)
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
func WriteJSON(w io.Writer, recs []flow.Record) error {
	jw := NewJSONWriter(w)
	for i := range recs {
		if err := jw.Write(&recs[i]); err != nil {
			return err
		}
	}
	return jw.Flush()
}

// appendJSONRecord appends r as one JSON object and a newline. Field names
// match flow.Record's json tags; scripts depend on them, so tests pin them.
func appendJSONRecord(b []byte, r *flow.Record) []byte {
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
	return append(b, '}', '\n')
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
