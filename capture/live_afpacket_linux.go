//go:build linux && cgo

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
	ifDrop0 uint64 // the interface's rx_dropped when the capture opened
	closed  bool
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
	e := &afpEngine{tp: tp, name: o.Interface, ifDrop0: sysfsUint(o.Interface, "statistics/rx_dropped")}
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
	b, err := os.ReadFile("/sys/class/net/" + name + "/" + file)
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return n
}

func (e *afpEngine) read() ([]byte, time.Time, int, error) {
	data, ci, err := e.tp.ZeroCopyReadPacketData()
	switch {
	case err == nil:
		return data, ci.Timestamp, ci.Length, nil
	case e.closed:
		return nil, time.Time{}, 0, io.EOF
	case errors.Is(err, afpacket.ErrTimeout), errors.Is(err, afpacket.ErrPoll):
		// A deleted interface shows as a failed poll or as silence; say
		// which, in libpcap's words.
		if _, ierr := net.InterfaceByName(e.name); ierr != nil {
			return nil, time.Time{}, 0, errors.New("The interface disappeared")
		}
		if errors.Is(err, afpacket.ErrTimeout) {
			return nil, time.Time{}, 0, ErrNoPacket
		}
	}
	return nil, time.Time{}, 0, err
}

func (e *afpEngine) counters() ([3]uint32, error) {
	_, v3, err := e.tp.SocketStats()
	if err != nil {
		return [3]uint32{}, err
	}
	// The kernel's packet count includes its drops; libpcap's the same.
	ifDrop := sysfsUint(e.name, "statistics/rx_dropped") - e.ifDrop0
	return [3]uint32{uint32(v3.Packets()), uint32(v3.Drops()), uint32(ifDrop)}, nil
}

func (e *afpEngine) close() {
	if !e.closed {
		e.closed = true
		e.tp.Close()
	}
}
