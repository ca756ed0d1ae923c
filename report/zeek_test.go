package report

import (
	"bytes"
	"encoding/json"
	"io"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowscope/flowscope/flow"
)

func TestZeekString(t *testing.T) {
	for _, tc := range []struct {
		in    string
		inSet bool
		want  string
	}{
		{"", false, "-"},
		{"-", false, `\x2d`},
		{"(empty)", true, `\x28empty)`},
		{"ShAdDaFf", false, "ShAdDaFf"},
		{"a\tb,c\\d\x1b\xff", true, `a\x09b\x2cc\x5cd\x1b\xff`},
		{"a\tb,c", false, `a\x09b,c`},
	} {
		if got := string(appendZeekString(nil, tc.in, tc.inSet)); got != tc.want {
			t.Errorf("appendZeekString(%q, %v) = %s, want %s", tc.in, tc.inSet, got, tc.want)
		}
	}
}

func TestZeekUID(t *testing.T) {
	re := regexp.MustCompile(`^C[0-9A-Za-z]{11}$`)
	seen := map[string]uint64{}
	for id := uint64(0); id < 100000; id++ {
		u := ZeekUID(id)
		if !re.MatchString(u) {
			t.Fatalf("uid %q of %d", u, id)
		}
		if prev, dup := seen[u]; dup {
			t.Fatalf("ids %d and %d share uid %s", prev, id, u)
		}
		seen[u] = id
	}
	if ZeekUID(10) != ZeekUID(10) {
		t.Fatal("uid not stable")
	}
}

// TestZeekLines checks the lines Zeek writes differently from the JSON:
// unset duration and payload bytes without duration, Zeek's proto and
// service names, the duration stopping at the close, and an empty log.
func TestZeekLines(t *testing.T) {
	zeekNow = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	defer func() { zeekNow = time.Now }()
	t0 := time.Unix(1700000000, 123456789)
	side := func(ip string, port uint16) flow.Side {
		return flow.Side{IP: netip.MustParseAddr(ip), Port: port, Packets: 1, Bytes: 60, PayloadBytes: 32}
	}
	tests := []struct {
		name string
		r    flow.Record
		want string // the line, minus uid and community id
	}{
		{"one packet", flow.Record{ID: 1, Proto: "udp", IPProto: 17, Client: side("10.0.0.1", 5353), Server: side("10.0.0.2", 53),
			FirstSeen: t0, LastSeen: t0, ConnState: "S0", Service: "dns"},
			"1700000000.123456 10.0.0.1 5353 10.0.0.2 53 udp dns - - - S0 - - - - 1 60 1 60 - 17"},
		{"tls closed", flow.Record{ID: 2, Proto: "tcp", IPProto: 6, Client: side("2001:db8::1", 40000), Server: side("2001:db8::2", 443),
			FirstSeen: t0, LastSeen: t0.Add(3 * time.Second), Closed: t0.Add(2500 * time.Millisecond), ConnState: "SF", History: "ShADadFf", Service: "tls", TunnelParent: 1},
			"1700000000.123456 2001:db8::1 40000 2001:db8::2 443 tcp ssl 2.500000 32 32 SF - - - ShADadFf 1 60 1 60 " + ZeekUID(1) + " 6"},
		{"icmp6", flow.Record{ID: 3, Proto: "icmp6", IPProto: 58, Client: side("fe80::1", 128), Server: side("fe80::2", 0),
			FirstSeen: t0, LastSeen: t0.Add(time.Microsecond), ConnState: "OTH"},
			"1700000000.123456 fe80::1 128 fe80::2 0 icmp - 0.000001 32 32 OTH - - - - 1 60 1 60 - 58"},
		{"gre", flow.Record{ID: 4, Proto: "gre", IPProto: 47, Client: side("10.0.0.1", 0), Server: side("10.0.0.2", 0),
			FirstSeen: t0, LastSeen: t0.Add(time.Second), ConnState: "OTH"},
			"1700000000.123456 10.0.0.1 0 10.0.0.2 0 unknown_transport - 1.000000 32 32 OTH - - - - 1 60 1 60 - 47"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cells := strings.Split(strings.TrimSuffix(string(NewZeekWriter(nil, false).Encode(nil, &tc.r)), "\n"), "\t")
			if len(cells) != len(zeekConn.fields) {
				t.Fatalf("%d cells for %d fields", len(cells), len(zeekConn.fields))
			}
			if cells[1] != ZeekUID(tc.r.ID) {
				t.Errorf("uid %s, want %s", cells[1], ZeekUID(tc.r.ID))
			}
			got := strings.Join(append([]string{cells[0]}, cells[2:len(cells)-1]...), " ")
			if got != tc.want {
				t.Errorf("line\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	var buf bytes.Buffer
	if err := NewZeekWriter(&buf, false).Finish(); err != nil {
		t.Fatal(err)
	}
	want := "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t2026-01-02-03-04-05\n#fields\tts\tuid\t"
	if !strings.HasPrefix(buf.String(), want) || !strings.HasSuffix(buf.String(), "\n#close\t2026-01-02-03-04-05\n") {
		t.Errorf("empty log:\n%s", buf.String())
	}
}

// TestZeekLogs writes a record with every kind of metadata to every log,
// as TSV and as JSON, and reads each line back field by field.
func TestZeekLogs(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	r := flow.Record{ID: 7, Proto: "tcp", IPProto: 6, FirstSeen: t0, LastSeen: t0.Add(time.Second), ConnState: "SF",
		Client:  flow.Side{IP: netip.MustParseAddr("10.0.0.1"), Port: 40000, Packets: 3, Bytes: 300, PayloadBytes: 100},
		Server:  flow.Side{IP: netip.MustParseAddr("10.0.0.2"), Port: 8443, Packets: 2, Bytes: 200, PayloadBytes: 50},
		Service: "tls", ServiceConfidence: "high", Evidence: "\x16\x03\x01", EvidenceDir: "client",
		DNS:  &flow.DNSInfo{Query: "a\x1bb.example", QType: "ANY", RCode: "NOERROR", Answers: []string{"1.2.3.4", "x,y"}},
		TLS:  &flow.TLSInfo{SNI: "www.example", Version: "TLS 1.2", Cipher: "0xc02f", JA3Hash: "j3", JA3SHash: "j3s", JA4: "t13d"},
		HTTP: &flow.HTTPInfo{Method: "GET", Host: "h\tx", Path: "/", UserAgent: "curl", Status: 200},
		SSH:  &flow.SSHInfo{Client: flow.SSHSideInfo{Ident: "SSH-2.0-c", HASSH: "hc"}, Server: flow.SSHSideInfo{Ident: "SSH-1.99-s", HASSH: "hs"}},
	}
	want := map[string]map[string]string{
		"dns":    {"query": `a\x1bb.example`, "qtype": "255", "qtype_name": "*", "rcode_name": "NOERROR", "answers": `1.2.3.4,x\x2cy`},
		"ssl":    {"version": "TLSv12", "cipher": "0xc02f", "server_name": "www.example", "ja3": "j3", "ja3s": "j3s", "ja4": "t13d", "subject": "-"},
		"http":   {"trans_depth": "1", "method": "GET", "host": `h\x09x`, "uri": "/", "user_agent": "curl", "status_code": "200"},
		"ssh":    {"version": "2", "client": "SSH-2.0-c", "server": "SSH-1.99-s", "hassh": "hc", "hasshServer": "hs"},
		"notice": {"note": "FlowScope::Nonstandard_Port", "src": "10.0.0.1", "dst": "10.0.0.2", "p": "8443", "sub": `\x16\x03\x01`},
	}
	for _, log := range zeekLogs {
		t.Run(log.path, func(t *testing.T) {
			line := string(newZeekWriter(nil, log, false, newFindingFilter(nil, "")).Encode(nil, &r))
			lines := strings.Split(strings.TrimSuffix(line, "\n"), "\n")
			if log == zeekNotice && len(Findings(&r)) == 0 {
				t.Fatal("the record raises no finding to log")
			}
			cells := strings.Split(lines[0], "\t")
			if len(cells) != len(log.fields) {
				t.Fatalf("%d cells for %d fields: %q", len(cells), len(log.fields), lines[0])
			}
			got := map[string]string{}
			for i, f := range log.fields {
				got[f[0]] = cells[i]
			}
			if got["uid"] != ZeekUID(7) || got["ts"] != "1700000000.000000" || got["id.resp_p"] != "8443" {
				t.Errorf("id fields %v", got)
			}
			for k, v := range want[log.path] {
				if got[k] != v {
					t.Errorf("%s %s = %q, want %q", log.path, k, got[k], v)
				}
			}
			// JSON: the same line, parsed; unset fields left out.
			js := newZeekWriter(nil, log, true, newFindingFilter(nil, "")).Encode(nil, &r)
			var m map[string]any
			if err := json.Unmarshal(bytes.SplitN(js, []byte("\n"), 2)[0], &m); err != nil {
				t.Fatalf("JSON %s: %v", js, err)
			}
			if m["uid"] != ZeekUID(7) || m["ts"] != 1700000000.0 || m["id.resp_p"] != 8443.0 {
				t.Errorf("JSON id fields %v", m)
			}
			for _, f := range log.fields {
				if got[f[0]] == "-" {
					if _, ok := m[f[0]]; ok {
						t.Errorf("JSON has unset field %s", f[0])
					}
				} else if _, ok := m[f[0]]; !ok {
					t.Errorf("JSON lacks %s", f[0])
				}
			}
		})
	}
}

type memFile struct{ bytes.Buffer }

func (*memFile) Close() error { return nil }

// TestZeekLogsFiles: the exporter's encodings, written back, make each log
// hold its own lines between Zeek's header and #close.
func TestZeekLogsFiles(t *testing.T) {
	files := map[string]*memFile{}
	z, err := NewZeekLogs("mem", func(name string) (io.WriteCloser, error) {
		files[name] = &memFile{}
		return files[name], nil
	}, false, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1700000000, 0)
	dns := flow.Record{ID: 1, Proto: "udp", IPProto: 17, FirstSeen: t0, LastSeen: t0, Service: "dns",
		Client: flow.Side{IP: netip.MustParseAddr("10.0.0.1"), Port: 5000}, Server: flow.Side{IP: netip.MustParseAddr("10.0.0.2"), Port: 53},
		DNS: &flow.DNSInfo{Query: "example.org", QType: "A"}}
	ssh := flow.Record{ID: 2, Proto: "tcp", IPProto: 6, FirstSeen: t0, LastSeen: t0, Service: "ssh",
		Client: flow.Side{IP: netip.MustParseAddr("10.0.0.1"), Port: 5001}, Server: flow.Side{IP: netip.MustParseAddr("10.0.0.2"), Port: 2222},
		SSH: &flow.SSHInfo{Server: flow.SSHSideInfo{Ident: "SSH-2.0-x"}}}
	for _, r := range []*flow.Record{&dns, &ssh} {
		if err := z.WriteRecord(z.AppendRecord(nil, r)); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if got := z.Report(); len(got) != 1 || got[0][1] != "mem: conn 2, dns 1, ssl 0, http 0, ssh 1, notice 1 lines" {
		t.Errorf("report %v", got)
	}
	lines := map[string]int{"conn.log": 2, "dns.log": 1, "ssh.log": 1, "ssl.log": 0, "http.log": 0, "notice.log": 1}
	for name, want := range lines {
		f := files[name]
		if f == nil {
			t.Fatalf("no %s", name)
		}
		text := f.String()
		n := 0
		for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
			if !strings.HasPrefix(l, "#") {
				n++
			}
		}
		if n != want || !strings.Contains(text, "#path\t"+strings.TrimSuffix(name, ".log")+"\n") || !strings.Contains(text, "\n#close\t") {
			t.Errorf("%s: %d lines, want %d:\n%s", name, n, want, text)
		}
	}
}
