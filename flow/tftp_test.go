package flow

import (
	"bytes"
	"testing"
	"time"
)

// TestSvcTFTPTransfer: a TFTP transfer's flow is named from the datagrams
// the table keeps of each side, including a DATA block larger than the
// bytes a side keeps (blksize 8192: the first block is cut to 4096).
func TestSvcTFTPTransfer(t *testing.T) {
	data := func(block byte, n int) []byte {
		return append([]byte{0, 3, 0, block}, bytes.Repeat([]byte{'x'}, n)...)
	}
	ack := func(block byte) []byte { return []byte{0, 4, 0, block} }
	oack := []byte("\x00\x06blksize\x008192\x00")
	cases := []struct {
		name       string
		server     [][]byte // from the server's new port, first
		client     [][]byte // the client's answers, in turn
		confidence string
	}{
		{"read, default block size", [][]byte{data(1, 512), data(2, 512), data(3, 100)}, [][]byte{ack(1), ack(2), ack(3)}, "high"},
		{"read, blksize 8192", [][]byte{oack, data(1, 8192), data(2, 8192)}, [][]byte{ack(0), ack(1), ack(2)}, "high"},
		{"write, blksize 8192", [][]byte{oack, ack(1)}, [][]byte{data(1, 8192), data(2, 10)}, "high"},
		{"refused", [][]byte{[]byte("\x00\x05\x00\x01File not found\x00")}, nil, "medium"},
		{"read, unanswered", [][]byte{data(1, 512)}, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var recs []*Record
			tb := NewTable(DefaultConfig(), func(r *Record) { c := *r; recs = append(recs, &c) })
			const ts = int64(1_700_000_000e9)
			var pkts []*Packet
			for i := range max(len(c.server), len(c.client)) {
				if i < len(c.server) {
					p := memUDP(1, c.server[i])
					p.Key.SrcPort, p.Key.DstPort = 50000, 40000
					pkts = append(pkts, p)
				}
				if i < len(c.client) {
					p := memUDP(1, c.client[i])
					p.Key.SrcPort, p.Key.DstPort = 50000, 40000
					p.Key = p.Key.Reverse()
					pkts = append(pkts, p)
				}
			}
			for i, p := range pkts {
				tb.Update(p, ts+int64(i), uint64(i+1), 0, p.IPLen+14, 0)
			}
			tb.Flush()
			if len(recs) != 1 {
				t.Fatalf("%d records", len(recs))
			}
			r := recs[0]
			want, detector := "tftp", "tftp-transfer"
			if c.confidence == "" {
				want, detector = "", ""
			}
			if r.Service != want || r.ServiceConfidence != c.confidence || r.ServiceDetector != detector || r.OtherSide != nil {
				t.Errorf("service %q %q by %q, other side %v; want %q %q by %q", r.Service, r.ServiceConfidence,
					r.ServiceDetector, r.OtherSide, want, c.confidence, detector)
			}
		})
	}
}

// TestSplitFlowVerdictOnce: a flow that an active timeout splits tells its
// continuation whether an earlier record carried a verdict above low (which
// raised its findings), so the findings come once: from the record in which
// the service was first surely named, even when its confidence rose later.
func TestSplitFlowVerdictOnce(t *testing.T) {
	data := func(block byte) []byte { return append([]byte{0, 3, 0, block}, bytes.Repeat([]byte{'x'}, 512)...) }
	ack := func(block byte) []byte { return []byte{0, 4, 0, block} }
	type step struct {
		fromServer bool
		b          []byte
	}
	cases := []struct {
		name  string
		parts [][]step // each part's packets; a split comes between parts
		want  [][2]any // per record: service confidence, EarlierVerdict
	}{
		{"medium before the split, high after", [][]step{{{true, data(1)}, {true, data(2)}}, {{false, ack(1)}}},
			[][2]any{{"medium", false}, {"high", true}}},
		{"decided only after the split", [][]step{{{true, data(1)}}, {{false, ack(1)}}},
			[][2]any{{"", false}, {"high", false}}},
		{"three parts", [][]step{{{true, data(1)}, {true, data(2)}}, {{false, ack(1)}}, {{false, ack(2)}}},
			[][2]any{{"medium", false}, {"high", true}, {"high", true}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var recs []Record
			cfg := DefaultConfig()
			cfg.Active = time.Second
			tb := NewTable(cfg, func(r *Record) { recs = append(recs, *r) })
			ts := int64(1_700_000_000e9)
			frame := uint64(0)
			send := func(s step) {
				p := memUDP(1, s.b)
				p.Key.SrcPort, p.Key.DstPort = 50000, 40000
				if !s.fromServer {
					p.Key = p.Key.Reverse()
				}
				frame++
				tb.Update(p, ts, frame, 0, p.IPLen+14, 0)
				ts += int64(time.Millisecond)
			}
			for i, part := range c.parts {
				if i > 0 {
					ts += int64(2 * time.Second) // the next packet splits the flow
				}
				for _, s := range part {
					send(s)
				}
			}
			tb.Flush()
			if len(recs) != len(c.want) {
				t.Fatalf("%d records", len(recs))
			}
			for i, w := range c.want {
				r := recs[i]
				if r.ServiceConfidence != w[0] || r.EarlierVerdict != w[1] || (i > 0) != (r.Continues != 0) {
					t.Errorf("record %d: confidence %q, earlier verdict %v, continues %d; want %q, %v",
						i, r.ServiceConfidence, r.EarlierVerdict, r.Continues, w[0], w[1])
				}
			}
		})
	}
}
