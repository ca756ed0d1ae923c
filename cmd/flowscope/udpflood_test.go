package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowscope/flowscope/internal/synth"
)

// TestUnansweredDNSFlood: a flood of unanswered DNS queries (each a flow
// the DNS detector is sure of, whose server never answers) must not use up
// the identification share: the HTTP connections after it are identified.
// When a sure UDP verdict waited for the other side's first datagram,
// every query held its identification state for the UDP timeout, the
// first 1024 filled the share of --max-memory 16MiB and the HTTP flows
// went unidentified.
func TestUnansweredDNSFlood(t *testing.T) {
	const queries, conns = 4000, 50
	var buf bytes.Buffer
	pw, err := synth.NewPcapWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	ts := int64(1_700_000_000e9)
	write := func(src, dst [4]byte, proto byte, l4 []byte) {
		f := make([]byte, 14+20+len(l4))
		binary.BigEndian.PutUint16(f[12:], 0x0800)
		ip := f[14:34]
		ip[0], ip[8], ip[9] = 0x45, 64, proto
		binary.BigEndian.PutUint16(ip[2:], uint16(20+len(l4)))
		copy(ip[12:], src[:])
		copy(ip[16:], dst[:])
		var sum uint32
		for i := 0; i < 20; i += 2 {
			sum += uint32(binary.BigEndian.Uint16(ip[i:]))
		}
		for sum > 0xffff {
			sum = sum>>16 + sum&0xffff
		}
		binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
		copy(f[34:], l4)
		ts += 10_000 // all within the UDP timeout
		if err := pw.Write(synth.Frame{Data: f, TS: ts}); err != nil {
			t.Fatal(err)
		}
	}
	query := []byte("\x00\x00\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01")
	resolver := [4]byte{10, 0, 0, 53}
	for i := range queries {
		binary.BigEndian.PutUint16(query, uint16(i))
		u := make([]byte, 8+len(query))
		binary.BigEndian.PutUint16(u[0:], uint16(1024+i))
		binary.BigEndian.PutUint16(u[2:], 53)
		binary.BigEndian.PutUint16(u[4:], uint16(len(u)))
		copy(u[8:], query)
		write([4]byte{172, 16, byte(i >> 8), byte(i)}, resolver, 17, u)
	}
	web := [4]byte{10, 0, 0, 80}
	req, resp := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	for i := range conns {
		c, port := [4]byte{192, 168, 0, byte(i + 1)}, uint16(40000+i)
		seg := func(fromClient bool, seq, ack uint32, flags byte, payload []byte) {
			s := make([]byte, 20+len(payload))
			sp, dp, src, dst := port, uint16(80), c, web
			if !fromClient {
				sp, dp, src, dst = dp, sp, dst, src
			}
			binary.BigEndian.PutUint16(s[0:], sp)
			binary.BigEndian.PutUint16(s[2:], dp)
			binary.BigEndian.PutUint32(s[4:], seq)
			binary.BigEndian.PutUint32(s[8:], ack)
			s[12], s[13] = 5<<4, flags
			binary.BigEndian.PutUint16(s[14:], 65535)
			copy(s[20:], payload)
			write(src, dst, 6, s)
		}
		seg(true, 100, 0, 0x02, nil)
		seg(false, 500, 101, 0x12, nil)
		seg(true, 101, 501, 0x10, nil)
		seg(true, 101, 501, 0x18, req)
		seg(false, 501, 101+uint32(len(req)), 0x18, resp)
	}
	if err := pw.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dnsflood.pcap")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	res := mustRun(t, 0, nil, "-r", path, "-o", "json", "--max-memory", "16MiB", "-j", "1")
	services := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(res.stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			Service string `json:"service"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%v: %s", err, sc.Bytes())
		}
		services[r.Service]++
	}
	if services["dns"] != queries || services["http"] != conns {
		t.Errorf("services %v, want %d dns and %d http", services, queries, conns)
	}
	if strings.Contains(string(res.stderr), "unidentified") {
		t.Errorf("flows left unidentified:\n%s", res.stderr)
	}
}
