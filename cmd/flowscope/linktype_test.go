package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writePcap writes a microsecond pcap of one link type with the given frames.
func writePcap(t *testing.T, linkType uint32, frames ...[]byte) string {
	t.Helper()
	b := make([]byte, 24)
	binary.LittleEndian.PutUint32(b[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(b[4:], 2)
	binary.LittleEndian.PutUint16(b[6:], 4)
	binary.LittleEndian.PutUint32(b[16:], 65535)
	binary.LittleEndian.PutUint32(b[20:], linkType)
	for i, f := range frames {
		var rec [16]byte
		binary.LittleEndian.PutUint32(rec[0:], uint32(1700000000+i))
		binary.LittleEndian.PutUint32(rec[8:], uint32(len(f)))
		binary.LittleEndian.PutUint32(rec[12:], uint32(len(f)))
		b = append(append(b, rec[:]...), f...)
	}
	path := filepath.Join(t.TempDir(), "lt.pcap")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestUnknownLinkType: frames of a link type we cannot decode are counted
// by link type in the summary, never dropped silently, and the run is not
// an error (the file itself is fine).
func TestUnknownLinkType(t *testing.T) {
	path := writePcap(t, 147, []byte("user-defined 1"), []byte("user-defined 2"), []byte("user-defined 3"))
	res := mustRun(t, 0, nil, "-r", path)
	out := string(res.stdout)
	for _, want := range []string{"no flows", "frames read: 3", "skipped 3 of 3 frames", "unknown-link-type 3", "linktype-147 3"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	res = mustRun(t, 0, nil, "-o", "json", "-r", path)
	if len(res.stdout) != 0 || !strings.Contains(string(res.stderr), "linktype-147 3") {
		t.Errorf("json run: stdout %q, stderr %s", res.stdout, res.stderr)
	}
}

// ipv4UDP is an IPv4/UDP packet from 10.0.0.1:40000 to 10.0.0.2:53.
func ipv4UDP() []byte {
	p := []byte{0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0x9c, 0x40, 0, 53, 0, 0, 0, 0}
	p = append(p, "hello, dns"...)
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	binary.BigEndian.PutUint16(p[24:], uint16(len(p)-20))
	return p
}

// TestWirelessAndHDLCLinkTypes reads Cisco HDLC (104) and PPI (192)
// captures end to end: IP packets become flows, SLARP keepalives and
// 802.11 management frames count as non-IP by kind, and a PPI header
// naming a link type flowscope does not know counts as that link type.
func TestWirelessAndHDLCLinkTypes(t *testing.T) {
	dot11 := func(fc0, fc1 byte, body []byte) []byte {
		h := []byte{fc0, fc1, 0, 0, 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 3, 0x10, 0}
		return append(h, body...)
	}
	snap := append([]byte{0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00}, ipv4UDP()...)
	ppi := func(dlt byte, frame []byte) []byte { return append([]byte{0, 0, 8, 0, dlt, 0, 0, 0}, frame...) }
	for _, tc := range []struct {
		name     string
		linkType uint32
		frames   [][]byte
		summary  []string
	}{
		{"c-hdlc", 104, [][]byte{
			append([]byte{0x0f, 0, 0x08, 0x00}, ipv4UDP()...),
			append([]byte{0x8f, 0, 0x80, 0x35}, make([]byte, 18)...),
		}, []string{"pcap, 2 packets, c-hdlc", "skipped 1 of 2 frames: non-ip 1 (slarp 1)"}},
		{"ppi", 192, [][]byte{
			ppi(105, dot11(0x08, 0x01, snap)),
			ppi(105, dot11(0x80, 0x00, make([]byte, 12))),
			ppi(147, ipv4UDP()),
		}, []string{"pcap, 3 packets, ppi", "non-ip 1 (802.11-mgmt 1)", "unknown-link-type 1 (linktype-147 1)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writePcap(t, tc.linkType, tc.frames...)
			res := mustRun(t, 0, nil, "-o", "json", "-r", path)
			flows := parseJSONFlows(t, res.stdout)
			if len(flows) != 1 || flows[0].Proto != "udp" || flows[0].Client.IP != "10.0.0.1" || flows[0].Server.Port != 53 {
				t.Errorf("flows %+v, want one udp flow 10.0.0.1 -> 10.0.0.2:53", flows)
			}
			for _, want := range tc.summary {
				if !strings.Contains(string(res.stderr), want) {
					t.Errorf("summary lacks %q:\n%s", want, res.stderr)
				}
			}
		})
	}
}
