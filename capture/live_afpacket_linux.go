//go:build linux && cgo && !purego

package capture

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gopacket/gopacket/afpacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
	"golang.org/x/net/bpf"
)

// afpEngine reads an AF_PACKET TPACKET_V3 ring directly, in Go: no cgo
// call per packet.
type afpEngine struct {
	tp      *afpacket.TPacket
	name    string
	ifindex uint64
	ifDrop0 uint64 // the interface's missed + fifo errors when the capture opened
	ifDrop  uint64 // the last value read
	// Frames stamped before the filter was attached went into the ring
	// unfiltered; they are skipped (unix ns, 0: nothing to skip).
	skipBefore int64
	closed     bool
}

// ARPHRD_* values whose frames AF_PACKET hands over with an Ethernet header
// or none at all.
const (
	arphrdEther = 1
	arphrdNone  = 65534
)

func openAFPacket(o LiveOptions) (*Live, error) {
	fail := func(kind Kind, err error, detail string) (*Live, error) {
		return nil, &Error{Path: o.Interface, iface: true, Kind: kind, Err: err, detail: detail}
	}
	if o.Interface == "any" {
		return fail(IO, nil, "the afpacket engine captures one interface; use --engine libpcap for any")
	}
	if hasWord(o.Filter, "vlan") {
		return nil, &FilterError{Expr: o.Filter, LinkType: LinkTypeEthernet, invalid: true,
			Err: errors.New("vlan filters need --engine libpcap: the kernel takes the tags off before the socket filter runs")}
	}
	ifc, err := net.InterfaceByName(o.Interface)
	if err != nil {
		return fail(NotFound, err, "no such interface (flowscope -D lists the interfaces)")
	}
	var lt uint32
	switch hw := sysfsUint(ifc.Name, "type"); hw {
	case arphrdEther:
		lt = LinkTypeEthernet
	case arphrdNone:
		lt = LinkTypeRaw
	default:
		// Loopback among them: each packet comes twice (sent and received),
		// and gopacket's ring reader does not say which copy is which.
		return fail(IO, nil, fmt.Sprintf("the afpacket engine reads Ethernet and raw IP interfaces, not hardware type %d; use --engine libpcap", hw))
	}

	const blockSize = 1 << 20 // holds the largest frame; the ring is whole blocks
	blocks := max(o.BufferSize/blockSize, 8)
	blockTimeout := 10 * time.Millisecond
	if o.Immediate {
		blockTimeout = time.Millisecond
	}
	tp, err := afpacket.NewTPacket(afpacket.OptInterface(o.Interface), afpacket.TPacketVersion3,
		afpacket.OptFrameSize(1<<16), afpacket.OptBlockSize(blockSize), afpacket.OptNumBlocks(blocks),
		afpacket.OptBlockTimeout(blockTimeout), afpacket.OptPollTimeout(o.Poll), afpacket.OptAddVLANHeader(true))
	if err != nil {
		if errors.Is(err, syscall.EPERM) || errors.Is(err, fs.ErrPermission) {
			return fail(Permission, err, "permission denied: capturing needs the CAP_NET_RAW capability (and CAP_NET_ADMIN for promiscuous mode)")
		}
		return fail(IO, err, "cannot capture: "+err.Error())
	}
	e := &afpEngine{tp: tp, name: o.Interface, ifindex: uint64(ifc.Index)}
	e.ifDrop0, _ = ifDrops(o.Interface)
	e.ifDrop = e.ifDrop0
	l := &Live{eng: e, name: o.Interface, linkType: lt, snaplen: o.Snaplen}
	if o.Promisc {
		if err := tp.SetPromiscuous(true); err != nil {
			e.close()
			return fail(Permission, err, "permission denied: promiscuous mode needs CAP_NET_ADMIN (or -p): "+err.Error())
		}
	}
	if o.Filter != "" {
		if err := setAFPFilter(tp, lt, o.Snaplen, o.Filter); err != nil {
			e.close()
			return nil, &FilterError{Expr: o.Filter, LinkType: lt, Err: err, invalid: true}
		}
		e.skipBefore = time.Now().UnixNano()
	}
	// Counted from here: what the socket saw before the filter was set is not ours.
	if err := tp.InitSocketStats(); err != nil {
		e.close()
		return fail(IO, err, "capture statistics: "+err.Error())
	}
	return l, nil
}

// setAFPFilter compiles expr with libpcap and attaches it to the socket.
func setAFPFilter(tp *afpacket.TPacket, lt uint32, snaplen int, expr string) error {
	ins, err := pcap.CompileBPFFilter(layers.LinkType(linkTypeToDLT(lt)), snaplen, expr)
	if err != nil {
		return err
	}
	raw := make([]bpf.RawInstruction, len(ins))
	for i, in := range ins {
		raw[i] = bpf.RawInstruction{Op: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	return tp.SetBPF(raw)
}

// sysfsUint reads a number from /sys/class/net/NAME/FILE, 0 if it cannot.
func sysfsUint(name, file string) uint64 {
	n, _ := sysfsRead(name, file)
	return n
}

func sysfsRead(name, file string) (uint64, bool) {
	b, err := os.ReadFile("/sys/class/net/" + name + "/" + file)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return n, err == nil
}

// ifDrops is what libpcap counts as dropped by the interface: frames the
// NIC missed or lost in its FIFO (rx_dropped also counts frames the stack
// refused, which are no loss of capture).
func ifDrops(name string) (uint64, bool) {
	missed, ok1 := sysfsRead(name, "statistics/rx_missed_errors")
	fifo, ok2 := sysfsRead(name, "statistics/rx_fifo_errors")
	return missed + fifo, ok1 && ok2
}

// hasWord reports whether expr has word as a token.
func hasWord(expr, word string) bool {
	f := func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') }
	for _, w := range strings.FieldsFunc(expr, f) {
		if strings.EqualFold(w, word) {
			return true
		}
	}
	return false
}

func (e *afpEngine) read() ([]byte, time.Time, int, error) {
	for {
		data, ci, err := e.tp.ZeroCopyReadPacketData()
		switch {
		case err == nil:
			if e.skipBefore != 0 {
				if ci.Timestamp.UnixNano() < e.skipBefore {
					continue
				}
				e.skipBefore = 0
			}
			return data, ci.Timestamp, ci.Length, nil
		case e.closed:
			return nil, time.Time{}, 0, io.EOF
		case errors.Is(err, afpacket.ErrTimeout), errors.Is(err, afpacket.ErrPoll):
			// A deleted or downed interface shows as a failed poll or as
			// silence; say which, in libpcap's words. sysfs is cheap to
			// read, and the index tells a new interface of the same name.
			if idx, ok := sysfsRead(e.name, "ifindex"); !ok || idx != e.ifindex {
				return nil, time.Time{}, 0, errors.New("The interface disappeared")
			}
			if errors.Is(err, afpacket.ErrTimeout) {
				return nil, time.Time{}, 0, ErrNoPacket
			}
			if b, rerr := os.ReadFile("/sys/class/net/" + e.name + "/operstate"); rerr == nil && strings.TrimSpace(string(b)) == "down" {
				return nil, time.Time{}, 0, errors.New("The interface went down")
			}
		}
		return nil, time.Time{}, 0, err
	}
}

func (e *afpEngine) counters() ([3]uint32, error) {
	_, v3, err := e.tp.SocketStats()
	if err != nil {
		return [3]uint32{}, err
	}
	// The kernel's packet count includes its drops; libpcap's the same.
	if n, ok := ifDrops(e.name); ok && n >= e.ifDrop0 {
		e.ifDrop = n // else (gone, or reset): the last good value
	}
	return [3]uint32{uint32(v3.Packets()), uint32(v3.Drops()), uint32(e.ifDrop - e.ifDrop0)}, nil
}

func (e *afpEngine) close() {
	if !e.closed {
		e.closed = true
		e.tp.Close()
	}
}
