package capture

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowscope/flowscope/internal/testcaps"
)

// capturesDir returns testdata/captures at the repository root.
func capturesDir(t testing.TB) string { return testcaps.Dir(t) }

func capture(t testing.TB, name string) string {
	return filepath.Join(capturesDir(t), name)
}

// manifestEntry is one row of the captures' MANIFEST.md.
type manifestEntry struct {
	file      string
	packets   int
	linkTypes []uint32
}

var linkTypeRE = regexp.MustCompile(`\((\d+)\)`)

func readManifest(t testing.TB) []manifestEntry {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(capturesDir(t), "MANIFEST.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []manifestEntry
	for _, line := range strings.Split(string(data), "\n") {
		cols := strings.Split(line, "|")
		// | # | File | Bytes | Format | Link type | Pkts | ...
		if len(cols) < 8 {
			continue
		}
		if _, err := strconv.Atoi(strings.TrimSpace(cols[1])); err != nil {
			continue
		}
		e := manifestEntry{file: strings.Trim(strings.TrimSpace(cols[2]), "`")}
		if e.packets, err = strconv.Atoi(strings.TrimSpace(cols[6])); err != nil {
			t.Fatalf("MANIFEST row %q: bad packet count", line)
		}
		for _, m := range linkTypeRE.FindAllStringSubmatch(cols[5], -1) {
			n, _ := strconv.Atoi(m[1])
			e.linkTypes = appendUnique(e.linkTypes, uint32(n))
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		t.Fatal("no captures listed in MANIFEST.md")
	}
	return out
}

// tsharkFrame is one packet of expected/tshark/<file>.fields.tsv.
type tsharkFrame struct {
	time   time.Time // zero when tshark shows none (Simple Packet Block)
	len    int
	capLen int
	iface  string
}

// tsharkRows returns the columns of the packets tshark lists in
// expected/tshark/<file>.fields.tsv. For pcapng tshark also lists
// non-packet records (custom blocks); they have no interface and are
// dropped so the rows line up with the packets.
func tsharkRows(t testing.TB, file string) [][]string {
	t.Helper()
	path := filepath.Join(capturesDir(t), "expected", "tshark", file+".fields.tsv")
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	head := make([]byte, 4)
	if raw, err := os.Open(filepath.Join(capturesDir(t), file)); err == nil {
		io.ReadFull(raw, head)
		raw.Close()
	}
	isNg := string(head) == "\x0a\x0d\x0d\x0a"
	var out [][]string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || strings.HasPrefix(line, "frame.number") {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) < 22 {
			t.Fatalf("%s: short line %q", path, line)
		}
		if isNg && c[4] == "" {
			continue
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// readTshark returns tshark's frame time, lengths and interface per packet.
func readTshark(t testing.TB, file string) []tsharkFrame {
	var out []tsharkFrame
	for _, c := range tsharkRows(t, file) {
		f := tsharkFrame{iface: c[4]}
		f.len, _ = strconv.Atoi(c[2])
		f.capLen, _ = strconv.Atoi(c[3])
		if c[1] != "" {
			f.time = parseEpoch(t, c[1])
		}
		out = append(out, f)
	}
	return out
}

// parseEpoch parses tshark's frame.time_epoch exactly. tshark prints the
// nanosecond field of out-of-range records unnormalised (10 digits).
func parseEpoch(t testing.TB, s string) time.Time {
	t.Helper()
	secStr, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(secStr, 10, 64)
	if err != nil {
		t.Fatalf("bad epoch %q", s)
	}
	ns, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		t.Fatalf("bad epoch %q", s)
	}
	for i := len(frac); i < 9; i++ {
		ns *= 10
	}
	return time.Unix(sec, ns)
}

// readAll reads every packet of src, copying what it needs to keep.
func readAll(t testing.TB, src Source) ([]Packet, error) {
	t.Helper()
	var out []Packet
	for {
		var p Packet
		err := src.Next(&p)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if p.CapLen != len(p.Data) {
			t.Fatalf("packet %d: CapLen %d, len(Data) %d", len(out)+1, p.CapLen, len(p.Data))
		}
		p.Data = slices.Clone(p.Data)
		out = append(out, p)
	}
}

func TestRealCaptures(t *testing.T) {
	for _, m := range readManifest(t) {
		t.Run(m.file, func(t *testing.T) {
			f, err := OpenFile(capture(t, m.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			pkts, err := readAll(t, f)
			if m.file == "ndpi__fuzz-2021-10-13.pcap" {
				// Checked in detail by TestCutCapture.
				var e *Error
				if !errors.As(err, &e) || e.Kind != Truncated {
					t.Fatalf("error = %v, want Truncated", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if len(pkts) != m.packets {
				t.Fatalf("%d packets, capinfos counts %d", len(pkts), m.packets)
			}
			if f.Packets() != uint64(len(pkts)) {
				t.Errorf("Packets() = %d, want %d", f.Packets(), len(pkts))
			}
			want := readTshark(t, m.file)
			if len(want) != len(pkts) {
				t.Fatalf("tshark lists %d packets, we read %d", len(want), len(pkts))
			}
			var prev time.Time
			for i, p := range pkts {
				w := want[i]
				wt := w.time
				if wt.IsZero() {
					wt = prev // Simple Packet Block: we carry the previous time
				}
				if !p.Timestamp.Equal(wt) {
					t.Errorf("packet %d: time %s, tshark %s", i+1, p.Timestamp.Format(time.RFC3339Nano), wt.Format(time.RFC3339Nano))
				}
				if p.Len != w.len || p.CapLen != w.capLen {
					t.Errorf("packet %d: len %d caplen %d, tshark %d %d", i+1, p.Len, p.CapLen, w.len, w.capLen)
				}
				if w.iface != "" && m.file != "gopacket__test202.pcapng" && strconv.Itoa(p.Interface) != w.iface {
					t.Errorf("packet %d: interface %d, tshark %s", i+1, p.Interface, w.iface)
				}
				if !slices.Contains(m.linkTypes, p.LinkType) {
					t.Errorf("packet %d: link type %d not among %v", i+1, p.LinkType, m.linkTypes)
				}
				prev = p.Timestamp
			}
			lts := f.LinkTypes()
			slices.Sort(lts)
			wantLTs := slices.Sorted(slices.Values(m.linkTypes))
			if !slices.Equal(lts, wantLTs) {
				t.Errorf("LinkTypes() = %v, MANIFEST says %v", lts, wantLTs)
			}
			if fi, err := os.Stat(capture(t, m.file)); err != nil || f.Size() != fi.Size() {
				t.Errorf("Size() = %d, want %d", f.Size(), fi.Size())
			}
			if err == nil && f.Offset() != f.Size() {
				t.Errorf("Offset() = %d at the end, want %d", f.Offset(), f.Size())
			}
		})
	}
}

// TestSpecificCaptures pins down the format features each capture exists for.
func TestSpecificCaptures(t *testing.T) {
	tests := []struct {
		file       string
		format     string
		linkTypes  []uint32 // per packet, in order (or one for all)
		interfaces []int    // per packet, nil for all zero
		first      string   // tshark's frame.time_epoch of the first packet
	}{
		{"tcpdump__pptp.pcap", "pcap", []uint32{LinkTypeEthernet}, nil, "954147395.148077000"},
		{"tcpdump__tcp-handshake-nano.pcap", "pcap", []uint32{LinkTypeLinuxSLL}, nil, ""},
		{"zeek__linux_dlt_sll2.pcap", "pcap", []uint32{LinkTypeLinuxSLL2}, nil, ""},
		{"ndpi__psiphon3.pcap", "pcap", []uint32{LinkTypeRaw}, nil, ""},
		{"ndpi__rdp.pcap", "pcap", []uint32{LinkTypeNull}, nil, ""},
		{"ndpi__dns.pcap", "pcapng", []uint32{LinkTypeEthernet}, nil, ""}, // named .pcap, is pcapng
		{"ndpi__quic-v2.pcapng", "pcapng", []uint32{LinkTypeLinuxSLL}, nil, ""},
		{"zeek__pcapng-multi-interface.pcapng", "pcapng", []uint32{LinkTypeEthernet}, []int{0, 0, 1, 1, 1, 1}, "1767663089.500330493"},
		// Interfaces count across sections: section 0 has 0 and 1, section
		// 1 has 2, section 2 has 3 and 4. Packets 4 and 7 are Simple
		// Packet Blocks, which belong to the section's first interface.
		{"gopacket__test202.pcapng", "pcapng", []uint32{1, 1, 0, 1, 1, 1, 1, 0}, []int{0, 0, 1, 2, 2, 2, 2, 4}, "1340954905.298858000"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := OpenFile(capture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Format() != tt.format {
				t.Errorf("Format() = %q, want %q", f.Format(), tt.format)
			}
			pkts, err := readAll(t, f)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range pkts {
				lt := tt.linkTypes[0]
				if len(tt.linkTypes) > 1 {
					lt = tt.linkTypes[i]
				}
				if p.LinkType != lt {
					t.Errorf("packet %d: link type %d, want %d", i+1, p.LinkType, lt)
				}
				ifc := 0
				if tt.interfaces != nil {
					ifc = tt.interfaces[i]
				}
				if p.Interface != ifc {
					t.Errorf("packet %d: interface %d, want %d", i+1, p.Interface, ifc)
				}
			}
			if tt.first != "" && !pkts[0].Timestamp.Equal(parseEpoch(t, tt.first)) {
				t.Errorf("first time %s, want %s", pkts[0].Timestamp.Format(time.RFC3339Nano), tt.first)
			}
		})
	}
}

// TestCutCapture: the nDPI fuzz file is a version 2.0 pcap (lengths stored
// swapped, as libpcap and Wireshark read it): one 197-byte record, then two
// bytes of a record header.
func TestCutCapture(t *testing.T) {
	path := capture(t, "ndpi__fuzz-2021-10-13.pcap")
	f, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var p Packet
	if err := f.Next(&p); err != nil {
		t.Fatal(err)
	}
	if p.CapLen != 197 || p.Len != 524501 || p.LinkType != LinkTypeNull {
		t.Errorf("caplen %d len %d linktype %d, want 197 524501 0", p.CapLen, p.Len, p.LinkType)
	}
	err = f.Next(&p)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *Error", err)
	}
	if e.Kind != Truncated || e.Offset != 237 || e.Packets != 1 || e.Path != path {
		t.Errorf("got kind %v offset %d packets %d path %q, want truncated 237 1 %q", e.Kind, e.Offset, e.Packets, e.Path, path)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("error does not wrap io.ErrUnexpectedEOF")
	}
	want := path + ": truncated: file ends in the middle of packet record 2 at byte 237 (after 1 complete packets)"
	if err.Error() != want {
		t.Errorf("message\n %s\nwant\n %s", err, want)
	}
	if again := f.Next(&p); again != err {
		t.Errorf("second Next gave %v, want the same error", again)
	}
}

// TestPcapngLinkTypes: interfaces of link types above 255 (SLL2) next to
// Ethernet in one section, read per packet.
func TestPcapngLinkTypes(t *testing.T) {
	ts := time.Unix(1700000000, 0)
	data := append(ngSHBBlock(), ngIDBBlock(uint16(LinkTypeLinuxSLL2), 0)...)
	data = append(data, ngIDBBlock(uint16(LinkTypeEthernet), 0)...)
	for i := range 6 {
		data = append(data, ngEPBBlock(uint32(i%2), ts.Add(time.Duration(i)*time.Microsecond), frame(i, 50), 50)...)
	}
	f, err := Open(bytes.NewReader(data), "sll2")
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := readAll(t, f)
	if err != nil || len(pkts) != 6 {
		t.Fatalf("%d packets, %v", len(pkts), err)
	}
	for i, p := range pkts {
		want := []uint32{LinkTypeLinuxSLL2, LinkTypeEthernet}[i%2]
		if p.LinkType != want || p.Interface != i%2 || !bytes.Equal(p.Data, frame(i, 50)) {
			t.Errorf("packet %d: link type %d interface %d, want %d %d", i, p.LinkType, p.Interface, want, i%2)
		}
	}
	if lts := f.LinkTypes(); !slices.Equal(lts, []uint32{LinkTypeLinuxSLL2, LinkTypeEthernet}) {
		t.Errorf("LinkTypes() = %v", lts)
	}
}
