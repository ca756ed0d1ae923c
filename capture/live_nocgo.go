//go:build !cgo

package capture

import (
	"errors"
	"net"
	"time"
)

// LiveOptions configures a live capture.
type LiveOptions struct {
	Interface  string
	Snaplen    int
	Promisc    bool
	BufferSize int
	Immediate  bool
	Filter     string
	Poll       time.Duration
}

// ErrNoPacket is returned by Live.Next when no packet came within the poll interval.
var ErrNoPacket = errors.New("no packet within the poll interval")

// LiveStats are libpcap's counters for a live capture.
type LiveStats struct{ Received, Dropped, IfDropped, Captured uint64 }

// Live is a live capture handle; without cgo there is none.
type Live struct{}

var errNoLibpcap = errors.New("live capture needs libpcap: build with CGO_ENABLED=1")

// OpenLive always fails: live capture needs libpcap through cgo.
func OpenLive(o LiveOptions) (*Live, error) {
	return nil, &Error{Path: o.Interface, Kind: IO, Err: errNoLibpcap, detail: errNoLibpcap.Error()}
}

// Name returns "".
func (l *Live) Name() string { return "" }

// LinkType returns 0.
func (l *Live) LinkType() uint32 { return 0 }

// Snaplen returns 0.
func (l *Live) Snaplen() int { return 0 }

// Next returns io.EOF-like failure.
func (l *Live) Next(p *Packet) error { return errNoLibpcap }

// Stats returns nothing.
func (l *Live) Stats() (LiveStats, error) { return LiveStats{}, errNoLibpcap }

// Close does nothing.
func (l *Live) Close() error { return nil }

// Interface is a capture device as libpcap lists it.
type Interface struct {
	Name        string
	Description string
	Up, Running bool
	Loopback    bool
	Addresses   []net.IPNet
}

// Interfaces fails without libpcap.
func Interfaces() ([]Interface, error) { return nil, errNoLibpcap }

// LibraryVersion returns "".
func LibraryVersion() string { return "" }
