package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// openBoth opens path mapped and read; the mapped File must really be mapped.
func openBoth(t *testing.T, path string) (mapped, read *File, mErr, rErr error) {
	t.Helper()
	defer func(saved bool) { mapFiles = saved }(mapFiles)
	mapFiles = true
	mapped, mErr = OpenFile(path)
	if mErr == nil && mapped.mem == nil && mapped.comp == "" {
		t.Fatalf("%s: opened without mapping", path)
	}
	mapFiles = false
	read, rErr = OpenFile(path)
	if rErr == nil && read.mem != nil {
		t.Fatalf("%s: mapped with mapFiles off", path)
	}
	return mapped, read, mErr, rErr
}

// sameError checks that two results are both nil or both *Errors that say the same.
func sameError(t *testing.T, what string, got, want error) {
	t.Helper()
	var g, w *Error
	if errors.As(got, &g) != errors.As(want, &w) || (g == nil && got != want) {
		t.Fatalf("%s: error %v, read gives %v", what, got, want)
	}
	if g != nil && (g.Kind != w.Kind || g.Offset != w.Offset || g.Packets != w.Packets || g.Error() != w.Error()) {
		t.Fatalf("%s: error\n %v (kind %v offset %d)\nread gives\n %v (kind %v offset %d)", what, g, g.Kind, g.Offset, w, w.Kind, w.Offset)
	}
}

// checkMappedLikeRead reads data from a file in dir both ways and wants
// the same packets, errors, format and offsets.
func checkMappedLikeRead(t *testing.T, dir, what string, data []byte) {
	t.Helper()
	path := filepath.Join(dir, "capture")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	mapped, read, mErr, rErr := openBoth(t, path)
	sameError(t, what+" (open)", mErr, rErr)
	if mErr != nil {
		return
	}
	defer mapped.Close()
	defer read.Close()
	if mapped.Format() != read.Format() || mapped.Size() != read.Size() {
		t.Errorf("%s: format %q size %d, read gives %q %d", what, mapped.Format(), mapped.Size(), read.Format(), read.Size())
	}
	compareReads(t, what, mapped, read)
}

// compareReads reads mapped and read to their ends and wants the same
// packets and errors from both.
func compareReads(t *testing.T, what string, mapped, read *File) {
	t.Helper()
	for i := 1; ; i++ {
		var mp, rp Packet
		mErr, rErr := mapped.Next(&mp), read.Next(&rp)
		sameError(t, what, mErr, rErr)
		if mErr != nil {
			// After a failure Offset may differ: the read path consumes
			// what there is of a record larger than its buffer.
			if mErr == io.EOF && mapped.Offset() != read.Offset() {
				t.Errorf("%s: Offset() at the end %d, read gives %d", what, mapped.Offset(), read.Offset())
			}
			return
		}
		if mapped.mem != nil && mapped.pcap != nil && cap(mp.Data) != len(mp.Data) {
			t.Fatalf("%s: packet %d: cap(Data) %d > len %d: an append would write to the mapping", what, i, cap(mp.Data), len(mp.Data))
		}
		comparePackets(t, []Packet{mp}, []Packet{rp})
		if mapped.Offset() > read.Offset() {
			t.Fatalf("%s: packet %d: Offset() %d, past the read path's %d", what, i, mapped.Offset(), read.Offset())
		}
	}
}

// TestMappedLikeRead: every capture, whole and cut at every offset, reads
// the same mapped as read: packets, error kinds, offsets and messages.
func TestMappedLikeRead(t *testing.T) {
	dir := t.TempDir()
	for _, m := range readManifest(t) {
		checkMappedLikeRead(t, dir, m.file, readCapture(t, m.file))
	}
	// Small files with every kind of record and block, in both byte
	// orders, cut everywhere; in memory, as files would take long.
	for _, name := range []string{"tcpdump__dns_tcp.pcap", "tcpdump__quic_handshake_truncated.pcap",
		"zeek__pcapng-multi-interface.pcapng", "gopacket__test202.pcapng"} {
		data := readCapture(t, name)
		for n := 4; n < len(data); n++ {
			what := fmt.Sprintf("%s cut at %d", name, n)
			mapped, mErr := openMapping(data[:n], "cut")
			read, rErr := Open(bytes.NewReader(data[:n]), "cut")
			sameError(t, what+" (open)", mErr, rErr)
			if mErr == nil {
				compareReads(t, what, mapped, read)
			}
		}
	}
}

// TestMappedLikeReadSynthetic covers what the captures lack: a record
// larger than the read buffer, records past the release step, damage.
func TestMappedLikeReadSynthetic(t *testing.T) {
	dir := t.TempDir()
	ts := time.Unix(1, 0)
	big := Packet{Timestamp: ts, Data: frame(3, 3<<20), Len: 3 << 20, LinkType: 1}
	small := Packet{Timestamp: ts.Add(time.Second), Data: frame(4, 100), Len: 100, LinkType: 1}
	large := pcapFile(1, 1<<30, big, small)
	checkMappedLikeRead(t, dir, "large record", large)
	checkMappedLikeRead(t, dir, "large record cut", large[:2<<20])

	many := synthPcap(3 * releaseEvery / 500) // past two release steps
	checkMappedLikeRead(t, dir, "many records", many)
	checkMappedLikeRead(t, dir, "many records cut", many[:len(many)-100])

	huge := pcapFile(1, 65535, small)
	huge = append(huge, pcapRecord(ts, 0x7ffffff0, 0x7ffffff0)...)
	checkMappedLikeRead(t, dir, "huge caplen", append(huge, frame(2, 100)...))

	ng := synthPcapng(100)
	bad := bytes.Clone(ng)
	binary.LittleEndian.PutUint32(bad[len(bad)-4:], 4) // trailer mismatch
	checkMappedLikeRead(t, dir, "pcapng bad trailer", bad)
	checkMappedLikeRead(t, dir, "pcapng", ng)
}

// TestMappedOpenFallback: what is not an uncompressed capture goes to the
// read path, with its errors.
func TestMappedOpenFallback(t *testing.T) {
	dir := t.TempDir()
	pcap := synthPcap(10)
	for _, data := range [][]byte{nil, []byte("ab"), []byte("<html>"), pcap[:3], pcap[:20], gzipBytes(t, pcap), zstdBytes(t, pcap)} {
		checkMappedLikeRead(t, dir, "fallback", data)
	}
}

// TestMappedClose: after Close the mapping is gone and Next says so.
func TestMappedClose(t *testing.T) {
	path := writeTemp(t, "c.pcap", synthPcap(10))
	f, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var p Packet
	if err := f.Next(&p); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if f.mem.data != nil {
		t.Error("still mapped after Close")
	}
	if err := f.Next(&p); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Next after Close = %v", err)
	}
}

// TestMappedShrunk: a file cut while mapped gives an IO error from Next
// instead of crashing on SIGBUS.
func TestMappedShrunk(t *testing.T) {
	for name, data := range map[string][]byte{"pcap": synthPcap(100), "pcapng": synthPcapng(100)} {
		t.Run(name, func(t *testing.T) {
			path := writeTemp(t, "shrinking", data)
			f, err := OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var p Packet
			if err := f.Next(&p); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
			for err == nil {
				err = f.Next(&p)
			}
			e := wantError(t, err, IO)
			if !strings.Contains(e.Error(), "shrank while being read") || e.Packets != 1 {
				t.Errorf("error %v", err)
			}
			t.Log(err)
		})
	}
}
