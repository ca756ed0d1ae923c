package synth

import (
	"cmp"
	"encoding/binary"
	"math"
	"math/rand"
	"net/netip"
	"slices"
	"strconv"
)

// BeaconKind is the rhythm of a planted beacon.
type BeaconKind int

// Planted beacons: what the detector must find.
const (
	BeaconExact       BeaconKind = iota // the same period and size every time
	BeaconJitter10                      // period ± 10 %, uniform
	BeaconJitter30                      // period ± 30 %, uniform
	BeaconRandomSizes                   // period ± 10 %, request sizes uniform over 200–1200 bytes
	BeaconStops                         // exact, but only in the first half of the capture
	BeaconCDN                           // period ± 10 % to one TLS name served by 8 rotating addresses
	numBeaconKinds
)

var beaconKindNames = [...]string{"exact", "jitter 10%", "jitter 30%", "random sizes", "stops half-way", "CDN-fronted (SNI)"}

func (k BeaconKind) String() string { return beaconKindNames[k] }

// BeaconSpec is a capture of short TCP connections: one planted beacon of
// each kind, each from its own client, hidden in human-like browsing (page
// loads of a few parallel connections after a DNS lookup, log-normal
// thinking times, sizes over decades) from other clients to many servers.
type BeaconSpec struct {
	Seed     int64
	Duration int64 // seconds of packet time; 4 hours when 0
	Browsers int   // browsing clients; 8 when 0
	// Groups, when set, replaces the scene: that many clients each make
	// one connection to their own server (a flood of groups).
	Groups int
}

// PlantedBeacon is a beacon the scene holds.
type PlantedBeacon struct {
	Kind   BeaconKind
	Client netip.Addr
	Period float64 // seconds
}

// conn is one connection of the scene.
type beaconConn struct {
	start          int64 // ns
	client, server [4]byte
	sport          uint16
	port           uint16
	udp            bool
	up, down       int    // payload bytes each way
	name           string // the server's name: in a TLS ClientHello (SNI), or an HTTP Host on port 80
}

// BeaconScene returns the scene's frames in time order, and the beacons
// planted in it.
func BeaconScene(s BeaconSpec) ([]Frame, []PlantedBeacon) {
	if s.Duration <= 0 {
		s.Duration = 4 * 3600
	}
	if s.Browsers <= 0 {
		s.Browsers = 8
	}
	rng := rand.New(rand.NewSource(s.Seed))
	var conns []beaconConn
	var planted []PlantedBeacon
	if s.Groups > 0 {
		for i := range s.Groups {
			conns = append(conns, beaconConn{start: int64(i) * 1e6, client: [4]byte{10, 9, byte(i >> 8), byte(i)},
				server: [4]byte{203, 0, byte(i >> 8), byte(i)}, port: 443, up: 100, down: 100})
		}
	} else {
		periods := [numBeaconKinds]float64{60, 300, 120, 90, 45, 60}
		for k := range numBeaconKinds {
			client := [4]byte{10, 1, 0, byte(1 + k)}
			server := [4]byte{203, 0, 113, byte(10 + k)}
			planted = append(planted, PlantedBeacon{Kind: k, Client: netip.AddrFrom4(client), Period: periods[k]})
			end := float64(s.Duration)
			if k == BeaconStops {
				end /= 2
			}
			port := uint16(443)
			if k == BeaconRandomSizes {
				port = 80
			}
			for at := 30 + rng.Float64()*periods[k]; at < end; {
				c := beaconConn{start: int64(at * 1e9), client: client, server: server, port: port, up: 310, down: 1200,
					name: "c2-" + strconv.Itoa(int(k)) + ".example"}
				switch k {
				case BeaconRandomSizes:
					c.up = 200 + rng.Intn(1001)
				case BeaconCDN:
					c.server = [4]byte{198, 51, 100, byte(1 + rng.Intn(8))}
					c.name = "updates.cdn.example"
				}
				conns = append(conns, c)
				gap := periods[k]
				switch k {
				case BeaconJitter10, BeaconRandomSizes, BeaconCDN:
					gap *= 0.9 + 0.2*rng.Float64()
				case BeaconJitter30:
					gap *= 0.7 + 0.6*rng.Float64()
				}
				at += gap
			}
		}
		for b := range s.Browsers {
			conns = browse(conns, rng, [4]byte{10, 2, 0, byte(1 + b)}, s.Duration)
		}
	}
	slices.SortStableFunc(conns, func(a, b beaconConn) int { return cmp.Compare(a.start, b.start) })
	var frames []Frame
	for i := range conns {
		conns[i].sport = uint16(20000 + i%40000)
		frames = conns[i].frames(frames)
	}
	slices.SortStableFunc(frames, func(a, b Frame) int { return cmp.Compare(a.TS, b.TS) })
	return frames, planted
}

// browse adds a person's browsing: page loads (a DNS lookup, then 1 to 6
// connections within 2 s to one of 30 sites, a few sites much more often
// than others) after log-normal thinking times (median 20 s, sometimes
// many minutes).
func browse(conns []beaconConn, rng *rand.Rand, client [4]byte, duration int64) []beaconConn {
	resolver := [4]byte{10, 0, 0, 53}
	for at := rng.Float64() * 60; at < float64(duration); at += math.Exp(rng.NormFloat64()*1.5 + 3) {
		site := int(math.Min(29, math.Floor(math.Abs(rng.NormFloat64())*8)))
		server := [4]byte{203, 0, 113, byte(100 + site)}
		name := "site" + strconv.Itoa(site) + ".example"
		conns = append(conns, beaconConn{start: int64(at * 1e9), client: client, server: resolver, port: 53, udp: true,
			up: 20 + rng.Intn(40), down: 60 + rng.Intn(200)})
		for range 1 + rng.Intn(6) {
			t := at + 0.02 + rng.Float64()*2
			conns = append(conns, beaconConn{start: int64(t * 1e9), client: client, server: server, port: 443,
				up: min(1400, int(math.Exp(rng.NormFloat64()+6))), down: int(math.Exp(rng.NormFloat64()*1.2 + 7.5)), name: name})
		}
	}
	return conns
}

// frames appends the connection's packets: a UDP query and answer, or a
// TCP handshake, one request, a response in up to 1460-byte segments and
// the close, a few milliseconds apart.
func (c *beaconConn) frames(out []Frame) []Frame {
	t := startTS + c.start
	seq := [2]uint32{1000, 5000} // client's, server's
	add := func(fromClient bool, flags uint8, payload []byte, n int) {
		side := 1
		if fromClient {
			side = 0
		}
		if payload != nil {
			n = len(payload)
		}
		out = append(out, Frame{TS: t, Data: c.packet(fromClient, flags, payload, n, seq[side], seq[1-side])})
		seq[side] += uint32(n)
		if flags&0x03 != 0 { // SYN and FIN take a sequence number
			seq[side]++
		}
		t += 2e6
	}
	if c.udp {
		add(true, 0, nil, c.up)
		add(false, 0, nil, c.down)
		return out
	}
	add(true, 0x02, nil, 0)
	add(false, 0x12, nil, 0)
	add(true, 0x10, nil, 0)
	var req []byte
	switch {
	case c.name != "" && c.port == 80:
		req = httpRequest(max(c.up, 64), c.name)
	case c.name != "":
		req = make([]byte, max(c.up, 160))
		clientHello(req, c.name)
	}
	add(true, 0x18, req, c.up)
	for left := c.down; left > 0; left -= 1460 {
		add(false, 0x18, nil, min(left, 1460))
	}
	add(true, 0x11, nil, 0)
	add(false, 0x11, nil, 0)
	add(true, 0x10, nil, 0)
	return out
}

// httpRequest is a GET for host, padded by a header to n bytes (n >= 64).
func httpRequest(n int, host string) []byte {
	b := []byte("GET /check HTTP/1.1\r\nHost: " + host + "\r\nX-Pad: ")
	for len(b) < n-4 {
		b = append(b, 'a')
	}
	return append(b, "\r\n\r\n"...)
}

// packet builds one Ethernet/IPv4 frame of the connection with n payload
// bytes (payload's, else filler).
func (c *beaconConn) packet(fromClient bool, flags uint8, payload []byte, n int, seq, ack uint32) []byte {
	l4 := 20
	proto := byte(6)
	if c.udp {
		l4, proto = 8, 17
	}
	b := make([]byte, 14+20+l4+n)
	copy(b[0:6], []byte{0x02, 0, 0, 0, 0, 2})
	copy(b[6:12], []byte{0x02, 0, 0, 0, 0, 1})
	binary.BigEndian.PutUint16(b[12:], 0x0800)
	ip := b[14:34]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+l4+n))
	ip[6], ip[8], ip[9] = 0x40, 64, proto
	src, dst := c.client, c.server
	sp, dp := c.sport, c.port
	if !fromClient {
		src, dst, sp, dp = dst, src, dp, sp
	}
	copy(ip[12:16], src[:])
	copy(ip[16:20], dst[:])
	binary.BigEndian.PutUint16(ip[10:], ipv4Checksum(ip))
	h := b[34:]
	binary.BigEndian.PutUint16(h[0:], sp)
	binary.BigEndian.PutUint16(h[2:], dp)
	if c.udp {
		binary.BigEndian.PutUint16(h[4:], uint16(8+n))
	} else {
		binary.BigEndian.PutUint32(h[4:], seq)
		binary.BigEndian.PutUint32(h[8:], ack)
		h[12], h[13] = 5<<4, flags
		binary.BigEndian.PutUint16(h[14:], 64240)
	}
	if payload != nil {
		copy(h[l4:], payload)
	} else {
		fill(h[l4:])
	}
	return b
}

// clientHello writes a TLS 1.3 ClientHello naming sni into b (at least 160
// bytes), padded to fill it.
func clientHello(b []byte, sni string) {
	TLSHello(b, true)
	e := b[86:]
	binary.BigEndian.PutUint16(e[2:], uint16(5+len(sni)))
	binary.BigEndian.PutUint16(e[4:], uint16(3+len(sni)))
	binary.BigEndian.PutUint16(e[7:], uint16(len(sni)))
	copy(e[9:], sni)
	p := e[9+len(sni):]
	binary.BigEndian.PutUint16(p[0:], 0x0015)
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)-4))
	clear(p[4:])
}
