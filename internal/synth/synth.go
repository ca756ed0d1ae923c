// Package synth writes large synthetic captures for benchmarks: many
// concurrent TCP and UDP flows on Ethernet/IPv4 and IPv6, so the flow table
// is exercised at realistic sizes. Packet sizes follow the simple IMIX
// (7:4:1 of 40, 576 and 1500 IP bytes) and packets come in short trains per
// flow, as TCP windows send them. Captures are made on demand, never committed.
package synth

import (
	"bufio"
	"encoding/binary"
	"io"
	"math/rand"
)

// Spec sets the shape of a synthetic capture.
type Spec struct {
	Flows       int   // distinct flows
	Packets     int   // total packets (at least 4 per TCP flow are used for handshake and close)
	Concurrency int   // flows open at once
	Seed        int64 // random seed; the same Spec gives the same bytes
	// Rate, when set, is the new flows per second of packet time, on
	// average: packets are then spaced by 1/(Rate × Packets/Flows). When 0
	// packets are 1 to 21 µs apart.
	Rate float64
	// Endless makes a generator that never ends: new flows keep starting
	// (their addresses repeat after 15.36 M flows), and Flows and Packets
	// only set the packets per flow.
	Endless bool
}

// Source yields frames one by one: a Generator or a FloodGenerator.
type Source interface {
	// Next returns the next frame, or false at the end. The frame's Data
	// is valid until the next call.
	Next() (Frame, bool)
}

// startTS is the time of the first frame: 2023-11-14 22:13:20 UTC.
const startTS = 1_700_000_000_000_000_000

// Frame is one generated frame.
type Frame struct {
	Data []byte
	TS   int64 // unix nanoseconds
}

// Generator yields the frames of a Spec one by one without allocating.
type Generator struct {
	spec   Spec
	rng    *rand.Rand
	active []flowGen
	next   int // next flow number to start
	left   int // packets left to emit
	cur    int // active flow of the current train
	train  int // packets left in the current train
	ts     int64
	gap    int64 // twice the mean gap between packets in ns, when Rate is set
	buf    [1600]byte
	dns    [64]byte
}

type flowGen struct {
	n       int // flow number
	sent    int
	budget  int
	udp, v6 bool
	cseq    uint32
	sseq    uint32
	opened  [2]bool // the client's and the server's first payload was sent
}

// NewGenerator returns a generator for s.
func NewGenerator(s Spec) *Generator {
	if s.Concurrency <= 0 {
		s.Concurrency = 1000
	}
	if s.Flows <= 0 {
		s.Flows = 1
	}
	g := &Generator{spec: s, rng: rand.New(rand.NewSource(s.Seed)), left: s.Packets, ts: startTS}
	if s.Rate > 0 {
		g.gap = int64(2e9 / (s.Rate * float64(g.perFlow())))
		if g.gap < 1 {
			g.gap = 1
		}
	}
	return g
}

// perFlow is the packets each flow gets on average.
func (g *Generator) perFlow() int {
	n := g.spec.Packets / g.spec.Flows
	if n < 2 {
		n = 2
	}
	return n
}

// Next returns the next frame, or false at the end. The frame's Data is
// valid until the next call.
func (g *Generator) Next() (Frame, bool) {
	if g.left <= 0 && !g.spec.Endless {
		return Frame{}, false
	}
	for len(g.active) < g.spec.Concurrency && (g.next < g.spec.Flows || g.spec.Endless) {
		n := g.next
		g.next++
		if g.spec.Endless && g.next == maxFlowNumber {
			g.next = 0 // endless: addresses repeat
		}
		f := flowGen{n: n, udp: n%4 == 3, v6: n%8 == 5, cseq: g.rng.Uint32(), sseq: g.rng.Uint32()}
		f.budget = g.perFlow()/2 + g.rng.Intn(g.perFlow()+1)
		if !f.udp && f.budget < 5 {
			f.budget = 5
		}
		g.active = append(g.active, f)
	}
	if len(g.active) == 0 {
		// Every flow finished before the packet budget: start over with
		// new ports so flows stay distinct.
		g.next = 0
		g.spec.Seed++
		return g.Next()
	}
	if g.train <= 0 || g.cur >= len(g.active) {
		g.cur = g.rng.Intn(len(g.active))
		g.train = 1 + g.rng.Intn(8)
	}
	g.train--
	i := g.cur
	f := &g.active[i]
	if g.gap > 0 {
		g.ts += g.rng.Int63n(g.gap)
	} else {
		g.ts += int64(1000 + g.rng.Intn(20000))
	}
	n := g.frame(f)
	f.sent++
	if f.sent >= f.budget {
		g.active[i] = g.active[len(g.active)-1]
		g.active = g.active[:len(g.active)-1]
		g.train = 0
	}
	g.left--
	return Frame{Data: g.buf[:n], TS: g.ts}, true
}

// maxFlowNumber is the number of flows with distinct 5-tuples: 60000
// client ports on each of 256 address blocks.
const maxFlowNumber = 256 * 60000

// frame writes the flow's next packet into g.buf and returns its length.
func (g *Generator) frame(f *flowGen) int {
	fromClient := f.sent%2 == 0
	var flags uint8
	// IMIX: 7 small, 4 medium, 1 large of every 12 packets.
	imix := g.rng.Intn(12)
	payload := 0
	side := 1
	if fromClient {
		side = 0
	}
	if f.udp && !f.opened[side] {
		// UDP flows open with a DNS query and its answer.
		payload = dnsMessage(g.dns[:], uint16(f.n), !fromClient)
	} else if f.udp {
		switch {
		case imix < 7:
			payload = 12
		case imix < 11:
			payload = 548
		default:
			payload = 1472
		}
	} else {
		switch {
		case f.sent == 0:
			flags = 0x02 // SYN
		case f.sent == 1:
			flags = 0x12 // SYN/ACK
		case f.sent == 2:
			flags = 0x10
		case f.sent >= f.budget-2:
			flags = 0x11 // FIN/ACK
		case imix < 7:
			flags = 0x10 // pure ACK
		case imix < 11:
			flags = 0x18
			payload = 536
		default:
			flags = 0x18
			payload = 1460
		}
	}
	b := g.buf[:]
	// Ethernet
	copy(b[0:6], []byte{0x02, 0, 0, 0, 0, 2})
	copy(b[6:12], []byte{0x02, 0, 0, 0, 0, 1})
	l4len := 20
	proto := byte(6)
	if f.udp {
		l4len = 8
		proto = 17
	}
	off := 14
	cport := uint16(1024 + f.n%60000)
	sport := uint16(443)
	if f.udp {
		sport = 53
	}
	// Client addresses vary with the flow number so flows stay distinct
	// across 60000 ports.
	hi := byte(f.n / 60000)
	var src, dst []byte
	var cAddr4 = [4]byte{10, hi, byte(f.n >> 8), byte(f.n)}
	var sAddr4 = [4]byte{192, 0, 2, byte(f.n % 251)}
	if f.v6 {
		binary.BigEndian.PutUint16(b[12:], 0x86dd)
		ip := b[off : off+40]
		ip[0], ip[1], ip[2], ip[3] = 0x60, 0, 0, 0
		binary.BigEndian.PutUint16(ip[4:], uint16(l4len+payload))
		ip[6], ip[7] = proto, 64
		c := [16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 1, 12: cAddr4[0], 13: cAddr4[1], 14: cAddr4[2], 15: cAddr4[3]}
		s := [16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 2, 15: sAddr4[3]}
		src, dst = c[:], s[:]
		if !fromClient {
			src, dst = dst, src
		}
		copy(ip[8:24], src)
		copy(ip[24:40], dst)
		off += 40
	} else {
		binary.BigEndian.PutUint16(b[12:], 0x0800)
		ip := b[off : off+20]
		ip[0], ip[1] = 0x45, 0
		binary.BigEndian.PutUint16(ip[2:], uint16(20+l4len+payload))
		binary.BigEndian.PutUint32(ip[4:], 0x40000000) // id 0, DF
		ip[8], ip[9] = 64, proto
		ip[10], ip[11] = 0, 0
		src, dst = cAddr4[:], sAddr4[:]
		if !fromClient {
			src, dst = dst, src
		}
		copy(ip[12:16], src)
		copy(ip[16:20], dst)
		binary.BigEndian.PutUint16(ip[10:], ipv4Checksum(ip))
		off += 20
	}
	sp, dp := cport, sport
	if !fromClient {
		sp, dp = dp, sp
	}
	l4 := b[off:]
	binary.BigEndian.PutUint16(l4[0:], sp)
	binary.BigEndian.PutUint16(l4[2:], dp)
	if f.udp {
		binary.BigEndian.PutUint16(l4[4:], uint16(8+payload))
		l4[6], l4[7] = 0, 0
	} else {
		seq, ack := &f.cseq, f.sseq
		if !fromClient {
			seq, ack = &f.sseq, f.cseq
		}
		binary.BigEndian.PutUint32(l4[4:], *seq)
		binary.BigEndian.PutUint32(l4[8:], ack)
		l4[12] = 5 << 4
		l4[13] = flags
		binary.BigEndian.PutUint16(l4[14:], 64240)
		l4[16], l4[17], l4[18], l4[19] = 0, 0, 0, 0
		adv := uint32(payload)
		if flags&0x03 != 0 {
			adv++
		}
		*seq += adv
	}
	off += l4len
	switch {
	case payload == 0:
	case !f.opened[side] && f.udp:
		copy(b[off:], g.dns[:payload])
	case !f.opened[side]:
		TLSHello(b[off:off+payload], fromClient)
	default:
		fill(b[off : off+payload])
	}
	if payload > 0 {
		f.opened[side] = true
	}
	return off + payload
}

// fill writes cheap, varied filler (what encrypted records look like to
// a detector: nothing it knows).
func fill(b []byte) {
	for i := range b {
		b[i] = byte(i * 7)
	}
}

// TLSHello writes a TLS 1.3 ClientHello (with SNI) or ServerHello record
// filling b exactly: the opening of each TCP flow, as on port 443.
func TLSHello(b []byte, client bool) {
	n := len(b)
	fill(b)
	b[0], b[1], b[2] = 0x16, 0x03, 0x01
	binary.BigEndian.PutUint16(b[3:], uint16(n-5))
	b[5] = 2
	if client {
		b[5] = 1
	}
	b[6], b[7], b[8] = byte((n-9)>>16), byte((n-9)>>8), byte(n-9)
	b[9], b[10] = 0x03, 0x03
	b[43] = 32 // session id length; random and id stay filler
	if !client {
		b[76], b[77], b[78] = 0x13, 0x01, 0 // cipher suite, compression
		binary.BigEndian.PutUint16(b[79:], uint16(n-81))
		copy(b[81:], []byte{0x00, 0x2b, 0x00, 0x02, 0x03, 0x04}) // supported_versions: TLS 1.3
		binary.BigEndian.PutUint16(b[87:], 0x0015)               // padding extension
		binary.BigEndian.PutUint16(b[89:], uint16(n-91))
		clear(b[91:])
		return
	}
	copy(b[76:], []byte{0x00, 0x04, 0x13, 0x01, 0x13, 0x02, 0x01, 0x00})
	binary.BigEndian.PutUint16(b[84:], uint16(n-86))
	const sni = "bench.example"
	e := b[86:]
	binary.BigEndian.PutUint16(e[0:], 0) // server_name
	binary.BigEndian.PutUint16(e[2:], uint16(5+len(sni)))
	binary.BigEndian.PutUint16(e[4:], uint16(3+len(sni)))
	e[6] = 0
	binary.BigEndian.PutUint16(e[7:], uint16(len(sni)))
	copy(e[9:], sni)
	p := e[9+len(sni):]
	binary.BigEndian.PutUint16(p[0:], 0x0015) // padding to the packet size
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)-4))
	clear(p[4:])
}

// dnsMessage writes a DNS query for bench.example (or its answer) into b
// and returns its length.
func dnsMessage(b []byte, id uint16, answer bool) int {
	q := []byte{5, 'b', 'e', 'n', 'c', 'h', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1}
	binary.BigEndian.PutUint16(b[0:], id)
	binary.BigEndian.PutUint16(b[2:], 0x0100)
	binary.BigEndian.PutUint16(b[4:], 1)
	clear(b[6:12])
	n := 12 + copy(b[12:], q)
	if answer {
		binary.BigEndian.PutUint16(b[2:], 0x8180)
		binary.BigEndian.PutUint16(b[6:], 1)
		n += copy(b[n:], []byte{0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 1})
	}
	return n
}

// WritePcap writes the whole capture as a microsecond pcap (Ethernet).
func WritePcap(w io.Writer, s Spec) error {
	return WriteSource(w, NewGenerator(s))
}

// WriteSource writes every frame of src as a microsecond pcap (Ethernet).
func WriteSource(w io.Writer, src Source) error {
	pw, err := NewPcapWriter(w)
	if err != nil {
		return err
	}
	for {
		f, ok := src.Next()
		if !ok {
			break
		}
		if err := pw.Write(f); err != nil {
			return err
		}
	}
	return pw.Flush()
}

// PcapWriter writes frames as a microsecond pcap (Ethernet), buffered.
type PcapWriter struct {
	bw  *bufio.Writer
	rec [16]byte
}

// NewPcapWriter writes the pcap file header into a buffer for w.
func NewPcapWriter(w io.Writer) (*PcapWriter, error) {
	pw := &PcapWriter{bw: bufio.NewWriterSize(w, 1<<20)}
	var hdr [24]byte
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], 1)
	_, err := pw.bw.Write(hdr[:])
	return pw, err
}

// Write adds one frame.
func (pw *PcapWriter) Write(f Frame) error {
	rec := pw.rec[:]
	binary.LittleEndian.PutUint32(rec[0:], uint32(f.TS/1e9))
	binary.LittleEndian.PutUint32(rec[4:], uint32(f.TS%1e9/1e3))
	binary.LittleEndian.PutUint32(rec[8:], uint32(len(f.Data)))
	binary.LittleEndian.PutUint32(rec[12:], uint32(len(f.Data)))
	if _, err := pw.bw.Write(rec); err != nil {
		return err
	}
	_, err := pw.bw.Write(f.Data)
	return err
}

// Flush writes out what is buffered.
func (pw *PcapWriter) Flush() error { return pw.bw.Flush() }

func ipv4Checksum(h []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(h); i += 2 {
		sum += uint32(h[i])<<8 | uint32(h[i+1])
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}
