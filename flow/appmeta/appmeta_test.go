package appmeta

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture reads a hex stream prefix made by testdata/extract.py.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".hex"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var h strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && line[0] != '#' {
			h.WriteString(line)
		}
	}
	b, err := hex.DecodeString(h.String())
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

// Algorithm strings as tshark 4.0.17 prints them (ssh.kex.hassh_algorithms,
// ssh.kex.hasshserver_algorithms).
const (
	ndpiClientAlgs = "diffie-hellman-group-exchange-sha256,diffie-hellman-group-exchange-sha1,diffie-hellman-group14-sha1,diffie-hellman-group1-sha1;aes128-ctr,aes192-ctr,aes256-ctr,arcfour256,arcfour128,aes128-cbc,3des-cbc,blowfish-cbc,cast128-cbc,aes192-cbc,aes256-cbc,arcfour,rijndael-cbc@lysator.liu.se;hmac-md5,hmac-sha1,umac-64@openssh.com,hmac-ripemd160,hmac-ripemd160@openssh.com,hmac-sha1-96,hmac-md5-96;none,zlib@openssh.com,zlib"
	ndpiServerAlgs = "diffie-hellman-group-exchange-sha256,diffie-hellman-group-exchange-sha1,diffie-hellman-group14-sha1,diffie-hellman-group1-sha1;aes128-ctr,aes192-ctr,aes256-ctr,arcfour256,arcfour128,aes128-cbc,3des-cbc,blowfish-cbc,cast128-cbc,aes192-cbc,aes256-cbc,arcfour,rijndael-cbc@lysator.liu.se;hmac-md5,hmac-sha1,umac-64@openssh.com,hmac-ripemd160,hmac-ripemd160@openssh.com,hmac-sha1-96,hmac-md5-96;none,zlib@openssh.com"
	greClientAlgs  = "diffie-hellman-group-exchange-sha1,diffie-hellman-group1-sha1;blowfish-cbc,aes128-cbc,3des-cbc,cast128-cbc,arcfour,aes192-cbc,aes256-cbc;hmac-md5,hmac-sha1,hmac-ripemd160,hmac-ripemd160@openssh.com,hmac-sha1-96,hmac-md5-96;zlib,none"
	greServerAlgs  = "diffie-hellman-group-exchange-sha1,diffie-hellman-group1-sha1;aes128-cbc,3des-cbc,blowfish-cbc,cast128-cbc,arcfour,aes192-cbc,aes256-cbc;hmac-md5,hmac-sha1,hmac-ripemd160,hmac-ripemd160@openssh.com,hmac-sha1-96,hmac-md5-96;none,zlib"
)

// In these captures every side offers identical client-to-server and
// server-to-client lists, so the view tshark does not print (HASSHServer of
// a client, HASSH of a server) equals the one it does.
var sshFixtures = []struct {
	name  string
	end   int // stream offset where the KEXINIT packet ends
	ident string
	proto string
	sw    string
	comm  string
	algs  string
	hash  string
}{
	{"ssh_ndpi_client", 925, "SSH-2.0-OpenSSH_5.6", "2.0", "OpenSSH_5.6", "", ndpiClientAlgs, "21b457a327ce7a2d4fce5ef2c42400bd"},
	{"ssh_ndpi_server", 805, "SSH-2.0-OpenSSH_5.3", "2.0", "OpenSSH_5.3", "", ndpiServerAlgs, "b1c6c0d56317555b85c7005a3de29325"},
	{"ssh_gre_client", 512, "SSH-2.0-OpenSSH_3.6.1p1", "2.0", "OpenSSH_3.6.1p1", "", greClientAlgs, "5ef6678a6b060094834599ca16581b05"},
	{"ssh_gre_server", 511, "SSH-1.99-OpenSSH_3.1p1", "1.99", "OpenSSH_3.1p1", "", greServerAlgs, "6e3242d64766f4154c11858bbd654415"},
}

func TestParseSSHCaptures(t *testing.T) {
	for _, tc := range sshFixtures {
		t.Run(tc.name, func(t *testing.T) {
			b := fixture(t, tc.name)
			s, complete := ParseSSH(b)
			if !complete || s == nil || !s.KexInit {
				t.Fatalf("complete=%v side=%+v", complete, s)
			}
			got := []string{s.Ident, s.ProtoVersion, s.Software, s.Comments,
				s.HASSHAlgorithms, s.HASSHServerAlgorithms, s.HASSH, s.HASSHServer}
			want := []string{tc.ident, tc.proto, tc.sw, tc.comm, tc.algs, tc.algs, tc.hash, tc.hash}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("field %d = %q, want %q", i, got[i], want[i])
				}
			}
			checkPrefixes(t, b, tc.end, func(p []byte) bool { _, c := ParseSSH(p); return c })
		})
	}
}

// checkPrefixes asserts that parse reports complete exactly from end on.
func checkPrefixes(t *testing.T, b []byte, end int, parse func([]byte) bool) {
	t.Helper()
	for i := 0; i <= len(b); i++ {
		if got := parse(b[:i]); got != (i >= end) {
			t.Fatalf("prefix %d/%d: complete=%v, want complete from %d", i, len(b), got, end)
		}
	}
}

// kexInit builds an SSH binary packet carrying a KEXINIT with lists.
func kexInit(lists ...string) []byte {
	var p []byte
	p = append(p, sshMsgKexInit)
	p = append(p, make([]byte, sshCookieLen)...)
	for _, l := range lists {
		p = binary.BigEndian.AppendUint32(p, uint32(len(l)))
		p = append(p, l...)
	}
	p = append(p, 0, 0, 0, 0, 0) // first_kex_packet_follows, reserved
	pad := 8 - (5+len(p))%8
	if pad < 4 {
		pad += 8
	}
	out := binary.BigEndian.AppendUint32(nil, uint32(1+len(p)+pad))
	out = append(out, byte(pad))
	out = append(out, p...)
	return append(out, make([]byte, pad)...)
}

func TestParseSSHSynthetic(t *testing.T) {
	lists := []string{"curve25519-sha256", "ssh-ed25519", "aes128-ctr", "aes256-gcm@openssh.com",
		"hmac-sha2-256", "hmac-sha2-512", "none", "zlib", "", ""}
	kex := kexInit(lists...)
	client := "curve25519-sha256;aes128-ctr;hmac-sha2-256;none"
	server := "curve25519-sha256;aes256-gcm@openssh.com;hmac-sha2-512;zlib"
	badList := kexInit(lists...)
	binary.BigEndian.PutUint32(badList[5+1+sshCookieLen:], 1000)
	notKex := kexInit(lists...)
	notKex[5] = 21
	shortPad := kexInit(lists...)
	shortPad[4] = 2

	tests := []struct {
		name     string
		in       []byte
		complete bool
		nilSide  bool
		proto    string
		sw       string
		comments string
	}{
		{"ubuntu", append([]byte("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3\r\n"), kex...), true, false, "2.0", "OpenSSH_8.9p1", "Ubuntu-3"},
		{"banner lines", append([]byte("hello\r\nwelcome\nSSH-2.0-x y z\n"), kex...), true, false, "2.0", "x", "y z"},
		{"ident only", []byte("SSH-2.0-srv\r\n"), false, false, "2.0", "srv", ""},
		{"no software", []byte("SSH-2.0\r\n"), false, false, "2.0", "", ""},
		{"partial ident", []byte("SSH-2.0-Open"), false, true, "", "", ""},
		{"not ssh", []byte("GET / HTTP/1.1\r\n\r\n"), false, true, "", "", ""},
		{"long ident", []byte("SSH-2.0-" + strings.Repeat("a", 300) + "\r\n"), false, true, "", "", ""},
		{"bad list length", append([]byte("SSH-2.0-a\n"), badList...), false, false, "2.0", "a", ""},
		{"not kexinit", append([]byte("SSH-2.0-a\n"), notKex...), false, false, "2.0", "a", ""},
		{"short padding", append([]byte("SSH-2.0-a\n"), shortPad...), false, false, "2.0", "a", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, complete := ParseSSH(tc.in)
			if complete != tc.complete || (s == nil) != tc.nilSide {
				t.Fatalf("complete=%v side=%+v", complete, s)
			}
			if s == nil {
				return
			}
			if s.ProtoVersion != tc.proto || s.Software != tc.sw || s.Comments != tc.comments {
				t.Errorf("got %q %q %q", s.ProtoVersion, s.Software, s.Comments)
			}
			if s.KexInit != complete {
				t.Errorf("KexInit=%v complete=%v", s.KexInit, complete)
			}
			if complete && (s.HASSHAlgorithms != client || s.HASSHServerAlgorithms != server ||
				s.HASSH != md5Hex(client) || s.HASSHServer != md5Hex(server) ||
				s.ServerHostKeyAlgorithms != "ssh-ed25519") {
				t.Errorf("kexinit fields: %+v", s)
			}
		})
	}
}

// Requests and responses as tshark 4.0.17 decodes them (http.request.*,
// http.host, http.user_agent, http.response.*, http.server,
// http.content_type).
var httpReqFixtures = []struct {
	name, method, target, version, host, ua string
	end                                     int // offset after the blank line
}{
	{"http_ndpi_req", "GET", "/", "HTTP/1.1", "google.com", "curl/7.68.0", 74},
	{"http_manip0_req", "GET", "/", "HTTP/1.1", "wwww.lan:8080", "curl/7.64.0", 76},
	// tshark splits on single spaces and shows an empty URI here; this
	// parser accepts the run of spaces after the method.
	{"http_manip1_req", "GET", "/aaaaaaaaaaaaaaaaaaaaaaaa_very_long_uri", "HTTP/1.1", "www.lan:8080", "Mozilla/5.0 (X11; Linux x86_64; rv:81.0) Gecko/20100101 Firefox/81.0", 386},
	{"http_netflix12_req", "GET", "/af7a5/362643424e775d0393ddb46e145c2375367af7a5.webp", "HTTP/1.1", "art-2.nflximg.net", "Argo/9.1.0 (iPhone; iOS 10.2; Scale/2.00)", 246},
	{"http_netflix15_req", "POST", "/appboot/NFAPPL-02-", "HTTP/1.1", "appboot.netflix.com", "Argo/900 CFNetwork/808.2.16 Darwin/16.3.0", 313},
	{"http_netflix19_req", "GET", "/range/0-65535?o=AQEfKq2oMrLRiWL-p-VeIZ6WKRq-X6LMvaLqgxWBCuFbh09MpreORUUOO5Tx1683HPnLY6BPjN_9mlDuYihGZoXu9u0ozH8RFioBN_JDNiRscidjvoSdWmlyZgPNansW0lkBr4X81HvloOi8BS_exVSPhMyJQTB5bg&v=3&e=1484347850&t=5xfYVtna3GdYXL71uNs6DZ-X84Y&random=3930708224", "HTTP/1.1", "23.246.11.145", "netflix-ios-app", 356},
	{"http_netflix34_req", "GET", "/?o=AQEfKq2oMrLRiWL2puNQJJqTIRqhGLjSseu23V2HX6kIiU9JpbCaBxxaIoz21qQNKuDUaOIZwdTlx23DMVxabbCwmvEluipDW2tvFMlhMRtwdhhVlbv9KGFabiu5KH0Slx0VjOK_wzThp_vlHhWA4kW9gayYEWtjNNKe&v=3&e=1484347850&t=TnP59JB1wb5UTOCr0m-KQU2kGPo", "HTTP/1.1", "23.246.11.141", "AppleCoreMedia/1.0.0.14C92 (iPhone; U; CPU OS 10_2 like Mac OS X; en_us)", 509},
}

var httpRespFixtures = []struct {
	name, version string
	code          int
	reason        string
	server, ctype string
	end           int
}{
	{"http_ndpi_resp", "HTTP/1.1", 301, "Moved Permanently", "gws", "text/html; charset=UTF-8", 309},
	{"http_manip0_resp", "HTTP/1.1", 200, "OK", "gamma_httpd", "text/html", 211},
	{"http_manip1_resp", "HTTP/1.1", 200, "OK", "gamma_httpd", "text/html", 211},
	{"http_netflix34_resp", "HTTP/1.1", 206, "Partial Content", "nginx", "application/octet-stream", 569},
	{"http_netflix45_resp", "HTTP/1.1", 200, "OK", "AmazonS3", "image/jpeg", 517},
}

func TestParseHTTPRequestCaptures(t *testing.T) {
	for _, tc := range httpReqFixtures {
		t.Run(tc.name, func(t *testing.T) {
			b := fixture(t, tc.name)
			r, complete := ParseHTTPRequest(b)
			if !complete || r == nil {
				t.Fatalf("complete=%v req=%+v", complete, r)
			}
			want := HTTPRequest{Method: tc.method, Target: tc.target, TargetLen: len(tc.target), Version: tc.version, Host: tc.host, UserAgent: tc.ua}
			if *r != want {
				t.Errorf("got  %+v\nwant %+v", *r, want)
			}
			checkPrefixes(t, b, tc.end, func(p []byte) bool { _, c := ParseHTTPRequest(p); return c })
			if r, _ := ParseHTTPResponse(b); r != nil {
				t.Errorf("request parsed as response: %+v", r)
			}
		})
	}
}

func TestParseHTTPResponseCaptures(t *testing.T) {
	for _, tc := range httpRespFixtures {
		t.Run(tc.name, func(t *testing.T) {
			b := fixture(t, tc.name)
			r, complete := ParseHTTPResponse(b)
			if !complete || r == nil {
				t.Fatalf("complete=%v resp=%+v", complete, r)
			}
			want := HTTPResponse{Version: tc.version, StatusCode: tc.code, Reason: tc.reason, Server: tc.server, ContentType: tc.ctype}
			if *r != want {
				t.Errorf("got  %+v\nwant %+v", *r, want)
			}
			checkPrefixes(t, b, tc.end, func(p []byte) bool { _, c := ParseHTTPResponse(p); return c })
			if r, _ := ParseHTTPRequest(b); r != nil {
				t.Errorf("response parsed as request: %+v", r)
			}
		})
	}
}

func TestParseHTTPSynthetic(t *testing.T) {
	long := "/" + strings.Repeat("x", 400)
	reqs := []struct {
		name     string
		in       string
		ok       bool
		complete bool
		want     HTTPRequest
	}{
		{"lf only, folded case", "GET /a HTTP/1.0\nhOsT:  example.org \nuser-AGENT:\tua/1\n\n", true, true,
			HTTPRequest{Method: "GET", Target: "/a", Version: "HTTP/1.0", Host: "example.org", UserAgent: "ua/1"}},
		{"first host wins", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", true, true,
			HTTPRequest{Method: "GET", Target: "/", Version: "HTTP/1.1", Host: "a"}},
		{"leading crlf", "\r\nOPTIONS * HTTP/1.1\r\n\r\n", true, true,
			HTTPRequest{Method: "OPTIONS", Target: "*", Version: "HTTP/1.1"}},
		{"truncated target", "GET " + long + " HTTP/1.1\r\n\r\n", true, true,
			HTTPRequest{Method: "GET", Target: long[:MaxTarget], TargetTruncated: true, TargetLen: len(long), Version: "HTTP/1.1"}},
		{"cut header skipped", "GET / HTTP/1.1\r\nHost: exa", true, false,
			HTTPRequest{Method: "GET", Target: "/", Version: "HTTP/1.1"}},
		{"fold and junk ignored", "PUT /x HTTP/1.1\r\n folded\r\nnocolon\r\n: empty\r\nHost: h\r\n\r\n", true, true,
			HTTPRequest{Method: "PUT", Target: "/x", Version: "HTTP/1.1", Host: "h"}},
		{"lower-case method", "get / HTTP/1.1\r\n\r\n", false, false, HTTPRequest{}},
		{"no version", "GET /\r\n\r\n", false, false, HTTPRequest{}},
		{"extra token", "GET / HTTP/1.1 x\r\n\r\n", false, false, HTTPRequest{}},
		{"http2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", true, true,
			HTTPRequest{Method: "PRI", Target: "*", Version: "HTTP/2.0"}},
		{"empty", "", false, false, HTTPRequest{}},
	}
	for _, tc := range reqs {
		t.Run(tc.name, func(t *testing.T) {
			r, complete := ParseHTTPRequest([]byte(tc.in))
			if tc.ok && tc.want.TargetLen == 0 {
				tc.want.TargetLen = len(tc.want.Target)
			}
			if (r != nil) != tc.ok || complete != tc.complete {
				t.Fatalf("req=%+v complete=%v", r, complete)
			}
			if r != nil && *r != tc.want {
				t.Errorf("got  %+v\nwant %+v", *r, tc.want)
			}
		})
	}

	resps := []struct {
		name     string
		in       string
		ok       bool
		complete bool
		want     HTTPResponse
	}{
		{"no reason", "HTTP/1.1 204\r\ncontent-type: x/y\r\nSERVER: s\r\n\r\n", true, true,
			HTTPResponse{Version: "HTTP/1.1", StatusCode: 204, ContentType: "x/y", Server: "s"}},
		{"headers cut", "HTTP/1.0 404 Not Found\r\nServer: s\r\n", true, false,
			HTTPResponse{Version: "HTTP/1.0", StatusCode: 404, Reason: "Not Found", Server: "s"}},
		{"bad code", "HTTP/1.1 2x0 OK\r\n\r\n", false, false, HTTPResponse{}},
		{"short code", "HTTP/1.1 20 OK\r\n\r\n", false, false, HTTPResponse{}},
		{"not http", "SSH-2.0-x\r\n", false, false, HTTPResponse{}},
	}
	for _, tc := range resps {
		t.Run(tc.name, func(t *testing.T) {
			r, complete := ParseHTTPResponse([]byte(tc.in))
			if (r != nil) != tc.ok || complete != tc.complete {
				t.Fatalf("resp=%+v complete=%v", r, complete)
			}
			if r != nil && *r != tc.want {
				t.Errorf("got  %+v\nwant %+v", *r, tc.want)
			}
		})
	}
}

// The only allocations are the result struct and its strings.
func TestHTTPAllocs(t *testing.T) {
	req := fixture(t, "http_netflix34_req")
	if n := testing.AllocsPerRun(50, func() { ParseHTTPRequest(req) }); n > 6 {
		t.Errorf("ParseHTTPRequest: %v allocs, want <= 6", n)
	}
	resp := fixture(t, "http_netflix34_resp")
	if n := testing.AllocsPerRun(50, func() { ParseHTTPResponse(resp) }); n > 5 {
		t.Errorf("ParseHTTPResponse: %v allocs, want <= 5", n)
	}
}

// Bytes past MaxPrefix are never looked at.
func TestMaxPrefix(t *testing.T) {
	b := append([]byte("GET / HTTP/1.1\r\n"), bytes.Repeat([]byte("X: y\r\n"), MaxPrefix)...)
	b = append(b, "Host: late\r\n\r\n"...)
	r, complete := ParseHTTPRequest(b)
	if r == nil || complete || r.Host != "" {
		t.Errorf("req=%+v complete=%v", r, complete)
	}
	s := append([]byte("SSH-2.0-a\r\n"), kexInit(strings.Repeat("k", MaxPrefix))...)
	if side, complete := ParseSSH(s); side == nil || complete {
		t.Errorf("side=%+v complete=%v", side, complete)
	}
}

func FuzzParse(f *testing.F) {
	for _, tc := range sshFixtures {
		f.Add(fixture(f, tc.name))
	}
	for _, tc := range httpReqFixtures {
		f.Add(fixture(f, tc.name))
	}
	for _, tc := range httpRespFixtures {
		f.Add(fixture(f, tc.name))
	}
	f.Add([]byte("SSH-2.0-x\r\n\x00\x00\x00\x0c\x04\x14"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, complete := ParseSSH(b); complete && (s == nil || !s.KexInit) {
			t.Fatalf("complete without KEXINIT: %+v", s)
		}
		if r, complete := ParseHTTPRequest(b); r == nil && complete {
			t.Fatal("complete without request")
		} else if r != nil && len(r.Target) > MaxTarget {
			t.Fatalf("target %d bytes", len(r.Target))
		}
		if r, complete := ParseHTTPResponse(b); r == nil && complete {
			t.Fatal("complete without response")
		} else if r != nil && (r.StatusCode < 0 || r.StatusCode > 999) {
			t.Fatalf("status %d", r.StatusCode)
		}
	})
}

// A header longer than what is looked at is reported by its start and
// marked cut, rather than dropped; one that may still end is not.
func TestHTTPHeaderCut(t *testing.T) {
	long := strings.Repeat("h", 100<<10)
	req := []byte("GET / HTTP/1.1\r\nUser-Agent: x\r\nHost: " + long + "\r\n\r\n")
	r, complete := ParseHTTPRequest(req)
	if r == nil || complete {
		t.Fatalf("got %+v, complete %v", r, complete)
	}
	if !r.HostCut || !strings.HasPrefix(long, r.Host) || len(r.Host) < MaxPrefix/2 {
		t.Errorf("Host %d bytes, cut %v", len(r.Host), r.HostCut)
	}
	if r.UserAgent != "x" || r.UserAgentCut {
		t.Errorf("User-Agent %q cut %v", r.UserAgent, r.UserAgentCut)
	}
	// Still arriving: nothing reported yet.
	r, _ = ParseHTTPRequest([]byte("GET / HTTP/1.1\r\nHost: exam"))
	if r == nil || r.Host != "" || r.HostCut {
		t.Errorf("a Host still arriving was reported: %+v", r)
	}
}
