package capture

import (
	"errors"
	"net"
	"time"
)

// LiveOptions configures a live capture.
type LiveOptions struct {
	Interface  string        // name as -D lists it; "any" for every interface
	Snaplen    int           // bytes kept of each packet (0: 262144)
	Promisc    bool          // put the interface in promiscuous mode
	BufferSize int           // kernel ring size in bytes (0: libpcap's default, 2 MiB)
	Immediate  bool          // deliver each packet as it arrives, not in batches
	Filter     string        // BPF expression, run in the kernel
	Poll       time.Duration // longest Next waits before returning ErrNoPacket (0: 100ms)
	Engine     string        // "libpcap" (or "") or "afpacket" (Linux)
}

// ErrNoPacket is returned by Live.Next when no packet came within the poll interval.
var ErrNoPacket = errors.New("no packet within the poll interval")

// LiveStats are libpcap's counters for a live capture.
type LiveStats struct {
	Received  uint64 // packets that passed the filter, as libpcap counts them
	Dropped   uint64 // dropped by the kernel: the capture buffer was full
	IfDropped uint64 // dropped by the interface or its driver
	Captured  uint64 // packets handed to the caller
}

// Interface is a capture device as libpcap lists it.
type Interface struct {
	Name        string
	Description string
	Up, Running bool
	Loopback    bool
	Addresses   []net.IPNet
}
