package synth

import "encoding/binary"

// FloodSpec sets the shape of a flow flood: one-packet UDP flows over
// Ethernet/IPv4 with random 5-tuples (random unicast source and destination
// addresses, random ports) and small random payloads, the traffic of a scan
// or of spoofed sources, which opens a new flow with every packet.
type FloodSpec struct {
	Flows int // flows, one packet each; 0: endless
	// Rate is the new flows per second of packet time (50000 when 0): the
	// capture covers Flows/Rate seconds. While that stays under the UDP idle
	// timeout of the analyzer, no flow ends before the end of the capture,
	// so every flow is open at once there: the worst case for memory.
	Rate float64
	Seed int64 // random seed; the same FloodSpec gives the same bytes
}

// DefaultFloodRate is the new flows per second of packet time of a
// FloodSpec without a Rate.
const DefaultFloodRate = 50_000

// Flood payloads are floodMinPayload to floodMinPayload+floodPayloadSpan-1
// bytes.
const (
	floodMinPayload  = 8
	floodPayloadSpan = 57
)

// FloodGenerator yields the frames of a FloodSpec one by one without
// allocating.
type FloodGenerator struct {
	left    int // flows left, when not endless
	endless bool
	rng     uint64 // splitmix64 state
	gap     uint64 // twice the mean gap between packets, in ns
	ts      int64
	buf     [14 + 20 + 8 + floodMinPayload + floodPayloadSpan + 7]byte
}

// NewFloodGenerator returns a generator for s.
func NewFloodGenerator(s FloodSpec) *FloodGenerator {
	rate := s.Rate
	if rate <= 0 {
		rate = DefaultFloodRate
	}
	gap := uint64(2e9 / rate)
	if gap < 1 {
		gap = 1
	}
	g := &FloodGenerator{left: s.Flows, endless: s.Flows <= 0, rng: uint64(s.Seed), gap: gap, ts: startTS}
	b := g.buf[:]
	copy(b[0:6], []byte{0x02, 0, 0, 0, 0, 2})
	copy(b[6:12], []byte{0x02, 0, 0, 0, 0, 1})
	binary.BigEndian.PutUint16(b[12:], 0x0800)
	return g
}

// next returns the next number of the generator's splitmix64 sequence.
func (g *FloodGenerator) next() uint64 {
	g.rng += 0x9e3779b97f4a7c15
	z := g.rng
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// unicast maps 32 random bits to a public-looking unicast IPv4 address:
// the first octet is in 1-223 and not 127 (no zero network, loopback,
// multicast or reserved addresses).
func unicast(r uint32) uint32 {
	first := 1 + (r>>24)%223
	if first == 127 {
		first = 128
	}
	return first<<24 | r&0x00ffffff
}

// Next returns the next frame, or false at the end. The frame's Data is
// valid until the next call. Packet gaps are uniform between 0 and twice
// 1/Rate, so the flows arrive at Rate on average.
func (g *FloodGenerator) Next() (Frame, bool) {
	if !g.endless {
		if g.left <= 0 {
			return Frame{}, false
		}
		g.left--
	}
	g.ts += int64(g.next() % g.gap)
	addrs := g.next()
	ports := g.next()
	payload := floodMinPayload + int(ports>>32%floodPayloadSpan)
	b := g.buf[:]
	ip := b[14:34]
	ip[0], ip[1] = 0x45, 0
	binary.BigEndian.PutUint16(ip[2:], uint16(20+8+payload))
	binary.BigEndian.PutUint16(ip[4:], uint16(ports>>48)) // IP id
	ip[6], ip[7] = 0, 0
	ip[8], ip[9] = 64, 17
	ip[10], ip[11] = 0, 0
	binary.BigEndian.PutUint32(ip[12:], unicast(uint32(addrs)))
	binary.BigEndian.PutUint32(ip[16:], unicast(uint32(addrs>>32)))
	binary.BigEndian.PutUint16(ip[10:], ipv4Checksum(ip))
	udp := b[34:42]
	binary.BigEndian.PutUint16(udp[0:], uint16(1024+ports%64512))    // ephemeral source port
	binary.BigEndian.PutUint16(udp[2:], uint16(1+(ports>>16)%65535)) // any destination port but 0
	binary.BigEndian.PutUint16(udp[4:], uint16(8+payload))
	udp[6], udp[7] = 0, 0 // no checksum (allowed over IPv4)
	for i := 0; i < payload; i += 8 {
		binary.LittleEndian.PutUint64(b[42+i:], g.next())
	}
	return Frame{Data: b[:42+payload], TS: g.ts}, true
}
