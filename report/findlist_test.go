package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/flowscope/flowscope/flow"
)

// findingRecs has findings of every severity, out of order by ID, one
// flow with two, and evidence with a terminal escape sequence.
func findingRecs() []flow.Record {
	httpOn22 := svcRec(7, 22, "http", "medium")
	httpOn22.Server.IP = netip.MustParseAddr("2001:db8::22")
	httpOn22.Client.IP = netip.MustParseAddr("2001:db8::1")
	evil := svcRec(5, 2222, "ssh", "high")
	evil.Evidence = "SSH-2.0-\x1b[31mOpenSSH_9.6 \"x\",y\r\n"
	mute := svcRec(3, 443, "", "")
	mute.ClientPrefix = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
	mute.ClientFromSYN = true
	mute.Server.IP = netip.MustParseAddr("192.168.1.10")
	return []flow.Record{
		svcRec(9, 8888, "http", "high"), // info
		httpOn22,                        // low, medium
		mute,                            // medium
		evil,                            // high
		svcRec(2, 2222, "ssh", "high"),  // high
		svcRec(1, 443, "tls", "high"),   // none
		icmpRec(),                       // none
	}
}

func writeFindings(t *testing.T, recs []flow.Record, opt Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteFindings(&buf, recs, opt); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.IndexByte(out, 0x1b) >= 0 {
		t.Errorf("raw ESC in %s output", opt.Format)
	}
	return out
}

const findingsTableWant = `findings:
  high    nonstandard-port  ssh   tcp/2222  #2  10.0.0.1:51234 → 10.0.0.2:2222
    ssh on tcp/2222, not on its registered tcp/22; evidence (server, frame 4): <ssh>\x0d\x0a
  high    nonstandard-port  ssh   tcp/2222  #5  10.0.0.1:51234 → 10.0.0.2:2222
    ssh on tcp/2222, not on its registered tcp/22; evidence (server, frame 4): SSH-2.0-\x1b[31mOpenSSH_9.6 "x",y\x0d\x0a
  medium  port-mismatch     ?     tcp/443   #3  10.0.0.1:51234 → 192.168.1.10:443
    first client payload is not a TLS record (no detector recognised it); evidence (client): \x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f
  medium  port-mismatch     http  tcp/22    #7  [2001:db8::1]:51234 → [2001:db8::22]:22
    tcp/22 is registered for ssh but carries http; evidence (server, frame 4): <http>\x0d\x0a
  low     nonstandard-port  http  tcp/22    #7  [2001:db8::1]:51234 → [2001:db8::22]:22
    http on tcp/22, not on its registered tcp/80; evidence (server, frame 4): <http>\x0d\x0a
  info    nonstandard-port  http  tcp/8888  #9  10.0.0.1:51234 → 10.0.0.2:8888
    http on tcp/8888, a conventional alternate of its registered tcp/80; evidence (server, frame 4): <http>\x0d\x0a
`

func TestWriteFindingsTable(t *testing.T) {
	for _, format := range []string{"", "table"} {
		if got := writeFindings(t, findingRecs(), Options{Format: format}); got != findingsTableWant {
			t.Errorf("format %q: got\n%s\nwant\n%s", format, got, findingsTableWant)
		}
	}
}

func TestWriteFindingsTableWidth(t *testing.T) {
	const narrow = `findings:
  high    nonstandard-port  ssh   tcp/2222  #2  10.0.0.1:51234 → 10.0.0.2:2222
    ssh on tcp/2222, not on its registered tcp/22
    evidence (server, frame 4): <ssh>\x0d\x0a
  high    nonstandard-port  ssh   tcp/2222  #5  10.0.0.1:51234 → 10.0.0.2:2222
    ssh on tcp/2222, not on its registered tcp/22
    evidence (server, frame 4): SSH-2.0-\x1b[31mOpenSSH_9.6 "x",y\x0d\x0a
  medium  port-mismatch     ?     tcp/443   #3  10.0.0.1:51234 → 192.1….1.10:443
    first client payload is not a TLS record (no detector recognised it)
    evidence (client): \x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d…
  medium  port-mismatch     http  tcp/22    #7  [200…::1]:51234 → [2001…::22]:22
    tcp/22 is registered for ssh but carries http
    evidence (server, frame 4): <http>\x0d\x0a
  low     nonstandard-port  http  tcp/22    #7  [200…::1]:51234 → [2001…::22]:22
    http on tcp/22, not on its registered tcp/80
    evidence (server, frame 4): <http>\x0d\x0a
  info    nonstandard-port  http  tcp/8888  #9  10.0.0.1:51234 → 10.0.0.2:8888
    http on tcp/8888, a conventional alternate of its registered tcp/80
    evidence (server, frame 4): <http>\x0d\x0a
`
	if got := writeFindings(t, findingRecs(), Options{Width: 80}); got != narrow {
		t.Errorf("got\n%s\nwant\n%s", got, narrow)
	}
	for _, width := range []int{200, 120, 80, 60, 30} {
		got := writeFindings(t, findingRecs(), Options{Width: width})
		for _, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
			if n := utf8.RuneCountInString(l); n > width {
				t.Errorf("width %d: line of %d runes: %q", width, n, l)
			}
		}
		if want := width >= 200; strings.Count(got, "\n") == 13 != want {
			t.Errorf("width %d: evidence on the reason's line %v, want %v\n%s", width, !want, want, got)
		}
	}
}

func TestWriteTableFindings(t *testing.T) {
	recs := findingRecs()
	tests := []struct {
		name  string
		opt   Options
		want  []string // findings lines, in order
		empty bool
	}{
		{"all, whatever --top", Options{Top: 1}, []string{"#2", "#5", "#3", "#7", "#7", "#9"}, false},
		{"suppressed", Options{Allow: mustAllowlist(t, "ssh 10.0.0.2\nhttp tcp/22 nonstandard-port")},
			[]string{"#3", "#7", "#9"}, false},
		{"all suppressed", Options{Allow: mustAllowlist(t, "* *")}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := writeTable(t, recs, tt.opt)
			text := strings.Join(lines, "\n")
			if strings.IndexByte(text, 0x1b) >= 0 {
				t.Error("raw ESC in table")
			}
			at := slices.Index(lines, "findings:")
			if tt.empty {
				if at >= 0 {
					t.Errorf("unexpected findings section:\n%s", text)
				}
				return
			}
			if at < 2 || lines[at-1] != "" {
				t.Fatalf("no findings section after a blank line:\n%s", text)
			}
			var ids []string
			for _, l := range lines[at+1:] {
				if f := strings.Fields(l); len(f) > 4 && strings.HasPrefix(f[4], "#") {
					ids = append(ids, f[4])
				}
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("finding flows %v, want %v\n%s", ids, tt.want, text)
			}
		})
	}
	// No findings, no section.
	if text := strings.Join(writeTable(t, tableRecs(), Options{}), "\n"); strings.Contains(text, "findings") {
		t.Errorf("findings section without findings:\n%s", text)
	}
}

func TestWriteFindingsJSON(t *testing.T) {
	out := writeFindings(t, findingRecs(), Options{Format: "json"})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	wantFirst := `{"id":9,"proto":"tcp","client":{"ip":"10.0.0.1","port":51234},"server":{"ip":"10.0.0.2","port":8888},` +
		`"community_id":"1:LQU9qZlK+B5F3KDmev6m5PMibrg=","kind":"nonstandard-port","severity":"info","service":"http",` +
		`"port":"tcp/8888","expected_services":[],"expected_ports":["tcp/80"],` +
		`"detector":"http","confidence":"high","frame":4,"direction":"server","evidence":"<http>\\x0d\\x0a",` +
		`"reason":"http on tcp/8888, a conventional alternate of its registered tcp/80"}`
	if lines[0] != wantFirst {
		t.Errorf("first line\n%s\nwant\n%s", lines[0], wantFirst)
	}
	// Empty detector, confidence, frame are left out.
	wantMute := `{"id":3,"proto":"tcp","client":{"ip":"10.0.0.1","port":51234},"server":{"ip":"192.168.1.10","port":443},` +
		`"community_id":"1:LQU9qZlK+B5F3KDmev6m5PMibrg=","kind":"port-mismatch","severity":"medium","service":"",` +
		`"port":"tcp/443","expected_services":["tls"],"expected_ports":[],"direction":"client",` +
		`"evidence":"\\x00\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\\x09\\x0a\\x0b\\x0c\\x0d\\x0e\\x0f",` +
		`"reason":"first client payload is not a TLS record (no detector recognised it)"}`
	if lines[3] != wantMute {
		t.Errorf("fourth line\n%s\nwant\n%s", lines[3], wantMute)
	}
	// In the records' order, each flow's findings in Findings' order.
	var got []string
	for _, l := range lines {
		var ff struct {
			ID uint64
			Finding
		}
		if err := json.Unmarshal([]byte(l), &ff); err != nil {
			t.Fatalf("%v\n%s", err, l)
		}
		got = append(got, fmt.Sprintf("%d %s %s", ff.ID, ff.Kind, ff.Evidence))
	}
	want := []string{
		`9 nonstandard-port <http>\x0d\x0a`,
		`7 nonstandard-port <http>\x0d\x0a`,
		`7 port-mismatch <http>\x0d\x0a`,
		`3 port-mismatch \x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f`,
		`5 nonstandard-port SSH-2.0-\x1b[31mOpenSSH_9.6 "x",y\x0d\x0a`,
		`2 nonstandard-port <ssh>\x0d\x0a`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWriteFindingsCSV(t *testing.T) {
	out := writeFindings(t, findingRecs(), Options{Format: "csv", Allow: mustAllowlist(t, "http *")})
	r := csv.NewReader(strings.NewReader(out))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	wantHeader := "id,proto,client_ip,client_port,server_ip,server_port,community_id,kind,severity,service,port," +
		"expected_services,expected_ports,detector,confidence,frame,direction,evidence,reason"
	if got := strings.Join(rows[0], ","); got != wantHeader {
		t.Fatalf("header %s", got)
	}
	want := []string{
		`3|tcp|10.0.0.1|51234|192.168.1.10|443|1:LQU9qZlK+B5F3KDmev6m5PMibrg=|port-mismatch|medium||tcp/443|tls||||` +
			`|client|\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f|` +
			`first client payload is not a TLS record (no detector recognised it)`,
		`5|tcp|10.0.0.1|51234|10.0.0.2|2222|1:LQU9qZlK+B5F3KDmev6m5PMibrg=|nonstandard-port|high|ssh|tcp/2222||tcp/22|ssh|high` +
			`|4|server|SSH-2.0-\x1b[31mOpenSSH_9.6 "x",y\x0d\x0a|ssh on tcp/2222, not on its registered tcp/22`,
		`2|tcp|10.0.0.1|51234|10.0.0.2|2222|1:LQU9qZlK+B5F3KDmev6m5PMibrg=|nonstandard-port|high|ssh|tcp/2222||tcp/22|ssh|high` +
			`|4|server|<ssh>\x0d\x0a|ssh on tcp/2222, not on its registered tcp/22`,
	}
	var got []string
	for _, row := range rows[1:] {
		got = append(got, strings.Join(row, "|"))
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Lists in a cell are joined by ";".
	out = writeFindings(t, []flow.Record{svcRec(1, 8888, "smb", "high")}, Options{Format: "csv"})
	if !strings.Contains(out, ",tcp/138;tcp/139;tcp/445,") {
		t.Errorf("expected_ports not joined by ';':\n%s", out)
	}
}

func TestWriteFindingsNone(t *testing.T) {
	recs := []flow.Record{tcpRec(), icmpRec()}
	tests := []struct{ format, want string }{
		{"", "no findings\n"},
		{"table", "no findings\n"},
		{"json", ""},
		{"csv", findingsCSVHeader},
	}
	for _, tt := range tests {
		if got := writeFindings(t, recs, Options{Format: tt.format}); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.format, got, tt.want)
		}
		want := tt.want
		if tt.format == "" || tt.format == "table" {
			want += "6 suppressed by the allowlist\n"
		}
		if got := writeFindings(t, findingRecs(), Options{Format: tt.format, Allow: mustAllowlist(t, "* *")}); got != want {
			t.Errorf("%q, all suppressed: got %q, want %q", tt.format, got, want)
		}
	}
}

func TestWriteFindingsBadFormat(t *testing.T) {
	err := WriteFindings(io.Discard, findingRecs(), Options{Format: "xml"})
	if err == nil || err.Error() != `report: unknown findings format "xml" (want table, json, csv or zeek)` {
		t.Errorf("err = %v", err)
	}
}
