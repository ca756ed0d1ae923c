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
