package capture

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Writer saves packets to a capture file: pcapng when the name ends in
// .pcapng, otherwise pcap with nanosecond timestamps.
type Writer struct {
	path    string
	f       *os.File
	bw      *bufio.Writer
	pcap    *pcapgo.Writer
	ng      *pcapgo.NgWriter
	packets uint64
}

// WriterInfo describes the interface the packets come from.
type WriterInfo struct {
	LinkType  uint32
	Snaplen   int
	Interface string // recorded in pcapng's interface block
	Filter    string // recorded in pcapng's interface block
}

// CreateWriter creates (or truncates) path and writes the file header.
func CreateWriter(path string, info WriterInfo) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", path, err)
	}
	w := &Writer{path: path, f: f, bw: bufio.NewWriterSize(f, 1<<16)}
	lt := layers.LinkType(info.LinkType)
	if strings.HasSuffix(strings.ToLower(path), ".pcapng") {
		w.ng, err = pcapgo.NewNgWriterInterface(w.bw, pcapgo.NgInterface{
			Name: info.Interface, Filter: info.Filter, OS: runtime.GOOS, LinkType: lt,
			SnapLength: uint32(info.Snaplen), TimestampResolution: 9,
		}, pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "flowscope"}})
	} else {
		w.pcap = pcapgo.NewWriterNanos(w.bw)
		err = w.pcap.WriteFileHeader(uint32(info.Snaplen), lt)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return w, nil
}

// Write appends one packet.
func (w *Writer) Write(p *Packet) error {
	ci := gopacket.CaptureInfo{Timestamp: p.Timestamp, CaptureLength: len(p.Data), Length: max(p.Len, len(p.Data))}
	var err error
	if w.ng != nil {
		err = w.ng.WritePacket(ci, p.Data)
	} else {
		err = w.pcap.WritePacket(ci, p.Data)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", w.path, err)
	}
	w.packets++
	return nil
}

// WriteStats records a live capture's counters in a pcapng file (an
// interface statistics block: received, dropped, start and end), so that
// Wireshark shows what the capture lost; a pcap file has no place for them.
func (w *Writer) WriteStats(start, end time.Time, s LiveStats) error {
	if w.ng == nil {
		return nil
	}
	err := w.ng.WriteInterfaceStats(0, pcapgo.NgInterfaceStatistics{
		LastUpdate: end, StartTime: start, EndTime: end,
		PacketsReceived: s.Received, PacketsDropped: s.Dropped + s.IfDropped,
	})
	if err != nil {
		return fmt.Errorf("writing %s: %w", w.path, err)
	}
	return nil
}

// Packets returns the packets written so far.
func (w *Writer) Packets() uint64 { return w.packets }

// Flush pushes buffered packets to the file, so that it is valid up to here.
func (w *Writer) Flush() error {
	var err error
	if w.ng != nil {
		err = w.ng.Flush()
	}
	if err == nil {
		err = w.bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", w.path, err)
	}
	return nil
}

// Close flushes and closes the file.
func (w *Writer) Close() error {
	err := w.Flush()
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing %s: %w", w.path, cerr)
	}
	return err
}
