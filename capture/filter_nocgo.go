//go:build !cgo || purego

package capture

import "errors"

// Filter matches packets against a tcpdump-syntax expression; without cgo there is no libpcap to compile it.
type Filter struct{}

// NewFilter always fails: BPF compilation needs libpcap through cgo.
func NewFilter(expr string) (*Filter, error) {
	return nil, &FilterError{Expr: expr, LinkType: LinkTypeEthernet,
		Err: errors.New("BPF filters need libpcap: this is the pure-Go build; build with a C compiler and without -tags purego"), invalid: true}
}

// String returns "".
func (f *Filter) String() string { return "" }

// Match returns false.
func (f *Filter) Match(p *Packet) bool { return false }

// FilterErrors returns nil.
func (f *Filter) FilterErrors() map[uint32]error { return nil }
