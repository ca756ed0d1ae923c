package decode

import (
	"os"
	"path/filepath"
	"testing"
)

// decFuzzLinkTypes maps the fuzzer's link type choice onto the ones the
// decoder knows, plus one it does not.
var decFuzzLinkTypes = []uint32{1, 0, 9, 12, 14, 50, 51, 101, 104, 105, 108, 113, 192, 228, 229, 276, 147}

func FuzzDecode(f *testing.F) {
	lti := func(lt uint32) uint8 {
		for i, v := range decFuzzLinkTypes {
			if v == lt&0xffff {
				return uint8(i)
			}
		}
		return uint8(len(decFuzzLinkTypes) - 1)
	}
	if dir := decFuzzCaptureDir(); dir != "" {
		names, _ := filepath.Glob(filepath.Join(dir, "*.pcap*"))
		for _, n := range names {
			frames := decReadCapture(f, filepath.Base(n))
			for i, fr := range frames {
				if i >= 8 { // a few per file keep the seed corpus quick
					break
				}
				f.Add(fr.data, lti(fr.linkType))
			}
		}
	}
	for _, tc := range decSynthCases() {
		f.Add(tc.data, lti(tc.linkType))
	}
	f.Fuzz(func(t *testing.T, data []byte, lt uint8) {
		linkType := decFuzzLinkTypes[int(lt)%len(decFuzzLinkTypes)]
		d := NewDecoder()
		var fr Frame
		// Twice: the second pass meets the fragment state the first left.
		for pass := 0; pass < 2; pass++ {
			d.Decode(data, linkType, len(data)+int(lt), int64(pass)*31e9, &fr)
			decFuzzCheck(t, data, &fr, len(data)+int(lt))
		}
		d.Flush()
		s := d.FragStats()
		if s.Unattributed > s.Fragments || s.Incomplete > s.Fragments {
			t.Fatalf("FragStats %+v", s)
		}
	})
}

// decFuzzCaptureDir is decCaptureDir without the skipping.
func decFuzzCaptureDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			caps := filepath.Join(dir, "testdata", "captures")
			if _, err := os.Stat(caps); err == nil {
				return caps
			}
			return ""
		}
		up := filepath.Dir(dir)
		if up == dir {
			return ""
		}
		dir = up
	}
}

// decFuzzCheck checks what must hold for any decoded frame.
func decFuzzCheck(t *testing.T, data []byte, f *Frame, origLen int) {
	t.Helper()
	if f.N < 0 || f.N > MaxPackets {
		t.Fatalf("N=%d", f.N)
	}
	if f.N == 0 && f.Skip == SkipNone {
		t.Fatalf("no packet and no skip reason")
	}
	if f.Skip >= SkipCount {
		t.Fatalf("skip %d", f.Skip)
	}
	if f.Len != origLen || f.CapLen != len(data) {
		t.Fatalf("Len %d CapLen %d", f.Len, f.CapLen)
	}
	if (f.Skip == SkipNonIP || f.Skip == SkipUnknownLinkType) && f.N != 0 {
		t.Fatalf("skip %v with %d packets", f.Skip, f.N)
	}
	for i := 0; i < f.N; i++ {
		p := &f.Packets[i]
		if p.Parent != i-1 {
			t.Fatalf("packet %d: Parent %d", i, p.Parent)
		}
		if p.VLAN != f.Packets[0].VLAN {
			t.Fatalf("packet %d: VLAN %d, outer %d", i, p.VLAN, f.Packets[0].VLAN)
		}
		minIP := 20
		if p.Key.V6 {
			minIP = 40
		}
		if p.IPLen < minIP || p.PayloadLen < 0 || p.ExtraPackets < 0 || p.ExtraIPLen < 0 {
			t.Fatalf("packet %d: IPLen %d PayloadLen %d extra %d/%d", i, p.IPLen, p.PayloadLen, p.ExtraPackets, p.ExtraIPLen)
		}
		if !p.Fragment && p.PayloadLen > p.IPLen {
			t.Fatalf("packet %d: PayloadLen %d > IPLen %d", i, p.PayloadLen, p.IPLen)
		}
		if !p.L4 && !p.Fragment {
			t.Fatalf("packet %d: no L4 and no fragment", i)
		}
		if !decAliases(p.Payload, data) {
			t.Fatalf("packet %d: payload outside the frame", i)
		}
		if p.Carries != TunnelNone && i == f.N-1 {
			t.Fatalf("packet %d carries %v but is innermost", i, p.Carries)
		}
		if !p.Key.V6 && (p.Key.Src[10] != 0xff || p.Key.Src[11] != 0xff || p.Key.Dst[10] != 0xff) {
			t.Fatalf("packet %d: IPv4 address not IPv4-mapped", i)
		}
	}
}
