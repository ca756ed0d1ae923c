package capture

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzOpen: any input either reads to io.EOF or fails with an *Error; it
// never panics, and CapLen always matches Data.
func FuzzOpen(f *testing.F) {
	for _, name := range []string{"gopacket__test202.pcapng", "zeek__pcapng-multi-interface.pcapng",
		"ndpi__fuzz-2021-10-13.pcap", "tcpdump__tcp-handshake-nano.pcap", "ndpi__dns.pcap"} {
		f.Add(readCapture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := Open(bytes.NewReader(data), "fuzz")
		for err == nil {
			var p Packet
			if err = src.Next(&p); err == nil && p.CapLen != len(p.Data) {
				t.Fatalf("CapLen %d, len(Data) %d", p.CapLen, len(p.Data))
			}
		}
		var e *Error
		if err != io.EOF && !errors.As(err, &e) {
			t.Fatalf("error %v (%T) is not an *Error", err, err)
		}
	})
}
