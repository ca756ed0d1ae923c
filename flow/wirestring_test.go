package flow

import (
	"strings"
	"testing"
	"time"
)

func TestHostName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"example.org", "example.org"},
		{"example.org:8080", "example.org"},
		{"[2001:db8::1]:443", "2001:db8::1"},
		{"2001:db8::1", "2001:db8::1"},
		{"a:b:c", "a:b:c"},
		{"evil.org:80;rm -rf /", "evil.org:80;rm -rf /"},
		{"host:", "host:"},
	} {
		if got := hostName(tc.in); got != tc.want {
			t.Errorf("hostName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWireString(t *testing.T) {
	long := strings.Repeat("x", 1000)
	for _, tc := range []struct {
		s     string
		total int
		cut   bool
		want  string
	}{
		{"short", 5, false, "short"},
		{long[:maxWireString], maxWireString, false, long[:maxWireString]},
		{long, 1000, false, long[:maxWireString] + "...(+744 bytes)"},
		{long, 16384, false, long[:maxWireString] + "...(+16128 bytes)"},
		{long, 1000, true, long[:maxWireString] + "...(+744+ bytes)"},
		{"abc", 10, false, "abc...(+7 bytes)"},
	} {
		if got := wireString(tc.s, tc.total, tc.cut); got != tc.want {
			t.Errorf("wireString(%d bytes, %d, %v) = %q, want %q", len(tc.s), tc.total, tc.cut, got, tc.want)
		}
	}
}

// TestLongWireStrings: a 100 KB Host reaches the record by its start and a
// marker, not as "".
func TestLongWireStrings(t *testing.T) {
	req := []byte("GET /" + strings.Repeat("p", 999) + " HTTP/1.1\r\nHost: " + strings.Repeat("h", 100<<10) + "\r\n\r\n")
	pkts := []*Packet{tcpPacket(pkt{fromClient: true, flags: S, seq: 99}), tcpPacket(pkt{flags: SA, seq: 499}),
		tcpPacket(pkt{fromClient: true, flags: A, seq: 100})}
	times := []time.Duration{0, time.Millisecond, 2 * time.Millisecond}
	for i, seq := 0, uint32(100); i < len(req) && i < 8*1460; i, seq = i+1460, seq+1460 {
		p := tcpPacket(pkt{fromClient: true, flags: PA, seq: seq, payload: min(1460, len(req)-i)})
		p.Payload = req[i : i+p.PayloadLen]
		pkts, times = append(pkts, p), append(times, time.Duration(3+i/1460)*time.Millisecond)
	}
	recs := runTable(t, DefaultConfig(), pkts, times)
	if len(recs) != 1 || recs[0].HTTP == nil {
		t.Fatalf("records %+v", recs)
	}
	h := recs[0].HTTP.Host
	if !strings.HasPrefix(h, strings.Repeat("h", maxWireString)+"...(+") || !strings.HasSuffix(h, "+ bytes)") {
		t.Errorf("Host %q", h)
	}
	if p := recs[0].HTTP.Path; p != "/"+strings.Repeat("p", maxWireString-1)+"...(+744 bytes)" {
		t.Errorf("path %q", p)
	}
	if recs[0].ServerName != h {
		t.Errorf("server_name %q, want the cut Host", recs[0].ServerName)
	}
}
