package decode

import (
	"path/filepath"
	"testing"
)

func BenchmarkDecode(b *testing.B) {
	vxlan := decEth(0x8100, decCat([]byte{0, 5, 8, 0}, decIP4(ProtoUDP, decA4, decB4, 1, 0,
		decUDP(5555, 4789, decCat([]byte{0x08, 0, 0, 0, 0, 0, 42, 0}, decEth(0x0800, decTCPv4))))))
	cases := []struct {
		name string
		lt   uint32
		data []byte
	}{
		{"ethernet-ipv4-tcp", 1, decEth(0x0800, decIP4(ProtoTCP, decA4, decB4, 1, 0x4000, decTCP(40000, 443, FlagACK, make([]byte, 1460))))},
		{"ethernet-ipv6-udp", 1, decEth(0x86dd, decIP6(ProtoUDP, decA6, decB6, decUDP(1234, 53, make([]byte, 100))))},
		{"vlan-vxlan-tcp", 1, vxlan},
		{"gtp-u-ext-tcp", 1, decOuterUDP(2152, 2152, decGTP(0x04, 255, 1, decGTPExt(0x85, decGTPExtPDU), decTCPv4))},
		{"capwap-802.11-udp", 1, decOuterUDP(12380, 5247, decCat(decCAPWAPHdr(true, 1, decCWW, decCWWireless),
			decDot11Data(0x88, 0x01, decSNAP(0x0800, decUDPv4))))},
		{"ppi-802.11-udp", 192, decCat(decPPIHdr(0, 105, decPPICommon), decDot11Data(0x88, 0x01, decSNAP(0x0800, decUDPv4)))},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			d := NewDecoder()
			var f Frame
			b.ReportAllocs()
			b.SetBytes(int64(len(c.data)))
			for b.Loop() {
				d.Decode(c.data, c.lt, len(c.data), 1e18, &f)
			}
			if f.N == 0 {
				b.Fatalf("no packet: %v", f.Skip)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mframes/s")
		})
	}
	b.Run("shared-captures", func(b *testing.B) {
		names, _ := filepath.Glob(filepath.Join(decCaptureDir(b), "*.pcap*"))
		var frames []decTestFrame
		for _, n := range names {
			frames = append(frames, decReadCapture(b, filepath.Base(n))...)
		}
		d := NewDecoder()
		var f Frame
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			fr := &frames[n%len(frames)]
			d.Decode(fr.data, fr.linkType, fr.origLen, fr.ts, &f)
			n++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mframes/s")
	})
}
