//go:build cgo && !purego && !linux

package capture

import "errors"

func openAFPacket(o LiveOptions) (*Live, error) {
	err := errors.New("the afpacket engine is Linux only; use --engine libpcap")
	return nil, &Error{Path: o.Interface, iface: true, Kind: IO, Err: err, detail: err.Error()}
}
