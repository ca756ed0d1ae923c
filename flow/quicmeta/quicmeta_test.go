package quicmeta

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rfcCrypto is the CRYPTO frame of the RFC 9001 A.2 / RFC 9369 A.2 client Initial.
const rfcCrypto = "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868" +
	"04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578" +
	"616d706c652e636f6dff01000100000a00080006001d00170018001000070005" +
	"04616c706e000500050100000000003300260024001d00209370b2c9caa47fba" +
	"baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400" +
	"0d0010000e0403050306030203080408050806002d00020101001c0002400100" +
	"3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000" +
	"75300901100f088394c8f03e51570806048000ffff"

func TestInitialSecrets(t *testing.T) {
	tests := []struct {
		name        string
		version     uint32
		key, iv, hp string
	}{
		{"RFC 9001 A.1", Version1, "1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c", "9f50449e04a0e810283a1e9933adedd2"},
		{"RFC 9369 A.1", Version2, "8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f", "45b95e15235d6f45a6b19cbcb0294ba9"},
	}
	dcid := mustHex(t, "8394c8f03e515708")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := params(tc.version)
			if !ok {
				t.Fatal("version unsupported")
			}
			key, iv, hp, err := clientSecrets(p, dcid)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				what      string
				got, want []byte
			}{{"key", key, mustHex(t, tc.key)}, {"iv", iv, mustHex(t, tc.iv)}, {"hp", hp, mustHex(t, tc.hp)}} {
				if !bytes.Equal(c.got, c.want) {
					t.Errorf("%s = %x, want %x", c.what, c.got, c.want)
				}
			}
		})
	}
}

// protect encrypts and header-protects an Initial packet (the sender side),
// given its unprotected header (ending with a pnLen-byte packet number).
func protect(t testing.TB, version uint32, dcid, header, payload []byte, pn uint64) (pkt, sample, mask []byte) {
	t.Helper()
	p, ok := params(version)
	if !ok {
		t.Fatalf("version %#x unsupported", version)
	}
	k, err := newKeys(p, dcid)
	if err != nil {
		t.Fatal(err)
	}
	var nonce [12]byte
	copy(nonce[:], k.iv[:])
	for i := 0; i < 8; i++ {
		nonce[4+i] ^= byte(pn >> (56 - 8*i))
	}
	pkt = k.aead.Seal(bytes.Clone(header), nonce[:], payload, header)
	pnLen := int(header[0]&3) + 1
	pnOff := len(header) - pnLen
	sample = pkt[pnOff+4 : pnOff+4+aes.BlockSize]
	mask = make([]byte, aes.BlockSize)
	k.hp.Encrypt(mask, sample)
	pkt[0] ^= mask[0] & 0x0f
	for i := 0; i < pnLen; i++ {
		pkt[pnOff+i] ^= mask[1+i]
	}
	return pkt, bytes.Clone(sample), mask[:5]
}

func TestRFCClientInitial(t *testing.T) {
	tests := []struct {
		name           string
		version        uint32
		header         string
		sample, mask   string
		prefix, suffix string
	}{
		{
			name: "RFC 9001 A.2", version: Version1,
			header: "c300000001088394c8f03e5157080000449e00000002",
			sample: "d1b1c98dd7689fb8ec11d242b123dc9b", mask: "437b9aec36",
			prefix: "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11",
			suffix: "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241" +
				"e221af44860018ab0856972e194cd934",
		},
		{
			name: "RFC 9369 A.2", version: Version2,
			header: "d36b3343cf088394c8f03e5157080000449e00000002",
			sample: "ffe67b6abcdb4298b485dd04de806071", mask: "94a0c95e80",
			prefix: "d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485",
			suffix: "a18b2faa745b6fe189cf772a9f84cbfc",
		},
	}
	dcid := mustHex(t, "8394c8f03e515708")
	crypto := mustHex(t, rfcCrypto)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			payload := make([]byte, 1162) // CRYPTO frame, then PADDING
			copy(payload, crypto)
			pkt, sample, mask := protect(t, tc.version, dcid, mustHex(t, tc.header), payload, 2)
			if len(pkt) != 1200 {
				t.Fatalf("packet length %d, want 1200", len(pkt))
			}
			if got := hex.EncodeToString(sample); got != tc.sample {
				t.Errorf("sample %s, want %s", got, tc.sample)
			}
			if got := hex.EncodeToString(mask); got != tc.mask {
				t.Errorf("mask %s, want %s", got, tc.mask)
			}
			if !bytes.HasPrefix(pkt, mustHex(t, tc.prefix)) || !bytes.HasSuffix(pkt, mustHex(t, tc.suffix)) {
				t.Fatalf("protected packet differs from the RFC: %x...%x", pkt[:32], pkt[len(pkt)-32:])
			}
			var a Assembler
			if err := a.Add(pkt); err != nil {
				t.Fatalf("Add: %v", err)
			}
			msg, ok := a.ClientHello()
			if !ok || !bytes.Equal(msg, crypto[4:]) {
				t.Fatalf("ClientHello ok=%v %x", ok, msg)
			}
			if a.Version() != tc.version {
				t.Errorf("Version %#x, want %#x", a.Version(), tc.version)
			}
			if sni := serverName(msg); sni != "example.com" {
				t.Errorf("SNI %q", sni)
			}
		})
	}
}

// datagram is one UDP payload of a capture fixture.
type datagram struct {
	srcPort int
	payload []byte
}

// loadCapture reads a testdata fixture: "srcport hexpayload" lines, # comments.
func loadCapture(t testing.TB, name string) []datagram {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []datagram
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			t.Fatalf("%s: bad line %q", name, line)
		}
		port, err := strconv.Atoi(fields[0])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, datagram{port, mustHex(t, fields[1])})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// clientDatagrams returns the payloads sent by the capture's first sender.
func clientDatagrams(t testing.TB, name string) [][]byte {
	all := loadCapture(t, name)
	var out [][]byte
	for _, d := range all {
		if d.srcPort == all[0].srcPort {
			out = append(out, d.payload)
		}
	}
	return out
}

// serverName extracts the SNI host name from a ClientHello message (test helper).
func serverName(msg []byte) string {
	skip := func(b []byte, n int) []byte {
		if n > len(b) {
			return nil
		}
		return b[n:]
	}
	u16 := func(b []byte) int {
		if len(b) < 2 {
			return 1 << 20
		}
		return int(binary.BigEndian.Uint16(b))
	}
	b := skip(msg, 4+2+32) // header, legacy_version, random
	if len(b) < 1 {
		return ""
	}
	b = skip(b, 1+int(b[0])) // session id
	b = skip(b, 2+u16(b))    // cipher suites
	if len(b) < 1 {
		return ""
	}
	b = skip(b, 1+int(b[0])) // compression methods
	b = skip(b, 2)           // extensions length
	for len(b) >= 4 {
		typ, n := u16(b), u16(b[2:])
		b = b[4:]
		if n > len(b) {
			return ""
		}
		if typ == 0 && n >= 5 && b[2] == 0 {
			nameLen := u16(b[3:])
			if 5+nameLen <= n {
				return string(b[5 : 5+nameLen])
			}
		}
		b = b[n:]
	}
	return ""
}

// Fixtures made with tshark 4.x from testdata/captures; expectations
// (handshake length, random, SNI) are those tshark reports for the ClientHello.
var captureTests = []struct {
	file    string
	ok      bool
	version uint32
	length  int // ClientHello body length from its handshake header
	random  string
	sni     string
	alpn    string // a string expected inside the ClientHello
}{
	{"ndpi__quic_frags_different_dcid.txt", true, Version1, 1763,
		"fb54fff61bceb5ea984d61d12cf05d2aaf3666b4ea278393d4695b0d24978ba6", "cdnjs.cloudflare.com", "h3"},
	{"ndpi__quic-v2.txt", true, Version2, 427,
		"ed7d246300a798f2f2fda6a86e07c9590cc1229e2006788590d94907ded70f74", "test", ""},
	{"ndpi__quic-34.txt", true, 0xff000022, 368,
		"aaa8c05bb9a57f129c72183716e2b32dc836cc037b84e478841db4ed9930ea55", "", "h3-34"},
	{"tcpdump__quic_handshake_truncated.txt", false, 0, 0, "", "", ""},
}

func TestCaptures(t *testing.T) {
	for _, tc := range captureTests {
		t.Run(tc.file, func(t *testing.T) {
			var a Assembler
			for i, d := range clientDatagrams(t, tc.file) {
				err := a.Add(d)
				t.Logf("datagram %d (%d bytes): %v", i, len(d), err)
			}
			msg, ok := a.ClientHello()
			if ok != tc.ok {
				t.Fatalf("ClientHello ok=%v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			if a.Version() != tc.version {
				t.Errorf("Version %#x, want %#x", a.Version(), tc.version)
			}
			if len(msg) != 4+tc.length {
				t.Errorf("length %d, want %d", len(msg), 4+tc.length)
			}
			if got := hex.EncodeToString(msg[6:38]); got != tc.random {
				t.Errorf("random %s, want %s", got, tc.random)
			}
			if got := serverName(msg); got != tc.sni {
				t.Errorf("SNI %q, want %q", got, tc.sni)
			}
			if !bytes.Contains(msg, []byte(tc.alpn)) {
				t.Errorf("ClientHello lacks %q", tc.alpn)
			}
		})
	}
}

// TestServerDatagramsIgnored checks server packets never feed the client stream.
func TestServerDatagramsIgnored(t *testing.T) {
	for _, tc := range captureTests {
		all := loadCapture(t, tc.file)
		var a Assembler
		for _, d := range all {
			if d.srcPort != all[0].srcPort {
				if a.Add(d.payload) == nil {
					t.Errorf("%s: server datagram decrypted with client keys", tc.file)
				}
			}
		}
		if _, ok := a.ClientHello(); ok {
			t.Errorf("%s: ClientHello from server datagrams", tc.file)
		}
	}
}

// TestTruncations feeds every prefix of each client datagram (after the
// complete earlier ones): only prefixes holding the whole Initial may complete.
func TestTruncations(t *testing.T) {
	for _, tc := range captureTests {
		dgs := clientDatagrams(t, tc.file)
		if len(dgs) > 3 {
			dgs = dgs[:3]
		}
		for i, d := range dgs {
			var full Assembler
			for _, prev := range dgs[:i] {
				full.Add(prev)
			}
			before, okBefore := full.ClientHello()
			initialEnd, _ := full.addPacket(d) // length of the first packet
			full.Add(d)
			after, okAfter := full.ClientHello()
			for n := 0; n < len(d); n++ {
				var a Assembler
				for _, prev := range dgs[:i] {
					a.Add(prev)
				}
				a.Add(d[:n])
				msg, ok := a.ClientHello()
				switch {
				case okBefore:
					if !ok || !bytes.Equal(msg, before) {
						t.Fatalf("%s #%d[:%d]: lost earlier ClientHello", tc.file, i, n)
					}
				case ok && (!okAfter || n < initialEnd || !bytes.Equal(msg, after)):
					t.Fatalf("%s #%d[:%d]: unexpected ClientHello", tc.file, i, n)
				}
			}
		}
	}
}

// TestBitFlips corrupts each bit of each client datagram: no panic, and any
// ClientHello produced must be the genuine one (AEAD rejects tampering).
func TestBitFlips(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for _, tc := range captureTests {
		dgs := clientDatagrams(t, tc.file)
		var ref Assembler
		for _, d := range dgs {
			ref.Add(d)
		}
		want, wantOK := ref.ClientHello()
		first := dgs[0]
		for bit := 0; bit < 8*len(first); bit++ {
			d := bytes.Clone(first)
			d[bit/8] ^= 1 << (bit % 8)
			var a Assembler
			a.Add(d)
			for _, rest := range dgs[1:] {
				a.Add(rest)
			}
			if msg, ok := a.ClientHello(); ok && (!wantOK || !bytes.Equal(msg, want)) {
				t.Fatalf("%s: bit %d flipped yields a forged ClientHello", tc.file, bit)
			}
		}
	}
}

func TestGarbage(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	prefixes := [][]byte{nil, {0xc0, 0, 0, 0, 1}, {0xd0, 0x6b, 0x33, 0x43, 0xcf}, {0xc0, 0xff, 0, 0, 0x1d}, {0x40}}
	var a Assembler
	for i := 0; i < 5000; i++ {
		if i%MaxDatagrams == 0 {
			a.Reset()
		}
		d := make([]byte, rng.Intn(1500))
		rng.Read(d)
		p := prefixes[i%len(prefixes)]
		if len(d) > len(p) {
			copy(d, p)
			if len(d) > 6 && len(p) == 5 {
				d[5] = byte(rng.Intn(24)) // plausible DCID length
			}
		}
		if a.Add(d) == nil {
			t.Fatalf("random datagram %x decrypted", d)
		}
		if _, ok := a.ClientHello(); ok {
			t.Fatal("ClientHello from garbage")
		}
	}
}

// initialHeader builds an unprotected long header with a 2-byte packet number.
func initialHeader(version uint32, dcid []byte, token []byte, payloadLen int, pn uint16) []byte {
	typ := byte(0)
	if version == Version2 {
		typ = 1
	}
	h := []byte{0xc1 | typ<<4}
	h = binary.BigEndian.AppendUint32(h, version)
	h = append(h, byte(len(dcid)))
	h = append(h, dcid...)
	h = append(h, 0, byte(len(token))) // empty SCID, 1-byte token length
	h = append(h, token...)
	length := 2 + payloadLen + 16
	h = append(h, 0x40|byte(length>>8), byte(length))
	return binary.BigEndian.AppendUint16(h, pn)
}

// initialPacket builds a protected client Initial; keyDCID selects the keys.
func initialPacket(t testing.TB, version uint32, keyDCID, dcid []byte, pn uint16, payload []byte) []byte {
	hdr := initialHeader(version, dcid, nil, len(payload), pn)
	pkt, _, _ := protect(t, version, keyDCID, hdr, payload, uint64(pn))
	return pkt
}

// cryptoFrame encodes a CRYPTO frame with 4-byte offset and 2-byte length varints.
func cryptoFrame(off int, data []byte) []byte {
	f := []byte{frameCrypto, 0x80 | byte(off>>24), byte(off >> 16), byte(off >> 8), byte(off)}
	return append(append(f, 0x40|byte(len(data)>>8), byte(len(data))), data...)
}

// handshake returns a fake ClientHello of n body bytes.
func handshake(n int) []byte {
	m := []byte{1, byte(n >> 16), byte(n >> 8), byte(n)}
	for i := 0; i < n; i++ {
		m = append(m, byte(i))
	}
	return m
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestSynthetic(t *testing.T) {
	dcid1 := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	dcid2 := []byte{9, 9, 9, 9, 9, 9, 9, 9, 9, 9}
	ch := handshake(600)
	pad := make([]byte, 40)
	ack := []byte{frameAck, 0x05, 0x00, 0x01, 0x00, 0x01, 0x01}             // largest 5, 1 extra range
	ackECN := []byte{frameAckECN, 0x02, 0x00, 0x00, 0x02, 0x01, 0x02, 0x03} // + 3 ECN counts
	closeFrame := []byte{frameCloseQUIC, 0x0a, 0x06, 0x03, 'b', 'y', 'e'}
	tests := []struct {
		name      string
		datagrams [][]byte
		wantOK    bool
		wantErrs  []error // per datagram; nil entries mean success
	}{
		{
			name: "one packet with padding, ping, acks, close",
			datagrams: [][]byte{initialPacket(t, Version1, dcid1, dcid1, 0,
				cat([]byte{framePing}, ack, ackECN, cryptoFrame(0, ch), closeFrame, pad))},
			wantOK: true, wantErrs: []error{nil},
		},
		{
			name: "out of order across datagrams, later DCID differs",
			datagrams: [][]byte{
				initialPacket(t, Version1, dcid1, dcid1, 0, cat(cryptoFrame(300, ch[300:]), pad)),
				initialPacket(t, Version1, dcid1, dcid2, 1, cat(cryptoFrame(0, ch[:300]), pad)),
			},
			wantOK: true, wantErrs: []error{nil, nil},
		},
		{
			name: "coalesced Initials in one datagram, v2",
			datagrams: [][]byte{cat(
				initialPacket(t, Version2, dcid1, dcid1, 0, cat(cryptoFrame(0, ch[:10]), pad)),
				initialPacket(t, Version2, dcid1, dcid1, 1, cat(cryptoFrame(10, ch[10:]), pad)),
			)},
			wantOK: true, wantErrs: []error{nil},
		},
		{
			name: "keys of own DCID when the original Initial was not seen",
			datagrams: [][]byte{
				initialPacket(t, Version1, dcid2, dcid2, 7, cat(cryptoFrame(0, ch), pad)),
			},
			wantOK: true, wantErrs: []error{nil},
		},
		{
			name: "overlapping retransmission",
			datagrams: [][]byte{
				initialPacket(t, Version1, dcid1, dcid1, 0, cryptoFrame(0, ch[:400])),
				initialPacket(t, Version1, dcid1, dcid1, 1, cryptoFrame(200, ch[200:])),
			},
			wantOK: true, wantErrs: []error{nil, nil},
		},
		{
			name: "gap never filled",
			datagrams: [][]byte{
				initialPacket(t, Version1, dcid1, dcid1, 0, cat(cryptoFrame(0, ch[:100]), pad)),
				initialPacket(t, Version1, dcid1, dcid1, 1, cat(cryptoFrame(101, ch[101:]), pad)),
			},
			wantOK: false, wantErrs: []error{nil, nil},
		},
		{
			name: "unknown frame type",
			datagrams: [][]byte{
				initialPacket(t, Version1, dcid1, dcid1, 0, cat([]byte{0x08}, cryptoFrame(0, ch))),
			},
			wantOK: false, wantErrs: []error{ErrFrame},
		},
		{
			name: "CRYPTO length past payload",
			datagrams: [][]byte{
				initialPacket(t, Version1, dcid1, dcid1, 0, []byte{frameCrypto, 0, 0x44, 0, 1}),
			},
			wantOK: false, wantErrs: []error{ErrFrame},
		},
		{
			name:      "ClientHello larger than the buffer",
			datagrams: [][]byte{initialPacket(t, Version1, dcid1, dcid1, 0, cryptoFrame(0, handshake(MaxCryptoData)))},
			wantOK:    false, wantErrs: []error{nil},
		},
		{
			name: "not a ClientHello",
			datagrams: [][]byte{
				initialPacket(t, Version1, dcid1, dcid1, 0, cryptoFrame(0, append([]byte{2}, ch[1:]...))),
			},
			wantOK: false, wantErrs: []error{nil},
		},
		{
			name:      "wrong keys",
			datagrams: [][]byte{initialPacket(t, Version1, dcid2, dcid1, 0, cat(cryptoFrame(0, ch), pad))},
			wantOK:    false, wantErrs: []error{ErrDecrypt},
		},
		{
			name:      "unsupported version",
			datagrams: [][]byte{{0xc0, 0x1a, 0x2a, 0x3a, 0x4a, 0, 0, 0, 0}},
			wantOK:    false, wantErrs: []error{ErrUnsupportedVersion},
		},
		{
			name:      "short header only",
			datagrams: [][]byte{{0x40, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
			wantOK:    false, wantErrs: []error{ErrNoInitial},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var a Assembler
			for i, d := range tc.datagrams {
				if err := a.Add(d); !errors.Is(err, tc.wantErrs[i]) {
					t.Errorf("datagram %d: err %v, want %v", i, err, tc.wantErrs[i])
				}
			}
			msg, ok := a.ClientHello()
			if ok != tc.wantOK {
				t.Fatalf("ok=%v, want %v", ok, tc.wantOK)
			}
			if ok && !bytes.Equal(msg, ch) {
				t.Errorf("ClientHello differs: %x", msg)
			}
		})
	}
}

func TestLimitsAndReset(t *testing.T) {
	dcid := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	ch := handshake(100)
	var a Assembler
	for i := 0; i < MaxDatagrams; i++ {
		if err := a.Add([]byte{0x40}); err == ErrTooManyDatagrams {
			t.Fatalf("limit hit at %d", i)
		}
	}
	good := initialPacket(t, Version1, dcid, dcid, 0, cat(cryptoFrame(0, ch), make([]byte, 20)))
	if err := a.Add(good); err != ErrTooManyDatagrams {
		t.Fatalf("err %v, want ErrTooManyDatagrams", err)
	}
	if _, ok := a.ClientHello(); ok {
		t.Fatal("ClientHello past the datagram limit")
	}
	a.Reset()
	if err := a.Add(good); err != nil {
		t.Fatal(err)
	}
	if msg, ok := a.ClientHello(); !ok || !bytes.Equal(msg, ch) || a.Version() != Version1 {
		t.Fatalf("after Reset: ok=%v version=%#x", ok, a.Version())
	}
	a.Reset()
	if _, ok := a.ClientHello(); ok || a.Version() != 0 {
		t.Fatal("Reset kept state")
	}
}

func TestDecodePN(t *testing.T) {
	tests := []struct {
		expected, truncated uint64
		pnLen               int
		want                uint64
	}{
		{0, 0, 1, 0},
		{3, 2, 4, 2},
		{0xa82f30eb, 0x9b32, 2, 0xa82f9b32}, // RFC 9000 A.3 example
		{256, 0x01, 1, 257},
		{300, 0xff, 1, 255},
	}
	for _, tc := range tests {
		if got := decodePN(tc.expected, tc.truncated, tc.pnLen); got != tc.want {
			t.Errorf("decodePN(%#x, %#x, %d) = %#x, want %#x", tc.expected, tc.truncated, tc.pnLen, got, tc.want)
		}
	}
}

func TestSupportedVersion(t *testing.T) {
	tests := []struct {
		v    uint32
		want bool
	}{
		{Version1, true}, {Version2, true}, {0xff00001d, true}, {0xff000020, true},
		{0xff000022, true}, {0xff000017, true}, {0xff000016, false}, {0, false}, {0x1a2a3a4a, false},
	}
	for _, tc := range tests {
		if got := SupportedVersion(tc.v); got != tc.want {
			t.Errorf("SupportedVersion(%#x) = %v", tc.v, got)
		}
	}
}

func FuzzAdd(f *testing.F) {
	for _, tc := range captureTests {
		for _, d := range clientDatagrams(f, tc.file) {
			f.Add(d)
		}
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var a Assembler
		// Split in two datagrams to exercise reassembly state as well.
		half := len(data) / 2
		a.Add(data[:half])
		a.Add(data[half:])
		a.Add(data)
		if msg, ok := a.ClientHello(); ok {
			if len(msg) < 4 || msg[0] != 1 || len(msg) != 4+int(msg[1])<<16|int(msg[2])<<8|int(msg[3]) {
				t.Fatalf("malformed ClientHello %x", msg)
			}
		}
	})
}

// TestOriginalDCIDKeys checks a later Initial with a new DCID decrypts only
// with the keys of the first Initial's DCID (RFC 9001 §5.2).
func TestOriginalDCIDKeys(t *testing.T) {
	dgs := clientDatagrams(t, "ndpi__quic_frags_different_dcid.txt")
	var alone Assembler
	if err := alone.Add(dgs[1]); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("second Initial alone: err %v, want ErrDecrypt", err)
	}
	var a Assembler
	for i, d := range dgs {
		if err := a.Add(d); err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
	}
}
