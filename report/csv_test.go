package report

import (
	"bytes"
	"encoding/csv"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/flowscope/flowscope/flow"
)

var wantHeader = strings.Split("id,proto,client_ip,client_port,server_ip,server_port,client_packets,client_bytes,"+
	"client_payload_bytes,server_packets,server_bytes,server_payload_bytes,first_seen,last_seen,duration,conn_state,"+
	"history,community_id,direction_by,end_reason,vlan,tunnel,tunnel_parent,ip_fragments,"+
	"service,port_service,port_class,findings,server_name,tls_version,ja3_hash,ja4,rtt_client,rtt_server,"+
	"other_service,other_service_confidence,other_service_detector", ",")

func readCSV(t *testing.T, recs []flow.Record) [][]string {
	t.Helper()
	return readCSVOpt(t, recs, Options{})
}

func readCSVOpt(t *testing.T, recs []flow.Record, opt Options) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, recs, opt); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(&buf)
	r.FieldsPerRecord = len(wantHeader)
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv: %v\n%s", err, buf.String())
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != strings.Join(wantHeader, ",") {
		t.Fatalf("header %v", rows)
	}
	return rows[1:]
}

func TestWriteCSVValues(t *testing.T) {
	tests := []struct {
		name string
		rec  flow.Record
		want string // the row, joined with "|" for readability
	}{
		{"tcp", tcpRec(), "1|tcp|10.0.0.1|51234|10.0.0.2|80|5|400|120|4|1200|900|" +
			"2019-05-27T14:40:08.021140000Z|2019-05-27T14:40:08.021729000Z|0.000589|SF|ShADadFf|" +
			"1:LQU9qZlK+B5F3KDmev6m5PMibrg=|syn|fin||||||http|well-known||||||0|0|||"},
		{"udp6 optional cells", udp6Rec(), "2|udp|2001:db8:85a3::8a2e:370:7334|5353|2001:db8::53|53|3|3000|2800|1|100|52|" +
			"2019-05-27T14:40:09.021140000Z|2019-05-27T14:40:21.021140000Z|12|SF|Dd|1:abc|port|idle|100||7|2||domain|well-known||||||0|0|||"},
		{"icmp tunnel", icmpRec(), "3|icmp|192.168.100.200|8|8.8.8.8|0|1|84|56|0|0|0|" +
			"2019-05-27T14:40:08.021140000Z|2019-05-27T14:40:08.021140000Z|0|OTH||1:x|icmp|eof||gre|||||||||||0|0|||"},
		{"zero record", flow.Record{}, "0|||0||0|0|0|0|0|0|0|0001-01-01T00:00:00.000000000Z|" +
			"0001-01-01T00:00:00.000000000Z|0||||||||||||||||||0|0|||"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := readCSV(t, []flow.Record{tt.rec})
			if len(rows) != 1 {
				t.Fatalf("%d rows", len(rows))
			}
			if got := strings.Join(rows[0], "|"); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestWriteCSVHeaderOnly(t *testing.T) {
	if rows := readCSV(t, nil); len(rows) != 0 {
		t.Errorf("rows %v", rows)
	}
}

func TestWriteCSVInjectionAndQuoting(t *testing.T) {
	r := tcpRec()
	r.ConnState = "=HYPERLINK(\"http://x\")"
	r.History = "+1"
	r.CommunityID = "-2+3"
	r.DirectionBy = "@SUM(A1)"
	r.EndReason = "\tcmd"
	r.Tunnel = "\r=1"
	r.Proto = "a,b \"c\""
	r.Client.IP = netip.MustParseAddr("fe80::1%=eth,0")
	r.LastSeen = r.FirstSeen.Add(-1500 * time.Millisecond)
	rows := readCSV(t, []flow.Record{r})
	cell := map[string]string{}
	for i, h := range wantHeader {
		cell[h] = rows[0][i]
	}
	want := map[string]string{
		"conn_state":   "'=HYPERLINK(\"http://x\")",
		"history":      "'+1",
		"community_id": "'-2+3",
		"direction_by": "'@SUM(A1)",
		"end_reason":   "'\tcmd",
		"tunnel":       "'\r=1",
		"proto":        "a,b \"c\"",
		"client_ip":    "fe80::1%=eth,0",
		"duration":     "'-1.5",
	}
	for k, v := range want {
		if cell[k] != v {
			t.Errorf("%s = %q, want %q", k, cell[k], v)
		}
	}
}

func TestAppendCSVField(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"=1+2", "'=1+2"},
		{"+x", "'+x"},
		{"-x", "'-x"},
		{"@x", "'@x"},
		{"\tx", "'\tx"},
		{"\rx", "\"'\rx\""},
		{"a=b", "a=b"},
		{"a,b", "\"a,b\""},
		{"say \"hi\"", "\"say \"\"hi\"\"\""},
		{"=a,\"b\"", "\"'=a,\"\"b\"\"\""},
		{" lead", "\" lead\""},
		{"line\nbreak", "\"line\nbreak\""},
	}
	for _, tt := range tests {
		if got := string(appendCSVField(nil, tt.in)); got != tt.want {
			t.Errorf("%q: got %q want %q", tt.in, got, tt.want)
		}
	}
}

// TestCSVWriterAllocs checks that writing a record without findings
// allocates nothing beyond computing them.
func TestCSVWriterAllocs(t *testing.T) {
	recs := []flow.Record{tcpRec(), udp6Rec(), icmpRec(), svcRec(4, 443, "tls", "high")}
	cw := NewCSVWriter(discard{}, Options{})
	allocs := testing.AllocsPerRun(1000, func() {
		for i := range recs {
			if err := cw.Write(&recs[i]); err != nil {
				t.Fatal(err)
			}
		}
	})
	if want := findingsAllocs(recs); allocs > want {
		t.Errorf("%v allocs per %d records, want at most %v (the findings')", allocs, len(recs), want)
	}
}

func TestWriteCSVServiceColumns(t *testing.T) {
	mute := svcRec(3, 443, "", "")
	mute.ClientPrefix = "\x00"
	mute.ClientFromSYN = true
	mute.PortService, mute.PortClass = "https", "well-known"
	evil := svcRec(4, 2222, "ssh", "high")
	evil.Evidence = "=\x1b[31m,\"" // not a CSV column, but must not leak either
	mux := svcRec(5, 22, "ssh", "high")
	mux.OtherSide = &flow.OtherSide{OtherService: "http", OtherConfidence: "high", OtherDetector: "http",
		OtherEvidence: "GET /\x1b HTTP/1.1", OtherDir: "client"}
	tests := []struct {
		name string
		rec  flow.Record
		opt  Options
		want string // service|port_service|port_class|findings
	}{
		{"none", svcRec(1, 443, "tls", "high"), Options{}, "tls|||"},
		{"one", evil, Options{}, "ssh|||nonstandard-port:ssh:tcp/2222"},
		{"two", svcRec(2, 22, "http", "medium"), Options{}, "http|||nonstandard-port:http:tcp/22;port-mismatch:http:tcp/22"},
		{"suppressed", svcRec(2, 22, "http", "medium"), Options{Allow: mustAllowlist(t, "http tcp/22 nonstandard-port")},
			"http|||port-mismatch:http:tcp/22"},
		{"unidentified", mute, Options{}, "|https|well-known|port-mismatch::tcp/443"},
		{"protocol mismatch", mux, Options{}, "ssh|||protocol-mismatch:http:tcp/22"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := readCSVOpt(t, []flow.Record{tt.rec}, tt.opt)
			row := rows[0]
			if got := strings.Join(row[24:28], "|"); got != tt.want { // service .. findings
				t.Errorf("got %s, want %s", got, tt.want)
			}
			other := "||"
			if o := tt.rec.OtherSide; o != nil {
				other = o.OtherService + "|" + o.OtherConfidence + "|" + o.OtherDetector
			}
			if got := strings.Join(row[34:37], "|"); got != other {
				t.Errorf("other side %s, want %s", got, other)
			}
			if strings.ContainsRune(strings.Join(row, ""), 0x1b) {
				t.Errorf("raw ESC in %q", row)
			}
		})
	}
}

func TestWriteCSVFields(t *testing.T) {
	rec := tcpRec()
	rec.ServerName = "www.example.com"
	rec.TLS = &flow.TLSInfo{JA4: "t13d1516h2_8daaf6152771_e5627efa2ab1"}
	rows := readCSVFields(t, []flow.Record{rec}, []string{"server_ip", "server_name", "ja4", "service"})
	if strings.Join(rows[0], ",") != "server_ip,server_name,ja4,service" || rows[1][1] != "www.example.com" || rows[1][2] != rec.TLS.JA4 {
		t.Errorf("rows %q", rows)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, []flow.Record{rec}, Options{Fields: []string{"id", "nope"}}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown field: err %v", err)
	}
}

func readCSVFields(t *testing.T, recs []flow.Record, fields []string) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, recs, Options{Fields: fields}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
