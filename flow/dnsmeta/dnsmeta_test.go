package dnsmeta

import (
	"bufio"
	"encoding/hex"
	"errors"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fixture is one line of testdata/messages.txt: a UDP payload and the
// fields tshark decoded from it (see the file header for the command).
type fixture struct {
	src, qname, rcode      string
	payload                []byte
	a, aaaa, cname         []string
	authRRs, additionalRRs int
}

func loadFixtures(tb testing.TB) []fixture {
	tb.Helper()
	f, err := os.Open("testdata/messages.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	split := func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(s, ",")
	}
	var out []fixture
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		c := strings.Split(line, "|")
		if len(c) != 9 {
			tb.Fatalf("bad fixture line %.40q", line)
		}
		p, err := hex.DecodeString(c[1])
		if err != nil {
			tb.Fatal(err)
		}
		auth, _ := strconv.Atoi(c[7])
		add, _ := strconv.Atoi(c[8])
		out = append(out, fixture{src: c[0], payload: p, qname: c[2], a: split(c[3]), aaaa: split(c[4]),
			cname: split(c[5]), rcode: c[6], authRRs: auth, additionalRRs: add})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(out) == 0 {
		tb.Fatal("no fixtures")
	}
	return out
}

// TestParseCaptures compares Parse with tshark on real traffic. tshark lists
// addresses and CNAMEs of every section in message order, so the answers
// must be a prefix of its lists, and all of them when only an OPT record or
// nothing follows the answers.
func TestParseCaptures(t *testing.T) {
	for _, fx := range loadFixtures(t) {
		t.Run(fx.src, func(t *testing.T) {
			m, err := Parse(fx.payload)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Questions) != 1 || m.Questions[0].Name != strings.ToLower(fx.qname) || m.Questions[0].Class != "IN" {
				t.Fatalf("questions %+v, tshark %q", m.Questions, fx.qname)
			}
			if m.Response != (fx.rcode != "") {
				t.Fatalf("response %v, tshark rcode %q", m.Response, fx.rcode)
			}
			if m.Response {
				n, _ := strconv.Atoi(fx.rcode)
				if m.RCode != RCodeName(uint16(n)) {
					t.Fatalf("rcode %s, tshark %s", m.RCode, fx.rcode)
				}
			}
			var a, aaaa, cname []string
			for _, an := range m.Answers {
				switch an.Type {
				case "A":
					a = append(a, an.Addr.String())
				case "AAAA":
					aaaa = append(aaaa, an.Addr.String())
				case "CNAME":
					cname = append(cname, an.Target)
				}
			}
			exact := fx.authRRs == 0 && fx.additionalRRs <= 1
			for _, c := range []struct {
				what      string
				got, want []string
			}{{"A", a, fx.a}, {"AAAA", aaaa, fx.aaaa}, {"CNAME", cname, fx.cname}} {
				ok := len(c.got) <= len(c.want) && slices.Equal(c.got, c.want[:len(c.got)])
				if exact {
					ok = slices.Equal(c.got, c.want)
				}
				if !ok {
					t.Errorf("%s: got %v, tshark %v", c.what, c.got, c.want)
				}
			}
		})
	}
}

// TestParsePrefixes feeds every prefix of every real message: no panic, and
// a message cut short never parses clean unless the cut is after the answers.
func TestParsePrefixes(t *testing.T) {
	for _, fx := range loadFixtures(t) {
		full, err := Parse(fx.payload)
		if err != nil {
			t.Fatal(err)
		}
		for n := range len(fx.payload) {
			m, err := Parse(fx.payload[:n])
			if err == nil && (len(m.Answers) != len(full.Answers) || len(m.Questions) != len(full.Questions)) {
				t.Fatalf("%s: prefix %d parsed clean but incomplete", fx.src, n)
			}
		}
	}
}

// b builds a message: a header with the given counts, then body.
func b(flags uint16, qd, an uint16, body ...string) []byte {
	h := []byte{0x12, 0x34, byte(flags >> 8), byte(flags), byte(qd >> 8), byte(qd), byte(an >> 8), byte(an), 0, 0, 0, 0}
	for _, s := range body {
		h = append(h, s...)
	}
	return h
}

const (
	qExample = "\x07Example\x03COM\x00\x00\x01\x00\x01" // at offset 12
	ptrQ     = "\xc0\x0c"                               // pointer to the question name
)

func rr(name, typ, rdata string) string {
	return name + typ + "\x00\x01" + "\x00\x00\x01\x2c" + string([]byte{byte(len(rdata) >> 8), byte(len(rdata))}) + rdata
}

func TestParseSynthetic(t *testing.T) {
	many := b(0x8180, 1, 40, qExample)
	for range 40 {
		many = append(many, rr(ptrQ, "\x00\x01", "\x01\x02\x03\x04")...)
	}
	tests := []struct {
		name  string
		msg   []byte
		err   error
		check func(*Message) bool
	}{
		{"short header", []byte{1, 2, 3}, ErrShort, nil},
		{"lower-cased question", b(0x0100, 1, 0, qExample), nil, func(m *Message) bool {
			return !m.Response && m.ID == 0x1234 && m.Questions[0] == Question{"example.com", "A", "IN"}
		}},
		{"root, HTTPS, unknown type, mDNS class bit", b(0, 3, 0, "\x00\x00\x41\x00\x01", "\x00\x03\xe7\x80\x01", "\x00\x00\x01\x00\x03"), nil, func(m *Message) bool {
			return m.Questions[0] == Question{".", "HTTPS", "IN"} && m.Questions[1] == Question{".", "TYPE999", "IN"} && m.Questions[2].Class == "CH"
		}},
		{"rcode and opcode", b(0x8000|2<<11|3, 0, 0), nil, func(m *Message) bool {
			return m.Response && m.Opcode == 2 && m.RCode == "NXDOMAIN"
		}},
		{"unnamed rcode", b(0x800c, 0, 0), nil, func(m *Message) bool { return m.RCode == "RCODE12" }},
		// Raw bytes, escaped once where printed; a dot within a label reads
		// as a separator (host names have none).
		{"raw octets", b(0, 1, 0, "\x03a.\x01\x00\x00\x01\x00\x01"), nil, func(m *Message) bool {
			return m.Questions[0].Name == "a.\x01"
		}},
		{"cname chain and addresses", b(0x8180, 1, 3, qExample,
			rr(ptrQ, "\x00\x05", "\x03www\xc0\x0c"),
			rr("\xc0\x29", "\x00\x01", "\x0a\x00\x00\x01"),
			rr("\xc0\x29", "\x00\x1c", "\x20\x01\x0d\xb8"+strings.Repeat("\x00", 11)+"\x01")), nil, func(m *Message) bool {
			return len(m.Answers) == 3 && m.Answers[0].Target == "www.example.com" && m.Answers[0].TTL == 300 &&
				m.Answers[1].Name == "www.example.com" && m.Answers[1].Addr == netip.MustParseAddr("10.0.0.1") &&
				m.Answers[2].Type == "AAAA" && m.Answers[2].Addr == netip.MustParseAddr("2001:db8::1")
		}},
		{"answers capped", many, nil, func(m *Message) bool { return len(m.Answers) == MaxRecords }},
		{"pointer to itself", b(0, 1, 0, "\xc0\x0c\x00\x01\x00\x01"), ErrBadName, nil},
		{"forward pointer", b(0, 1, 0, "\xc0\x0e\x00\x01\x00\x01"), ErrBadName, nil},
		{"pointer loop in answer", b(0x8000, 1, 1, qExample, rr("\x01a\xc0\x1d", "\x00\x01", "\x01\x02\x03\x04")), ErrBadName, nil},
		{"pointer out of message", b(0, 1, 0, "\x01a\xc0"), ErrTruncated, nil},
		{"label type 0x40", b(0, 1, 0, "\x41"), ErrBadName, nil},
		{"name over 255 octets", b(0, 1, 0, strings.Repeat("\x3f"+strings.Repeat("x", 63), 4)+"\x00\x00\x01\x00\x01"), ErrBadName, nil},
		{"label past end", b(0, 1, 0, "\x05ab"), ErrTruncated, nil},
		{"question without type", b(0, 1, 0, "\x00\x00"), ErrTruncated, nil},
		{"rdata past end", b(0x8000, 1, 1, qExample, ptrQ+"\x00\x01\x00\x01\x00\x00\x00\x01\x00\x04\x01"), ErrTruncated, nil},
		{"A with 5 octets", b(0x8000, 1, 1, qExample, rr(ptrQ, "\x00\x01", "\x01\x02\x03\x04\x05")), ErrBadRData, nil},
		{"cname longer than rdata", b(0x8000, 1, 1, qExample, rr(ptrQ, "\x00\x05", "\x03www")+"\x00"), ErrTruncated, nil},
		{"cname shorter than rdata", b(0x8000, 1, 1, qExample, rr(ptrQ, "\x00\x05", "\xc0\x0c\x00")), ErrBadRData, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(tc.msg)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if tc.check != nil && !tc.check(m) {
				t.Fatalf("unexpected %+v", m)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, fx := range loadFixtures(f) {
		f.Add(fx.payload)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		m, err := Parse(msg)
		if m == nil {
			if err == nil {
				t.Fatal("nil message without error")
			}
			return
		}
		if len(m.Questions) > MaxRecords || len(m.Answers) > MaxRecords {
			t.Fatal("record bound exceeded")
		}
		for _, a := range m.Answers {
			if a.Addr.IsValid() != (a.Type == "A" || a.Type == "AAAA") {
				t.Fatalf("address on %s record", a.Type)
			}
			if len(a.Name) > 4*maxNameLen || len(a.Target) > 4*maxNameLen {
				t.Fatal("name too long")
			}
		}
		NewCache(4).Add(m)
	})
}
