package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowscope/flowscope/internal/testcaps"
)

// wantError checks that err is an *Error of the given kind.
func wantError(t *testing.T, err error, kind Kind) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if e.Kind != kind {
		t.Fatalf("kind %v, want %v (%v)", e.Kind, kind, err)
	}
	return e
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	html := filepath.Join(dir, "x.pcap")
	os.WriteFile(html, []byte("<html><body>not a capture</body></html>"), 0o644)
	empty := filepath.Join(dir, "empty.pcap")
	os.WriteFile(empty, nil, 0o644)
	tiny := filepath.Join(dir, "tiny.pcap")
	os.WriteFile(tiny, []byte{0xd4, 0xc3}, 0o644)
	tinyGz := filepath.Join(dir, "tiny.gz")
	os.WriteFile(tinyGz, []byte{0x1f, 0x8b, 0x08}, 0o644)
	tinyJunk := filepath.Join(dir, "junk")
	os.WriteFile(tinyJunk, []byte("ab"), 0o644)
	short := filepath.Join(dir, "short.pcap")
	os.WriteFile(short, readCapture(t, "tcpdump__pptp.pcap")[:20], 0o644)
	version := filepath.Join(dir, "v3.pcap")
	v := pcapFile(1, 65535)
	binary.LittleEndian.PutUint16(v[4:], 3)
	os.WriteFile(version, v, 0o644)
	gzHTML := filepath.Join(dir, "x.pcap.gz")
	os.WriteFile(gzHTML, gzipBytes(t, []byte("<html></html>")), 0o644)
	badGz := filepath.Join(dir, "bad.pcap.gz")
	os.WriteFile(badGz, []byte{0x1f, 0x8b, 0x09, 0, 0, 0, 0, 0, 0, 0xff, 1, 2, 3, 4, 5, 6, 7, 8}, 0o644) // method 9 does not exist
	missing := filepath.Join(dir, "missing.pcap")

	tests := []struct {
		name string
		path string
		kind Kind
		msg  string // exact message, "" to skip
	}{
		{"garbage", html, NotCapture, html + ": not a capture file: unknown magic 0x3c68746d (expected pcap, pcapng, gzip or zstd)"},
		// An empty file has no magic at all, so nothing says it was meant
		// to be a capture: NotCapture rather than Truncated.
		{"empty", empty, NotCapture, empty + ": not a capture file: empty file"},
		// A few bytes that start a pcap magic are a cut capture.
		{"magic prefix", tiny, Truncated, tiny + ": truncated: file ends in the file header at byte 2 (after 0 complete packets)"},
		{"gzip magic prefix", tinyGz, Truncated, ""},
		{"two bytes", tinyJunk, NotCapture, tinyJunk + ": not a capture file: file of 2 bytes is too short to hold a capture"},
		{"cut header", short, Truncated, ""},
		{"unsupported version", version, NotCapture, version + ": not a capture file: unsupported pcap version 3.4"},
		{"gzip of garbage", gzHTML, NotCapture, ""},
		{"bad gzip header", badGz, Decompress, ""},
		{"missing", missing, NotFound, missing + ": no such file"},
		{"directory", dir, NotCapture, dir + ": not a capture file: is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := OpenFile(tt.path)
			if err == nil {
				f.Close()
				t.Fatal("no error")
			}
			e := wantError(t, err, tt.kind)
			if e.Path != tt.path {
				t.Errorf("Path %q, want %q", e.Path, tt.path)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("message\n %s\nwant\n %s", err, tt.msg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message spans lines: %q", err)
			}
		})
	}
}

func TestPermission(t *testing.T) {
	// The mapping itself, which is all that differs for root.
	for _, err := range []error{
		os.ErrPermission,
		&fs.PathError{Op: "open", Path: "secret.pcap", Err: syscall.EACCES},
		fmt.Errorf("wrapped: %w", &fs.PathError{Op: "open", Path: "secret.pcap", Err: syscall.EPERM}),
	} {
		e := openError("secret.pcap", err)
		if e.Kind != Permission || e.Error() != "secret.pcap: permission denied" {
			t.Errorf("openError(%v) = %v (%v)", err, e, e.Kind)
		}
	}
	if e := openError("x", &fs.PathError{Op: "open", Path: "x", Err: syscall.EIO}); e.Kind != IO || e.Error() != "x: read error: open: input/output error" {
		t.Errorf("EIO maps to %v: %v", e.Kind, e)
	}

	// Root reads a mode 000 file: run this part as nobody.
	if testcaps.AsNobody(t) {
		return
	}
	path := writeTemp(t, "secret.pcap", readCapture(t, "tcpdump__pptp.pcap"))
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	_, err := OpenFile(path)
	if e := wantError(t, err, Permission); e.Error() != path+": permission denied" {
		t.Errorf("message %q", e)
	}
}

// TestCompressed reads gzip and zstd versions of captures and expects the
// same packets as from the plain file.
func TestCompressed(t *testing.T) {
	for _, name := range []string{"ndpi__dns_fragmented.pcap", "gopacket__test202.pcapng", "zeek__pcapng-multi-interface.pcapng"} {
		plain := readCapture(t, name)
		f, err := Open(bytes.NewReader(plain), name)
		if err != nil {
			t.Fatal(err)
		}
		want, err := readAll(t, f)
		if err != nil {
			t.Fatal(err)
		}
		format := f.Format()
		for _, tt := range []struct {
			comp string
			data []byte
		}{
			{"gzip", gzipBytes(t, plain)},
			{"zstd", zstdBytes(t, plain)},
			// A multi-member gzip file (e.g. from concatenated .gz files) is one stream.
			{"gzip", append(gzipBytes(t, plain[:len(plain)/2]), gzipBytes(t, plain[len(plain)/2:])...)},
		} {
			t.Run(name+"/"+tt.comp, func(t *testing.T) {
				// A misleading name: detection is by content only.
				path := writeTemp(t, "capture.txt", tt.data)
				f, err := OpenFile(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if got, want := f.Format(), format+" ("+tt.comp+")"; got != want {
					t.Errorf("Format() = %q, want %q", got, want)
				}
				if f.Size() != int64(len(tt.data)) {
					t.Errorf("Size() = %d, want %d", f.Size(), len(tt.data))
				}
				got, err := readAll(t, f)
				if err != nil {
					t.Fatal(err)
				}
				comparePackets(t, got, want)
				if f.Offset() != f.Size() {
					t.Errorf("Offset() = %d at the end, want %d", f.Offset(), f.Size())
				}
			})
		}
	}
}

func comparePackets(t *testing.T, got, want []Packet) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d packets, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !bytes.Equal(g.Data, w.Data) || !g.Timestamp.Equal(w.Timestamp) || g.Len != w.Len ||
			g.LinkType != w.LinkType || g.Interface != w.Interface || g.Input != w.Input {
			t.Fatalf("packet %d differs:\n got %s\nwant %s", i+1, describe(g), describe(w))
		}
	}
}

func describe(p Packet) string {
	return fmt.Sprintf("{%d data bytes %x... time %s len %d linktype %d interface %d input %d}",
		len(p.Data), p.Data[:min(len(p.Data), 8)], p.Timestamp.UTC().Format(time.RFC3339Nano), p.Len, p.LinkType, p.Interface, p.Input)
}

// cutExpectation says what reading data cut at n bytes must give.
type cutExpectation struct {
	packets int   // complete packets before the cut
	clean   bool  // cut at a record boundary: plain io.EOF
	offset  int64 // start of the cut record when not clean
}

// checkCut opens data[:n] and checks the packets and the final error.
func checkCut(t *testing.T, data []byte, n int, want cutExpectation, full []Packet) {
	t.Helper()
	f, err := Open(bytes.NewReader(data[:n]), "cut")
	if err != nil {
		if want.packets != 0 || want.clean {
			t.Fatalf("cut at %d: open failed: %v", n, err)
		}
		if e := wantError(t, err, Truncated); e.Offset != want.offset {
			t.Fatalf("cut at %d: offset %d, want %d", n, e.Offset, want.offset)
		}
		return
	}
	got, err := readAll(t, f)
	if len(got) != want.packets {
		t.Fatalf("cut at %d: %d packets before the error, want %d (%v)", n, len(got), want.packets, err)
	}
	comparePackets(t, got, full[:len(got)])
	if want.clean {
		if err != nil {
			t.Fatalf("cut at %d (a boundary): %v, want clean end", n, err)
		}
		return
	}
	e := wantError(t, err, Truncated)
	checkArticles(t, err)
	if e.Offset != want.offset || e.Packets != uint64(want.packets) {
		t.Fatalf("cut at %d: offset %d packets %d, want %d %d (%v)", n, e.Offset, e.Packets, want.offset, want.packets, err)
	}
}

// TestTruncatedPcapng cuts pcapng files, one with three sections of
// alternating byte order, at every offset.
func TestTruncatedPcapng(t *testing.T) {
	for _, name := range []string{"zeek__pcapng-multi-interface.pcapng", "gopacket__test202.pcapng"} {
		t.Run(name, func(t *testing.T) {
			data := readCapture(t, name)
			f, _ := Open(bytes.NewReader(data), "full")
			full, err := readAll(t, f)
			if err != nil {
				t.Fatal(err)
			}
			packets := 0
			for _, b := range walkPcapng(t, data) {
				if b.start > 0 {
					checkCut(t, data, b.start, cutExpectation{packets: packets, clean: true}, full)
				}
				for n := b.start + 1; n < b.end; n++ {
					checkCut(t, data, n, cutExpectation{packets: packets, offset: int64(b.start)}, full)
				}
				if b.packet {
					packets++
				}
			}
		})
	}
}

// TestCutEveryOffset cuts a small capture of each format, plain and
// compressed, at every byte offset. Plain files: a cut between records or
// blocks cannot be told from the end (neither format marks it), any other
// cut is Truncated at the start of the record it cuts, after the packets
// before it. Compressed files end with their stream's own end mark, so
// every cut is Truncated. Only an empty file is NotCapture.
func TestCutEveryOffset(t *testing.T) {
	for _, name := range []string{"tcpdump__dns_tcp.pcap", "zeek__pcapng-multi-interface.pcapng"} {
		plain := readCapture(t, name)
		f, _ := Open(bytes.NewReader(plain), "full")
		full, err := readAll(t, f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			checkEmpty(t, plain)
			packets := 0
			for _, r := range recordSpans(t, plain) {
				if r.start > 0 {
					checkCut(t, plain, r.start, cutExpectation{packets: packets, clean: true}, full)
				}
				for n := r.start + 1; n < r.end; n++ {
					checkCut(t, plain, n, cutExpectation{packets: packets, offset: int64(r.start)}, full)
				}
				if r.packet {
					packets++
				}
			}
			checkCut(t, plain, len(plain), cutExpectation{packets: len(full), clean: true}, full)
		})
		for _, tt := range []struct {
			comp string
			data []byte
		}{{"gzip", gzipBytes(t, plain)}, {"zstd", zstdBytes(t, plain)}} {
			t.Run(name+"/"+tt.comp, func(t *testing.T) {
				checkEmpty(t, tt.data)
				last := 0
				for n := 1; n < len(tt.data); n++ {
					f, err := Open(bytes.NewReader(tt.data[:n]), "cut")
					var got []Packet
					if err == nil {
						got, err = readAll(t, f)
					}
					comparePackets(t, got, full[:len(got)])
					e := wantErrorAt(t, err, Truncated, n, len(tt.data))
					if e.Packets != uint64(len(got)) || len(got) < last {
						t.Fatalf("cut at %d: %d packets, error says %d, a shorter cut gave %d", n, len(got), e.Packets, last)
					}
					last = len(got)
				}
				f, err := Open(bytes.NewReader(tt.data), "whole")
				if err != nil {
					t.Fatal(err)
				}
				got, err := readAll(t, f)
				if err != nil {
					t.Fatal(err)
				}
				comparePackets(t, got, full)
			})
		}
	}
}

// checkEmpty: nothing at all is not a capture.
func checkEmpty(t *testing.T, data []byte) {
	t.Helper()
	_, err := Open(bytes.NewReader(data[:0]), "empty")
	wantErrorAt(t, err, NotCapture, 0, len(data))
}

// wantErrorAt is wantError naming the cut.
func wantErrorAt(t *testing.T, err error, kind Kind, n, size int) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Kind != kind {
		t.Fatalf("cut at %d of %d: %v, want %v", n, size, err, kind)
	}
	checkArticles(t, err)
	return e
}

var badArticle = regexp.MustCompile(`\ba [aeiou]`)

// checkArticles: messages say "an enhanced packet block", not "a enhanced".
func checkArticles(t *testing.T, err error) {
	t.Helper()
	if m := badArticle.FindString(err.Error()); m != "" {
		t.Fatalf("%q in %v", m, err)
	}
}

// recordSpans lists the file header and records of a pcap, or the blocks
// of a pcapng.
func recordSpans(t *testing.T, data []byte) []ngBlockSpan {
	if binary.LittleEndian.Uint32(data) == ngSHB {
		return walkPcapng(t, data)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if m := binary.LittleEndian.Uint32(data); m == magicPcapUsSwap || m == magicPcapNsSwap {
		bo = binary.BigEndian
	}
	out := []ngBlockSpan{{0, pcapHeaderLen, false}}
	for off := pcapHeaderLen; off < len(data); {
		end := off + pcapRecordLen + int(bo.Uint32(data[off+8:]))
		out = append(out, ngBlockSpan{off, end, true})
		off = end
	}
	return out
}

// TestDamagedCompressed flips bytes inside the compressed data.
func TestDamagedCompressed(t *testing.T) {
	plain := readCapture(t, "ndpi__dns_fragmented.pcap")
	for _, tt := range []struct {
		comp string
		data []byte
	}{{"gzip", gzipBytes(t, plain)}, {"zstd", zstdBytes(t, plain)}} {
		t.Run(tt.comp, func(t *testing.T) {
			data := bytes.Clone(tt.data)
			// Past the headers, inside the compressed blocks.
			for i := len(data) / 2; i < len(data)/2+16; i++ {
				data[i] ^= 0x5a
			}
			f, err := Open(bytes.NewReader(data), "damaged")
			if err == nil {
				_, err = readAll(t, f)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("damaged %s data read without an *Error: %v", tt.comp, err)
			}
			// Damage can also surface as an impossible record before the
			// checksum catches it.
			if e.Kind != Decompress && e.Kind != Corrupt && e.Kind != Truncated {
				t.Errorf("kind %v: %v", e.Kind, err)
			}
			t.Log(err)
		})
	}
}

// TestCorrupt feeds records and blocks whose lengths cannot be right and
// checks they are reported at the right offset without large allocations.
func TestCorrupt(t *testing.T) {
	ts := time.Unix(1700000000, 123456000)
	good := Packet{Timestamp: ts, Data: frame(1, 60), Len: 60}

	hugePcap := pcapFile(1, 65535, good)
	hugePcap = append(hugePcap, pcapRecord(ts, 0x7ffffff0, 0x7ffffff0)...)
	hugePcap = append(hugePcap, frame(2, 100)...)

	shb, idb := ngSHBBlock(), ngIDBBlock(1, 0)
	epb := ngEPBBlock(0, ts, frame(1, 60), 60)
	ngHead := append(append([]byte{}, shb...), idb...)
	ngGood := append(append([]byte{}, ngHead...), epb...)
	next := int64(len(ngGood))
	withBlock := func(b []byte) []byte { return append(append(bytes.Clone(ngGood), b...), epb...) }

	hugeCaplen := bytes.Clone(epb)
	binary.LittleEndian.PutUint32(hugeCaplen[20:], 0xfffffff0)
	overCaplen := bytes.Clone(epb) // caplen beyond its block
	binary.LittleEndian.PutUint32(overCaplen[20:], 64)
	hugeBlock := bytes.Clone(epb)
	binary.LittleEndian.PutUint32(hugeBlock[4:], 0xfffffff0)
	tinyBlock := bytes.Clone(epb)
	binary.LittleEndian.PutUint32(tinyBlock[4:], 8)
	oddBlock := bytes.Clone(epb)
	binary.LittleEndian.PutUint32(oddBlock[4:], uint32(len(epb)-2))
	badTrailer := bytes.Clone(epb)
	binary.LittleEndian.PutUint32(badTrailer[len(badTrailer)-4:], 4)
	badIface := ngEPBBlock(7, ts, frame(1, 60), 60)
	// An interface name option running far past its block: pcapgo would
	// read the following blocks as the name.
	longOpt := ngIDBBlock(1, 0)
	longOpt = append(longOpt[:16:16], 2, 0, 0xff, 0x0f) // if_name, 4095 bytes
	longOpt = append(longOpt, 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(longOpt[4:], uint32(len(longOpt)+4))
	longOpt = binary.LittleEndian.AppendUint32(longOpt, uint32(len(longOpt)+4))
	badBOM := bytes.Clone(shb)
	binary.LittleEndian.PutUint32(badBOM[8:], 0x12345678)
	noIDB := append(bytes.Clone(shb), epb...)

	tests := []struct {
		name    string
		data    []byte
		kind    Kind
		offset  int64
		packets int
	}{
		{"pcap caplen 2 GiB", hugePcap, Corrupt, 24 + 16 + 60, 1},
		{"pcapng caplen 4 GiB", withBlock(hugeCaplen), Corrupt, next, 1},
		{"pcapng caplen past block", withBlock(overCaplen), Corrupt, next, 1},
		{"pcapng block 4 GiB", withBlock(hugeBlock), Corrupt, next, 1},
		{"pcapng block too short", withBlock(tinyBlock), Corrupt, next, 1},
		{"pcapng block length not aligned", withBlock(oddBlock), Corrupt, next, 1},
		{"pcapng trailer mismatch", withBlock(badTrailer), Corrupt, next, 1},
		{"pcapng unknown interface", withBlock(badIface), Corrupt, next, 1},
		{"pcapng option overruns block", withBlock(longOpt), Corrupt, next, 1},
		{"pcapng bad byte-order magic", withBlock(badBOM), Corrupt, next, 1},
		{"pcapng packet before interface", noIDB, Corrupt, int64(len(shb)), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			f, err := Open(bytes.NewReader(tt.data), "bad")
			var got []Packet
			if err == nil {
				got, err = readAll(t, f)
			}
			runtime.ReadMemStats(&after)
			e := wantError(t, err, tt.kind)
			if e.Offset != tt.offset || len(got) != tt.packets || e.Packets != uint64(tt.packets) {
				t.Errorf("offset %d, %d packets (error says %d); want %d, %d: %v", e.Offset, len(got), e.Packets, tt.offset, tt.packets, err)
			}
			// Two 1 MiB read buffers and pcapgo's state; nothing near the claimed sizes.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
				t.Errorf("allocated %d bytes", alloc)
			}
			t.Log(err)
		})
	}
}

// TestLegacyPcapLengths: before format 2.3 writers stored the lengths
// swapped; 2.3 files are fixed only where caplen > len gives it away.
func TestLegacyPcapLengths(t *testing.T) {
	ts := time.Unix(1, 0)
	for _, tt := range []struct {
		minor          uint16
		caplen, len    uint32 // as stored
		wantCap, wantL int
	}{
		{4, 60, 100, 60, 100},
		{3, 60, 100, 60, 100},
		{3, 100, 60, 60, 100},
		{2, 100, 60, 60, 100},
	} {
		data := pcapFile(1, 65535)
		binary.LittleEndian.PutUint16(data[6:], tt.minor)
		data = append(data, pcapRecord(ts, tt.caplen, tt.len)...)
		data = append(data, frame(0, int(max(tt.caplen, tt.len)))[:tt.wantCap]...)
		f, err := Open(bytes.NewReader(data), "legacy")
		if err != nil {
			t.Fatal(err)
		}
		pkts, err := readAll(t, f)
		if err != nil || len(pkts) != 1 || pkts[0].CapLen != tt.wantCap || pkts[0].Len != tt.wantL {
			t.Errorf("2.%d stored %d/%d: got %+v, %v", tt.minor, tt.caplen, tt.len, pkts, err)
		}
	}
}

// TestLargeRecord reads a record bigger than the read buffer, allowed by
// the file's snap length, and a cut one that must not allocate its claim.
func TestLargeRecord(t *testing.T) {
	ts := time.Unix(1, 0)
	big := Packet{Timestamp: ts, Data: frame(3, 3<<20), Len: 3 << 20, LinkType: 1}
	small := Packet{Timestamp: ts.Add(time.Second), Data: frame(4, 100), Len: 100, LinkType: 1}
	data := pcapFile(1, 1<<30, big, small)
	f, err := Open(bytes.NewReader(data), "big")
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, f)
	if err != nil {
		t.Fatal(err)
	}
	comparePackets(t, got, []Packet{big, small})

	cut := pcapFile(1, 1<<30)
	cut = append(cut, pcapRecord(ts, 60<<20, 60<<20)...)
	cut = append(cut, frame(5, 1000)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f, _ = Open(bytes.NewReader(cut), "cut")
	_, err = readAll(t, f)
	runtime.ReadMemStats(&after)
	wantError(t, err, Truncated)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("a 60 MiB claim in a 1 KiB file allocated %d bytes", alloc)
	}
}

// TestStdin reads a capture from standard input through a pipe.
func TestStdin(t *testing.T) {
	data := readCapture(t, "ndpi__dns.pcap")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.Write(data)
		w.Close()
	}()
	saved := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = saved; r.Close() }()

	f, err := OpenFile("-")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Size() != -1 || f.Path() != "-" || f.Format() != "pcapng" {
		t.Errorf("Size %d Path %q Format %q", f.Size(), f.Path(), f.Format())
	}
	pkts, err := readAll(t, f)
	if err != nil || len(pkts) != 5 {
		t.Fatalf("%d packets, %v", len(pkts), err)
	}
	if f.Offset() != int64(len(data)) {
		t.Errorf("Offset() = %d, want %d", f.Offset(), len(data))
	}
}

// TestOpenReader uses Open on an io.Reader that is not a file.
func TestOpenReader(t *testing.T) {
	f, err := Open(io.MultiReader(bytes.NewReader(readCapture(t, "zeek__5-pings.pcap"))), "pings")
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := readAll(t, f)
	if err != nil || len(pkts) != 10 || f.Size() != -1 || f.Path() != "pings" {
		t.Fatalf("%d packets, size %d, path %q, %v", len(pkts), f.Size(), f.Path(), err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Next(&Packet{}); err == nil || err == io.EOF {
		t.Errorf("Next after Close = %v", err)
	}
}

func TestKindString(t *testing.T) {
	seen := map[string]bool{}
	for k := IO; k <= Decompress; k++ {
		s := k.String()
		if s == "" || seen[s] || strings.HasPrefix(s, "kind-") {
			t.Errorf("Kind(%d).String() = %q", k, s)
		}
		seen[s] = true
	}
	if Kind(99).String() != "kind-99" {
		t.Errorf("unknown kind: %q", Kind(99).String())
	}
}

func TestLinkTypeName(t *testing.T) {
	for lt, want := range map[uint32]string{
		0: "null", 1: "ethernet", 9: "ppp", 51: "pppoe", 101: "raw", 108: "loop",
		113: "linux-sll", 228: "ipv4", 229: "ipv6", 276: "linux-sll2", 4242: "linktype-4242",
	} {
		if got := LinkTypeName(lt); got != want {
			t.Errorf("LinkTypeName(%d) = %q, want %q", lt, got, want)
		}
	}
}
