package flow

import (
	"encoding/binary"
	"runtime"
	"testing"
)

// TestBytesPerFlow holds 100k flows open and checks that the heap they
// take per flow stays within what --max-memory counts on. Each flow is
// the costly kind for its mode: a UDP datagram with a payload no detector
// recognises (its identification state waits for an answer), or a TCP
// connection whose client sent a first segment.
func TestBytesPerFlow(t *testing.T) {
	const n = 100000
	payload := make([]byte, 120)
	for i := range payload {
		payload[i] = byte(i*7 + 3)
	}
	for _, tc := range []struct {
		name      string
		flowsOnly bool
		proto     uint8
		limit     int
	}{
		{"flows-only udp", true, ProtoUDP, BytesPerFlowOnly},
		{"flows-only tcp", true, ProtoTCP, BytesPerFlowOnly},
		{"full udp", false, ProtoUDP, BytesPerFlow},
		{"full tcp", false, ProtoTCP, BytesPerFlow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.FlowsOnly, cfg.MaxFlows = tc.flowsOnly, 2*n
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			tb := NewTable(cfg, func(*Record) {})
			p := &Packet{Key: key4(cli, 0, srv, 0, tc.proto), IPLen: 160, PayloadLen: len(payload), Payload: payload, L4: true, Parent: -1}
			if tc.proto == ProtoTCP {
				p.TCPFlags, p.Window = FlagACK|FlagPSH, 512
			}
			for i := 0; i < n; i++ {
				binary.BigEndian.PutUint32(p.Key.Src[12:], uint32(0x0a000000+i))
				p.Key.SrcPort, p.Key.DstPort = uint16(1024+i%50000), 9000
				p.Seq = uint32(i)
				tb.Update(p, int64(i)*1000, uint64(i+1), 0, 200, 0)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			if tb.Len() != n {
				t.Fatalf("%d flows open, want %d", tb.Len(), n)
			}
			per := int(after.HeapAlloc-before.HeapAlloc) / n
			t.Logf("%s: %d bytes per open flow (budget %d)", tc.name, per, tc.limit)
			if per > tc.limit {
				t.Errorf("%d bytes per open flow, more than the %d that --max-memory counts on", per, tc.limit)
			}
			runtime.KeepAlive(tb)
		})
	}
}
