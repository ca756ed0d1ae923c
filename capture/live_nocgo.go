//go:build !cgo || purego

package capture

import "errors"

// Live is a live capture handle; the pure-Go build (without cgo, or -tags purego) has none.
type Live struct{}

var errNoLibpcap = errors.New("live capture needs libpcap: this is the pure-Go build; build with a C compiler and without -tags purego")

// OpenLive always fails: live capture needs libpcap through cgo.
func OpenLive(o LiveOptions) (*Live, error) {
	return nil, &Error{Path: o.Interface, iface: true, Kind: IO, Err: errNoLibpcap, detail: errNoLibpcap.Error()}
}

// Name returns "".
func (l *Live) Name() string { return "" }

// Reads returns nothing.
func (l *Live) Reads() []string { return nil }

// LinkType returns 0.
func (l *Live) LinkType() uint32 { return 0 }

// Snaplen returns 0.
func (l *Live) Snaplen() int { return 0 }

// Next fails: there is no capture.
func (l *Live) Next(p *Packet) error { return errNoLibpcap }

// Stats returns nothing.
func (l *Live) Stats() (LiveStats, error) { return LiveStats{}, errNoLibpcap }

// Close does nothing.
func (l *Live) Close() error { return nil }

// Interfaces fails without libpcap.
func Interfaces() ([]Interface, error) { return nil, errNoLibpcap }

// LibraryVersion returns "".
func LibraryVersion() string { return "" }
