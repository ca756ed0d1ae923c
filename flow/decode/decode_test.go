package decode

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/flowscope/flowscope/capture"

	"github.com/flowscope/flowscope/internal/testcaps"
)

// decCaptureDir returns the shared captures directory.
func decCaptureDir(t testing.TB) string { return testcaps.Dir(t) }

// decTestFrame is one captured frame as a capture source would hand it over.
type decTestFrame struct {
	data     []byte
	linkType uint32
	origLen  int
	ts       int64
}

// decReadCapture reads every frame of a shared capture file through the
// capture package, as the CLI does.
func decReadCapture(t testing.TB, name string) []decTestFrame {
	t.Helper()
	return decReadCaptureFile(t, filepath.Join(decCaptureDir(t), name))
}

// decReadCaptureFile reads every frame of the capture at path.
func decReadCaptureFile(t testing.TB, path string) []decTestFrame {
	t.Helper()
	name := filepath.Base(path)
	f, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var frames []decTestFrame
	var p capture.Packet
	for {
		err := f.Next(&p)
		if err != nil {
			var ce *capture.Error
			if err != io.EOF && !(errors.As(err, &ce) && ce.Kind == capture.Truncated) {
				t.Fatalf("%s: %v", name, err)
			}
			return frames
		}
		frames = append(frames, decTestFrame{data: bytes.Clone(p.Data), linkType: p.LinkType, origLen: p.Len, ts: p.Timestamp.UnixNano()})
	}
}

// decTsvRow is one frame of tshark's per-packet view.
type decTsvRow map[string]string

func (r decTsvRow) list(name string) []string {
	if r[name] == "" {
		return nil
	}
	return strings.Split(r[name], ",")
}

func decReadTsv(t testing.TB, path string) []decTsvRow {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var (
		cols []string
		rows []decTsvRow
	)
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		fields := strings.Split(line, "\t")
		if cols == nil {
			cols = fields
			continue
		}
		row := decTsvRow{}
		for i, c := range cols {
			if i < len(fields) {
				row[c] = fields[i]
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// decFlagsFromTshark turns tshark's tcp.flags.str ("·······A··S·") into a flags byte.
func decFlagsFromTshark(s string) uint8 {
	r := []rune(s)
	if len(r) < 8 {
		return 0
	}
	var f uint8
	for i, c := range r[len(r)-8:] {
		if c != '·' {
			f |= 1 << (7 - i)
		}
	}
	return f
}

// decTsLayer is an IP layer tshark dissected.
type decTsLayer struct {
	v6      bool
	proto   int    // protocol after the layer by its dissector, -1 if unknown
	carries Tunnel // how the next IP layer is carried, if any
}

// decTsLayers lists the IP layers of frame.protocols, stopping at ICMP:
// tshark also dissects the packet quoted by an ICMP error.
func decTsLayers(protocols string) []decTsLayer {
	toks := strings.Split(protocols, ":")
	var ls []decTsLayer
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		if tok == "ip" || tok == "ipv6" {
			if n := len(ls); n > 0 && ls[n-1].carries == TunnelNone {
				ls[n-1].carries = TunnelIPinIP
			}
			l := decTsLayer{v6: tok == "ipv6", proto: -1}
			j := i + 1
			for j < len(toks) && strings.HasPrefix(toks[j], "ipv6.") {
				j++
			}
			if j < len(toks) {
				switch toks[j] {
				case "tcp":
					l.proto = ProtoTCP
				case "udp":
					l.proto = ProtoUDP
				case "icmp":
					l.proto = ProtoICMP
				case "icmpv6":
					l.proto = ProtoICMPv6
				case "gre":
					l.proto = ProtoGRE
				case "ip":
					l.proto = ProtoIPIP
				case "ipv6":
					l.proto = ProtoIPv6
				}
			}
			ls = append(ls, l)
			continue
		}
		if n := len(ls); n > 0 {
			switch tok {
			case "gre":
				ls[n-1].carries = TunnelGRE
			case "vxlan":
				ls[n-1].carries = TunnelVXLAN
			case "geneve":
				ls[n-1].carries = TunnelGeneve
			case "gtp":
				ls[n-1].carries = TunnelGTPU
			case "capwap.data":
				ls[n-1].carries = TunnelCAPWAP
			case "icmp", "icmpv6":
				ls[n-1].carries = TunnelNone
				return ls
			}
		}
	}
	if n := len(ls); n > 0 {
		ls[n-1].carries = TunnelNone
	}
	return ls
}

// decCheckRow compares a decoded frame with tshark's view of it and
// returns the differences.
func decCheckRow(f *Frame, row decTsvRow) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	if n := atoi(row["frame.len"]); f.Len != n {
		bad("Len %d, tshark %d", f.Len, n)
	}
	if n := atoi(row["frame.cap_len"]); f.CapLen != n {
		bad("CapLen %d, tshark %d", f.CapLen, n)
	}
	layers := decTsLayers(row["frame.protocols"])
	if len(layers) == 0 {
		if f.N != 0 || f.Skip == SkipNone {
			bad("no IP in tshark, got N=%d skip=%v", f.N, f.Skip)
		}
		return errs
	}
	if f.N != len(layers) {
		bad("N=%d (skip %v), tshark has %d IP layers", f.N, f.Skip, len(layers))
		return errs
	}
	if f.Skip != SkipNone && f.Skip != SkipTunnelNonIP {
		bad("skip %v with all packets decoded", f.Skip)
	}
	var vlan uint16
	if v := row.list("vlan.id"); len(v) > 0 {
		vlan = uint16(atoi(v[0]))
	}
	ip4src, ip4dst, ip4proto := row.list("ip.src"), row.list("ip.dst"), row.list("ip.proto")
	ip4mf, ip4off := row.list("ip.flags.mf"), row.list("ip.frag_offset")
	ip6src, ip6dst, ip6nxt := row.list("ipv6.src"), row.list("ipv6.dst"), row.list("ipv6.nxt")
	tcpSrc, tcpDst, tcpFlags, tcpLen := row.list("tcp.srcport"), row.list("tcp.dstport"), row.list("tcp.flags.str"), row.list("tcp.len")
	udpSrc, udpDst, udpLen := row.list("udp.srcport"), row.list("udp.dstport"), row.list("udp.length")
	var n4, n6, nt, nu int
	for i := 0; i < f.N; i++ {
		p, l := &f.Packets[i], layers[i]
		if p.Key.V6 != l.v6 {
			bad("packet %d: V6=%v, tshark %v", i, p.Key.V6, l.v6)
			continue
		}
		var src, dst string
		wantProto := l.proto
		if l.v6 {
			if n6 >= len(ip6src) || n6 >= len(ip6dst) {
				bad("packet %d: no ipv6 address in tshark", i)
				continue
			}
			src, dst = ip6src[n6], ip6dst[n6]
			if wantProto < 0 && n6 < len(ip6nxt) {
				switch nx := atoi(ip6nxt[n6]); nx {
				case 0, 43, 44, 51, 60, 135:
				default:
					wantProto = nx
				}
			}
			n6++
		} else {
			if n4 >= len(ip4src) || n4 >= len(ip4dst) || n4 >= len(ip4proto) {
				bad("packet %d: no ipv4 address in tshark", i)
				continue
			}
			src, dst, wantProto = ip4src[n4], ip4dst[n4], atoi(ip4proto[n4])
			frag := n4 < len(ip4mf) && ip4mf[n4] == "1" || n4 < len(ip4off) && ip4off[n4] != "0"
			if p.Fragment != frag {
				bad("packet %d: Fragment=%v, tshark %v", i, p.Fragment, frag)
			}
			n4++
		}
		if got := p.Key.SrcAddr(); got != netip.MustParseAddr(src) {
			bad("packet %d: src %v, tshark %s", i, got, src)
		}
		if got := p.Key.DstAddr(); got != netip.MustParseAddr(dst) {
			bad("packet %d: dst %v, tshark %s", i, got, dst)
		}
		if wantProto >= 0 && int(p.Key.Proto) != wantProto {
			bad("packet %d: proto %d, tshark %d", i, p.Key.Proto, wantProto)
		}
		if p.VLAN != vlan {
			bad("packet %d: VLAN %d, tshark %d", i, p.VLAN, vlan)
		}
		wantParent := i - 1
		if p.Parent != wantParent {
			bad("packet %d: Parent %d, want %d", i, p.Parent, wantParent)
		}
		if p.Carries != l.carries {
			bad("packet %d: Carries %v, tshark %v", i, p.Carries, l.carries)
		}
		ports := func(srcs, dsts []string, k int) {
			if k >= len(srcs) || k >= len(dsts) {
				if !p.Fragment { // tshark shows a datagram's ports on its last fragment only
					bad("packet %d: ports %d>%d, tshark none", i, p.Key.SrcPort, p.Key.DstPort)
				}
				return
			}
			if s, d := atoi(srcs[k]), atoi(dsts[k]); int(p.Key.SrcPort) != s || int(p.Key.DstPort) != d {
				bad("packet %d: ports %d>%d, tshark %d>%d", i, p.Key.SrcPort, p.Key.DstPort, s, d)
			}
		}
		switch p.Key.Proto {
		case ProtoTCP:
			if p.Fragment && nt >= len(tcpSrc) {
				break
			}
			ports(tcpSrc, tcpDst, nt)
			if !p.Fragment {
				if nt < len(tcpFlags) && decFlagsFromTshark(tcpFlags[nt]) != p.TCPFlags {
					bad("packet %d: flags %#x, tshark %s", i, p.TCPFlags, tcpFlags[nt])
				}
				if nt < len(tcpLen) && atoi(tcpLen[nt]) != p.PayloadLen {
					bad("packet %d: PayloadLen %d, tshark tcp.len %s", i, p.PayloadLen, tcpLen[nt])
				}
			}
			nt++
		case ProtoUDP:
			if p.Fragment && nu >= len(udpSrc) {
				break
			}
			ports(udpSrc, udpDst, nu)
			if !p.Fragment && nu < len(udpLen) && atoi(udpLen[nu])-8 != p.PayloadLen {
				bad("packet %d: PayloadLen %d, tshark udp.length %s", i, p.PayloadLen, udpLen[nu])
			}
			nu++
		}
	}
	return errs
}

// decFinalDst gives the final destination of frames whose type-0 routing
// header names one: flows are keyed on it, while tshark's ipv6.dst field is
// the next hop written in the IPv6 header (its conversations use the final one).
var decFinalDst = map[string]string{
	"tcpdump__ipv6-routing-header.pcap#1": "2200::210:2:0:0:4",
	"tcpdump__ipv6-routing-header.pcap#2": "2200::240:2:0:0:4",
	"tcpdump__ipv6-routing-header.pcap#3": "2200::210:2:0:0:4",
	"tcpdump__ipv6-routing-header.pcap#4": "2200::240:2:0:0:4",
}

// TestDecodeCapturesTshark decodes every frame of every shared capture
// that tshark described and compares it with tshark's view.
func TestDecodeCapturesTshark(t *testing.T) {
	caps := decCaptureDir(t)
	tsvs, err := filepath.Glob(filepath.Join(caps, "expected", "tshark", "*.fields.tsv"))
	if err != nil || len(tsvs) == 0 {
		t.Fatalf("no tshark views: %v", err)
	}
	var total, withIP int
	for _, tsv := range tsvs {
		name := strings.TrimSuffix(filepath.Base(tsv), ".fields.tsv")
		t.Run(name, func(t *testing.T) {
			frames := decReadCapture(t, name)
			var rows []decTsvRow
			for _, r := range decReadTsv(t, tsv) {
				// pcapng custom blocks, which tshark lists as frames.
				if r["frame.protocols"] != "data" {
					rows = append(rows, r)
				}
			}
			if len(rows) != len(frames) {
				t.Fatalf("%d frames, tshark %d", len(frames), len(rows))
			}
			d := NewDecoder()
			var f Frame
			for i, fr := range frames {
				d.Decode(fr.data, fr.linkType, fr.origLen, fr.ts, &f)
				if dst, ok := decFinalDst[name+"#"+rows[i]["frame.number"]]; ok {
					rows[i]["ipv6.dst"] = dst
				}
				for _, e := range decCheckRow(&f, rows[i]) {
					t.Errorf("frame %s: %s", rows[i]["frame.number"], e)
				}
				total++
				if f.N > 0 {
					withIP++
				}
			}
			d.Flush()
			if s := d.FragStats(); s.Unattributed != 0 || s.Incomplete != 0 {
				t.Errorf("FragStats %+v: every fragment should complete", s)
			}
		})
	}
	t.Logf("%d frames checked against tshark, %d with IP packets", total, withIP)
}

// decDecodeCapture decodes a whole capture with one decoder and returns a
// copy of every frame.
func decDecodeCapture(t *testing.T, name string) ([]Frame, *Decoder) {
	t.Helper()
	d := NewDecoder()
	var out []Frame
	for _, fr := range decReadCapture(t, name) {
		var f Frame
		d.Decode(fr.data, fr.linkType, fr.origLen, fr.ts, &f)
		out = append(out, f)
	}
	return out, d
}

// decAddr returns an address as a Key holds it (IPv4 IPv4-mapped).
func decAddr(s string) [16]byte { return netip.MustParseAddr(s).As16() }

// TestDecodeCaptureFrames pins what the decoder makes of chosen frames.
func TestDecodeCaptureFrames(t *testing.T) {
	type pkt struct {
		key        Key
		ipLen      int
		payloadLen int
		l4, frag   bool
		carries    Tunnel
		vlan       uint16
		flags      uint8
	}
	tests := []struct {
		file    string
		frame   int // from 1
		skip    Skip
		et      uint16
		etName  string
		packets []pkt
	}{
		{file: "ndpi__vxlan.pcap", frame: 1, packets: []pkt{
			{key: Key{Src: decAddr("192.168.22.4"), Dst: decAddr("192.168.22.5"), SrcPort: 60887, DstPort: 4789, Proto: ProtoUDP},
				ipLen: 108, payloadLen: 80, l4: true, carries: TunnelVXLAN, vlan: 5},
			{key: Key{Src: decAddr("10.10.20.4"), Dst: decAddr("8.8.8.8"), SrcPort: 44437, DstPort: 53, Proto: ProtoUDP},
				ipLen: 58, payloadLen: 30, l4: true, vlan: 5},
		}},
		{file: "ndpi__gre.pcapng", frame: 1, packets: []pkt{
			{key: Key{Src: decAddr("109.105.228.253"), Dst: decAddr("10.177.98.84"), Proto: ProtoGRE},
				ipLen: 366, payloadLen: 346, l4: true, carries: TunnelGRE, vlan: 142},
			{key: Key{Src: decAddr("192.168.10.210"), Dst: decAddr("192.168.103.40"), SrcPort: 5060, DstPort: 5060, Proto: ProtoUDP},
				ipLen: 326, payloadLen: 298, l4: true, vlan: 142},
		}},
		{file: "zeek__gre-sample.pcap", frame: 1, packets: []pkt{
			{key: Key{Src: decAddr("172.27.1.66"), Dst: decAddr("66.59.109.137"), Proto: ProtoGRE},
				ipLen: 108, payloadLen: 88, l4: true, carries: TunnelGRE},
			{key: Key{Src: decAddr("66.59.111.190"), Dst: decAddr("172.28.2.3"), SrcPort: 8, DstPort: 0, ID: 52072, Proto: ProtoICMP},
				ipLen: 84, payloadLen: 56, l4: true},
		}},
		{file: "zeek__gre-sample.pcap", frame: 2, packets: []pkt{
			{key: Key{Src: decAddr("66.59.109.137"), Dst: decAddr("172.27.1.66"), Proto: ProtoGRE},
				ipLen: 108, payloadLen: 88, l4: true, carries: TunnelGRE},
			{key: Key{Src: decAddr("172.28.2.3"), Dst: decAddr("66.59.111.190"), SrcPort: 0, DstPort: 8, ID: 52072, Proto: ProtoICMP},
				ipLen: 84, payloadLen: 56, l4: true},
		}},
		{file: "ndpi__6in4tunnel.pcap", frame: 1, packets: []pkt{
			{key: Key{Src: decAddr("174.3.73.24"), Dst: decAddr("184.105.255.26"), Proto: ProtoIPv6},
				ipLen: 124, payloadLen: 104, l4: true, carries: TunnelIPinIP},
			{key: Key{Src: decAddr("2001:470:1f17:13f:3e97:eff:fe73:4dec"), Dst: decAddr("2604:a880:1:20::224:b001"),
				SrcPort: 128, DstPort: 129, ID: 0x5d8f, Proto: ProtoICMPv6, V6: true},
				ipLen: 104, payloadLen: 56, l4: true},
		}},
		{file: "tcpdump__pptp.pcap", frame: 16, skip: SkipTunnelNonIP, et: 0xc021, etName: "ppp-lcp", packets: []pkt{
			{key: Key{Src: decAddr("10.1.1.11"), Dst: decAddr("10.1.1.10"), Proto: ProtoGRE}, ipLen: 80, payloadLen: 60, l4: true},
		}},
		{file: "ndpi__dns.pcap", frame: 4, packets: []pkt{
			{key: Key{Src: decAddr("82.178.113.245"), Dst: decAddr("82.178.158.181"), SrcPort: 47255, DstPort: 53, Proto: ProtoUDP},
				ipLen: 61, payloadLen: 33, l4: true, vlan: 421},
		}},
		{file: "tcpdump__802.1ad_QinQ.pcap", frame: 1, skip: SkipNonIP, et: 0x0806, etName: "arp"},
		{file: "zeek__linux_dlt_sll2.pcap", frame: 1, packets: []pkt{
			{key: Key{Src: decAddr("192.0.2.1"), Dst: decAddr("192.0.2.1"), SrcPort: 8, DstPort: 0, ID: 8, Proto: ProtoICMP},
				ipLen: 84, payloadLen: 56, l4: true},
		}},
		{file: "zeek__linux_dlt_sll2.pcap", frame: 4, packets: []pkt{
			{key: Key{Src: decAddr("fe80::8c36:6ff:fe44:acaf"), Dst: decAddr("fe80::8c36:6ff:fe44:acaf"), SrcPort: 129, DstPort: 128, ID: 9, Proto: ProtoICMPv6, V6: true},
				ipLen: 104, payloadLen: 56, l4: true},
		}},
		{file: "zeek__linux_dlt_sll2.pcap", frame: 5, skip: SkipNonIP, et: 0x0806, etName: "arp"},
		{file: "tcpdump__tcp-handshake-nano.pcap", frame: 2, packets: []pkt{
			{key: Key{Src: decAddr("137.116.81.94"), Dst: decAddr("131.155.215.69"), SrcPort: 80, DstPort: 46656, Proto: ProtoTCP},
				ipLen: 60, payloadLen: 0, l4: true, flags: FlagSYN | FlagACK},
		}},
		// Keyed on the final destination of the type-0 routing header (as
		// tshark's conversations and Zeek do), not the next hop in the IPv6 header.
		{file: "tcpdump__ipv6-routing-header.pcap", frame: 3, packets: []pkt{
			{key: Key{Src: decAddr("2200::244:212:3fff:feae:22f7"), Dst: decAddr("2200::210:2:0:0:4"), SrcPort: 5645, DstPort: 5642, Proto: ProtoUDP, V6: true},
				ipLen: 72, payloadLen: 0, l4: true},
		}},
		{file: "zeek__ipv6-http-atomic-frag.pcap", frame: 13, packets: []pkt{
			{key: Key{Src: decAddr("2001:db8:1::2"), Dst: decAddr("2001:db8:1::1"), SrcPort: 59694, DstPort: 80, Proto: ProtoTCP, V6: true},
				ipLen: 68, payloadLen: 0, l4: true, flags: FlagSYN},
		}},
		{file: "ndpi__dns_fragmented.pcap", frame: 2, packets: []pkt{
			{key: Key{Src: decAddr("193.24.227.238"), Dst: decAddr("172.217.40.76"), SrcPort: 53, DstPort: 56680, Proto: ProtoUDP},
				ipLen: 1500, payloadLen: 1472, l4: true, frag: true}, // with frame 3's 230: the datagram's 1702
		}},
		{file: "ndpi__dns_fragmented.pcap", frame: 3, packets: []pkt{
			{key: Key{Src: decAddr("193.24.227.238"), Dst: decAddr("172.217.40.76"), SrcPort: 53, DstPort: 56680, Proto: ProtoUDP},
				ipLen: 250, payloadLen: 230, frag: true},
		}},
		{file: "ndpi__dns_fragmented.pcap", frame: 5, packets: []pkt{
			{key: Key{Src: decAddr("2001:470:765b::a25:53"), Dst: decAddr("2a00:1450:4013:c03::10a"), SrcPort: 53, DstPort: 46433, Proto: ProtoUDP, V6: true},
				ipLen: 1496, payloadLen: 1440, l4: true, frag: true}, // with frame 6's 61: the datagram's 1501
		}},
		{file: "ndpi__dns_fragmented.pcap", frame: 6, packets: []pkt{
			{key: Key{Src: decAddr("2001:470:765b::a25:53"), Dst: decAddr("2a00:1450:4013:c03::10a"), SrcPort: 53, DstPort: 46433, Proto: ProtoUDP, V6: true},
				ipLen: 109, payloadLen: 61, frag: true},
		}},
		{file: "tcpdump__quic_handshake_truncated.pcap", frame: 1, packets: []pkt{
			{key: Key{Src: decAddr("::1"), Dst: decAddr("::1"), SrcPort: 65165, DstPort: 443, Proto: ProtoUDP, V6: true},
				ipLen: 1248, payloadLen: 1200, l4: true},
		}},
		{file: "ndpi__rdp.pcap", frame: 1, packets: []pkt{
			{key: Key{Src: decAddr("172.16.2.185"), Dst: decAddr("192.168.2.142"), SrcPort: 52494, DstPort: 3389, Proto: ProtoTCP},
				ipLen: 64, l4: true, flags: FlagSYN | FlagCWR | FlagECE},
		}},
		{file: "ndpi__fuzz-2021-10-13.pcap", frame: 1, skip: SkipNonIP, et: EtherTypeUnknown, etName: "unknown"},
		{file: "zeek__5-pings.pcap", frame: 2, packets: []pkt{
			{key: Key{Src: decAddr("172.217.11.78"), Dst: decAddr("172.16.133.2"), SrcPort: 0, DstPort: 8, ID: 1226, Proto: ProtoICMP},
				ipLen: 84, payloadLen: 56, l4: true},
		}},
	}
	cache := map[string][]Frame{}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s#%d", tc.file, tc.frame), func(t *testing.T) {
			frames, ok := cache[tc.file]
			if !ok {
				frames, _ = decDecodeCapture(t, tc.file)
				cache[tc.file] = frames
			}
			if tc.frame > len(frames) {
				t.Fatalf("only %d frames", len(frames))
			}
			f := &frames[tc.frame-1]
			if f.Skip != tc.skip {
				t.Errorf("Skip %v, want %v", f.Skip, tc.skip)
			}
			if tc.skip == SkipNonIP || tc.skip == SkipTunnelNonIP {
				if f.EtherType != tc.et || NonIPName(f.EtherType) != tc.etName {
					t.Errorf("EtherType %#04x (%s), want %#04x (%s)", f.EtherType, NonIPName(f.EtherType), tc.et, tc.etName)
				}
			}
			if f.N != len(tc.packets) {
				t.Fatalf("N=%d, want %d", f.N, len(tc.packets))
			}
			for i, w := range tc.packets {
				p := &f.Packets[i]
				got := pkt{key: p.Key, ipLen: p.IPLen, payloadLen: p.PayloadLen, l4: p.L4, frag: p.Fragment,
					carries: p.Carries, vlan: p.VLAN, flags: p.TCPFlags}
				if i > 0 {
					w.key.Tunnel = tunnelContext(&f.Packets[0].Key)
				}
				if got != w {
					t.Errorf("packet %d:\n got %+v\nwant %+v", i, got, w)
				}
			}
		})
	}
}

// TestDecodeCaptureSpecials checks whole-capture properties: ICMP request
// keys reverse to reply keys, fragments all attributed, payloads alias data.
func TestDecodeCaptureSpecials(t *testing.T) {
	t.Run("icmp echo pairs", func(t *testing.T) {
		frames, _ := decDecodeCapture(t, "zeek__5-pings.pcap")
		for i := 0; i+1 < len(frames); i += 2 {
			req, rep := frames[i].Packets[0].Key, frames[i+1].Packets[0].Key
			if req.SrcPort != 8 || rep.SrcPort != 0 || rep.Reverse() != req {
				t.Errorf("frames %d/%d: request %+v, reply %+v", i+1, i+2, req, rep)
			}
		}
	})
	t.Run("dns fragments", func(t *testing.T) {
		frames, d := decDecodeCapture(t, "ndpi__dns_fragmented.pcap")
		var frags int
		for i := range frames {
			f := &frames[i]
			if f.N != 1 || f.Skip != SkipNone {
				t.Errorf("frame %d: N=%d skip %v", i+1, f.N, f.Skip)
				continue
			}
			if p := &f.Packets[0]; p.Fragment {
				frags++
				if p.Key.Proto != ProtoUDP || p.Key.SrcPort != 53 {
					t.Errorf("frame %d: fragment keyed %+v", i+1, p.Key)
				}
			}
		}
		d.Flush()
		want := FragStats{Fragments: 14}
		if s := d.FragStats(); frags != 14 || s != want {
			t.Errorf("%d fragment packets, FragStats %+v; want 14, %+v", frags, s, want)
		}
	})
	t.Run("truncated quic payload", func(t *testing.T) {
		frames, _ := decDecodeCapture(t, "tcpdump__quic_handshake_truncated.pcap")
		p := &frames[0].Packets[0]
		if len(p.Payload) != 256-4-40-8 {
			t.Errorf("captured payload %d bytes, want %d", len(p.Payload), 256-4-40-8)
		}
	})
}

// Synthetic frames.

func decBE16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

func decCat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

var (
	decMAC = []byte{0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10}
	decA4  = [4]byte{10, 0, 0, 1}
	decB4  = [4]byte{10, 0, 0, 2}
	decA6  = netip.MustParseAddr("2001:db8::1").As16()
	decB6  = netip.MustParseAddr("2001:db8::2").As16()
)

func decEth(et uint16, payload []byte) []byte { return decCat(decMAC, decBE16(et), payload) }

// decIP4 builds an IPv4 header (no options) in front of payload; fo is the
// flags and fragment offset field.
func decIP4(proto uint8, src, dst [4]byte, id, fo uint16, payload []byte) []byte {
	h := make([]byte, 20)
	h[0] = 0x45
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(payload)))
	binary.BigEndian.PutUint16(h[4:], id)
	binary.BigEndian.PutUint16(h[6:], fo)
	h[8], h[9] = 64, proto
	copy(h[12:], src[:])
	copy(h[16:], dst[:])
	return decCat(h, payload)
}

func decIP6(nh uint8, src, dst [16]byte, payload []byte) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(len(payload)))
	h[6], h[7] = nh, 64
	copy(h[8:], src[:])
	copy(h[24:], dst[:])
	return decCat(h, payload)
}

// decExt6 builds a generic IPv6 extension header of n*8 bytes.
func decExt6(nh uint8, n int) []byte {
	h := make([]byte, n*8)
	h[0], h[1] = nh, uint8(n-1)
	return h
}

func decUDP(sp, dp uint16, payload []byte) []byte {
	h := make([]byte, 8)
	binary.BigEndian.PutUint16(h, sp)
	binary.BigEndian.PutUint16(h[2:], dp)
	binary.BigEndian.PutUint16(h[4:], uint16(8+len(payload)))
	return decCat(h, payload)
}

func decTCP(sp, dp uint16, flags uint8, payload []byte) []byte {
	h := make([]byte, 20)
	binary.BigEndian.PutUint16(h, sp)
	binary.BigEndian.PutUint16(h[2:], dp)
	binary.BigEndian.PutUint32(h[4:], 1000)
	binary.BigEndian.PutUint32(h[8:], 2000)
	h[12], h[13] = 5<<4, flags
	binary.BigEndian.PutUint16(h[14:], 65535)
	return decCat(h, payload)
}

func decICMP(typ, code uint8, id uint16, payload []byte) []byte {
	h := []byte{typ, code, 0, 0, 0, 0, 0, 1}
	binary.BigEndian.PutUint16(h[4:], id)
	return decCat(h, payload)
}

var (
	decPay      = []byte("hello, flow")
	decUDPv4    = decIP4(ProtoUDP, decA4, decB4, 1, 0, decUDP(1234, 53, decPay))
	decTCPv4    = decIP4(ProtoTCP, decA4, decB4, 1, 0x4000, decTCP(40000, 443, FlagSYN, nil))
	decUDPv6    = decIP6(ProtoUDP, decA6, decB6, decUDP(1234, 53, decPay))
	decKeyUDPv4 = Key{Src: decAddr("10.0.0.1"), Dst: decAddr("10.0.0.2"), SrcPort: 1234, DstPort: 53, Proto: ProtoUDP}
	decKeyTCPv4 = Key{Src: decAddr("10.0.0.1"), Dst: decAddr("10.0.0.2"), SrcPort: 40000, DstPort: 443, Proto: ProtoTCP}
	decKeyUDPv6 = Key{Src: decA6, Dst: decB6, SrcPort: 1234, DstPort: 53, Proto: ProtoUDP, V6: true}
)

// decGeneveHdr builds a Geneve header with optWords 4-byte option words.
func decGeneveHdr(ver uint8, optWords int, proto uint16) []byte {
	h := make([]byte, 8+optWords*4)
	h[0] = ver<<6 | uint8(optWords)
	binary.BigEndian.PutUint16(h[2:], proto)
	h[4], h[5], h[6] = 0, 0, 42
	return h
}

type decSynth struct {
	name     string
	linkType uint32
	data     []byte
	skip     Skip
	et       uint16 // for SkipNonIP / SkipTunnelNonIP
	keys     []Key  // expected packet keys, outermost first
	carries  []Tunnel
	vlan     uint16
	// plain: a datagram on a tunnel's port that is not the tunnel's (or
	// is cut before it can tell), read as plain UDP.
	plain bool
}

func decSynthCases() []decSynth { return append(decBaseCases(), decTunnelCases()...) }

func decBaseCases() []decSynth {
	vlanTag := func(tci, inner uint16) []byte { return decCat(decBE16(tci), decBE16(inner)) }
	mplsLabel := func(label uint32, bos bool) []byte {
		v := label<<12 | 64
		if bos {
			v |= 1 << 8
		}
		return binary.BigEndian.AppendUint32(nil, v)
	}
	le32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	be32 := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	greOuter := func(greAndInner []byte) []byte {
		return decEth(0x0800, decIP4(ProtoGRE, decB4, decA4, 7, 0, greAndInner))
	}
	outerGRE := Key{Src: decAddr("10.0.0.2"), Dst: decAddr("10.0.0.1"), Proto: ProtoGRE}
	vxlanHdr := []byte{0x08, 0, 0, 0, 0, 0, 42, 0}
	outerUDP := func(dport uint16) Key {
		return Key{Src: decAddr("10.0.0.1"), Dst: decAddr("10.0.0.2"), SrcPort: 5555, DstPort: dport, Proto: ProtoUDP}
	}
	deep := decUDPv4
	for i := 0; i < 4; i++ {
		deep = decIP4(ProtoIPIP, decA4, decB4, 1, 0, deep)
	}
	ipip := Key{Src: decAddr("10.0.0.1"), Dst: decAddr("10.0.0.2"), Proto: ProtoIPIP}
	srv6 := decCat([]byte{ProtoUDP, 4, 4, 1, 1, 0, 0, 0}, decA6[:], decB6[:])              // 2 segments, 5*8 bytes
	ah := []byte{135, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0} // 24 bytes, then mobility
	return []decSynth{
		{name: "ethernet ipv4 udp", linkType: 1, data: decEth(0x0800, decUDPv4), keys: []Key{decKeyUDPv4}},
		{name: "ethernet ipv6 udp", linkType: 1, data: decEth(0x86dd, decUDPv6), keys: []Key{decKeyUDPv6}},
		{name: "ethernet three vlan tags", linkType: 1, vlan: 100, keys: []Key{decKeyTCPv4},
			data: decEth(0x88a8, decCat(vlanTag(0x2000|100, 0x8100), vlanTag(200, 0x9100), vlanTag(300, 0x0800), decTCPv4))},
		{name: "ethernet mpls two labels", linkType: 1, keys: []Key{decKeyUDPv4},
			data: decEth(0x8847, decCat(mplsLabel(100, false), mplsLabel(200, true), decUDPv4))},
		{name: "ethernet mpls multicast ipv6", linkType: 1, keys: []Key{decKeyUDPv6},
			data: decEth(0x8848, decCat(mplsLabel(100, true), decUDPv6))},
		{name: "mpls pseudowire control word", linkType: 1, keys: []Key{decKeyTCPv4},
			data: decEth(0x8847, decCat(mplsLabel(100, true), []byte{0, 0, 0, 0}, decEth(0x0800, decTCPv4)))},
		{name: "mpls non-ip", linkType: 1, skip: SkipNonIP, et: 0x8847,
			data: decEth(0x8847, decCat(mplsLabel(100, true), []byte{0x81, 0, 0, 0}))},
		{name: "pppoe session", linkType: 1, keys: []Key{decKeyUDPv4},
			data: decEth(0x8864, decCat([]byte{0x11, 0, 0, 1}, decBE16(uint16(2+len(decUDPv4))), []byte{0, 0x21}, decUDPv4))},
		{name: "pppoe lcp", linkType: 1, skip: SkipNonIP, et: 0xc021,
			data: decEth(0x8864, decCat([]byte{0x11, 0, 0, 1, 0, 6}, []byte{0xc0, 0x21, 1, 1, 0, 4}))},
		{name: "802.3 llc", linkType: 1, skip: SkipNonIP, et: EtherType8023,
			data: decCat(decMAC, decBE16(38), []byte{0x42, 0x42, 0x03}, make([]byte, 35))},
		{name: "802.3 snap ipv4", linkType: 1, keys: []Key{decKeyUDPv4},
			data: decCat(decMAC, decBE16(uint16(8+len(decUDPv4))), []byte{0xaa, 0xaa, 3, 0, 0, 0, 8, 0}, decUDPv4)},
		{name: "too many vlan tags", linkType: 1, skip: SkipMalformed,
			data: decEth(0x8100, decCat(bytes.Repeat(vlanTag(1, 0x8100), 20), vlanTag(1, 0x0800), decUDPv4))},
		{name: "too many mpls labels", linkType: 1, skip: SkipMalformed,
			data: decEth(0x8847, decCat(bytes.Repeat(mplsLabel(1, false), 17), mplsLabel(1, true), decUDPv4))},
		{name: "pppoe discovery code in session", linkType: 1, skip: SkipMalformed,
			data: decEth(0x8864, decCat([]byte{0x11, 0x09, 0, 1}, decBE16(uint16(2+len(decUDPv4))), []byte{0, 0x21}, decUDPv4))},
		{name: "lldp", linkType: 1, skip: SkipNonIP, et: 0x88cc, data: decEth(0x88cc, make([]byte, 46))},
		{name: "unknown link type", linkType: 147, skip: SkipUnknownLinkType, data: decUDPv4},
		{name: "raw 101 ipv4", linkType: 101, data: decUDPv4, keys: []Key{decKeyUDPv4}},
		{name: "raw 12 ipv6", linkType: 12, data: decUDPv6, keys: []Key{decKeyUDPv6}},
		{name: "raw 14 ipv4", linkType: 14, data: decTCPv4, keys: []Key{decKeyTCPv4}},
		{name: "raw bad version", linkType: 101, skip: SkipMalformed, data: append([]byte{0x55}, decUDPv4[1:]...)},
		{name: "ipv4 link type", linkType: 228, data: decUDPv4, keys: []Key{decKeyUDPv4}},
		{name: "ipv6 link type", linkType: 229, data: decUDPv6, keys: []Key{decKeyUDPv6}},
		{name: "ipv4 link type with ipv6", linkType: 228, skip: SkipMalformed, data: decUDPv6},
		{name: "null little-endian inet", linkType: 0, data: decCat(le32(2), decUDPv4), keys: []Key{decKeyUDPv4}},
		{name: "null big-endian inet", linkType: 0, data: decCat(be32(2), decTCPv4), keys: []Key{decKeyTCPv4}},
		{name: "null linux inet6", linkType: 0, data: decCat(le32(10), decUDPv6), keys: []Key{decKeyUDPv6}},
		{name: "null bsd inet6", linkType: 0, data: decCat(le32(24), decUDPv6), keys: []Key{decKeyUDPv6}},
		{name: "null freebsd inet6 big-endian", linkType: 0, data: decCat(be32(28), decUDPv6), keys: []Key{decKeyUDPv6}},
		{name: "null macos inet6", linkType: 0, data: decCat(le32(30), decUDPv6), keys: []Key{decKeyUDPv6}},
		{name: "null unknown family", linkType: 0, skip: SkipNonIP, et: EtherTypeUnknown, data: decCat(le32(7), decUDPv6)},
		{name: "loop inet", linkType: 108, data: decCat(be32(2), decUDPv4), keys: []Key{decKeyUDPv4}},
		{name: "loop inet6", linkType: 108, data: decCat(be32(30), decUDPv6), keys: []Key{decKeyUDPv6}},
		{name: "ppp address control", linkType: 9, data: decCat([]byte{0xff, 0x03, 0x00, 0x21}, decUDPv4), keys: []Key{decKeyUDPv4}},
		{name: "ppp compressed protocol", linkType: 9, data: decCat([]byte{0x21}, decUDPv4), keys: []Key{decKeyUDPv4}},
		{name: "ppp ipv6", linkType: 9, data: decCat([]byte{0x00, 0x57}, decUDPv6), keys: []Key{decKeyUDPv6}},
		{name: "ppp mpls", linkType: 9, data: decCat([]byte{0xff, 0x03, 0x02, 0x81}, mplsLabel(5, true), decTCPv4), keys: []Key{decKeyTCPv4}},
		{name: "ppp ipcp", linkType: 9, skip: SkipNonIP, et: 0x8021, data: []byte{0xff, 0x03, 0x80, 0x21, 1, 1, 0, 4}},
		{name: "ppp-hdlc", linkType: 50, data: decCat([]byte{0xff, 0x03, 0x00, 0x21}, decUDPv4), keys: []Key{decKeyUDPv4}},
		{name: "ppp-hdlc cisco", linkType: 50, data: decCat([]byte{0x0f, 0x00, 0x08, 0x00}, decUDPv4), keys: []Key{decKeyUDPv4}},
		{name: "c-hdlc", linkType: 104, data: decCat([]byte{0x8f, 0x00, 0x86, 0xdd}, decUDPv6), keys: []Key{decKeyUDPv6}},
		{name: "pppoe link type", linkType: 51, data: decCat([]byte{0x11, 0, 0, 1}, decBE16(uint16(2+len(decUDPv6))), []byte{0, 0x57}, decUDPv6), keys: []Key{decKeyUDPv6}},
		{name: "sll", linkType: 113, data: decCat([]byte{0, 0, 0, 1, 0, 6}, decMAC[:8], decBE16(0x0800), decUDPv4), keys: []Key{decKeyUDPv4}},
		{name: "sll2", linkType: 276, data: decCat(decBE16(0x86dd), make([]byte, 18), decUDPv6), keys: []Key{decKeyUDPv6}},
		{name: "sll2 netlink", linkType: 276, skip: SkipNonIP, et: EtherTypeUnknown, data: decCat(decBE16(0), make([]byte, 6), decBE16(824), make([]byte, 10), make([]byte, 20))},
		{name: "sll 802.2", linkType: 113, skip: SkipNonIP, et: EtherType8023, data: decCat(make([]byte, 14), decBE16(4), []byte{0x42, 0x42, 3})},
		{name: "geneve ethernet with options", linkType: 1, carries: []Tunnel{TunnelGeneve, TunnelNone},
			keys: []Key{outerUDP(6081), decKeyTCPv4},
			data: decEth(0x0800, decIP4(ProtoUDP, decA4, decB4, 1, 0, decUDP(5555, 6081, decCat(decGeneveHdr(0, 2, 0x6558), decEth(0x0800, decTCPv4)))))},
		{name: "geneve ipv6", linkType: 1, carries: []Tunnel{TunnelGeneve, TunnelNone},
			keys: []Key{outerUDP(6081), decKeyUDPv6},
			data: decEth(0x0800, decIP4(ProtoUDP, decA4, decB4, 1, 0, decUDP(5555, 6081, decCat(decGeneveHdr(0, 0, 0x86dd), decUDPv6))))},
		{name: "geneve bad version is plain udp", linkType: 1, keys: []Key{outerUDP(6081)},
			data: decEth(0x0800, decIP4(ProtoUDP, decA4, decB4, 1, 0, decUDP(5555, 6081, decCat(decGeneveHdr(1, 0, 0x6558), decEth(0x0800, decTCPv4)))))},
		{name: "vxlan 8472", linkType: 1, carries: []Tunnel{TunnelVXLAN, TunnelNone}, keys: []Key{outerUDP(8472), decKeyUDPv6},
			data: decEth(0x0800, decIP4(ProtoUDP, decA4, decB4, 1, 0, decUDP(5555, 8472, decCat(vxlanHdr, decEth(0x86dd, decUDPv6)))))},
		{name: "vxlan without I flag is plain udp", linkType: 1, keys: []Key{outerUDP(4789)},
			data: decEth(0x0800, decIP4(ProtoUDP, decA4, decB4, 1, 0, decUDP(5555, 4789, decCat([]byte{0, 0, 0, 0, 0, 0, 42, 0}, decEth(0x0800, decTCPv4)))))},
		{name: "vxlan arp", linkType: 1, skip: SkipTunnelNonIP, et: 0x0806, keys: []Key{outerUDP(4789)},
			data: decEth(0x0800, decIP4(ProtoUDP, decA4, decB4, 1, 0, decUDP(5555, 4789, decCat(vxlanHdr, decEth(0x0806, make([]byte, 28))))))},
		{name: "gre checksum key sequence ipv6", linkType: 1, carries: []Tunnel{TunnelGRE, TunnelNone}, keys: []Key{outerGRE, decKeyUDPv6},
			data: greOuter(decCat([]byte{0xb0, 0, 0x86, 0xdd}, make([]byte, 12), decUDPv6))},
		{name: "gre routing", linkType: 1, carries: []Tunnel{TunnelGRE, TunnelNone}, keys: []Key{outerGRE, decKeyUDPv4},
			data: greOuter(decCat([]byte{0x40, 0, 0x08, 0x00}, make([]byte, 4), []byte{0, 1, 0, 4, 1, 2, 3, 4}, []byte{0, 0, 0, 0}, decUDPv4))},
		{name: "gre transparent ethernet", linkType: 1, carries: []Tunnel{TunnelGRE, TunnelNone}, keys: []Key{outerGRE, decKeyTCPv4},
			data: greOuter(decCat([]byte{0x20, 0, 0x65, 0x58, 0, 0, 0, 9}, decEth(0x0800, decTCPv4)))},
		{name: "gre mpls", linkType: 1, carries: []Tunnel{TunnelGRE, TunnelNone}, keys: []Key{outerGRE, decKeyTCPv4},
			data: greOuter(decCat([]byte{0, 0, 0x88, 0x47}, mplsLabel(16, true), decTCPv4))},
		{name: "gre pptp ppp ipv4", linkType: 1, carries: []Tunnel{TunnelGRE, TunnelNone}, keys: []Key{outerGRE, decKeyUDPv4},
			data: greOuter(decCat([]byte{0x30, 0x81, 0x88, 0x0b, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 4}, []byte{0xff, 0x03, 0x00, 0x21}, decUDPv4))},
		{name: "gre inner ip bad version", linkType: 1, skip: SkipTunnelPayloadMalformed, keys: []Key{outerGRE},
			data: greOuter(decCat([]byte{0, 0, 0x08, 0x00}, append([]byte{0x55}, decUDPv4[1:]...)))},
		{name: "vxlan inner ipv4 bad header length", linkType: 1, skip: SkipTunnelPayloadMalformed, keys: []Key{outerUDP(4789)},
			data: decEth(0x0800, decIP4(ProtoUDP, decA4, decB4, 1, 0, decUDP(5555, 4789, decCat(vxlanHdr, decEth(0x0800, append([]byte{0x44}, decTCPv4[1:]...))))))},
		{name: "gre header of 2 bytes", linkType: 1, skip: SkipTunnelPayloadTruncated, keys: []Key{outerGRE},
			data: greOuter([]byte{0, 0})},
		{name: "gre unknown version is plain gre", linkType: 1, keys: []Key{outerGRE},
			data: greOuter(decCat([]byte{0, 2, 0x08, 0x00}, decUDPv4))},
		{name: "erspan type I", linkType: 1, carries: []Tunnel{TunnelGRE, TunnelNone}, keys: []Key{outerGRE, decKeyUDPv4},
			data: greOuter(decCat([]byte{0, 0, 0x88, 0xbe}, decEth(0x0800, decUDPv4)))},
		{name: "erspan type II", linkType: 1, carries: []Tunnel{TunnelGRE, TunnelNone}, keys: []Key{outerGRE, decKeyUDPv4},
			data: greOuter(decCat([]byte{0x10, 0, 0x88, 0xbe, 0, 0, 0, 1}, []byte{0x10, 0x0a, 0, 1, 0, 0, 0, 0}, decEth(0x0800, decUDPv4)))},
		{name: "erspan type III with subheader", linkType: 1, carries: []Tunnel{TunnelGRE, TunnelNone}, keys: []Key{outerGRE, decKeyUDPv4},
			data: greOuter(decCat([]byte{0x10, 0, 0x22, 0xeb, 0, 0, 0, 1}, []byte{0x20, 0x0a, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, make([]byte, 8), decEth(0x0800, decUDPv4)))},
		{name: "ipv4 in ipv6", linkType: 229, carries: []Tunnel{TunnelIPinIP, TunnelNone},
			keys: []Key{{Src: decA6, Dst: decB6, Proto: ProtoIPIP, V6: true}, decKeyUDPv4},
			data: decIP6(ProtoIPIP, decA6, decB6, decUDPv4)},
		{name: "ipv6 in ipv6", linkType: 229, carries: []Tunnel{TunnelIPinIP, TunnelNone},
			keys: []Key{{Src: decA6, Dst: decB6, Proto: ProtoIPv6, V6: true}, decKeyUDPv6},
			data: decIP6(ProtoIPv6, decA6, decB6, decUDPv6)},
		{name: "too deep", linkType: 228, skip: SkipTooDeep, data: deep,
			keys: []Key{ipip, ipip, ipip, ipip}, carries: []Tunnel{TunnelIPinIP, TunnelIPinIP, TunnelIPinIP, TunnelNone}},
		{name: "ipv6 extension headers", linkType: 229, keys: []Key{decKeyUDPv6},
			data: decIP6(0, decA6, decB6, decCat(decExt6(60, 1), decExt6(43, 2), decCat([]byte{51}, srv6[1:]), ah,
				decExt6(ProtoUDP, 1), decUDP(1234, 53, decPay)))},
		{name: "ipv6 srv6 and mobility", linkType: 229, keys: []Key{{Src: decA6, Dst: decB6, Proto: 59, V6: true}},
			data: decIP6(43, decA6, decB6, decCat([]byte{135}, srv6[1:], decExt6(59, 1)))},
		{name: "ipv6 no next header", linkType: 229, keys: []Key{{Src: decA6, Dst: decB6, Proto: 59, V6: true}},
			data: decIP6(59, decA6, decB6, nil)},
		{name: "ipv6 too many extension headers", linkType: 229, keys: []Key{{Src: decA6, Dst: decB6, Proto: 60, V6: true}},
			data: decIP6(60, decA6, decB6, decCat(decExt6(60, 1), decExt6(60, 1), decExt6(60, 1), decExt6(60, 1),
				decExt6(60, 1), decExt6(60, 1), decExt6(60, 1), decExt6(60, 1), decExt6(ProtoUDP, 1), decUDP(1, 2, nil)))},
		{name: "ipv6 extension past the packet", linkType: 229, skip: SkipMalformed,
			data: decIP6(60, decA6, decB6, []byte{ProtoUDP, 3, 0, 0, 0, 0, 0, 0})},
		{name: "ipv4 bad ihl", linkType: 228, skip: SkipMalformed, data: append([]byte{0x44}, decUDPv4[1:]...)},
		{name: "ipv4 total length below ihl", linkType: 228, skip: SkipMalformed,
			data: decCat(decUDPv4[:2], []byte{0, 19}, decUDPv4[4:])},
		{name: "tcp bad data offset", linkType: 228, skip: SkipMalformed,
			data: decIP4(ProtoTCP, decA4, decB4, 1, 0, decCat(decTCPv4[20:32], []byte{0x40}, decTCPv4[33:]))},
		{name: "sctp", linkType: 228, keys: []Key{{Src: decAddr("10.0.0.1"), Dst: decAddr("10.0.0.2"), SrcPort: 2905, DstPort: 2905, Proto: ProtoSCTP}},
			data: decIP4(ProtoSCTP, decA4, decB4, 1, 0, decCat(decBE16(2905), decBE16(2905), make([]byte, 8)))},
		{name: "esp", linkType: 228, keys: []Key{{Src: decAddr("10.0.0.1"), Dst: decAddr("10.0.0.2"), Proto: 50}},
			data: decIP4(50, decA4, decB4, 1, 0, make([]byte, 40))},
		{name: "icmp unreachable", linkType: 228,
			keys: []Key{{Src: decAddr("10.0.0.1"), Dst: decAddr("10.0.0.2"), SrcPort: 3, DstPort: 3, Proto: ProtoICMP}},
			data: decIP4(ProtoICMP, decA4, decB4, 1, 0, decICMP(3, 3, 77, decUDPv4[:28]))},
		{name: "icmp router advertisement", linkType: 228,
			keys: []Key{{Src: decAddr("10.0.0.1"), Dst: decAddr("10.0.0.2"), SrcPort: 9, DstPort: 10, Proto: ProtoICMP}},
			data: decIP4(ProtoICMP, decA4, decB4, 1, 0, decICMP(9, 0, 77, nil))},
		{name: "icmpv6 neighbor solicitation", linkType: 229,
			keys: []Key{{Src: decA6, Dst: decB6, SrcPort: 135, DstPort: 136, Proto: ProtoICMPv6, V6: true}},
			data: decIP6(ProtoICMPv6, decA6, decB6, decICMP(135, 0, 77, make([]byte, 16)))},
		{name: "icmpv6 in ipv4 is no icmp", linkType: 228,
			keys: []Key{{Src: decAddr("10.0.0.1"), Dst: decAddr("10.0.0.2"), Proto: ProtoICMPv6}},
			data: decIP4(ProtoICMPv6, decA4, decB4, 1, 0, decICMP(128, 0, 77, nil))},
	}
}

func TestDecodeSynthetic(t *testing.T) {
	for _, tc := range decSynthCases() {
		t.Run(tc.name, func(t *testing.T) {
			var f Frame
			NewDecoder().Decode(tc.data, tc.linkType, len(tc.data)+4, 1e18, &f)
			if f.Skip != tc.skip {
				t.Errorf("Skip %v, want %v", f.Skip, tc.skip)
			}
			if (tc.skip == SkipNonIP || tc.skip == SkipTunnelNonIP) && f.EtherType != tc.et {
				t.Errorf("EtherType %#04x, want %#04x", f.EtherType, tc.et)
			}
			if f.Len != len(tc.data)+4 || f.CapLen != len(tc.data) {
				t.Errorf("Len %d CapLen %d", f.Len, f.CapLen)
			}
			if f.N != len(tc.keys) {
				t.Fatalf("N=%d, want %d", f.N, len(tc.keys))
			}
			for i, k := range tc.keys {
				p := &f.Packets[i]
				if i > 0 {
					// Inner packets are keyed within their tunnel.
					k.Tunnel = tunnelContext(&f.Packets[0].Key)
				}
				if p.Key != k {
					t.Errorf("packet %d key\n got %+v\nwant %+v", i, p.Key, k)
				}
				var c Tunnel
				if i < len(tc.carries) {
					c = tc.carries[i]
				}
				if p.Carries != c || p.Parent != i-1 || p.VLAN != tc.vlan || !p.L4 {
					t.Errorf("packet %d: Carries %v Parent %d VLAN %d L4 %v", i, p.Carries, p.Parent, p.VLAN, p.L4)
				}
			}
		})
	}
}

// TestDecodeLengths checks IPLen, PayloadLen and Payload against the headers.
func TestDecodeLengths(t *testing.T) {
	padded := decEth(0x0800, decCat(decIP4(ProtoTCP, decA4, decB4, 1, 0, decTCP(1, 2, FlagACK, nil)), make([]byte, 6)))
	tso := decIP4(ProtoTCP, decA4, decB4, 1, 0, decTCP(1, 2, FlagACK, make([]byte, 100)))
	tso[2], tso[3] = 0, 0
	tso6 := decIP6(ProtoUDP, decA6, decB6, decUDP(1, 2, make([]byte, 50)))
	tso6[4], tso6[5] = 0, 0
	udpLong := decIP4(ProtoUDP, decA4, decB4, 1, 0, decUDP(1, 2, make([]byte, 20)))
	binary.BigEndian.PutUint16(udpLong[24:], 500) // UDP length past the IP packet
	udpShort := decIP4(ProtoUDP, decA4, decB4, 1, 0, decUDP(1, 2, make([]byte, 20)))
	binary.BigEndian.PutUint16(udpShort[24:], 18)
	tcpOpts := decIP4(ProtoTCP, decA4, decB4, 1, 0, decCat(decTCP(1, 2, FlagACK, nil)[:12], []byte{8 << 4, FlagACK | FlagPSH, 0, 1, 0, 0, 0, 0}, make([]byte, 12), []byte("abc")))
	cutTCP := decIP4(ProtoTCP, decA4, decB4, 1, 0, decTCP(1, 2, FlagACK, make([]byte, 1000)))[:20+10]
	icmp := decIP4(ProtoICMP, decA4, decB4, 1, 0, decICMP(8, 0, 5, make([]byte, 32)))
	tests := []struct {
		name              string
		lt                uint32
		data              []byte
		ipLen, payloadLen int
		payload           int // captured payload bytes
		flags             uint8
	}{
		{"ethernet padding", 1, padded, 40, 0, 0, FlagACK},
		{"ipv4 total length 0", 228, tso, 140, 100, 100, FlagACK},
		{"ipv6 payload length 0", 229, tso6, 98, 50, 50, 0},
		{"udp length past packet", 228, udpLong, 48, 20, 20, 0},
		{"udp length short", 228, udpShort, 48, 10, 10, 0},
		{"tcp options", 228, tcpOpts, 55, 3, 3, FlagACK | FlagPSH},
		{"tcp cut after ports", 228, cutTCP, 1040, 1000, 0, 0},
		{"icmp", 228, icmp, 60, 32, 32, 0},
		{"udp ipv6", 229, decUDPv6, 40 + 8 + len(decPay), len(decPay), len(decPay), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var f Frame
			NewDecoder().Decode(tc.data, tc.lt, len(tc.data), 0, &f)
			if f.N != 1 || f.Skip != SkipNone {
				t.Fatalf("N=%d skip %v", f.N, f.Skip)
			}
			p := &f.Packets[0]
			if p.IPLen != tc.ipLen || p.PayloadLen != tc.payloadLen || len(p.Payload) != tc.payload || p.TCPFlags != tc.flags || !p.L4 {
				t.Errorf("IPLen %d PayloadLen %d payload %d flags %#x L4 %v; want %d %d %d %#x",
					p.IPLen, p.PayloadLen, len(p.Payload), p.TCPFlags, p.L4, tc.ipLen, tc.payloadLen, tc.payload, tc.flags)
			}
			if n := len(p.Payload); n > 0 && !decAliases(p.Payload, tc.data) {
				t.Errorf("payload does not alias the frame")
			}
		})
	}
}

// decAliases reports whether sub lies within b's memory.
func decAliases(sub, b []byte) bool {
	if len(sub) == 0 {
		return true
	}
	for i := range b {
		if &b[i] == &sub[0] {
			return i+len(sub) <= len(b)
		}
	}
	return false
}

func TestICMPKeying(t *testing.T) {
	pairs := []struct {
		v6        bool
		req, resp uint8
		id        bool
	}{
		{false, 8, 0, true}, {false, 13, 14, true}, {false, 15, 16, true}, {false, 10, 9, false}, {false, 17, 18, true},
		{true, 128, 129, true}, {true, 130, 131, false}, {true, 133, 134, false}, {true, 135, 136, false},
		{true, 139, 140, false}, {true, 144, 145, false},
	}
	build := func(v6 bool, src, dst int, typ uint8) []byte {
		a4, a6 := [2][4]byte{decA4, decB4}, [2][16]byte{decA6, decB6}
		m := decICMP(typ, 0, 0x1234, make([]byte, 8))
		if v6 {
			return decIP6(ProtoICMPv6, a6[src], a6[dst], m)
		}
		return decIP4(ProtoICMP, a4[src], a4[dst], 1, 0, m)
	}
	for _, tc := range pairs {
		t.Run(fmt.Sprintf("v6=%v/%d-%d", tc.v6, tc.req, tc.resp), func(t *testing.T) {
			if !ICMPIsRequest(tc.v6, tc.req) || ICMPIsResponse(tc.v6, tc.req) || !ICMPIsResponse(tc.v6, tc.resp) || ICMPIsRequest(tc.v6, tc.resp) {
				t.Errorf("ICMPIsRequest/ICMPIsResponse disagree")
			}
			lt := uint32(228)
			if tc.v6 {
				lt = 229
			}
			d := NewDecoder()
			var req, resp Frame
			d.Decode(build(tc.v6, 0, 1, tc.req), lt, 0, 0, &req)
			d.Decode(build(tc.v6, 1, 0, tc.resp), lt, 0, 0, &resp)
			rk, pk := req.Packets[0].Key, resp.Packets[0].Key
			if req.N != 1 || resp.N != 1 || rk.SrcPort != uint16(tc.req) || rk.DstPort != uint16(tc.resp) || pk.Reverse() != rk {
				t.Errorf("request %+v, response %+v", rk, pk)
			}
			wantID := uint16(0)
			if tc.id {
				wantID = 0x1234
			}
			if rk.ID != wantID {
				t.Errorf("ID %#x, want %#x", rk.ID, wantID)
			}
		})
	}
	for typ := 0; typ < 256; typ++ {
		for _, v6 := range []bool{false, true} {
			if ICMPIsRequest(v6, uint8(typ)) && ICMPIsResponse(v6, uint8(typ)) {
				t.Errorf("v6=%v type %d is both request and response", v6, typ)
			}
		}
	}
}

func TestNonIPName(t *testing.T) {
	tests := []struct {
		et   uint16
		want string
	}{
		{0x0806, "arp"}, {0x8035, "rarp"}, {0x88cc, "lldp"}, {0x888e, "eapol"}, {0x8137, "ipx"},
		{EtherType8023, "802.3-llc"}, {0x05dc, "802.3-llc"}, {EtherTypeUnknown, "unknown"},
		{0x1234, "ethertype-0x1234"}, {0xabcd, "ethertype-0xabcd"}, {0xc021, "ppp-lcp"},
	}
	for _, tc := range tests {
		if got := NonIPName(tc.et); got != tc.want {
			t.Errorf("NonIPName(%#04x) = %q, want %q", tc.et, got, tc.want)
		}
	}
}

// decTruncationFrames are valid frames whose every prefix is decoded.
func decTruncationFrames(t *testing.T) []decTestFrame {
	var frames []decTestFrame
	for _, tc := range decSynthCases() {
		if tc.skip == SkipNone {
			frames = append(frames, decTestFrame{data: tc.data, linkType: tc.linkType})
		}
	}
	for _, c := range []struct {
		file  string
		frame int
	}{
		{"ndpi__vxlan.pcap", 1}, {"ndpi__gre.pcapng", 1}, {"zeek__gre-sample.pcap", 1}, {"ndpi__6in4tunnel.pcap", 3},
		{"ndpi__dns.pcap", 4}, {"zeek__linux_dlt_sll2.pcap", 3}, {"tcpdump__ipv6-routing-header.pcap", 3},
		{"zeek__ipv6-http-atomic-frag.pcap", 13}, {"ndpi__rdp.pcap", 1}, {"ndpi__dns_fragmented.pcap", 2},
		{"ndpi__dns_fragmented.pcap", 5}, {"tcpdump__tcp-handshake-nano.pcap", 1}, {"ndpi__psiphon3.pcap", 1},
		{"ndpi-corpus/pcap/capwap.pcap", 280}, {"ndpi-corpus/pcap/capwap.pcap", 285},
	} {
		fs := decReadCapture(t, c.file)
		frames = append(frames, fs[c.frame-1])
	}
	return frames
}

// TestDecodeTruncation decodes every prefix of valid frames: no panic, and
// a cut frame is reported truncated (tunnel-payload-truncated when its outer
// packets count), never malformed.
func TestDecodeTruncation(t *testing.T) {
	for _, fr := range decTruncationFrames(t) {
		var full Frame
		NewDecoder().Decode(fr.data, fr.linkType, len(fr.data), 0, &full)
		if full.N == 0 {
			t.Fatalf("frame % x: full frame gives no packet (skip %v)", fr.data[:min(len(fr.data), 32)], full.Skip)
		}
		for n := 0; n < len(fr.data); n++ {
			var f Frame
			NewDecoder().Decode(fr.data[:n], fr.linkType, len(fr.data), 0, &f)
			switch {
			case f.N == 0 && f.Skip != SkipTruncated, f.N > 0 && f.Skip != SkipNone && f.Skip != SkipTunnelPayloadTruncated:
				// A cut inner packet leaves the outer ones counted.
				t.Errorf("lt %d, %d of %d bytes, %d packets: skip %v", fr.linkType, n, len(fr.data), f.N, f.Skip)
			case f.N == 0 && f.Skip == SkipNone:
				t.Errorf("lt %d, %d of %d bytes: no packet and no skip", fr.linkType, n, len(fr.data))
			case f.N > full.N:
				t.Errorf("lt %d, %d of %d bytes: %d packets, the full frame %d", fr.linkType, n, len(fr.data), f.N, full.N)
			case f.N > 0 && (f.Packets[0].Key != full.Packets[0].Key || f.Packets[0].IPLen != full.Packets[0].IPLen):
				t.Errorf("lt %d, %d of %d bytes: outer packet %+v, full %+v", fr.linkType, n, len(fr.data), f.Packets[0].Key, full.Packets[0].Key)
			}
		}
	}
}

// TestDecodeReusesFrame checks that a Frame reused across frames carries nothing over.
func TestDecodeReusesFrame(t *testing.T) {
	d := NewDecoder()
	var f Frame
	d.Decode(decEth(0x8100, decCat([]byte{0, 7, 8, 0}, decTCPv4)), 1, 0, 0, &f)
	d.Decode(decEth(0x0806, make([]byte, 28)), 1, 0, 0, &f)
	if f.N != 0 || f.Skip != SkipNonIP || f.EtherType != 0x0806 {
		t.Fatalf("N=%d skip %v et %#x", f.N, f.Skip, f.EtherType)
	}
	d.Decode(decEth(0x0800, decUDPv4), 1, 0, 0, &f)
	if p := &f.Packets[0]; f.N != 1 || f.Skip != SkipNone || f.EtherType != 0 || p.VLAN != 0 || p.TCPFlags != 0 || p.Key != decKeyUDPv4 {
		t.Fatalf("N=%d skip %v et %#x packet %+v", f.N, f.Skip, f.EtherType, *p)
	}
}

// TestDecodeNoAllocs decodes every shared capture twice with one decoder
// (the first pass makes the fragment table) and counts allocations.
func TestDecodeNoAllocs(t *testing.T) {
	caps := decCaptureDir(t)
	names, _ := filepath.Glob(filepath.Join(caps, "*.pcap*"))
	var frames []decTestFrame
	for _, n := range names {
		frames = append(frames, decReadCapture(t, filepath.Base(n))...)
	}
	frames = append(frames, decReadCapture(t, "ndpi-corpus/pcap/capwap.pcap")...) // 802.11 in CAPWAP
	for _, tc := range decSynthCases() {
		frames = append(frames, decTestFrame{data: tc.data, linkType: tc.linkType})
	}
	d := NewDecoder()
	var f Frame
	for _, fr := range frames {
		d.Decode(fr.data, fr.linkType, fr.origLen, fr.ts, &f)
	}
	allocs := testing.AllocsPerRun(3, func() {
		for _, fr := range frames {
			d.Decode(fr.data, fr.linkType, fr.origLen, fr.ts, &f)
		}
		d.Flush()
	})
	if allocs != 0 {
		t.Errorf("%v allocations per pass over %d frames", allocs, len(frames))
	}
}
