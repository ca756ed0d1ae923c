package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"testing"
	"time"
)

// synthPackets returns n Ethernet/IPv4/UDP-looking frames of mixed sizes,
// 1 ms apart, starting at start.
func synthPackets(n int, start time.Time) []Packet {
	sizes := []int{60, 74, 590, 1514, 66, 1280}
	pkts := make([]Packet, n)
	for i := range pkts {
		size := sizes[i%len(sizes)]
		pkts[i] = Packet{Timestamp: start.Add(time.Duration(i) * time.Millisecond), Data: frame(i, size), Len: size, LinkType: 1}
	}
	return pkts
}

// randomPackets is synthPackets with the first two thirds of each payload
// past a 54-byte header made random, as encrypted data is. A pcap of them
// compresses 1.6 times, about as well as real captures do, so decompression
// costs what it really costs; synthPcap compresses 50 times.
func randomPackets(n int) []Packet {
	rng := rand.New(rand.NewPCG(1, 2))
	pkts := synthPackets(n, time.Unix(1700000000, 0))
	for _, p := range pkts {
		for i := 54; i < 54+(len(p.Data)-54)*2/3; i += 8 {
			var w [8]byte
			binary.LittleEndian.PutUint64(w[:], rng.Uint64())
			copy(p.Data[i:], w[:])
		}
	}
	return pkts
}

func synthPcap(n int) []byte {
	return pcapFile(1, 65535, synthPackets(n, time.Unix(1700000000, 0))...)
}

func synthPcapng(n int) []byte {
	b := append(ngSHBBlock(), ngIDBBlock(1, 65535)...)
	for _, p := range synthPackets(n, time.Unix(1700000000, 0)) {
		b = append(b, ngEPBBlock(0, p.Timestamp, p.Data, p.Len)...)
	}
	return b
}

// busyWork is a stand-in for what a caller does with each packet; busyRounds
// makes it cost about 1 µs, near what flow.Analyzer.Add costs (0.7 µs).
func busyWork(p *Packet, rounds int) uint64 {
	h := uint64(len(p.Data))
	for i := range rounds {
		h = h*0x100000001b3 ^ uint64(p.Data[i%len(p.Data)])
	}
	return h
}

const busyRounds = 400

var busySink uint64

// benchRead reads b.N packets, reopening the capture (untimed) at its end.
func benchRead(b *testing.B, data []byte, open func([]byte) Source) {
	benchReadBusy(b, data, open, 0)
}

// benchReadBusy is benchRead with busyWork of rounds per packet.
func benchReadBusy(b *testing.B, data []byte, open func([]byte) Source, rounds int) {
	var bytesRead int64
	src := open(data)
	var p Packet
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		err := src.Next(&p)
		if err == io.EOF {
			b.StopTimer()
			src.Close()
			src = open(data)
			b.StartTimer()
			err = src.Next(&p)
		}
		if err != nil {
			b.Fatal(err)
		}
		bytesRead += int64(p.CapLen)
		if rounds > 0 {
			busySink += busyWork(&p, rounds)
		}
	}
	b.StopTimer()
	src.Close()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
	b.ReportMetric(float64(bytesRead)/b.Elapsed().Seconds()/1e6, "MB/s")
}

func openBytes(b *testing.B) func([]byte) Source {
	return func(data []byte) Source {
		f, err := Open(bytes.NewReader(data), "bench")
		if err != nil {
			b.Fatal(err)
		}
		return f
	}
}

func openPath(b *testing.B, path string) Source {
	f, err := OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkReadPcap: one op is one packet; allocs/op must be 0.
func BenchmarkReadPcap(b *testing.B) {
	path := writeTemp(b, "bench.pcap", synthPcap(100000))
	benchRead(b, nil, func([]byte) Source { return openPath(b, path) })
}

// BenchmarkReadFile reads files through OpenFile, as flowscope -r does:
// plain, and compressed with payloads that compress like real traffic.
func BenchmarkReadFile(b *testing.B) {
	pkts := randomPackets(100000)
	pcap := pcapFile(1, 65535, pkts...)
	ng := append(ngSHBBlock(), ngIDBBlock(1, 65535)...)
	for _, p := range pkts {
		ng = append(ng, ngEPBBlock(0, p.Timestamp, p.Data, p.Len)...)
	}
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"pcap", pcap},
		{"pcapng", ng},
		{"pcap.gz", gzipBytes(b, pcap)},
		{"pcap.zst", zstdBytes(b, pcap)},
	} {
		b.Run(tt.name, func(b *testing.B) {
			path := writeTemp(b, "bench."+tt.name, tt.data)
			benchRead(b, nil, func([]byte) Source { return openPath(b, path) })
		})
	}
}

// BenchmarkReadFileBusy is BenchmarkReadFile with a caller that spends about
// 1 µs on each packet, as flowscope does: what reading adds to that is
// what it costs.
func BenchmarkReadFileBusy(b *testing.B) {
	pcap := pcapFile(1, 65535, randomPackets(100000)...)
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"pcap", pcap},
		{"pcap.gz", gzipBytes(b, pcap)},
		{"pcap.zst", zstdBytes(b, pcap)},
	} {
		path := writeTemp(b, "bench."+tt.name, tt.data)
		b.Run(tt.name, func(b *testing.B) {
			benchReadBusy(b, nil, func([]byte) Source { return openPath(b, path) }, busyRounds)
		})
	}
	b.Run("none", func(b *testing.B) { // the work alone
		p := Packet{Data: frame(1, 600)}
		for range b.N {
			busySink += busyWork(&p, busyRounds)
		}
	})
}

func BenchmarkReadPcapng(b *testing.B) {
	benchRead(b, synthPcapng(100000), openBytes(b))
}

func BenchmarkReadPcapGzip(b *testing.B) {
	benchRead(b, gzipBytes(b, synthPcap(100000)), openBytes(b))
}

func BenchmarkReadPcapZstd(b *testing.B) {
	benchRead(b, zstdBytes(b, synthPcap(100000)), openBytes(b))
}

// BenchmarkMergeSingle is BenchmarkReadPcap through Merge: it should cost the same.
func BenchmarkMergeSingle(b *testing.B) {
	path := writeTemp(b, "bench.pcap", synthPcap(100000))
	benchRead(b, nil, func([]byte) Source { return Merge(openPath(b, path)) })
}

func BenchmarkMergeFour(b *testing.B) {
	open := openBytes(b)
	benchRead(b, synthPcap(25000), func(data []byte) Source {
		return Merge(open(data), open(data), open(data), open(data))
	})
}

func BenchmarkFilterMatch(b *testing.B) {
	flt, err := NewFilter("tcp port 80 or udp port 53")
	if err != nil {
		b.Skip(err)
	}
	pkts := synthPackets(1000, time.Unix(1700000000, 0))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		flt.Match(&pkts[i%len(pkts)])
	}
}

// TestZeroAllocs pins the hot path: reading a packet allocates nothing.
func TestZeroAllocs(t *testing.T) {
	pcap, ng := synthPcap(5000), synthPcapng(5000)
	sll2 := append(ngSHBBlock(), ngIDBBlock(uint16(LinkTypeLinuxSLL2), 65535)...)
	for _, p := range synthPackets(5000, time.Unix(1, 0)) {
		sll2 = append(sll2, ngEPBBlock(0, p.Timestamp, p.Data, p.Len)...)
	}
	open := func(data []byte) Source {
		f, err := Open(bytes.NewReader(data), "allocs")
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	tests := []struct {
		name string
		src  Source
		max  float64
	}{
		{"zstd", open(zstdBytes(t, pcap)), 0},
		{"pcap", open(pcap), 0},
		{"pcapng", open(ng), 0},
		{"gzip", open(gzipBytes(t, pcap)), 0},
		{"merge of one", Merge(open(pcap)), 0},
		{"merge of three", Merge(open(pcap), open(ng), open(pcap)), 0},
		{"pcapng with link type 276", open(sll2), 0},
	}
	for _, tt := range tests {
		var p Packet
		for range 100 { // past buffer growth
			if err := tt.src.Next(&p); err != nil {
				t.Fatal(err)
			}
		}
		allocs := testing.AllocsPerRun(2000, func() {
			if err := tt.src.Next(&p); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > tt.max {
			t.Errorf("%s: %.2f allocations per packet, want <= %v", tt.name, allocs, tt.max)
		}
		tt.src.Close()
	}
}
