//go:build !cgo

package capture

import "errors"

// Filter matches packets against a tcpdump-syntax expression; without cgo there is no libpcap to compile it.
type Filter struct{}

// NewFilter always fails: BPF compilation needs libpcap through cgo.
func NewFilter(expr string) (*Filter, error) {
	return nil, &FilterError{Expr: expr, LinkType: LinkTypeEthernet,
		Err: errors.New("filters need libpcap: build with CGO_ENABLED=1"), invalid: true}
}

// String returns "".
func (f *Filter) String() string { return "" }

// Match returns false.
func (f *Filter) Match(p *Packet) bool { return false }

// FilterErrors returns nil.
func (f *Filter) FilterErrors() map[uint32]error { return nil }
