//go:build cgo && !purego

package capture

import (
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
)

// Live is an open live capture handle.
type Live struct {
	eng      engine
	name     string
	linkType uint32
	snaplen  int
	packets  uint64

	// The engines' counters are 32 bits wide; their differences are summed.
	lastRaw [3]uint32
	total   [3]uint64
}

// engine is a way of capturing: libpcap, or AF_PACKET directly.
type engine interface {
	// read returns the next frame (valid until the next call), ErrNoPacket
	// after the poll interval, io.EOF once closed, or another error.
	read() (data []byte, ts time.Time, wireLen int, err error)
	// counters returns received, dropped by the kernel and dropped by the
	// interface, each modulo 2^32.
	counters() ([3]uint32, error)
	close()
}

// OpenLive opens an interface for capture with the engine o.Engine names
// ("" or "libpcap", "afpacket"). Errors are *Error (NotFound, Permission,
// IO) or *FilterError.
func OpenLive(o LiveOptions) (*Live, error) {
	if o.Snaplen <= 0 {
		o.Snaplen = maxRecordDefault
	}
	if o.Poll <= 0 {
		o.Poll = 100 * time.Millisecond
	}
	switch o.Engine {
	case "", "libpcap":
		return openPcap(o)
	case "afpacket":
		return openAFPacket(o)
	}
	return nil, &Error{Path: o.Interface, iface: true, Kind: IO, detail: fmt.Sprintf("unknown capture engine %q", o.Engine)}
}

// pcapEngine captures through libpcap.
type pcapEngine struct {
	h    *pcap.Handle
	name string
}

func openPcap(o LiveOptions) (*Live, error) {
	in, err := pcap.NewInactiveHandle(o.Interface)
	if err != nil {
		return nil, &Error{Path: o.Interface, iface: true, Kind: IO, Err: err, detail: err.Error()}
	}
	defer in.CleanUp()
	set := func(what string, err error) error {
		if err != nil {
			return &Error{Path: o.Interface, iface: true, Kind: IO, Err: err, detail: "setting " + what + ": " + err.Error()}
		}
		return nil
	}
	if err := set("snap length", in.SetSnapLen(o.Snaplen)); err != nil {
		return nil, err
	}
	if err := set("promiscuous mode", in.SetPromisc(o.Promisc)); err != nil {
		return nil, err
	}
	if err := set("read timeout", in.SetTimeout(o.Poll)); err != nil {
		return nil, err
	}
	if o.BufferSize > 0 {
		if err := set("buffer size", in.SetBufferSize(o.BufferSize)); err != nil {
			return nil, err
		}
	}
	if o.Immediate {
		if err := set("immediate mode", in.SetImmediateMode(true)); err != nil {
			return nil, err
		}
	}
	h, err := in.Activate()
	if err != nil {
		return nil, activateError(o.Interface, err)
	}
	l := &Live{eng: &pcapEngine{h: h, name: o.Interface}, name: o.Interface, snaplen: h.SnapLen()}
	if o.Interface == "any" {
		// SLL2 names the interface and keeps the full protocol field;
		// older libpcap offers only SLL, which is kept then.
		if dls, err := h.ListDataLinks(); err == nil {
			for _, dl := range dls {
				if dl.Name == "LINUX_SLL2" {
					_ = h.SetLinkType(layers.LinkType(LinkTypeLinuxSLL2))
				}
			}
		}
	}
	l.linkType = dltToLinkType(uint32(h.LinkType()))
	if o.Filter != "" {
		if err := h.SetBPFFilter(o.Filter); err != nil {
			l.eng.close()
			return nil, &FilterError{Expr: o.Filter, LinkType: l.linkType, Err: err, invalid: true}
		}
	}
	return l, nil
}

// activateError turns libpcap's activation failure into an *Error whose
// kind says what the user can do about it.
func activateError(name string, err error) error {
	msg := err.Error()
	e := &Error{Path: name, iface: true, Kind: IO, Err: err, detail: "cannot capture: " + msg}
	switch msg {
	case "Permission Denied":
		e.Kind = Permission
		e.detail = "permission denied: capturing needs the CAP_NET_RAW capability (and CAP_NET_ADMIN for promiscuous mode)"
	case "No Such Device":
		e.Kind = NotFound
		e.detail = "no such interface (flowscope -D lists the interfaces)"
		if _, ierr := net.InterfaceByName(name); ierr == nil {
			e.detail = "libpcap cannot capture on this interface"
		}
	case "Interface Not Up":
		e.detail = "the interface is down (ip link set " + name + " up)"
	}
	if strings.Contains(msg, "Operation not permitted") || strings.Contains(msg, "ermission denied") {
		e.Kind = Permission
		e.detail = "permission denied: capturing needs the CAP_NET_RAW capability (and CAP_NET_ADMIN for promiscuous mode): " + msg
	}
	return e
}

// dltToLinkType converts libpcap's DLT_* to the LINKTYPE_* used in files.
func dltToLinkType(dlt uint32) uint32 {
	switch dlt {
	case 12, 14:
		return LinkTypeRaw
	}
	return dlt
}

// Name returns the interface name.
func (l *Live) Name() string { return l.name }

// Reads lists the directories the capture reads while it runs, for a
// sandbox to leave open: the interface's sysfs directory (its drop
// counters, its index and state: both engines read them), resolved, since
// /sys/class/net holds only links to it.
func (l *Live) Reads() []string {
	dir, err := filepath.EvalSymlinks("/sys/class/net/" + l.name)
	if err != nil {
		return nil // "any", or not Linux: nothing to read
	}
	return []string{dir}
}

// LinkType returns the LINKTYPE_* of the captured frames.
func (l *Live) LinkType() uint32 { return l.linkType }

// Snaplen returns the snap length in force.
func (l *Live) Snaplen() int { return l.snaplen }

// Next reads the next packet into p (Data valid until the next call). It
// returns ErrNoPacket when none came within the poll interval and io.EOF
// once the handle is closed.
func (l *Live) Next(p *Packet) error {
	data, ts, wireLen, err := l.eng.read()
	if err != nil {
		if err == ErrNoPacket || err == io.EOF {
			return err
		}
		return &Error{Path: l.name, iface: true, Kind: IO, Err: err, Packets: l.packets, detail: "capture failed: " + err.Error()}
	}
	if len(data) > l.snaplen {
		data = data[:l.snaplen]
	}
	l.packets++
	p.Data = data
	p.Timestamp = ts.UTC()
	p.CapLen = len(data)
	p.Len = max(wireLen, len(data))
	p.LinkType = l.linkType
	p.Interface = 0
	p.Input = 0
	return nil
}

// Stats returns the engine's counters since the capture opened. The
// kernel's and libpcap's wrap at 2^32; called at least once per wrap
// (minutes at line rate), the totals returned do not.
func (l *Live) Stats() (LiveStats, error) {
	raw, err := l.eng.counters()
	if err != nil {
		return LiveStats{Captured: l.packets}, fmt.Errorf("%s: capture statistics: %w", l.name, err)
	}
	for i := range raw {
		l.total[i] += uint64(raw[i] - l.lastRaw[i]) // modulo 2^32: right across a wrap
		l.lastRaw[i] = raw[i]
	}
	return LiveStats{Received: l.total[0], Dropped: l.total[1], IfDropped: l.total[2], Captured: l.packets}, nil
}

// Close releases the handle; call it when no Next is running.
func (l *Live) Close() error {
	l.eng.close()
	return nil
}

func (e *pcapEngine) read() ([]byte, time.Time, int, error) {
	data, ci, err := e.h.ZeroCopyReadPacketData()
	switch {
	case err == nil:
		return data, ci.Timestamp, ci.Length, nil
	case errors.Is(err, pcap.NextErrorTimeoutExpired):
		return nil, time.Time{}, 0, ErrNoPacket
	case errors.Is(err, io.EOF):
		return nil, time.Time{}, 0, io.EOF
	}
	if herr := e.h.Error(); herr != nil && herr.Error() != "" {
		err = herr // libpcap's own words, e.g. "The interface went down"
	}
	return nil, time.Time{}, 0, err
}

func (e *pcapEngine) counters() ([3]uint32, error) {
	s, err := e.h.Stats()
	if err != nil {
		return [3]uint32{}, err
	}
	return [3]uint32{uint32(s.PacketsReceived), uint32(s.PacketsDropped), uint32(s.PacketsIfDropped)}, nil
}

func (e *pcapEngine) close() { e.h.Close() }

// Interfaces lists the devices libpcap can capture on.
func Interfaces() ([]Interface, error) {
	devs, err := pcap.FindAllDevs()
	if err != nil {
		return nil, fmt.Errorf("listing interfaces: %w", err)
	}
	const (
		flagLoopback = 0x1 // PCAP_IF_LOOPBACK
		flagUp       = 0x2 // PCAP_IF_UP
		flagRunning  = 0x4 // PCAP_IF_RUNNING
	)
	out := make([]Interface, 0, len(devs))
	for _, d := range devs {
		i := Interface{Name: d.Name, Description: d.Description,
			Up: d.Flags&flagUp != 0, Running: d.Flags&flagRunning != 0, Loopback: d.Flags&flagLoopback != 0}
		for _, a := range d.Addresses {
			if a.IP != nil {
				i.Addresses = append(i.Addresses, net.IPNet{IP: a.IP, Mask: a.Netmask})
			}
		}
		out = append(out, i)
	}
	return out, nil
}

// LibraryVersion returns libpcap's version string.
func LibraryVersion() string { return pcap.Version() }
