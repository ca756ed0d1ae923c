package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowscope/flowscope/flow"
)

func TestWriteJSONGolden(t *testing.T) {
	inZone := udp6Rec()
	// A non-UTC location must still print as UTC "Z".
	cest := time.FixedZone("CEST", 2*3600)
	inZone.FirstSeen = inZone.FirstSeen.In(cest)
	inZone.LastSeen = inZone.LastSeen.In(cest)

	tests := []struct {
		name string
		rec  flow.Record
		want string
	}{
		{"tcp", tcpRec(), `{"id":1,"proto":"tcp","ip_proto":6,"ip_version":4,` +
			`"client":{"ip":"10.0.0.1","port":51234,"packets":5,"bytes":400,"payload_bytes":120,"frame_bytes":470,"tcp_flags":"FSPA"},` +
			`"server":{"ip":"10.0.0.2","port":80,"packets":4,"bytes":1200,"payload_bytes":900,"frame_bytes":1256,"tcp_flags":"FSPA"},` +
			`"first_seen":"2019-05-27T14:40:08.021140000Z","last_seen":"2019-05-27T14:40:08.021729000Z","duration":0.000589,` +
			`"conn_state":"SF","history":"ShADadFf","community_id":"1:LQU9qZlK+B5F3KDmev6m5PMibrg=",` +
			`"direction_by":"syn","end_reason":"fin","first_frame":1,` +
			`"service":"","port_service":"http","port_class":"well-known","findings":[]}`},
		{"udp6 optional fields, non-UTC input", inZone, `{"id":2,"proto":"udp","ip_proto":17,"ip_version":6,` +
			`"client":{"ip":"2001:db8:85a3::8a2e:370:7334","port":5353,"packets":3,"bytes":3000,"payload_bytes":2800,"frame_bytes":3042},` +
			`"server":{"ip":"2001:db8::53","port":53,"packets":1,"bytes":100,"payload_bytes":52,"frame_bytes":114},` +
			`"first_seen":"2019-05-27T14:40:09.021140000Z","last_seen":"2019-05-27T14:40:21.021140000Z","duration":12,` +
			`"conn_state":"SF","history":"Dd","community_id":"1:abc","direction_by":"port","end_reason":"idle","first_frame":9,` +
			`"vlan":100,"tunnel_parent":7,"ip_fragments":2,"service":"","port_service":"domain","port_class":"well-known","findings":[]}`},
		{"icmp zero duration, tunnel", icmpRec(), `{"id":3,"proto":"icmp","ip_proto":1,"ip_version":4,` +
			`"client":{"ip":"192.168.100.200","port":8,"packets":1,"bytes":84,"payload_bytes":56,"frame_bytes":98},` +
			`"server":{"ip":"8.8.8.8","port":0,"packets":0,"bytes":0,"payload_bytes":0,"frame_bytes":0},` +
			`"first_seen":"2019-05-27T14:40:08.021140000Z","last_seen":"2019-05-27T14:40:08.021140000Z","duration":0,` +
			`"conn_state":"OTH","history":"","community_id":"1:x","direction_by":"icmp","end_reason":"eof","first_frame":3,` +
			`"icmp_id":4660,"tunnel":"gre","service":"","port_service":"","port_class":"","findings":[]}`},
		{"zero record", flow.Record{}, `{"id":0,"proto":"","ip_proto":0,"ip_version":0,` +
			`"client":{"ip":"","port":0,"packets":0,"bytes":0,"payload_bytes":0,"frame_bytes":0},` +
			`"server":{"ip":"","port":0,"packets":0,"bytes":0,"payload_bytes":0,"frame_bytes":0},` +
			`"first_seen":"0001-01-01T00:00:00.000000000Z","last_seen":"0001-01-01T00:00:00.000000000Z","duration":0,` +
			`"conn_state":"","history":"","community_id":"","direction_by":"","end_reason":"","first_frame":0,` +
			`"service":"","port_service":"","port_class":"","findings":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteJSON(&buf, []flow.Record{tt.rec}, Options{}); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want+"\n" {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestWriteJSONServiceGolden pins what follows "first_frame" when a
// service was detected or findings were raised (or suppressed).
func TestWriteJSONServiceGolden(t *testing.T) {
	evil := svcRec(1, 2222, "ssh", "high")
	evil.Evidence = "SSH-2.0-\x1b[31mevil\"\\\r\n"
	evil.PortService, evil.PortClass = "EtherNet-IP-1", "registered"
	mute := svcRec(3, 443, "", "")
	mute.ClientPrefix = "\x16\x00"
	mute.ClientFromSYN = true
	allow := mustAllowlist(t, "http tcp/22 port-mismatch")

	tests := []struct {
		name string
		rec  flow.Record
		opt  Options
		want string
	}{
		{"escaped evidence", evil, Options{}, `"service":"ssh","service_confidence":"high","service_detector":"ssh",` +
			`"evidence":"SSH-2.0-\\x1b[31mevil\"\\\\\\x0d\\x0a","evidence_dir":"server","evidence_frame":4,` +
			`"port_service":"EtherNet-IP-1","port_class":"registered","findings":[{"kind":"nonstandard-port","severity":"high",` +
			`"service":"ssh","port":"tcp/2222","expected_services":[],"expected_ports":["tcp/22"],"detector":"ssh",` +
			`"confidence":"high","frame":4,"direction":"server","evidence":"SSH-2.0-\\x1b[31mevil\"\\\\\\x0d\\x0a",` +
			`"reason":"ssh on tcp/2222, not on its registered tcp/22"}]}`},
		{"no findings", svcRec(2, 443, "tls", "high"), Options{}, `"service":"tls","service_confidence":"high",` +
			`"service_detector":"tls","evidence":"<tls>\\x0d\\x0a","evidence_dir":"server","evidence_frame":4,` +
			`"port_service":"","port_class":"","findings":[]}`},
		{"unidentified", mute, Options{}, `"service":"","port_service":"","port_class":"","findings":[` +
			`{"kind":"port-mismatch","severity":"medium","service":"","port":"tcp/443","expected_services":["tls"],` +
			`"expected_ports":[],"direction":"client","evidence":"\\x16\\x00",` +
			`"reason":"first client payload is not a TLS record (no detector recognised it)"}]}`},
		{"one of two suppressed", svcRec(4, 22, "http", "medium"), Options{Allow: allow}, `"service":"http",` +
			`"service_confidence":"medium","service_detector":"http","evidence":"<http>\\x0d\\x0a","evidence_dir":"server",` +
			`"evidence_frame":4,"port_service":"","port_class":"","findings":[{"kind":"nonstandard-port","severity":"low",` +
			`"service":"http","port":"tcp/22","expected_services":["ssh"],"expected_ports":["tcp/80"],` +
			`"detector":"http","confidence":"medium","frame":4,"direction":"server","evidence":"<http>\\x0d\\x0a",` +
			`"reason":"http on tcp/22, not on its registered tcp/80"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteJSON(&buf, []flow.Record{tt.rec}, tt.opt); err != nil {
				t.Fatal(err)
			}
			got := buf.String()
			if strings.IndexByte(got, 0x1b) >= 0 {
				t.Errorf("raw ESC in output: %q", got)
			}
			_, tail, ok := strings.Cut(got, `"first_frame":1,`)
			if !ok || tail != tt.want+"\n" {
				t.Errorf("got\n%s\nwant tail\n%s", got, tt.want)
			}
		})
	}
}

// TestWriteJSONRoundTrip decodes every line into a map and into
// flow.Record (whose json tags are the contract) and compares.
func TestWriteJSONRoundTrip(t *testing.T) {
	zoned := tcpRec()
	zoned.ID = 4
	zoned.Client.IP = netip.MustParseAddr("fe80::1%eth\"0")
	zoned.IPVersion = 6
	evil := svcRec(5, 22, "http", "high")
	evil.Evidence = "GET /\x1b]0;pwned\x07 HTTP/1.1\r\n\xff"
	mute := svcRec(6, 443, "", "")
	mute.ClientPrefix = "\x00\\"
	mute.ClientFromSYN = true
	mux := svcRec(7, 22, "ssh", "high")
	mux.OtherSide = &flow.OtherSide{OtherService: "http", OtherConfidence: "high", OtherDetector: "http",
		OtherEvidence: "GET /\x1b HTTP/1.1", OtherDir: "client"}
	recs := []flow.Record{tcpRec(), udp6Rec(), icmpRec(), zoned, evil, mute, mux}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, recs, Options{}); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&buf)
	n := 0
	for ; sc.Scan(); n++ {
		line := sc.Bytes()
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("line %d: %v\n%s", n+1, err, line)
		}
		if got, want := m["duration"].(float64), recs[n].Duration().Seconds(); got != want {
			t.Errorf("line %d: duration %v, want %v", n+1, got, want)
		}
		var got flow.Record
		dec := json.NewDecoder(bytes.NewReader(line))
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		want := recs[n]
		want.FirstSeen, want.LastSeen = want.FirstSeen.UTC(), want.LastSeen.UTC()
		want.Evidence = Escape(want.Evidence)
		if want.OtherSide != nil {
			o := *want.OtherSide
			o.OtherEvidence = Escape(o.OtherEvidence)
			want.OtherSide = &o
		}
		want.ClientPrefix, want.ServerPrefix, want.ClientFromSYN = "", "", false // never output
		for _, f := range []*flow.Features{got.Features, want.Features} {
			if f != nil && len(f.SPLTLengths) == 0 { // [] and nil read alike
				f.SPLTLengths, f.SPLTGaps = nil, nil
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("line %d: round trip\n got %+v\nwant %+v", n+1, got, want)
		}
		var fs struct{ Findings []Finding }
		if err := json.Unmarshal(line, &fs); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		if wantFs := Findings(&recs[n]); !reflect.DeepEqual(fs.Findings, nonNilFindings(wantFs)) {
			t.Errorf("line %d: findings\n got %+v\nwant %+v", n+1, fs.Findings, wantFs)
		}
	}
	if n != len(recs) {
		t.Errorf("%d lines, want %d", n, len(recs))
	}
}

// nonNilFindings is fs as JSON decodes it: [] is an empty slice.
func nonNilFindings(fs []Finding) []Finding {
	if fs == nil {
		return []Finding{}
	}
	return fs
}

func TestAppendJSONEscaped(t *testing.T) {
	for _, s := range []string{"", "GET / HTTP/1.1", "\x1b[31mred", `back\slash "quote"`, "\r\n\t\x00\x7f\xff", "é\u2028"} {
		got := string(appendJSONEscaped(nil, s))
		if want := string(appendJSONString(nil, Escape(s))); got != want {
			t.Errorf("%q: got %s want %s", s, got, want)
		}
	}
}

func FuzzAppendJSONEscaped(f *testing.F) {
	for _, s := range []string{"", "a\"b\\", "\xff\x1b", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendJSONEscaped(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q -> %s: %v", s, b, err)
		}
		if got != Escape(s) {
			t.Fatalf("%q -> %q, want %q", s, got, Escape(s))
		}
	})
}

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "ShADadFf", `quote " and \ backslash`, "tab\tnl\ncr\r", "\x00\x01\x1f\x7f",
		"é日本", "bad \xff utf8 \xc3", "line\u2028sep\u2029", "<&>",
	} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		got := string(appendJSONString(nil, s))
		if got+"\n" != want.String() {
			t.Errorf("%q: got %s want %s", s, got, want.String())
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\xff", "\u2028", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q -> %s: %v", s, b, err)
		}
		// Ranging over a string yields U+FFFD per invalid byte, as decoding does.
		var want []rune
		for _, r := range s {
			want = append(want, r)
		}
		if got != string(want) {
			t.Fatalf("%q -> %q", s, got)
		}
	})
}

func TestAppendSeconds(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0"},
		{1, "0.000000001"},
		{589 * time.Microsecond, "0.000589"},
		{3157831 * time.Microsecond, "3.157831"},
		{12 * time.Second, "12"},
		{1500 * time.Millisecond, "1.5"},
		{-1500 * time.Millisecond, "-1.5"},
		{math.MaxInt64, "9223372036.854775807"},
		{math.MinInt64, "-9223372036.854775808"},
	}
	for _, tt := range tests {
		if got := string(appendSeconds(nil, tt.d)); got != tt.want {
			t.Errorf("%d: got %s want %s", tt.d, got, tt.want)
		}
	}
}

func TestAppendTime(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{t0, "2019-05-27T14:40:08.021140000Z"},
		{time.Date(2024, 12, 31, 23, 59, 59, 999999999, time.FixedZone("X", -5*3600)), "2025-01-01T04:59:59.999999999Z"},
		{time.Time{}, "0001-01-01T00:00:00.000000000Z"},
		{time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), "0000-01-01T00:00:00.000000000Z"},
		{time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC), "12345-01-01T00:00:00.000000000Z"},
	}
	for _, tt := range tests {
		if got := string(appendTime(nil, tt.t)); got != tt.want {
			t.Errorf("got %s want %s", got, tt.want)
		}
	}
}

// TestJSONWriterAllocs checks that writing allocates nothing beyond what
// computing the findings does (the port registry hands out copies).
func TestJSONWriterAllocs(t *testing.T) {
	recs := []flow.Record{tcpRec(), udp6Rec(), icmpRec(), svcRec(4, 443, "tls", "high")}
	jw := NewJSONWriter(discard{}, Options{})
	allocs := testing.AllocsPerRun(1000, func() {
		for i := range recs {
			if err := jw.Write(&recs[i]); err != nil {
				t.Fatal(err)
			}
		}
	})
	if want := findingsAllocs(recs); allocs > want {
		t.Errorf("%v allocs per %d records, want at most %v (the findings')", allocs, len(recs), want)
	}
}

func findingsAllocs(recs []flow.Record) float64 {
	return testing.AllocsPerRun(1000, func() {
		for i := range recs {
			Findings(&recs[i])
		}
	})
}

func TestWritersReportErrors(t *testing.T) {
	errBoom := errors.New("boom")
	w := failWriter{errBoom}
	big := benchRecords(2000) // more than a buffer holds: fails in Write
	tests := []struct {
		name string
		err  error
	}{
		{"json big", WriteJSON(w, big, Options{})},
		{"json small", WriteJSON(w, big[:1], Options{})},
		{"csv big", WriteCSV(w, big, Options{})},
		{"csv small", WriteCSV(w, nil, Options{})},
		{"table", WriteTable(w, big[:3], Options{})},
		{"table empty", WriteTable(w, nil, Options{})},
		{"summary", WriteSummary(w, &Summary{}, Options{})},
		{"findings table", WriteFindings(w, findingRecs(), Options{})},
		{"findings json", WriteFindings(w, findingRecs(), Options{Format: "json"})},
		{"findings csv", WriteFindings(w, nil, Options{Format: "csv"})},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, errBoom) || !strings.HasPrefix(tt.err.Error(), "report: ") {
			t.Errorf("%s: err = %v", tt.name, tt.err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

// benchRecords makes n varied records (IPv4 and IPv6, all protocols).
func benchRecords(n int) []flow.Record {
	recs := make([]flow.Record, n)
	protos := []func() flow.Record{tcpRec, udp6Rec, icmpRec}
	for i := range recs {
		r := protos[i%len(protos)]()
		r.ID = uint64(i + 1)
		r.FirstSeen = r.FirstSeen.Add(time.Duration(i) * 1234567)
		r.LastSeen = r.LastSeen.Add(time.Duration(i) * 2345678)
		r.Client.Bytes += uint64(i * 97)
		r.Client.Port += uint16(i)
		recs[i] = r
	}
	return recs
}

func BenchmarkWriteJSON(b *testing.B) {
	recs := benchRecords(100_000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := WriteJSON(discard{}, recs, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(recs)), "ns/record")
}

func BenchmarkWriteCSV(b *testing.B) {
	recs := benchRecords(100_000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := WriteCSV(discard{}, recs, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(recs)), "ns/record")
}

// TestAppendFloat: nanosecond precision, no float artefacts, no exponent,
// valid JSON numbers for every input.
func TestAppendFloat(t *testing.T) {
	tests := []struct {
		x    float64
		want string
	}{
		{0, "0"},
		{132, "132"},
		{219.89999999999998, "219.9"},
		{0.28708199999999995, "0.287082"},
		{0.000333, "0.000333"},
		{1e-9, "0.000000001"},
		{4e-10, "0"},
		{6e-10, "0.000000001"},
		{-2.5, "-2.5"},
		{-1e-12, "0"},
		{167.236359682935, "167.236359683"},
		{3.999999999999, "4"},
		{1e12, "1000000000000"},
		{9.2e9, "9200000000"},
		{2345678901.7, "2345678901.7"},
		{1e9 / 7, "142857142.85714287"},
		{9000000.123456789, "9000000.123456789"},
		{9100000.5, "9100000.5"},
		{1e300, strconv.FormatFloat(1e300, 'f', -1, 64)},
		{math.NaN(), "0"},
		{math.Inf(-1), "0"},
	}
	for _, tc := range tests {
		got := string(appendFloat(nil, tc.x))
		if got != tc.want {
			t.Errorf("appendFloat(%v) = %s, want %s", tc.x, got, tc.want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("appendFloat(%v) = %s: not a JSON number", tc.x, got)
		}
	}
}

func BenchmarkAppendFloat(b *testing.B) {
	buf := make([]byte, 0, 64)
	for i := 0; i < b.N; i++ {
		buf = appendFloat(buf[:0], 0.28708199999999995+float64(i&1023))
	}
}

// TestWireStringsEscapedOnce: a DNS name with a control byte reads, once
// the JSON is decoded, as one \xNN escape (not "\\027", as when the DNS
// parser escaped it too).
func TestWireStringsEscapedOnce(t *testing.T) {
	r := flow.Record{ID: 1, Proto: "udp", DNS: &flow.DNSInfo{Query: "a\x1bb.example", Answers: []string{"c\x07d.example"}},
		ServerName: "a\x1bb.example"}
	var buf bytes.Buffer
	jw := NewJSONWriter(&buf, Options{})
	if err := jw.Write(&r); err != nil || jw.Flush() != nil {
		t.Fatal(err)
	}
	var got struct {
		ServerName string `json:"server_name"`
		DNS        struct {
			Query   string   `json:"query"`
			Answers []string `json:"answers"`
		} `json:"dns"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.DNS.Query != `a\x1bb.example` || got.ServerName != `a\x1bb.example` || got.DNS.Answers[0] != `c\x07d.example` {
		t.Errorf("got %+v", got)
	}
}
