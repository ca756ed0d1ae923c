package tlsmeta

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// stream is one direction of a captured TCP flow (see testdata/gen.py).
type stream struct {
	file, id string
	client   []byte // bytes the ClientHello sender sent
	server   []byte
}

func loadStreams(t testing.TB) []*stream {
	t.Helper()
	f, err := os.Open("testdata/streams.txt.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]*stream{}
	var out []*stream
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 3 {
			continue
		}
		var data []byte
		if len(fs) == 4 {
			if data, err = hex.DecodeString(fs[3]); err != nil {
				t.Fatal(err)
			}
		}
		key := fs[0] + "/" + fs[1]
		s := byKey[key]
		if s == nil {
			s = &stream{file: fs[0], id: fs[1]}
			byKey[key] = s
			out = append(out, s)
		}
		if fs[2] == "c" {
			s.client = data
		} else {
			s.server = data
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// loadTSV reads a tshark oracle file into rows keyed by "file/stream".
func loadTSV(t testing.TB, name string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		fs := strings.Split(line, "\t")
		rows[fs[0]+"/"+fs[1]] = fs[2:]
	}
	return rows
}

// tlsStart skips a cleartext preamble (MySQL's SSL request) before the
// first handshake record, which the flow layer would have to do too.
func tlsStart(b []byte) []byte {
	if i := bytes.Index(b, []byte{22, 3}); i > 0 {
		return b[i:]
	}
	return b
}

func TestCapturesAgainstTshark(t *testing.T) {
	streams := loadStreams(t)
	hellos := loadTSV(t, "hello.tsv")
	servers := loadTSV(t, "server.tsv")
	var nCH, nSH, nCert int
	for _, s := range streams {
		key := s.file + "/" + s.id
		t.Run(key, func(t *testing.T) {
			if want, ok := hellos[key]; ok {
				ch, complete, err := ParseClientHello(tlsStart(s.client))
				if err != nil || !complete {
					t.Fatalf("ParseClientHello: complete=%v err=%v", complete, err)
				}
				got := []string{ch.SNI, strings.Join(ch.ALPN, ","), ch.JA3, ch.JA3Hash}
				for i, name := range []string{"SNI", "ALPN", "JA3", "JA3 hash"} {
					if got[i] != want[i] {
						t.Errorf("%s = %q, tshark %q", name, got[i], want[i])
					}
				}
				if !strings.HasPrefix(ch.JA4, "t") || len(ch.JA4) != 36 {
					t.Errorf("JA4 = %q", ch.JA4)
				}
				if !t.Failed() {
					nCH++
				}
			}
			want, ok := servers[key]
			if !ok {
				return
			}
			srv := tlsStart(s.server)
			sh, complete, err := ParseServerHello(srv)
			if err != nil || !complete {
				t.Fatalf("ParseServerHello: complete=%v err=%v", complete, err)
			}
			if sh.JA3S != want[0] || sh.JA3SHash != want[1] {
				t.Errorf("JA3S = %q %s, tshark %q %s", sh.JA3S, sh.JA3SHash, want[0], want[1])
			} else {
				nSH++
			}
			cert, err := ParseServerCertificate(srv)
			switch {
			case sh.Version == 0x0304:
				if !errors.Is(err, ErrNoCertificate) {
					t.Errorf("TLS 1.3 certificate: %v, %v", cert, err)
				}
			case errors.Is(err, ErrNoCertificate) && want[2] == "":
				// A resumed session: tshark saw no Certificate either.
			case errors.Is(err, ErrTruncated) && len(s.server) == 1024:
				// gen.py kept only the ServerHello of this stream.
			case err != nil:
				t.Errorf("ParseServerCertificate: %v", err)
			default:
				if got := strings.Join(cert.DNSNames, ","); !strings.HasPrefix(want[2], got) {
					t.Errorf("DNSNames = %q, tshark (whole chain) %q", got, want[2])
				}
				if cert.Subject == "" || cert.Issuer == "" || !cert.NotAfter.After(cert.NotBefore) {
					t.Errorf("certificate = %+v", cert)
				}
				nCert++
			}
		})
	}
	t.Logf("matched tshark: %d/%d ClientHellos, %d/%d ServerHellos; %d certificates parsed",
		nCH, len(hellos), nSH, len(servers), nCert)
	if nCH != len(hellos) || nSH != len(servers) {
		t.Errorf("not every tshark hello was matched")
	}
}

// TestQUICAgainstTshark parses the ClientHello messages tshark decrypted
// from QUIC Initial packets, as a QUIC layer would hand them over.
func TestQUICAgainstTshark(t *testing.T) {
	rows := loadTSV(t, "quic.tsv")
	matched := 0
	for key, r := range rows {
		t.Run(key, func(t *testing.T) {
			msg, err := hex.DecodeString(r[4])
			if err != nil {
				t.Fatal(err)
			}
			ch, complete, err := ParseClientHelloMessage(msg, true)
			if err != nil || !complete {
				t.Fatalf("complete=%v err=%v", complete, err)
			}
			got := []string{ch.SNI, strings.Join(ch.ALPN, ","), ch.JA3, ch.JA3Hash}
			for i, name := range []string{"SNI", "ALPN", "JA3", "JA3 hash"} {
				if got[i] != r[i] {
					t.Errorf("%s = %q, tshark %q", name, got[i], r[i])
				}
			}
			// quic-34 also offers TLS 1.3 drafts (0x7f1c > 0x0304), which
			// the spec's "highest value" rule turns into version "00".
			if !strings.HasPrefix(ch.JA4, "q13") && !strings.HasPrefix(ch.JA4, "q00") {
				t.Errorf("JA4 = %s", ch.JA4)
			}
			for n := range msg {
				if _, complete, err := ParseClientHelloMessage(msg[:n], true); complete || err != nil {
					t.Fatalf("prefix %d: complete=%v err=%v", n, complete, err)
				}
			}
			if !t.Failed() {
				matched++
			}
		})
	}
	t.Logf("matched tshark: %d/%d QUIC ClientHellos", matched, len(rows))
}

// helloBuilder assembles a ClientHello for tests, so that the JA4 spec
// example can be run through the whole parser.
type helloBuilder struct {
	version uint16
	ciphers []uint16
	exts    [][]byte // each a whole extension (type, length, data)
}

func ext(typ uint16, data []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

func vec16(items ...[]byte) []byte {
	body := bytes.Join(items, nil)
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(body))), body...)
}

func vec8(items ...[]byte) []byte {
	body := bytes.Join(items, nil)
	return append([]byte{byte(len(body))}, body...)
}

func u16list(vs ...uint16) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	return b
}

func (h helloBuilder) message() []byte {
	body := binary.BigEndian.AppendUint16(nil, h.version)
	body = append(body, make([]byte, 32)...) // random
	body = append(body, vec8(make([]byte, 32))...)
	body = append(body, vec16(u16list(h.ciphers...))...)
	body = append(body, vec8([]byte{0})...)
	if h.exts != nil {
		body = append(body, vec16(h.exts...)...)
	}
	n := len(body)
	return append([]byte{typeClientHello, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

// records wraps msg in handshake records of at most size bytes each.
func records(msg []byte, size int) []byte {
	var out []byte
	for len(msg) > 0 {
		n := min(size, len(msg))
		out = append(out, recordHandshake, 3, 1, byte(n>>8), byte(n))
		out = append(out, msg[:n]...)
		msg = msg[n:]
	}
	return out
}

// specHello is the ClientHello of the JA4 spec example (technical_details/
// JA4.md): its ciphers, extensions and signature algorithms in wire order,
// with GREASE added where Chrome puts it.
func specHello() helloBuilder {
	sni := ext(0x0000, vec16([]byte{0}, vec16([]byte("example.com"))))
	alpn := ext(0x0010, vec16(vec8([]byte("h2")), vec8([]byte("http/1.1"))))
	sigs := ext(0x000d, vec16(u16list(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601)))
	versions := ext(0x002b, vec8(u16list(0x7a7a, 0x0304, 0x0303)))
	groups := ext(0x000a, vec16(u16list(0x2a2a, 0x001d, 0x0017, 0x0018)))
	points := ext(0x000b, vec8([]byte{0}))
	var exts [][]byte
	exts = append(exts, ext(0x0a0a, nil))
	for _, e := range []uint16{0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
		0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015} {
		switch e {
		case 0x0000:
			exts = append(exts, sni)
		case 0x0010:
			exts = append(exts, alpn)
		case 0x000d:
			exts = append(exts, sigs)
		case 0x002b:
			exts = append(exts, versions)
		case 0x000a:
			exts = append(exts, groups)
		case 0x000b:
			exts = append(exts, points)
		default:
			exts = append(exts, ext(e, nil))
		}
	}
	exts = append(exts, ext(0xfafa, []byte{0}))
	return helloBuilder{
		version: 0x0303,
		ciphers: []uint16{0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
			0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035},
		exts: exts,
	}
}

// TestJA4SpecVectors checks the hashes and the fingerprint given in the
// FoxIO JA4 technical details.
func TestJA4SpecVectors(t *testing.T) {
	hashes := []struct{ in, want string }{
		{"002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9", "8daaf6152771"},
		{"0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601", "e5627efa2ab1"},
		{"0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01", "6d807ffa2a79"},
	}
	for _, h := range hashes {
		if got := hash12(h.in); got != h.want {
			t.Errorf("hash12(%s) = %s, want %s", h.in, got, h.want)
		}
	}

	msg := specHello().message()
	tests := []struct {
		name string
		ch   func() (*ClientHello, bool, error)
		want string
	}{
		{"records", func() (*ClientHello, bool, error) { return ParseClientHello(records(msg, 1<<14)) },
			"t13d1516h2_8daaf6152771_e5627efa2ab1"},
		{"split records", func() (*ClientHello, bool, error) { return ParseClientHello(records(msg, 7)) },
			"t13d1516h2_8daaf6152771_e5627efa2ab1"},
		{"quic", func() (*ClientHello, bool, error) { return ParseClientHelloMessage(msg, true) },
			"q13d1516h2_8daaf6152771_e5627efa2ab1"},
		{"bare tcp", func() (*ClientHello, bool, error) { return ParseClientHelloMessage(msg, false) },
			"t13d1516h2_8daaf6152771_e5627efa2ab1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, complete, err := tt.ch()
			if err != nil || !complete {
				t.Fatalf("complete=%v err=%v", complete, err)
			}
			if ch.JA4 != tt.want {
				t.Errorf("JA4 = %s, want %s", ch.JA4, tt.want)
			}
			if ch.SNI != "example.com" || strings.Join(ch.ALPN, ",") != "h2,http/1.1" {
				t.Errorf("SNI %q ALPN %q", ch.SNI, ch.ALPN)
			}
			wantJA3 := "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53," +
				"27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0"
			if ch.JA3 != wantJA3 {
				t.Errorf("JA3 = %s, want %s", ch.JA3, wantJA3)
			}
			if len(ch.Versions) != 2 || ch.Versions[0] != 0x0304 {
				t.Errorf("Versions = %x (GREASE must go)", ch.Versions)
			}
		})
	}
}

// TestJA4Parts covers the parts of JA4 the spec example does not reach.
func TestJA4Parts(t *testing.T) {
	tests := []struct {
		name string
		ch   ClientHello
		want string
	}{
		{"empty", ClientHello{LegacyVersion: 0x0303},
			"t12i000000_000000000000_000000000000"},
		{"legacy version, no sigalgs",
			ClientHello{LegacyVersion: 0x0301, CipherSuites: []uint16{0x002f}, Extensions: []uint16{0x000a}},
			"t10i0101" + "00_" + hash12("002f") + "_" + hash12("000a")},
		{"only SNI and ALPN", ClientHello{LegacyVersion: 0x0303, hasSNI: true, ALPN: []string{"http/1.1"},
			Extensions: []uint16{0x0000, 0x0010}, SigAlgs: []uint16{0x0403}},
			"t12d0002h1_000000000000_000000000000"},
		{"non-alphanumeric ALPN", ClientHello{LegacyVersion: 0x0303, ALPN: []string{"\xab\x01\xcd"}},
			"t12i0000ad_000000000000_000000000000"},
		{"one-char ALPN", ClientHello{LegacyVersion: 0x0303, ALPN: []string{"x"}},
			"t12i0000xx_000000000000_000000000000"},
		{"unknown version", ClientHello{LegacyVersion: 0x0303, Versions: []uint16{0x7f1c}},
			"t00i000000_000000000000_000000000000"},
		{"SSL 3", ClientHello{LegacyVersion: 0x0300}, "ts3i000000_000000000000_000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ch.ja4('t'); got != tt.want {
				t.Errorf("ja4 = %s, want %s", got, tt.want)
			}
		})
	}
	many := make([]uint16, 150)
	for i := range many {
		many[i] = uint16(i + 1)
	}
	if got := (&ClientHello{CipherSuites: many, Extensions: many}).ja4('t')[4:8]; got != "9999" {
		t.Errorf("counts over 99 = %s, want 9999", got)
	}
}

// TestCutHello feeds every prefix of every captured ClientHello: no
// error, complete only at the end, SNI as soon as its extension is in.
func TestCutHello(t *testing.T) {
	for _, s := range loadStreams(t) {
		b := tlsStart(s.client)
		full, complete, err := ParseClientHello(b)
		if err != nil || !complete {
			t.Fatalf("%s/%s: %v", s.file, s.id, err)
		}
		// The hello ends where the records carrying it end.
		end := 0
		for need := 4 + helloLen(t, b); need > 0; {
			n := int(b[end+3])<<8 | int(b[end+4])
			need -= n
			end += 5 + n
		}
		sniEnd := -1
		if full.SNI != "" {
			sniEnd = bytes.Index(b, []byte(full.SNI)) + len(full.SNI)
		}
		for n := 0; n <= end; n++ {
			ch, complete, err := ParseClientHello(b[:n])
			if err != nil || ch == nil {
				t.Fatalf("%s/%s prefix %d: %v", s.file, s.id, n, err)
			}
			if complete != (n == end) {
				t.Fatalf("%s/%s prefix %d of %d: complete=%v", s.file, s.id, n, end, complete)
			}
			if hasSNI := n >= sniEnd && sniEnd >= 0; (ch.SNI == full.SNI) != hasSNI && full.SNI != "" {
				t.Fatalf("%s/%s prefix %d: SNI %q (its extension ends at %d)", s.file, s.id, n, ch.SNI, sniEnd)
			}
			if !complete && (ch.JA3 != "" || ch.JA4 != "") {
				t.Fatalf("prefix %d: fingerprint of a cut hello", n)
			}
		}
	}
}

func helloLen(t *testing.T, b []byte) int {
	if len(b) < 9 || b[5] != typeClientHello {
		t.Fatalf("not a record-aligned hello")
	}
	return int(b[6])<<16 | int(b[7])<<8 | int(b[8])
}

// TestCutServerHello feeds every prefix of captured server flights.
func TestCutServerHello(t *testing.T) {
	for _, s := range loadStreams(t) {
		b := tlsStart(s.server)
		full, _, err := ParseServerHello(b)
		if err != nil {
			t.Fatal(err)
		}
		end := 5 + 4 + (int(b[6])<<16 | int(b[7])<<8 | int(b[8]))
		for n := 0; n < len(b); n++ {
			sh, complete, err := ParseServerHello(b[:n])
			if err != nil || sh == nil || complete != (n >= end) {
				t.Fatalf("%s/%s prefix %d (end %d): complete=%v err=%v", s.file, s.id, n, end, complete, err)
			}
			if complete && sh.JA3S != full.JA3S {
				t.Fatalf("prefix %d: JA3S %s", n, sh.JA3S)
			}
			if _, err := ParseServerCertificate(b[:n]); err == nil && n < end {
				t.Fatalf("prefix %d: certificate before the ServerHello ended", n)
			}
		}
	}
}

func TestGarbage(t *testing.T) {
	spec := records(specHello().message(), 1<<14)
	tests := []struct {
		name    string
		in      []byte
		wantErr error // nil: a consistent but incomplete prefix
	}{
		{"empty", nil, nil},
		{"http", []byte("GET / HTTP/1.1\r\n\r\n"), ErrNotTLS},
		{"ssh", []byte("SSH-2.0-OpenSSH_9.6\r\n"), ErrNotTLS},
		{"sslv2 hello", []byte{0x80, 0x2e, 0x01, 0x00, 0x02}, ErrNotTLS},
		{"application data", []byte{23, 3, 3, 0, 1, 0}, ErrNotTLS},
		{"bad major version", []byte{22, 4, 1, 0, 1, 1}, ErrNotTLS},
		{"empty record", []byte{22, 3, 1, 0, 0}, ErrNotTLS},
		{"oversized record", []byte{22, 3, 1, 0xff, 0xff}, ErrNotTLS},
		{"record header only", []byte{22, 3, 1}, nil},
		{"server hello", records([]byte{typeServerHello, 0, 0, 0}, 100), ErrNotClientHello},
		{"empty hello", records([]byte{typeClientHello, 0, 0, 0}, 100), ErrMalformed},
		{"short hello", records([]byte{typeClientHello, 0, 0, 3, 3, 3, 0}, 100), ErrMalformed},
		{"trailing byte", records(trailingByte(), 1<<14), ErrMalformed},
		{"odd cipher list", records(oddCiphers(), 1<<14), ErrMalformed},
		{"spec hello", spec, nil},
	}
	// A declared length one more than the body is a cut hello, not an error.
	cut := records(specHello().message(), 1<<14)
	cut[8]++
	tests = append(tests, struct {
		name    string
		in      []byte
		wantErr error
	}{"declared longer", cut, nil})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, _, err := ParseClientHello(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if (err == nil) != (ch != nil) {
				t.Fatalf("ch = %v with err %v", ch, err)
			}
			// The other parsers must not panic either.
			ParseServerHello(tt.in)
			ParseServerCertificate(tt.in)
			ParseClientHelloMessage(tt.in, true)
		})
	}
}

// trailingByte is the spec hello with a byte after its extensions.
func trailingByte() []byte {
	m := append(specHello().message(), 0)
	n := len(m) - 4
	m[1], m[2], m[3] = byte(n>>16), byte(n>>8), byte(n)
	return m
}

// oddCiphers is a hello whose cipher list has an odd length.
func oddCiphers() []byte {
	body := append([]byte{3, 3}, make([]byte, 32)...)
	body = append(body, 0, 0, 1, 0x2f, 1, 0)
	return append([]byte{typeClientHello, 0, 0, byte(len(body))}, body...)
}

func TestVersionName(t *testing.T) {
	tests := []struct {
		v    uint16
		want string
	}{
		{0x0300, "SSL 3.0"}, {0x0301, "TLS 1.0"}, {0x0302, "TLS 1.1"}, {0x0303, "TLS 1.2"},
		{0x0304, "TLS 1.3"}, {0xfefd, "DTLS 1.2"}, {0x7f17, "TLS 1.3 draft 23"},
		{0x1a1a, "GREASE"}, {0x1234, "0x1234"},
	}
	for _, tt := range tests {
		if got := VersionName(tt.v); got != tt.want {
			t.Errorf("VersionName(%#04x) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestIsGREASE(t *testing.T) {
	for v := range 1 << 16 {
		want := v&0x0f0f == 0x0a0a && v>>8 == v&0xff
		if IsGREASE(uint16(v)) != want {
			t.Fatalf("IsGREASE(%#04x)", v)
		}
	}
	if !IsGREASE(0xfafa) || IsGREASE(0x0a1a) {
		t.Error("GREASE table")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range loadStreams(f) {
		f.Add(tlsStart(s.client))
		if len(s.server) > 2048 {
			f.Add(tlsStart(s.server)[:2048])
		}
	}
	f.Add(records(specHello().message(), 9))
	f.Fuzz(func(t *testing.T, b []byte) {
		ch, complete, err := ParseClientHello(b)
		if err == nil && ch == nil || err != nil && (ch != nil || complete) {
			t.Fatalf("ch=%v complete=%v err=%v", ch, complete, err)
		}
		if complete && (ch.JA3Hash == "" || len(ch.JA4) != 36) {
			t.Fatalf("complete hello without fingerprints: %+v", ch)
		}
		if sh, complete, err := ParseServerHello(b); complete && (err != nil || sh.JA3SHash == "") {
			t.Fatalf("server hello %+v %v", sh, err)
		}
		if c, err := ParseServerCertificate(b); (c == nil) == (err == nil) {
			t.Fatalf("certificate %v %v", c, err)
		}
		ParseClientHelloMessage(b, true)
		VersionName(uint16(len(b)))
	})
}

// helloWithSNI builds a ClientHello naming sni, in TLS records of at most
// 16 KiB, as a client sends one too big for a record.
func helloWithSNI(sni string) []byte {
	be16 := func(n int) []byte { return []byte{byte(n >> 8), byte(n)} }
	ext := append(be16(len(sni)+3), 0)
	ext = append(append(ext, be16(len(sni))...), sni...)
	ext = append(append([]byte{0, 0}, be16(len(ext))...), ext...) // server_name
	body := append([]byte{3, 3}, make([]byte, 32)...)             // version, random
	body = append(body, 0, 0, 2, 0x13, 0x01, 1, 0)                // session id, suites, compression
	body = append(append(body, be16(len(ext))...), ext...)
	hs := append([]byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
	var out []byte
	for len(hs) > 0 {
		n := min(len(hs), 16384)
		out = append(append(append(out, 0x16, 3, 1), be16(n)...), hs[:n]...)
		hs = hs[n:]
	}
	return out
}

// A server name longer than the bytes at hand is kept by its start, with
// its declared length, instead of being lost.
func TestClientHelloCutSNI(t *testing.T) {
	whole, _, err := ParseClientHello(helloWithSNI("example.org"))
	if err != nil || whole.SNI != "example.org" || whole.SNILen != 0 {
		t.Fatalf("whole hello: %+v, %v", whole, err)
	}
	long := strings.Repeat("a", 16<<10)
	ch, complete, err := ParseClientHello(helloWithSNI(long)[:4096])
	if err != nil || ch == nil || complete {
		t.Fatalf("cut hello: %+v, complete %v, %v", ch, complete, err)
	}
	if ch.SNILen != len(long) || len(ch.SNI) < 4000 || !strings.HasPrefix(long, ch.SNI) {
		t.Errorf("SNI %d bytes of declared %d", len(ch.SNI), ch.SNILen)
	}
}

func TestHex16(t *testing.T) {
	for _, v := range []uint16{0, 0x1301, 0xc02f, 0xffff, 0x000a} {
		if got, want := Hex16(v), fmt.Sprintf("0x%04x", v); got != want {
			t.Errorf("Hex16(%#x) = %s, want %s", v, got, want)
		}
	}
}
