// Command gen writes the pcap fixtures under testdata/fixtures that the
// golden tests in cmd/flowscope read: one small, hand-built scenario per
// file, each packet serialized by gopacket so that lengths and checksums are
// right. The output is deterministic (fixed timestamps, sequence numbers and
// IP IDs drawn from a seed per file), so running it twice gives identical
// bytes; the golden test checks that.
//
//	go run ./testdata/gen -out testdata/fixtures
package main

import (
	"bytes"
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

func main() {
	out := flag.String("out", "testdata/fixtures", "directory to write the fixtures and their README.md into")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var readme strings.Builder
	readme.WriteString("# fixtures\n\n" +
		"Small hand-built captures (Ethernet, pcap), one scenario per file, read by the golden\n" +
		"tests in `cmd/flowscope/golden_test.go` (expected output in `../golden/`).\n" +
		"Regenerate them with `go run ./testdata/gen -out testdata/fixtures` from the module root;\n" +
		"the generator is deterministic (fixed timestamps and seeds), so running it twice gives\n" +
		"identical bytes, and the golden test checks that. Addresses are from the documentation\n" +
		"ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 10.0.0.0/8 inside tunnels).\n\n")
	for _, f := range fixtures {
		b := newBuilder(f.name, f.nanos)
		f.build(b)
		if b.err != nil {
			return fmt.Errorf("%s: %w", f.name, b.err)
		}
		data, err := b.pcap()
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.name+".pcap"), data, 0o644); err != nil {
			return err
		}
		res := "µs"
		if f.nanos {
			res = "ns"
		}
		fmt.Fprintf(&readme, "- `%s.pcap` (%d packets, %s): %s\n", f.name, len(b.frames), res, f.desc)
	}
	return os.WriteFile(filepath.Join(dir, "README.md"), []byte(readme.String()), 0o644)
}

// fixture is one capture file and how to build it.
type fixture struct {
	name  string // file name without ".pcap"
	desc  string // its line in README.md
	nanos bool   // nanosecond timestamps (else microsecond)
	build func(b *builder)
}

// Hosts. Clients and servers sit in different documentation ranges so that
// the canonical (sorted) order of a flow's endpoints is not always the
// client's, which catches direction mistakes.
var (
	client  = host{mac("02:00:00:00:00:0a"), ip("203.0.113.10")}
	server  = host{mac("02:00:00:00:01:14"), ip("198.51.100.20")}
	dns     = host{mac("02:00:00:00:01:35"), ip("198.51.100.53")}
	vtepA   = host{mac("02:00:00:00:02:01"), ip("192.0.2.1")}
	vtepB   = host{mac("02:00:00:00:02:02"), ip("192.0.2.2")}
	inner1  = host{mac("02:00:00:00:03:01"), ip("10.1.0.1")}
	inner2  = host{mac("02:00:00:00:03:02"), ip("10.2.0.1")}
	client6 = host{mac("02:00:00:00:04:0a"), ip("2001:db8:1::10")}
	server6 = host{mac("02:00:00:00:04:14"), ip("2001:db8:2::20")}
	lldpMAC = mac("01:80:c2:00:00:0e")
)

// Ports. Ephemeral ports are fixed (not drawn) and kept clear of the
// registered service ports that the direction heuristic knows.
const (
	eph  = 49732
	eph2 = 49733
)

var (
	plain    = &path{c: client, s: server}
	toDNS    = &path{c: client, s: dns}
	httpReq  = []byte("GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
	httpResp = []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
)

var fixtures = []fixture{
	// Zeek conn_state, one per file.
	{name: "conn_s0", desc: "TCP SYN sent twice (same sequence number), never answered: S0", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.cli("S", nil)
		b.wait(time.Second)
		c.resend(true)
	}},
	{name: "conn_s1", desc: "TCP handshake and data both ways, never closed: S1", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.handshake()
		c.cli("PA", httpReq)
		c.srv("PA", httpResp)
	}},
	{name: "conn_sf", desc: "TCP handshake, data, FIN both ways and the last ACK: SF", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.handshake()
		c.cli("PA", httpReq)
		c.srv("A", nil)
		c.srv("PA", httpResp)
		c.closeFromClient()
	}},
	{name: "conn_rej", desc: "TCP SYN answered by RST-ACK: REJ", build: func(b *builder) {
		c := b.tcp(plain, eph, 81)
		c.cli("S", nil)
		c.srv("RA", nil)
	}},
	{name: "conn_s2", desc: "TCP established, data, FIN from the originator only: S2", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.handshake()
		c.cli("PA", httpReq)
		c.srv("A", nil)
		c.cli("FA", nil)
	}},
	{name: "conn_s3", desc: "TCP established, data, FIN from the responder only: S3", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.handshake()
		c.srv("PA", httpResp)
		c.cli("A", nil)
		c.srv("FA", nil)
	}},
	{name: "conn_rsto", desc: "TCP established, data, then RST from the originator: RSTO", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.handshake()
		c.cli("PA", httpReq)
		c.srv("PA", httpResp)
		c.cli("RA", nil)
	}},
	{name: "conn_rstr", desc: "TCP established, data, then RST from the responder: RSTR", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.handshake()
		c.cli("PA", httpReq)
		c.srv("PA", httpResp)
		c.srv("RA", nil)
	}},
	{name: "conn_rstos0", desc: "TCP SYN, then RST from the same originator, no SYN-ACK: RSTOS0", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.cli("S", nil)
		b.wait(time.Second)
		c.cli("R", nil)
	}},
	{name: "conn_rstrh", desc: "TCP SYN-ACK then RST from the responder, no SYN seen: RSTRH", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.missedSYN()
		c.srv("SA", nil)
		b.wait(time.Second)
		c.srv("R", nil)
	}},
	{name: "conn_sh", desc: "TCP SYN, then FIN from the same originator, no SYN-ACK: SH", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.cli("S", nil)
		b.wait(time.Second)
		c.cli("F", nil)
	}},
	{name: "conn_shr", desc: "TCP SYN-ACK then FIN from the responder, no SYN seen: SHR", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.missedSYN()
		c.srv("SA", nil)
		b.wait(time.Second)
		c.srv("FA", nil)
	}},
	{name: "conn_oth", desc: "TCP picked up mid-stream (no SYN, no FIN), client to port 22 speaks first: OTH", build: func(b *builder) {
		c := b.tcp(plain, eph, 22)
		c.cli("PA", b.bytes(48))
		c.srv("A", nil)
		c.srv("PA", b.bytes(64))
		c.cli("A", nil)
	}},
	{name: "udp_sf", desc: "UDP DNS query and its answer: SF", build: func(b *builder) {
		u := b.udp(toDNS, eph, 53)
		u.cli(dnsMsg(0x1a2b, "www.example.com", false))
		u.srv(dnsMsg(0x1a2b, "www.example.com", true))
	}},
	{name: "udp_s0", desc: "UDP DNS query sent twice, never answered: S0", build: func(b *builder) {
		u := b.udp(toDNS, eph, 53)
		u.cli(dnsMsg(0x1a2c, "www.example.org", false))
		b.wait(time.Second)
		u.cli(dnsMsg(0x1a2c, "www.example.org", false))
	}},
	{name: "icmp_echo", nanos: true, desc: "two ICMP echo requests and their replies: OTH, direction by ICMP type", build: func(b *builder) {
		b.echo(plain, true, 0x4d2, 1)
		b.echo(plain, false, 0x4d2, 1)
		b.wait(time.Second)
		b.echo(plain, true, 0x4d2, 2)
		b.echo(plain, false, 0x4d2, 2)
	}},

	// End reasons.
	{name: "end_idle_udp", desc: "UDP exchange, 90 s of silence (UDP idle timeout 60 s), then another UDP exchange: idle, eof", build: func(b *builder) {
		u := b.udp(toDNS, eph, 53)
		u.cli(dnsMsg(1, "a.example.com", false))
		u.srv(dnsMsg(1, "a.example.com", true))
		b.wait(90 * time.Second)
		v := b.udp(toDNS, eph2, 53)
		v.cli(dnsMsg(2, "b.example.com", false))
		v.srv(dnsMsg(2, "b.example.com", true))
	}},
	{name: "end_idle_tcp", desc: "TCP established with data, 400 s of silence (TCP idle timeout 5 min), then a UDP exchange: idle, eof", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.handshake()
		c.cli("PA", httpReq)
		c.srv("PA", httpResp)
		b.wait(400 * time.Second)
		u := b.udp(toDNS, eph2, 53)
		u.cli(dnsMsg(3, "c.example.com", false))
		u.srv(dnsMsg(3, "c.example.com", true))
	}},
	{name: "end_active", desc: "TCP connection of 63 min with data and an ACK every 59 s (active timeout 30 min): active, active, eof", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.handshake()
		// 59 s rather than 60 s keeps every packet off the exact 30 min
		// boundary, where "longer than" and "at least" would disagree.
		for i := 0; i < 64; i++ {
			b.wait(59*time.Second - 2*b.gap)
			c.cli("PA", httpReq)
			c.srv("A", nil)
		}
	}},
	{name: "end_fin", desc: "TCP SF connection, then a DNS exchange every 2 s until 8 s after the close (close delay 5 s): fin, eof", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.handshake()
		c.cli("PA", httpReq)
		c.srv("PA", httpResp)
		c.closeFromClient()
		b.dnsEvery(toDNS, eph2, 4, 2*time.Second)
	}},
	{name: "end_rst", desc: "TCP RSTO connection, then a DNS exchange every 2 s until 8 s after the reset (close delay 5 s): rst, eof", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.handshake()
		c.cli("PA", httpReq)
		c.srv("PA", httpResp)
		c.cli("RA", nil)
		b.dnsEvery(toDNS, eph2, 4, 2*time.Second)
	}},
	{name: "end_eof", desc: "a TCP connection and a UDP exchange still open at the end of the capture: eof, eof", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.handshake()
		c.cli("PA", httpReq)
		u := b.udp(toDNS, eph2, 53)
		u.cli(dnsMsg(4, "d.example.com", false))
		u.srv(dnsMsg(4, "d.example.com", true))
		c.srv("PA", httpResp)
	}},
	{name: "end_evicted", desc: "four UDP exchanges within a second, read with --max-flows 2: evicted, evicted, eof, eof", build: func(b *builder) {
		us := make([]*udpConn, 4)
		for i := range us {
			us[i] = b.udp(toDNS, uint16(eph+i), 53)
		}
		name := func(i int) string { return fmt.Sprintf("host%d.example.com", i) }
		// Two flows overlap at a time, so each new one pushes out the one
		// idle the longest.
		for _, pair := range [][2]int{{0, 1}, {2, 3}} {
			for _, i := range pair {
				us[i].cli(dnsMsg(uint16(10+i), name(i), false))
			}
			for _, i := range pair {
				us[i].srv(dnsMsg(uint16(10+i), name(i), true))
			}
			b.wait(200 * time.Millisecond)
		}
	}},

	// Direction.
	{name: "dir_port_midstream", desc: "TCP picked up mid-stream, the server on port 443 sends first: client by port, history flipped", build: func(b *builder) {
		c := b.tcp(plain, eph, 443)
		c.srv("PA", b.bytes(120))
		c.cli("A", nil)
		c.cli("PA", b.bytes(40))
		c.srv("A", nil)
	}},
	{name: "dir_synack_first", desc: "TCP whose SYN was missed: SYN-ACK first, then ACK and data both ways; client is the SYN-ACK's receiver", build: func(b *builder) {
		c := b.tcp(plain, eph, 80)
		c.missedSYN()
		c.srv("SA", nil)
		c.cli("A", nil)
		c.cli("PA", httpReq)
		c.srv("PA", httpResp)
	}},
	{name: "dir_udp_ephemeral", desc: "UDP between two unregistered high ports (49732 and 50000): client is the first sender", build: func(b *builder) {
		u := b.udp(plain, eph, 50000)
		u.cli(b.bytes(30))
		u.srv(b.bytes(30))
		u.cli(b.bytes(30))
	}},
	{name: "dir_port_reuse", desc: "TCP SF connection, then 1 s later a new SYN on the same 5-tuple (within the close delay) and a second SF connection: two records", build: func(b *builder) {
		for i := 0; i < 2; i++ {
			c := b.tcp(plain, eph, 80)
			c.handshake()
			c.cli("PA", httpReq)
			c.srv("PA", httpResp)
			c.closeFromClient()
			b.wait(time.Second)
		}
	}},

	// Encapsulations, fragments and non-IP frames.
	{name: "encap_vxlan", desc: "VXLAN (UDP 4789, VNI 42) carrying Ethernet/IPv4/TCP (handshake and data); each VTEP sends from its own source port", build: func(b *builder) {
		p := &path{c: inner1, s: inner2, innerEth: true, wrap: vxlanWrap(vtepA, vtepB, 50001, 50002, 42)}
		c := b.tcp(p, eph, 80)
		c.handshake()
		c.cli("PA", httpReq)
		c.srv("PA", httpResp)
	}},
	{name: "encap_gre", desc: "GRE between two routers carrying IPv4 UDP (DNS query and answer)", build: func(b *builder) {
		p := &path{c: inner1, s: inner2, wrap: greWrap(vtepA, vtepB)}
		u := b.udp(p, eph, 53)
		u.cli(dnsMsg(5, "e.example.com", false))
		u.srv(dnsMsg(5, "e.example.com", true))
	}},
	{name: "encap_ipip", desc: "IPv4-in-IPv4 (protocol 4) carrying an ICMP echo request and reply", build: func(b *builder) {
		p := &path{c: inner1, s: inner2, wrap: ipipWrap(vtepA, vtepB)}
		b.echo(p, true, 0x77, 1)
		b.echo(p, false, 0x77, 1)
	}},
	{name: "encap_gtpu", desc: "GTP-U (UDP 2152 both ways, TEIDs 0x100 and 0x200) between a base station and a gateway: an echo request and response, then G-PDUs carrying IPv4/TCP (handshake and data; uplink with a PDU session container extension header)", build: func(b *builder) {
		for _, req := range []bool{true, false} {
			eth, ip4 := outer(b, vtepA, vtepB, req, layers.IPProtocolUDP)
			udp := &layers.UDP{SrcPort: 2152, DstPort: 2152}
			udp.SetNetworkLayerForChecksum(ip4)
			g := &layers.GTPv1U{Version: 1, ProtocolType: 1, SequenceNumberFlag: true, MessageType: 1, SequenceNumber: 9}
			var recovery gopacket.Payload
			if !req {
				g.MessageType, recovery = 2, gopacket.Payload{14, 0}
			}
			b.write(eth, ip4, udp, g, recovery)
		}
		p := &path{c: inner1, s: inner2, wrap: gtpuWrap(vtepA, vtepB, 0x100, 0x200)}
		c := b.tcp(p, eph, 80)
		c.handshake()
		c.cli("PA", httpReq)
		c.srv("PA", httpResp)
	}},
	{name: "encap_capwap", desc: "CAPWAP data channel (access point's UDP 12380 to the controller's 5247, HLEN 2, 802.3 frames) carrying Ethernet/IPv4/UDP (DNS query and answer)", build: func(b *builder) {
		p := &path{c: inner1, s: inner2, innerEth: true, wrap: capwapWrap(vtepA, vtepB, 12380)}
		u := b.udp(p, eph, 53)
		u.cli(dnsMsg(6, "f.example.com", false))
		u.srv(dnsMsg(6, "f.example.com", true))
	}},
	{name: "encap_vlan_ipv6", nanos: true, desc: "IPv6 over 802.1Q VLAN 100: TCP handshake, data, FIN both ways (SF)", build: func(b *builder) {
		p := &path{c: client6, s: server6, vlan: 100}
		c := b.tcp(p, eph, 443)
		c.handshake()
		c.cli("PA", b.bytes(100))
		c.srv("PA", b.bytes(200))
		c.closeFromClient()
	}},
	{name: "frag_udp", desc: "a 1200-byte UDP datagram in three IPv4 fragments, in order, and an unfragmented reply", build: func(b *builder) {
		u := b.udp(plain, eph, 514)
		u.fragments(syslogText(1200), 512, 0, 1, 2)
		u.srv(b.bytes(20))
	}},
	{name: "frag_reorder", desc: "a 1200-byte UDP datagram in three IPv4 fragments, the second before the first, and an unfragmented reply", build: func(b *builder) {
		u := b.udp(plain, eph, 514)
		u.fragments(syslogText(1200), 512, 1, 0, 2)
		u.srv(b.bytes(20))
	}},
	{name: "frag_incomplete", desc: "the first two of three IPv4 fragments of a UDP datagram; the last never arrives", build: func(b *builder) {
		u := b.udp(plain, eph, 514)
		u.fragments(syslogText(1200), 512, 0, 1)
	}},
	{name: "nonip_arp_lldp", desc: "an ARP request and reply and an LLDP frame (non-IP, skipped), then an ICMP echo request and reply", build: func(b *builder) {
		b.arp(client, server, false)
		b.arp(server, client, true)
		b.lldp()
		b.echo(plain, true, 0x99, 1)
		b.echo(plain, false, 0x99, 1)
	}},
}

// builder collects one fixture's frames on a packet clock.
type builder struct {
	now    time.Time
	gap    time.Duration // clock step after each frame
	rng    *rand.Rand
	ipID   uint16
	frames []frame
	nanos  bool
	err    error
}

type frame struct {
	ts   time.Time
	data []byte
}

func newBuilder(name string, nanos bool) *builder {
	h := fnv.New64a()
	h.Write([]byte(name))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x666c6f7773636f70))
	// Sub-second parts show whether a reader keeps the file's resolution.
	base := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC).Add(123456 * time.Microsecond)
	if nanos {
		base = base.Add(789 * time.Nanosecond)
	}
	return &builder{now: base, gap: 10 * time.Millisecond, rng: rng, ipID: uint16(rng.Uint32()), nanos: nanos}
}

func (b *builder) wait(d time.Duration) { b.now = b.now.Add(d) }

// bytes returns n deterministic pseudo-random payload bytes.
func (b *builder) bytes(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(b.rng.Uint32())
	}
	return p
}

func (b *builder) nextID() uint16 {
	b.ipID++
	return b.ipID
}

var serializeOpts = gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}

// write serializes one frame at the current time and steps the clock.
func (b *builder) write(ls ...gopacket.SerializableLayer) {
	if b.err != nil {
		return
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, serializeOpts, ls...); err != nil {
		b.err = err
		return
	}
	b.frames = append(b.frames, frame{b.now, bytes.Clone(buf.Bytes())})
	b.now = b.now.Add(b.gap)
}

func (b *builder) pcap() ([]byte, error) {
	var out bytes.Buffer
	w := pcapgo.NewWriter(&out)
	if b.nanos {
		w = pcapgo.NewWriterNanos(&out)
	}
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return nil, err
	}
	for _, f := range b.frames {
		ci := gopacket.CaptureInfo{Timestamp: f.ts, CaptureLength: len(f.data), Length: len(f.data)}
		if err := w.WritePacket(ci, f.data); err != nil {
			return nil, err
		}
	}
	return out.Bytes(), nil
}

func (b *builder) ipv4(src, dst net.IP, proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: b.nextID(), Flags: layers.IPv4DontFragment,
		Protocol: proto, SrcIP: src, DstIP: dst}
}

type host struct {
	mac net.HardwareAddr
	ip  net.IP
}

func mac(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

func ip(s string) net.IP {
	a := net.ParseIP(s)
	if a == nil {
		panic("bad IP " + s)
	}
	if v4 := a.To4(); v4 != nil {
		return v4
	}
	return a
}

// path is how packets between a client and a server are framed.
type path struct {
	c, s host
	vlan uint16
	// wrap returns a tunnel's outer layers for one direction; the inner
	// packet then starts at IP, or at Ethernet when innerEth is set.
	wrap     func(b *builder, fromClient bool) []gopacket.SerializableLayer
	innerEth bool
}

// headers returns the layers down to and including IP for one direction,
// and the IP layer for transport checksums.
func (p *path) headers(b *builder, fromClient bool, proto layers.IPProtocol) ([]gopacket.SerializableLayer, gopacket.NetworkLayer) {
	src, dst := p.c, p.s
	if !fromClient {
		src, dst = dst, src
	}
	var ls []gopacket.SerializableLayer
	if p.wrap != nil {
		ls = p.wrap(b, fromClient)
	}
	v6 := src.ip.To4() == nil
	et := layers.EthernetTypeIPv4
	if v6 {
		et = layers.EthernetTypeIPv6
	}
	if p.wrap == nil || p.innerEth {
		eth := &layers.Ethernet{SrcMAC: src.mac, DstMAC: dst.mac, EthernetType: et}
		ls = append(ls, eth)
		if p.vlan != 0 {
			eth.EthernetType = layers.EthernetTypeDot1Q
			ls = append(ls, &layers.Dot1Q{VLANIdentifier: p.vlan, Type: et})
		}
	}
	if v6 {
		ip6 := &layers.IPv6{Version: 6, NextHeader: proto, HopLimit: 64, SrcIP: src.ip, DstIP: dst.ip}
		return append(ls, ip6), ip6
	}
	ip4 := b.ipv4(src.ip, dst.ip, proto)
	return append(ls, ip4), ip4
}

// outer returns a tunnel's Ethernet and IPv4 headers between two routers.
func outer(b *builder, a, z host, fromA bool, proto layers.IPProtocol) (*layers.Ethernet, *layers.IPv4) {
	if !fromA {
		a, z = z, a
	}
	return &layers.Ethernet{SrcMAC: a.mac, DstMAC: z.mac, EthernetType: layers.EthernetTypeIPv4}, b.ipv4(a.ip, z.ip, proto)
}

// vxlanWrap sends from portA (A to B) or portB (B to A) to 4789, as VTEPs
// pick the source port from a hash of the inner flow.
func vxlanWrap(a, z host, portA, portB uint16, vni uint32) func(*builder, bool) []gopacket.SerializableLayer {
	return func(b *builder, fromA bool) []gopacket.SerializableLayer {
		eth, ip4 := outer(b, a, z, fromA, layers.IPProtocolUDP)
		sport := portA
		if !fromA {
			sport = portB
		}
		udp := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: 4789}
		udp.SetNetworkLayerForChecksum(ip4)
		return []gopacket.SerializableLayer{eth, ip4, udp, &layers.VXLAN{ValidIDFlag: true, VNI: vni}}
	}
}

// gtpuWrap sends G-PDUs from and to port 2152 with the receiver's TEID
// (teidA is A's, teidB B's); those from A carry a PDU session container.
func gtpuWrap(a, z host, teidA, teidB uint32) func(*builder, bool) []gopacket.SerializableLayer {
	return func(b *builder, fromA bool) []gopacket.SerializableLayer {
		eth, ip4 := outer(b, a, z, fromA, layers.IPProtocolUDP)
		udp := &layers.UDP{SrcPort: 2152, DstPort: 2152}
		udp.SetNetworkLayerForChecksum(ip4)
		g := &layers.GTPv1U{Version: 1, ProtocolType: 1, MessageType: 255, TEID: teidA}
		if fromA {
			g.TEID = teidB
			// PDU session container: uplink (type 1), QFI 9.
			g.GTPExtensionHeaders = []layers.GTPExtensionHeader{{Type: 0x85, Content: []byte{0x10, 0x09}}}
		}
		return []gopacket.SerializableLayer{eth, ip4, udp, g}
	}
}

// capwapWrap sends CAPWAP data messages between an access point (A, on
// port apPort) and its controller (B, on 5247): HLEN 2, radio ID 1,
// wireless binding 1, T clear (an 802.3 frame follows).
func capwapWrap(a, z host, apPort uint16) func(*builder, bool) []gopacket.SerializableLayer {
	return func(b *builder, fromA bool) []gopacket.SerializableLayer {
		eth, ip4 := outer(b, a, z, fromA, layers.IPProtocolUDP)
		udp := &layers.UDP{SrcPort: layers.UDPPort(apPort), DstPort: 5247}
		if !fromA {
			udp.SrcPort, udp.DstPort = udp.DstPort, udp.SrcPort
		}
		udp.SetNetworkLayerForChecksum(ip4)
		return []gopacket.SerializableLayer{eth, ip4, udp, gopacket.Payload{0, 2 << 3, 1<<6 | 1<<1, 0, 0, 0, 0, 0}}
	}
}

func greWrap(a, z host) func(*builder, bool) []gopacket.SerializableLayer {
	return func(b *builder, fromA bool) []gopacket.SerializableLayer {
		eth, ip4 := outer(b, a, z, fromA, layers.IPProtocolGRE)
		return []gopacket.SerializableLayer{eth, ip4, &layers.GRE{Protocol: layers.EthernetTypeIPv4}}
	}
}

func ipipWrap(a, z host) func(*builder, bool) []gopacket.SerializableLayer {
	return func(b *builder, fromA bool) []gopacket.SerializableLayer {
		eth, ip4 := outer(b, a, z, fromA, layers.IPProtocolIPv4)
		return []gopacket.SerializableLayer{eth, ip4}
	}
}

// tcpConn writes the segments of one TCP connection with consistent
// sequence and acknowledgment numbers.
type tcpConn struct {
	b            *builder
	p            *path
	cport, sport uint16
	next         [2]uint32 // next sequence number of the client [0] and server [1]
	last         [2]*layers.TCP
}

func (b *builder) tcp(p *path, cport, sport uint16) *tcpConn {
	return &tcpConn{b: b, p: p, cport: cport, sport: sport, next: [2]uint32{b.rng.Uint32(), b.rng.Uint32()}}
}

func (c *tcpConn) cli(flags string, payload []byte) { c.send(true, flags, payload) }
func (c *tcpConn) srv(flags string, payload []byte) { c.send(false, flags, payload) }

// missedSYN advances the client's sequence as if its SYN had been sent
// but not captured, so that a SYN-ACK acknowledges it.
func (c *tcpConn) missedSYN() { c.next[0]++ }

func (c *tcpConn) handshake() {
	c.cli("S", nil)
	c.srv("SA", nil)
	c.cli("A", nil)
}

// closeFromClient is an orderly close: FIN, FIN back, last ACK.
func (c *tcpConn) closeFromClient() {
	c.cli("FA", nil)
	c.srv("FA", nil)
	c.cli("A", nil)
}

// send writes one segment; flags are letters of S, A, F, R, P.
func (c *tcpConn) send(fromClient bool, flags string, payload []byte) {
	i, j := 0, 1
	sport, dport := c.cport, c.sport
	if !fromClient {
		i, j = 1, 0
		sport, dport = dport, sport
	}
	t := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Seq: c.next[i], Window: 64240}
	for _, f := range flags {
		switch f {
		case 'S':
			t.SYN = true
		case 'A':
			t.ACK = true
			t.Ack = c.next[j]
		case 'F':
			t.FIN = true
		case 'R':
			t.RST = true
		case 'P':
			t.PSH = true
		default:
			c.b.err = fmt.Errorf("unknown TCP flag %q", f)
			return
		}
	}
	c.write(fromClient, t, payload)
	if !t.RST {
		c.next[i] += uint32(len(payload))
		if t.SYN {
			c.next[i]++
		}
		if t.FIN {
			c.next[i]++
		}
	}
}

// resend writes the side's last segment again (a retransmission).
func (c *tcpConn) resend(fromClient bool) {
	i := 1
	if fromClient {
		i = 0
	}
	if c.last[i] == nil {
		c.b.err = fmt.Errorf("resend before any segment")
		return
	}
	t := *c.last[i]
	c.write(fromClient, &t, nil)
}

func (c *tcpConn) write(fromClient bool, t *layers.TCP, payload []byte) {
	ls, nl := c.p.headers(c.b, fromClient, layers.IPProtocolTCP)
	if err := t.SetNetworkLayerForChecksum(nl); err != nil {
		c.b.err = err
		return
	}
	ls = append(ls, t)
	if len(payload) > 0 {
		ls = append(ls, gopacket.Payload(payload))
	}
	c.b.write(ls...)
	if fromClient {
		c.last[0] = t
	} else {
		c.last[1] = t
	}
}

// udpConn writes the datagrams of one UDP flow.
type udpConn struct {
	b            *builder
	p            *path
	cport, sport uint16
}

func (b *builder) udp(p *path, cport, sport uint16) *udpConn {
	return &udpConn{b: b, p: p, cport: cport, sport: sport}
}

func (u *udpConn) cli(payload []byte) { u.send(true, payload) }
func (u *udpConn) srv(payload []byte) { u.send(false, payload) }

func (u *udpConn) header(fromClient bool) *layers.UDP {
	if fromClient {
		return &layers.UDP{SrcPort: layers.UDPPort(u.cport), DstPort: layers.UDPPort(u.sport)}
	}
	return &layers.UDP{SrcPort: layers.UDPPort(u.sport), DstPort: layers.UDPPort(u.cport)}
}

func (u *udpConn) send(fromClient bool, payload []byte) {
	ls, nl := u.p.headers(u.b, fromClient, layers.IPProtocolUDP)
	udp := u.header(fromClient)
	if err := udp.SetNetworkLayerForChecksum(nl); err != nil {
		u.b.err = err
		return
	}
	u.b.write(append(ls, udp, gopacket.Payload(payload))...)
}

// fragments sends one client datagram as IPv4 fragments of at most size
// bytes of IP payload each (a multiple of 8), writing the fragments whose
// indexes are listed, in that order: a missing index is a lost fragment.
func (u *udpConn) fragments(payload []byte, size int, order ...int) {
	if u.b.err != nil {
		return
	}
	// Serialize the whole datagram once for its UDP checksum.
	whole := u.b.ipv4(u.p.c.ip, u.p.s.ip, layers.IPProtocolUDP)
	udp := u.header(true)
	if err := udp.SetNetworkLayerForChecksum(whole); err != nil {
		u.b.err = err
		return
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, serializeOpts, whole, udp, gopacket.Payload(payload)); err != nil {
		u.b.err = err
		return
	}
	data := buf.Bytes()[20:]
	var chunks [][]byte
	for off := 0; off < len(data); off += size {
		chunks = append(chunks, data[off:min(off+size, len(data))])
	}
	for _, i := range order {
		ls, nl := u.p.headers(u.b, true, layers.IPProtocolUDP)
		ip4, ok := nl.(*layers.IPv4)
		if !ok || i >= len(chunks) {
			u.b.err = fmt.Errorf("fragment %d of %d on a non-IPv4 path", i, len(chunks))
			return
		}
		ip4.Id = whole.Id
		ip4.Flags = 0
		if i < len(chunks)-1 {
			ip4.Flags = layers.IPv4MoreFragments
		}
		ip4.FragOffset = uint16(i * size / 8)
		u.b.write(append(ls, gopacket.Payload(chunks[i]))...)
	}
}

// syslogText is n bytes of readable filler for the fragmented datagrams.
func syslogText(n int) []byte {
	line := "<14>Mar  1 12:00:00 host flowscope: fragmented datagram filler\n"
	return []byte(strings.Repeat(line, n/len(line)+1)[:n])
}

// dnsEvery writes n DNS query/answer pairs from a new client port, one
// every interval.
func (b *builder) dnsEvery(p *path, port uint16, n int, interval time.Duration) {
	u := b.udp(p, port, 53)
	for i := 0; i < n; i++ {
		b.wait(interval - 2*b.gap)
		name := fmt.Sprintf("n%d.example.net", i)
		u.cli(dnsMsg(uint16(100+i), name, false))
		u.srv(dnsMsg(uint16(100+i), name, true))
	}
}

func dnsMsg(id uint16, name string, answer bool) []byte {
	q := layers.DNSQuestion{Name: []byte(name), Type: layers.DNSTypeA, Class: layers.DNSClassIN}
	d := &layers.DNS{ID: id, RD: true, Questions: []layers.DNSQuestion{q}}
	if answer {
		d.QR, d.RA = true, true
		d.Answers = []layers.DNSResourceRecord{{Name: q.Name, Type: q.Type, Class: q.Class, TTL: 300, IP: net.IPv4(192, 0, 2, 80).To4()}}
	}
	buf := gopacket.NewSerializeBuffer()
	if err := d.SerializeTo(buf, serializeOpts); err != nil {
		panic(err)
	}
	return bytes.Clone(buf.Bytes())
}

// echo writes an ICMP echo request (from the client) or reply (from the server).
func (b *builder) echo(p *path, fromClient bool, id, seq uint16) {
	ls, _ := p.headers(b, fromClient, layers.IPProtocolICMPv4)
	typ := uint8(layers.ICMPv4TypeEchoReply)
	if fromClient {
		typ = layers.ICMPv4TypeEchoRequest
	}
	icmp := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(typ, 0), Id: id, Seq: seq}
	b.write(append(ls, icmp, gopacket.Payload("abcdefghijklmnopqrstuvwabcdefghi"))...)
}

// arp writes a request from src for dst's address, or src's reply to dst.
func (b *builder) arp(src, dst host, reply bool) {
	a := &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
		Operation: layers.ARPRequest, SourceHwAddress: src.mac, SourceProtAddress: src.ip,
		DstHwAddress: make(net.HardwareAddr, 6), DstProtAddress: dst.ip}
	to := net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	if reply {
		a.Operation = layers.ARPReply
		a.DstHwAddress, to = dst.mac, dst.mac
	}
	b.write(&layers.Ethernet{SrcMAC: src.mac, DstMAC: to, EthernetType: layers.EthernetTypeARP}, a)
}

func (b *builder) lldp() {
	sw := mac("02:00:00:00:05:01")
	l := &layers.LinkLayerDiscovery{
		ChassisID: layers.LLDPChassisID{Subtype: layers.LLDPChassisIDSubTypeMACAddr, ID: sw},
		PortID:    layers.LLDPPortID{Subtype: layers.LLDPPortIDSubtypeIfaceName, ID: []byte("ge-0/0/1")},
		TTL:       120,
	}
	b.write(&layers.Ethernet{SrcMAC: sw, DstMAC: lldpMAC, EthernetType: layers.EthernetTypeLinkLayerDiscovery}, l)
}
