package quicmeta

import (
	"bytes"
	"errors"
	"testing"
)

// TestMemoryFollowsData: an Assembler holds a CRYPTO buffer only once an
// Initial decrypted, sized to the highest offset stored; keys only when
// they opened a packet; and no copy of the packet between datagrams.
func TestMemoryFollowsData(t *testing.T) {
	dcid := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	ch := handshake(3000)
	pad := make([]byte, 40)
	type step struct {
		datagram []byte
		err      error
		bufLen   int // CRYPTO buffer after the datagram
		keys     int // keys kept
	}
	garbage := initialPacket(t, Version1, []byte{9, 9, 9, 9, 9, 9, 9, 9}, dcid, 0, cat(cryptoFrame(0, ch[:100]), pad))
	tests := []struct {
		name   string
		steps  []step
		wantOK bool
	}{
		{"an Initial that does not decrypt holds nothing", []step{
			{garbage, ErrDecrypt, 0, 0},
			{garbage, ErrDecrypt, 0, 0},
		}, false},
		{"in order, growing", []step{
			{initialPacket(t, Version1, dcid, dcid, 0, cat(cryptoFrame(0, ch[:100]), pad)), nil, 512, 1},
			{initialPacket(t, Version1, dcid, dcid, 1, cat(cryptoFrame(100, ch[100:1000]), pad)), nil, 1024, 1},
			{initialPacket(t, Version1, dcid, dcid, 2, cat(cryptoFrame(1000, ch[1000:]), pad)), nil, 4096, 1},
		}, true},
		{"the far end first", []step{
			{initialPacket(t, Version1, dcid, dcid, 0, cat(cryptoFrame(2000, ch[2000:]), pad)), nil, 4096, 1},
			{garbage, ErrDecrypt, 4096, 1},
			{initialPacket(t, Version1, dcid, dcid, 1, cat(cryptoFrame(0, ch[:2000]), pad)), nil, 4096, 1},
		}, true},
		{"an offset past the limit stores nothing", []step{
			{initialPacket(t, Version1, dcid, dcid, 0, cat(cryptoFrame(MaxCryptoData, ch[:10]), pad)), nil, 0, 1},
			{initialPacket(t, Version1, dcid, dcid, 1, cat(cryptoFrame(MaxCryptoData-10, ch[:100]), pad)), nil, MaxCryptoData, 1},
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var a Assembler
			for i, st := range tc.steps {
				if err := a.Add(st.datagram); !errors.Is(err, st.err) {
					t.Fatalf("datagram %d: err %v, want %v", i, err, st.err)
				}
				if len(a.buf) != st.bufLen || len(a.have) != st.bufLen/64 || len(a.cache) != st.keys || a.scratch != nil {
					t.Fatalf("datagram %d: buffer %d, bitmap %d words, %d keys, scratch %d; want %d, %d keys, no scratch",
						i, len(a.buf), len(a.have), len(a.cache), len(a.scratch), st.bufLen, st.keys)
				}
			}
			msg, ok := a.ClientHello()
			if ok != tc.wantOK || a.HasClientHello() != ok || (ok && !bytes.Equal(msg, ch)) {
				t.Errorf("ClientHello ok=%v (has %v), want %v", ok, a.HasClientHello(), tc.wantOK)
			}
		})
	}
}
