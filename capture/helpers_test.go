package capture

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// pcapFile builds a little-endian microsecond pcap.
func pcapFile(linkType uint32, snaplen uint32, pkts ...Packet) []byte {
	var b bytes.Buffer
	h := make([]byte, 24)
	binary.LittleEndian.PutUint32(h, magicPcapUs)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], snaplen)
	binary.LittleEndian.PutUint32(h[20:], linkType)
	b.Write(h)
	for _, p := range pkts {
		b.Write(pcapRecord(p.Timestamp, uint32(len(p.Data)), uint32(p.Len)))
		b.Write(p.Data)
	}
	return b.Bytes()
}

func pcapRecord(ts time.Time, caplen, wirelen uint32) []byte {
	r := make([]byte, 16)
	binary.LittleEndian.PutUint32(r, uint32(ts.Unix()))
	binary.LittleEndian.PutUint32(r[4:], uint32(ts.Nanosecond()/1000))
	binary.LittleEndian.PutUint32(r[8:], caplen)
	binary.LittleEndian.PutUint32(r[12:], wirelen)
	return r
}

// ngBlock builds a little-endian pcapng block around body (padded to 4).
func ngBlock(typ uint32, body []byte) []byte {
	pad := (4 - len(body)%4) % 4
	n := uint32(12 + len(body) + pad)
	b := binary.LittleEndian.AppendUint32(nil, typ)
	b = binary.LittleEndian.AppendUint32(b, n)
	b = append(b, body...)
	b = append(b, make([]byte, pad)...)
	return binary.LittleEndian.AppendUint32(b, n)
}

func ngSHBBlock() []byte {
	body := binary.LittleEndian.AppendUint32(nil, ngBOM)
	body = binary.LittleEndian.AppendUint16(body, 1)
	body = binary.LittleEndian.AppendUint16(body, 0)
	body = binary.LittleEndian.AppendUint64(body, ^uint64(0))
	return ngBlock(ngSHB, body)
}

// ngIDBBlock builds an interface with microsecond resolution.
func ngIDBBlock(linkType uint16, snaplen uint32) []byte {
	body := binary.LittleEndian.AppendUint16(nil, linkType)
	body = binary.LittleEndian.AppendUint16(body, 0)
	body = binary.LittleEndian.AppendUint32(body, snaplen)
	return ngBlock(ngIDB, body)
}

func ngEPBBlock(ifc uint32, ts time.Time, data []byte, wirelen int) []byte {
	us := uint64(ts.UnixMicro())
	body := binary.LittleEndian.AppendUint32(nil, ifc)
	body = binary.LittleEndian.AppendUint32(body, uint32(us>>32))
	body = binary.LittleEndian.AppendUint32(body, uint32(us))
	body = binary.LittleEndian.AppendUint32(body, uint32(len(data)))
	body = binary.LittleEndian.AppendUint32(body, uint32(wirelen))
	body = append(body, data...)
	return ngBlock(ngEPB, body)
}

// frame returns n bytes of recognisable packet content.
func frame(seed, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(seed*31 + i)
	}
	return b
}

func gzipBytes(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zstdBytes(t testing.TB, data []byte) []byte {
	w, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	return w.EncodeAll(data, nil)
}

func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readCapture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(capture(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// ngBlockSpan is one block of a pcapng file, found by walking it.
type ngBlockSpan struct {
	start, end int
	packet     bool
}

// walkPcapng lists the blocks of a well-formed pcapng file in either byte order.
func walkPcapng(t testing.TB, data []byte) []ngBlockSpan {
	var out []ngBlockSpan
	var bo binary.ByteOrder = binary.LittleEndian
	for off := 0; off < len(data); {
		if binary.LittleEndian.Uint32(data[off:]) == ngSHB {
			if binary.BigEndian.Uint32(data[off+8:]) == ngBOM {
				bo = binary.BigEndian
			} else {
				bo = binary.LittleEndian
			}
		}
		typ, n := bo.Uint32(data[off:]), int(bo.Uint32(data[off+4:]))
		if n < 12 || off+n > len(data) {
			t.Fatalf("walkPcapng: bad block at %d", off)
		}
		out = append(out, ngBlockSpan{off, off + n, typ == ngEPB || typ == ngSPB || typ == ngPB})
		off += n
	}
	return out
}
