//go:build cgo && !purego

package capture

import (
	"errors"
	"runtime"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
)

// filterSnaplen is the snap length filters are compiled for: libpcap's
// maximum, so no expression is rejected for looking too deep.
const filterSnaplen = 262144

// Filter matches packets against a tcpdump-syntax expression; not safe for concurrent use.
type Filter struct {
	// libpcap compiles for one link type, and pcapng interfaces may differ:
	// a program is compiled lazily for each link type met.
	expr  string
	progs map[uint32]*pcap.BPF // nil value: does not compile for that link type
	errs  map[uint32]error

	lastLT   uint32 // one-entry cache in front of progs
	lastProg *pcap.BPF
	haveLast bool
}

// NewFilter compiles expr for Ethernet to validate it; the error is a *FilterError.
func NewFilter(expr string) (*Filter, error) {
	f := &Filter{expr: expr, progs: map[uint32]*pcap.BPF{}, errs: map[uint32]error{}}
	if _, err := f.compile(LinkTypeEthernet); err != nil {
		err.(*FilterError).invalid = true
		return nil, err
	}
	return f, nil
}

// String returns the expression.
func (f *Filter) String() string { return f.expr }

// compile returns the program for lt, compiling it on first use.
func (f *Filter) compile(lt uint32) (*pcap.BPF, error) {
	if prog, ok := f.progs[lt]; ok {
		return prog, f.errs[lt]
	}
	var prog *pcap.BPF
	var err error
	if lt > 0xffff {
		err = errors.New("link type out of libpcap's range")
	} else {
		prog, err = pcap.NewBPF(layers.LinkType(linkTypeToDLT(lt)), filterSnaplen, f.expr)
	}
	if err != nil {
		prog = nil
		f.errs[lt] = &FilterError{Expr: f.expr, LinkType: lt, Err: err}
	}
	f.progs[lt] = prog
	return prog, f.errs[lt]
}

// linkTypeToDLT converts the LINKTYPE_* value stored in files to the DLT_*
// value libpcap's compiler takes. They are equal except for a few types
// whose DLT_* numbers differ between platforms.
func linkTypeToDLT(lt uint32) uint32 {
	switch lt {
	case 100:
		return 11 // ATM_RFC1483
	case LinkTypeRaw:
		if runtime.GOOS == "openbsd" {
			return 14
		}
		return 12
	case 102:
		return 15 // SLIP_BSDOS
	case 103:
		return 16 // PPP_BSDOS
	}
	return lt
}

// Match reports whether p matches; always false for link types the expression cannot be compiled for.
func (f *Filter) Match(p *Packet) bool {
	if !f.haveLast || p.LinkType != f.lastLT {
		f.lastProg, _ = f.compile(p.LinkType)
		f.lastLT, f.haveLast = p.LinkType, true
	}
	if f.lastProg == nil {
		return false
	}
	ci := gopacket.CaptureInfo{Timestamp: p.Timestamp, CaptureLength: p.CapLen, Length: p.Len}
	return f.lastProg.Matches(ci, p.Data)
}

// FilterErrors returns, per link type met, why the expression could not be compiled for it.
func (f *Filter) FilterErrors() map[uint32]error {
	out := make(map[uint32]error, len(f.errs))
	for lt, err := range f.errs {
		out[lt] = err
	}
	return out
}
