package flow

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/flowscope/flowscope/internal/synth"
)

// The heap a flow holds while its service is being identified, measured
// through Table.Update: n flows fed their packets, against the same flows
// with the payload bytes left out (those never start identification), so
// what differs is the identification state alone.

// svcMemFlows is how many flows a measurement opens: enough that the
// per-flow figure is not noise, few enough to stay quick.
const svcMemFlows = 2000

// heapPerFlow returns the live heap bytes per flow after feeding the
// packets of n flows to a fresh table, payloads stripped or not.
func heapPerFlow(n int, flowPkts func(i int) []*Packet, strip bool) float64 {
	var all []*Packet
	for i := 0; i < n; i++ {
		for _, p := range flowPkts(i) {
			if strip {
				p.Payload = nil
			}
			all = append(all, p)
		}
	}
	cfg := DefaultConfig()
	cfg.MaxFlows = 4 * n // no eviction; entries and index made up front
	tb := NewTable(cfg, func(*Record) {})
	const ts = int64(1_700_000_000e9)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC() // twice: empties sync.Pools too
	runtime.ReadMemStats(&before)
	for i, p := range all {
		tb.Update(p, ts, uint64(i+1), 0, p.IPLen+14, 0)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if tb.Len() != n {
		panic(fmt.Sprintf("%d flows open, want %d", tb.Len(), n))
	}
	runtime.KeepAlive(tb)
	runtime.KeepAlive(all)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
}

// svcRetained is the identification state per flow in bytes: the best of
// a few tries, as other goroutines may allocate meanwhile.
func svcRetained(flowPkts func(i int) []*Packet) float64 {
	best := 0.0
	for try := 0; try < 3; try++ {
		d := heapPerFlow(svcMemFlows, flowPkts, false) - heapPerFlow(svcMemFlows, flowPkts, true)
		if try == 0 || d < best {
			best = d
		}
	}
	return best
}

func memUDP(i int, payload []byte) *Packet {
	k := key4("10.1.0.1", uint16(10000+i), "10.2.0.1", 4433, ProtoUDP)
	k.Src[14], k.Src[15] = byte(i>>8), byte(i)
	return &Packet{Key: k, IPLen: 28 + len(payload), PayloadLen: len(payload), Payload: payload, L4: true, Parent: -1}
}

func memTCP(i int, fromClient bool, flags uint8, seq uint32, payload []byte) *Packet {
	k := key4("10.1.0.1", uint16(10000+i), "10.2.0.1", 443, ProtoTCP)
	k.Src[14], k.Src[15] = byte(i>>8), byte(i)
	if !fromClient {
		k = k.Reverse()
	}
	return &Packet{Key: k, IPLen: 40 + len(payload), PayloadLen: len(payload), Payload: payload,
		TCPFlags: flags, Seq: seq, Window: 1000, L4: true, Parent: -1}
}

// memQUICLike is a client datagram with a QUIC v1 Initial header, padded
// to n bytes, whose protected part is filler: it looks like QUIC to the
// detector and the Initial assembler, but does not decrypt.
func memQUICLike(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + 3)
	}
	b[0] = 0xc3
	binary.BigEndian.PutUint32(b[1:], 1) // version 1
	b[5] = 8                             // DCID length; DCID is filler
	b[14] = 0                            // SCID length
	b[15] = 0                            // token length
	binary.BigEndian.PutUint16(b[16:], 0x4000|uint16(n-18))
	return b
}

// memQUICFirstInitial is the first client datagram of a capture whose
// ClientHello (1763 bytes) spans two Initials.
func memQUICFirstInitial(t *testing.T) []byte {
	f, err := os.ReadFile(filepath.Join("quicmeta", "testdata", "ndpi__quic_frags_different_dcid.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(f), "\n") {
		if fields := strings.Fields(line); len(fields) == 2 && !strings.HasPrefix(line, "#") {
			b, err := hex.DecodeString(fields[1])
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatal("no datagram")
	return nil
}

// TestSvcRetainedBytes bounds the heap an identifying flow holds. Before
// the buffers came in size classes every such flow held 9472 bytes (two
// fixed 4 KiB arrays), a QUIC-looking one 21420 (the Initial assembler's
// fixed 9 KiB, its keys and its copy of the packet besides), a QUIC one
// waiting for the rest of its ClientHello 21435.
func TestSvcRetainedBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("heap measurement")
	}
	small := make([]byte, 60) // no protocol's opening
	for i := range small {
		small[i] = byte(0x8f + i*29)
	}
	quicLike := memQUICLike(1200)
	quicFirst := memQUICFirstInitial(t)
	hello := make([]byte, 300)
	synth.TLSHello(hello, true)
	cases := []struct {
		name string
		pkts func(i int) []*Packet
		// Bounds in bytes per flow: at least the payload it keeps (else
		// the flow is no longer identifying and the case measures nothing).
		min, max float64
	}{
		{"udp, one 60-byte datagram", func(i int) []*Packet {
			return []*Packet{memUDP(i, small)}
		}, 60, 700},
		{"udp, one 1200-byte QUIC-like Initial that does not decrypt", func(i int) []*Packet {
			return []*Packet{memUDP(i, quicLike)}
		}, 1200, 3000},
		{"udp, the first of two QUIC Initials of a ClientHello", func(i int) []*Packet {
			return []*Packet{memUDP(i, quicFirst)}
		}, 1250, 7000},
		{"tcp, handshake and a 300-byte ClientHello", func(i int) []*Packet {
			return []*Packet{
				memTCP(i, true, FlagSYN, 1000, nil),
				memTCP(i, false, FlagSYN|FlagACK, 5000, nil),
				memTCP(i, true, FlagACK, 1001, nil),
				memTCP(i, true, FlagPSH|FlagACK, 1001, hello),
			}
		}, 300, 1100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := svcRetained(tc.pkts)
			t.Logf("%.0f bytes per identifying flow", got)
			if got < tc.min || got > tc.max {
				t.Errorf("%.0f bytes per identifying flow, want %.0f to %.0f", got, tc.min, tc.max)
			}
		})
	}
}

// memQUICClient returns the client datagrams of a quicmeta test capture
// (the client is the port of the first line).
func memQUICClient(t *testing.T, name string) [][]byte {
	f, err := os.ReadFile(filepath.Join("quicmeta", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var port string
	var out [][]byte
	for _, line := range strings.Split(string(f), "\n") {
		fields := strings.Fields(line)
		if len(fields) != 2 || strings.HasPrefix(line, "#") {
			continue
		}
		if port == "" {
			port = fields[0]
		}
		if fields[0] == port {
			b, err := hex.DecodeString(fields[1])
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no client datagram", name)
	}
	return out
}

// TestSvcOneWayFlood: flows whose one side the detectors are sure of and
// whose other side never answers (unanswered DNS queries, QUIC Initials to
// a blocked udp/443) finish identification at once, holding no state or
// buffer and no place in the identification share, so that the flows after
// a flood of them are still identified. Before, each held its state until
// the answer that never came (or its timeout): 64 of them filled this
// table's share and the HTTP flows after went unidentified.
func TestSvcOneWayFlood(t *testing.T) {
	query := []byte("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01")
	quicV2 := memQUICClient(t, "ndpi__quic-v2.txt")[:1]                  // a ClientHello in one Initial
	quicFrags := memQUICClient(t, "ndpi__quic_frags_different_dcid.txt") // one spread over two
	const flows, share = 2000, 64
	for _, c := range []struct {
		name    string
		port    uint16
		dgrams  [][]byte
		service string
	}{
		{"dns queries", 53, [][]byte{query}, "dns"},
		{"quic initials", 443, quicV2, "quic"},
		{"quic clienthellos over two initials", 443, quicFrags, "quic"},
	} {
		t.Run(c.name, func(t *testing.T) {
			services := map[string]int{}
			cfg := DefaultConfig()
			cfg.MaxIdentifying = share
			tb := NewTable(cfg, func(r *Record) { services[r.Service]++ })
			ts, frame := int64(1_700_000_000e9), uint64(0)
			feed := func(p *Packet) {
				frame++
				ts += 10_000
				tb.Update(p, ts, frame, 0, p.IPLen+14, 0)
			}
			for i := range flows {
				for _, d := range c.dgrams {
					p := memUDP(i, d)
					p.Key.DstPort = c.port
					feed(p)
				}
			}
			if n := tb.stats.identifying; n != 0 {
				t.Errorf("%d one-way flows identifying, want 0", n)
			}
			for i := range 20 {
				req, resp := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
				feed(memTCP(i, true, FlagSYN, 100, nil))
				feed(memTCP(i, false, FlagSYN|FlagACK, 500, nil))
				feed(memTCP(i, true, FlagACK, 101, nil))
				feed(memTCP(i, true, FlagPSH|FlagACK, 101, req))
				feed(memTCP(i, false, FlagPSH|FlagACK, 501, resp))
			}
			tb.Flush()
			if n := tb.Stats().Unidentified; n != 0 {
				t.Errorf("%d flows unidentified for want of the identification share, want 0", n)
			}
			if services[c.service] != flows || services["http"] != 20 {
				t.Errorf("services %v, want %d %s and 20 http", services, flows, c.service)
			}
		})
	}
}
