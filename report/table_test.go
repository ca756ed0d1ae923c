package report

import (
	"bytes"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/flowscope/flowscope/flow"
)

// tableRecs mixes short and long IPv4 and IPv6 addresses and big counters,
// so that every fitting step is needed at some width.
func tableRecs() []flow.Record {
	mk := func(id uint64, proto, c string, cp uint16, s string, sp uint16, cb, sb uint64, d time.Duration) flow.Record {
		return flow.Record{ID: id, Proto: proto, ConnState: "SF",
			Client:    flow.Side{IP: netip.MustParseAddr(c), Port: cp, Packets: cb/100 + 1, Bytes: cb, FrameBytes: cb + 14*(cb/100+1)},
			Server:    flow.Side{IP: netip.MustParseAddr(s), Port: sp, Packets: sb/100 + 1, Bytes: sb, FrameBytes: sb + 14*(sb/100+1)},
			FirstSeen: t0, LastSeen: t0.Add(d)}
	}
	recs := []flow.Record{
		mk(1, "tcp", "10.0.0.1", 51234, "10.0.0.2", 80, 400, 1200, 589*time.Microsecond),
		mk(2, "udp", "2001:db8:85a3::8a2e:370:7334", 5353, "2001:db8::53", 53, 3000, 100, 12*time.Second),
		mk(3, "icmp", "192.168.100.200", 8, "8.8.8.8", 0, 84, 84, 0),
		mk(4, "tcp", "192.168.100.200", 65535, "255.255.255.255", 443, 12_345_678, 1_100_000_000, 125*time.Second),
		mk(5, "tcp", "fe80::1234:5678:9abc:def0", 40000, "2606:4700:4700::1111", 443, 1_500, 1_500, time.Hour),
		mk(1234567, "ip-132", "10.1.1.1", 0, "10.1.1.2", 0, 3000, 0, time.Second),
	}
	recs[0].Service = "http"
	recs[3].Service = "tls"
	return recs
}

func writeTable(t *testing.T, recs []flow.Record, opt Options) []string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTable(&buf, recs, opt); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("no final newline: %q", out)
	}
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

// rowIDs returns the first field of every data line (the ID).
func rowIDs(lines []string) []string {
	var ids []string
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) > 0 && f[0] != "…" && !strings.HasSuffix(f[0], ":") {
			ids = append(ids, f[0])
		}
	}
	return ids
}

func TestWriteTableOrder(t *testing.T) {
	recs := tableRecs()
	// Same total as ID 2 (3100), to check that ties go to the lower ID.
	tie := tcpRec()
	tie.ID, tie.Client.Bytes, tie.Server.Bytes = 0, 3000, 100
	recs = append(recs, tie)
	orig := slices.Clone(recs)
	lines := writeTable(t, recs, Options{Bytes: IPBytes})
	if got, want := strings.Join(rowIDs(lines), " "), "4 0 2 5 1234567 1 3"; got != want {
		t.Errorf("order %q, want %q\n%s", got, want, strings.Join(lines, "\n"))
	}
	for i := range recs {
		if recs[i].ID != orig[i].ID {
			t.Fatalf("caller's slice reordered")
		}
	}
}

func TestWriteTableTop(t *testing.T) {
	tests := []struct {
		top       int
		rows      int
		footer    string
		wantLines int
	}{
		{0, 6, "", 8},
		{-1, 6, "", 8},
		{2, 2, "… 4 more flows (use --top 0 for all)", 5},
		{5, 5, "… 1 more flows (use --top 0 for all)", 8},
		{6, 6, "", 8},
		{100, 6, "", 8},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.top), func(t *testing.T) {
			lines := writeTable(t, tableRecs(), Options{Top: tt.top})
			if len(lines) != tt.wantLines {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), tt.wantLines, strings.Join(lines, "\n"))
			}
			if got := len(rowIDs(lines)); got != tt.rows {
				t.Errorf("%d rows, want %d", got, tt.rows)
			}
			last := lines[len(lines)-2] // before the legend
			if !strings.HasPrefix(lines[len(lines)-1], "BYTES: ") {
				t.Errorf("no legend last: %q", lines[len(lines)-1])
			}
			if tt.footer != "" && last != tt.footer {
				t.Errorf("footer %q, want %q", last, tt.footer)
			}
			if tt.footer == "" && strings.Contains(last, "more flows") {
				t.Errorf("unexpected footer %q", last)
			}
		})
	}
}

func TestWriteTableNoFlows(t *testing.T) {
	for _, recs := range [][]flow.Record{nil, {}} {
		lines := writeTable(t, recs, Options{Top: 10, Width: 80})
		if len(lines) != 1 || lines[0] != "no flows" {
			t.Errorf("got %q", lines)
		}
	}
}

func TestWriteTableNatural(t *testing.T) {
	recs := tableRecs()[:2]
	recs[0].PortService, recs[0].PortClass = "http", "well-known"
	lines := writeTable(t, recs, Options{})
	want := []string{
		// Frame bytes: IP bytes plus 14 per packet (tableRecs).
		"#  START         CLIENT                               SERVER             PROTO  SERVICE  PORT (CLASS)  STATE  C→S PKTS  C→S BYTES  S→C PKTS  S→C BYTES  DURATION",
		"2  14:40:08.021  [2001:db8:85a3::8a2e:370:7334]:5353  [2001:db8::53]:53  udp                           SF           31     3.4 kB         2      128 B     12.0s",
		"1  14:40:08.021  10.0.0.1:51234                       10.0.0.2:80        tcp    http     http (wk)     SF            5      470 B        13     1.4 kB     589µs",
		"BYTES: frames, as tshark -z conv (--bytes ip: IP packets); START: UTC",
	}
	if got := strings.Join(lines, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}

func TestWriteTableWidth(t *testing.T) {
	recs := tableRecs()
	all := "# START CLIENT SERVER PROTO SERVICE PORT STATE C→S-PKTS C→S-BYTES S→C-PKTS S→C-BYTES DURATION"
	// Columns go in dropOrder as the width shrinks; CLIENT, SERVER, PROTO,
	// SERVICE and the bytes stay.
	tests := []struct {
		width  int
		cols   string // the header's columns
		hidden string // the legend's list of hidden columns
	}{
		{0, all, ""},
		{200, all, ""},
		{160, all, ""},
		{150, "# START CLIENT SERVER PROTO SERVICE PORT STATE C→S-PKTS C→S-BYTES S→C-PKTS S→C-BYTES", "DURATION"},
		{140, "# START CLIENT SERVER PROTO SERVICE PORT STATE C→S-BYTES S→C-BYTES", "PKTS, DURATION"},
		{120, "# CLIENT SERVER PROTO SERVICE PORT STATE C→S-BYTES S→C-BYTES", "START, PKTS, DURATION"},
		{110, "# CLIENT SERVER PROTO SERVICE STATE C→S-BYTES S→C-BYTES", "START, PORT, PKTS, DURATION"},
		{90, "CLIENT SERVER PROTO SERVICE C→S-BYTES S→C-BYTES", "#, START, PORT, STATE, PKTS, DURATION"},
		{80, "CLIENT SERVER PROTO SERVICE C→S-BYTES S→C-BYTES", "#, START, PORT, STATE, PKTS, DURATION"},
		{60, "CLIENT SERVER PROTO SERVICE C→S-BYTES S→C-BYTES", "#, START, PORT, STATE, PKTS, DURATION"},
		{20, "CLIENT SERVER", "#, START, PORT, STATE, PKTS, DURATION"}, // too narrow even for "…:port": lines are cut
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.width), func(t *testing.T) {
			lines := writeTable(t, recs, Options{Width: tt.width, Top: 5})
			text := strings.Join(lines, "\n")
			for _, l := range lines {
				if n := utf8.RuneCountInString(l); tt.width > 0 && n > tt.width {
					t.Errorf("line of %d runes > %d: %q", n, tt.width, l)
				}
				if strings.HasSuffix(l, " ") {
					t.Errorf("trailing space: %q", l)
				}
			}
			var cols []string
			header := strings.ReplaceAll(strings.ReplaceAll(lines[0], " PKTS", "-PKTS"), " BYTES", "-BYTES")
			header = strings.ReplaceAll(header, "PORT (CLASS)", "PORT")
			for _, c := range strings.Fields(all) {
				if slices.Contains(strings.Fields(header), c) {
					cols = append(cols, c)
				}
			}
			if got := strings.Join(cols, " "); got != tt.cols && tt.width != 20 {
				t.Errorf("columns %q, want %q\n%s", got, tt.cols, text)
			}
			hidden := ""
			for _, l := range lines {
				if _, after, ok := strings.Cut(l, "… hidden (--wide): "); ok {
					hidden = after
				}
			}
			if tt.width != 20 && hidden != tt.hidden {
				t.Errorf("hidden %q, want %q\n%s", hidden, tt.hidden, text)
			}
			if tt.width == 0 || tt.width >= 60 {
				// Addresses may be shortened, never the ports.
				for _, id := range []int{3, 4, 1, 0} { // the top rows by bytes
					for _, s := range []flow.Side{recs[id].Client, recs[id].Server} {
						if !strings.Contains(text, ":"+strconv.Itoa(int(s.Port))+" ") &&
							!strings.Contains(text, "]:"+strconv.Itoa(int(s.Port))) {
							t.Errorf("port %d missing:\n%s", s.Port, text)
						}
					}
				}
			}
			if tt.width == 0 || tt.width == 200 {
				for _, r := range recs[:5] {
					if !strings.Contains(text, r.Client.IP.String()) {
						t.Errorf("%s shortened at width %d", r.Client.IP, tt.width)
					}
				}
			}
		})
	}
}

// TestWriteTableBytes: the byte columns count frames by default (as
// tshark -z conv), IP packets with IPBytes, with units, and say which.
func TestWriteTableBytes(t *testing.T) {
	r := tableRecs()[0] // 400/1200 IP bytes, 470/1382 frame bytes
	for _, c := range []struct {
		kind         ByteKind
		cells, label string
	}{
		{FrameBytes, "5 470 B 13 1.4 kB", "BYTES: frames, as tshark -z conv (--bytes ip: IP packets)"},
		{IPBytes, "5 400 B 13 1.2 kB", "BYTES: IP packets, as Zeek (--bytes frame: frames, as tshark)"},
	} {
		text := strings.Join(writeTable(t, []flow.Record{r}, Options{Bytes: c.kind}), "\n")
		if !strings.Contains(strings.Join(strings.Fields(text), " "), c.cells) || !strings.Contains(text, c.label) {
			t.Errorf("kind %d: want %q and %q:\n%s", c.kind, c.cells, c.label, text)
		}
	}
}

// TestWriteTableICMP: ICMP rows show type/code, and the legend says so.
func TestWriteTableICMP(t *testing.T) {
	r := tableRecs()[2] // icmp, client port 8 (echo), server port 0 (reply)
	text := strings.Join(writeTable(t, []flow.Record{r}, Options{}), "\n")
	for _, want := range []string{"  icmp 8/0  ", "icmp T/C: type/code", "START", "14:40:08.021"} {
		if !strings.Contains(text, want) {
			t.Errorf("lacks %q:\n%s", want, text)
		}
	}
}

func TestAppendAddr(t *testing.T) {
	v6 := flow.Record{Proto: "tcp", Client: flow.Side{IP: netip.MustParseAddr("2001:db8:85a3::8a2e:370:7334"), Port: 443}}
	v4 := flow.Record{Proto: "udp", Client: flow.Side{IP: netip.MustParseAddr("192.168.100.200"), Port: 5353}}
	icmp := flow.Record{Proto: "icmp", Client: flow.Side{IP: netip.MustParseAddr("10.0.0.1"), Port: 2048}}
	gre := flow.Record{Proto: "gre", Client: flow.Side{IP: netip.MustParseAddr("2001:db8::1")}}
	unset := flow.Record{Proto: "tcp", Client: flow.Side{Port: 1}}
	tests := []struct {
		rec  flow.Record
		max  int
		want string
	}{
		{v6, 0, "[2001:db8:85a3::8a2e:370:7334]:443"},
		{v6, 34, "[2001:db8:85a3::8a2e:370:7334]:443"},
		{v6, 33, "[2001:db8:85a3…8a2e:370:7334]:443"},
		{v6, 20, "[2001:db…0:7334]:443"},
		{v6, 8, "[2…]:443"},
		{v6, 1, "[…]:443"},
		{v4, 21, "192.168.100.200:5353"},
		{v4, 12, "192…200:5353"},
		{icmp, 0, "10.0.0.1"},
		{icmp, 5, "10….1"},
		{gre, 0, "2001:db8::1"},
		{unset, 0, "-:1"},
	}
	for _, tt := range tests {
		var tb table
		got := string(tb.appendAddr(nil, &tt.rec, &tt.rec.Client, tt.max))
		if got != tt.want {
			t.Errorf("%s max %d: got %q want %q", tt.rec.Client.IP, tt.max, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); tt.max > 0 && n > tt.max && n > addrFixed(&tt.rec, &tt.rec.Client)+1 {
			t.Errorf("%q: %d runes > %d", got, n, tt.max)
		}
	}
}

func TestSplitBudget(t *testing.T) {
	tests := []struct{ budget, a, b, wantA, wantB int }{
		{50, 20, 20, 20, 20},
		{30, 20, 20, 15, 15},
		{30, 10, 30, 10, 20},
		{30, 30, 10, 20, 10},
		{30, 25, 30, 15, 15},
		{-4, 20, 20, -2, -2},
	}
	for _, tt := range tests {
		if a, b := splitBudget(tt.budget, tt.a, tt.b); a != tt.wantA || b != tt.wantB {
			t.Errorf("splitBudget(%d, %d, %d) = %d, %d, want %d, %d", tt.budget, tt.a, tt.b, a, b, tt.wantA, tt.wantB)
		}
	}
}

func TestHumanBytes(t *testing.T) {
	tests := []struct {
		n    uint64
		want string
	}{
		{0, "0"},
		{512, "512"},
		{999, "999"},
		{1000, "1.0k"},
		{1500, "1.5k"},
		{1549, "1.5k"},
		{1550, "1.6k"},
		{99_949, "99.9k"},
		{99_950, "100k"},
		{999_499, "999k"},
		{999_500, "1.0M"},
		{12_345_678, "12.3M"},
		{123_456_789, "123M"},
		{1_100_000_000, "1.1G"},
		{1e12, "1.0T"},
		{1e15, "1.0P"},
		{1e18, "1.0E"},
		{math.MaxUint64, "18.4E"},
	}
	for _, tt := range tests {
		if got := string(appendHumanBytes(nil, tt.n)); got != tt.want {
			t.Errorf("%d: got %s want %s", tt.n, got, tt.want)
		}
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{1, "1ns"},
		{999, "999ns"},
		{589 * time.Microsecond, "589µs"},
		{999_499, "999µs"},
		{999_500, "1ms"},
		{850 * time.Millisecond, "850ms"},
		{999_499_999, "999ms"},
		{999_500_000, "1.00s"},
		{3_157_831 * time.Microsecond, "3.16s"},
		{9_994 * time.Millisecond, "9.99s"},
		{9_995 * time.Millisecond, "10.0s"},
		{42_500 * time.Millisecond, "42.5s"},
		{59_949 * time.Millisecond, "59.9s"},
		{59_950 * time.Millisecond, "1m00s"},
		{125 * time.Second, "2m05s"},
		{3599 * time.Second, "59m59s"},
		{3599_500 * time.Millisecond, "1h00m"},
		{3720 * time.Second, "1h02m"},
		{50 * time.Hour, "50h00m"},
		{-1500 * time.Millisecond, "-1.50s"},
		{math.MinInt64, "-2562047h47m"},
		{math.MaxInt64, "2562047h47m"},
	}
	for _, tt := range tests {
		if got := HumanDuration(tt.d); got != tt.want {
			t.Errorf("%d: got %s want %s", tt.d, got, tt.want)
		}
	}
}

func BenchmarkWriteTable(b *testing.B) {
	recs := benchRecords(100_000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteTable(discard{}, recs, Options{Width: 100}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(recs)), "ns/record")
}

func TestWriteTableNameAndFields(t *testing.T) {
	recs := tableRecs()[:2]
	recs[0].ServerName = "www.\x1bexample.com"
	lines := writeTable(t, recs, Options{})
	if !strings.Contains(lines[0], "NAME") || !strings.Contains(strings.Join(lines, "\n"), `www.\x1bexample.com`) {
		t.Errorf("no escaped NAME column:\n%s", strings.Join(lines, "\n"))
	}
	lines = writeTable(t, recs, Options{Fields: []string{"server_name", "service"}})
	if got := strings.Fields(lines[0]); strings.Join(got, " ") != "CLIENT SERVER NAME SERVICE" {
		t.Errorf("header %q", lines[0])
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, recs, Options{Fields: []string{"bogus"}}); err == nil {
		t.Error("unknown table field accepted")
	}
}
