package report

import (
	"bytes"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowscope/flowscope/flow"
)

func TestZeekString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "-"},
		{"-", `\x2d`},
		{"(empty)", `\x28empty)`},
		{"ShAdDaFf", "ShAdDaFf"},
		{"a\tb,c\\d\x1b\xff", `a\x09b\x2cc\x5cd\x1b\xff`},
	} {
		if got := string(appendZeekString(nil, tc.in)); got != tc.want {
			t.Errorf("appendZeekString(%q) = %s, want %s", tc.in, got, tc.want)
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
			cells := strings.Split(strings.TrimSuffix(string(NewZeekWriter(nil).Encode(nil, &tc.r)), "\n"), "\t")
			if len(cells) != len(zeekConnFields) {
				t.Fatalf("%d cells for %d fields", len(cells), len(zeekConnFields))
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
	if err := NewZeekWriter(&buf).Finish(); err != nil {
		t.Fatal(err)
	}
	want := "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t2026-01-02-03-04-05\n#fields\tts\tuid\t"
	if !strings.HasPrefix(buf.String(), want) || !strings.HasSuffix(buf.String(), "\n#close\t2026-01-02-03-04-05\n") {
		t.Errorf("empty log:\n%s", buf.String())
	}
}
