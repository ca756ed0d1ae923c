package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/flowscope/flowscope/capture"
)

// TestCutExitCodes runs the binary on a capture cut at a few offsets, plain
// and compressed: a cut anywhere is exit 6 with the flows of the packets
// before it; only an empty file or one that is no capture is exit 5.
func TestCutExitCodes(t *testing.T) {
	plain := readFile(t, capturePath(t, "tcpdump__dns_tcp.pcap"))
	ng := readFile(t, capturePath(t, "zeek__pcapng-multi-interface.pcapng"))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	enc, _ := zstd.NewWriter(nil)
	zs := enc.EncodeAll(plain, nil)
	enc.Close()

	truncated := regexp.MustCompile(`: truncated: .+ \(after \d+ complete packets\)$`)
	for _, tt := range []struct {
		name string
		data []byte
		code int
	}{
		{"empty", nil, exitNotCapture},
		{"text", []byte("not a capture at all\n"), exitNotCapture},
		{"pcap-in-magic", plain[:2], exitTruncated},
		{"pcap-in-header", plain[:20], exitTruncated},
		{"pcap-in-record", plain[:len(plain)/2], exitTruncated},
		{"pcap-whole", plain, exitOK},
		{"pcapng-in-block", ng[:len(ng)/2], exitTruncated},
		{"gzip-in-header", gz.Bytes()[:6], exitTruncated},
		{"gzip-in-data", gz.Bytes()[:gz.Len()/2], exitTruncated},
		{"gzip-in-trailer", gz.Bytes()[:gz.Len()-2], exitTruncated},
		{"zstd-in-magic", zs[:3], exitTruncated},
		{"zstd-in-first-block", zs[:len(zs)/2], exitTruncated},
		{"zstd-last-byte-missing", zs[:len(zs)-1], exitTruncated},
		{"zstd-whole", zs, exitOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.name)
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			r := runFlowscope(t, nil, "-q", "-o", "json", "-r", path)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", r.code, tt.code, r.stderr)
			}
			if tt.code == exitTruncated && !truncated.Match(bytes.TrimSpace(r.stderr)) {
				t.Errorf("stderr does not say where it was cut: %s", r.stderr)
			}
			// Every frame of these captures is TCP or UDP over IP, so the
			// flows hold exactly the packets read before the cut.
			var got uint64
			for _, f := range parseJSONFlows(t, r.stdout) {
				got += f.Client.Packets + f.Server.Packets
			}
			if want := packetsBeforeCut(tt.data); got != want {
				t.Errorf("flows hold %d packets, %d were read before the cut", got, want)
			}
		})
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// packetsBeforeCut counts the complete packets of a capture's bytes.
func packetsBeforeCut(data []byte) uint64 {
	f, err := capture.Open(bytes.NewReader(data), "cut")
	if err != nil {
		return 0
	}
	defer f.Close()
	var p capture.Packet
	for f.Next(&p) == nil {
	}
	return f.Packets()
}
