package decode

import (
	"encoding/binary"
	"math/rand/v2"

	"github.com/flowscope/flowscope/linktype"
)

// Pseudo EtherTypes for Frame.EtherType when a frame has no real one; all
// sit in the 802.3 length range, so they never clash with a real EtherType.
const (
	EtherTypeUnknown uint16 = 0x0000 // a link header whose protocol field is not known (e.g. a NULL family)
	EtherType8023    uint16 = 0x0001 // an 802.3 frame: the EtherType field holds a length, LLC follows
	// 802.11 frames that carry no IP packet to decode (see NonIPName).
	EtherType80211Mgmt      uint16 = 0x0002 // management frames (beacons, probes, association)
	EtherType80211Ctrl      uint16 = 0x0003 // control frames (RTS, CTS, ACK) and the extension type
	EtherType80211Null      uint16 = 0x0004 // data frames without a body (null function, CF-Ack/Poll)
	EtherType80211Protected uint16 = 0x0005 // data frames whose body is encrypted (WEP, WPA)
	EtherType80211Fragment  uint16 = 0x0006 // a fragment of an MSDU (more fragments, or fragment number > 0)
	EtherType80211AMSDU     uint16 = 0x0007 // an aggregate MSDU: several subframes in one frame
	EtherTypeSLARP          uint16 = 0x0008 // Cisco HDLC's SLARP keepalives (its protocol field is 0x8035)
)

// LINKTYPE_* values the decoder understands.
const (
	decLinkNull     = 0
	decLinkEthernet = 1
	decLinkPPP      = 9
	decLinkRaw12    = 12
	decLinkRaw14    = 14
	decLinkPPPHDLC  = 50
	decLinkPPPoE    = 51
	decLinkRaw      = 101
	decLinkCHDLC    = linktype.CHDLC
	decLink80211    = linktype.IEEE80211
	decLinkLoop     = 108
	decLinkSLL      = 113
	decLinkPPI      = linktype.PPI
	decLinkIPv4     = 228
	decLinkIPv6     = 229
	decLinkSLL2     = 276
)

// EtherTypes (and GRE protocol types) the decoder follows.
const (
	decEthIPv4      = 0x0800
	decEthIPv6      = 0x86dd
	decEthVLAN      = 0x8100
	decEthQinQ      = 0x88a8
	decEthQinQOld   = 0x9100
	decEthQinQOld2  = 0x9200
	decEthPPPoE     = 0x8864
	decEthPPP       = 0x880b
	decEthMPLS      = 0x8847
	decEthMPLSMulti = 0x8848
	decEthTEB       = 0x6558 // transparent Ethernet bridging
	decEthERSPAN2   = 0x88be
	decEthERSPAN3   = 0x22eb
	decEthSLARP     = 0x8035 // on Cisco HDLC; RARP elsewhere
)

// UDP ports of the tunnels found by port.
const (
	decPortGTPU       = 2152 // GTP-U (3GPP TS 29.281)
	decPortCAPWAPData = 5247 // CAPWAP data channel (RFC 5415)
)

const (
	// decMaxLayers bounds the link-level headers (Ethernet, VLAN tags,
	// MPLS stacks, PPPoE) walked in one frame, so that crafted nesting
	// cannot recurse deeply.
	decMaxLayers = 16
	// decMaxExt bounds the IPv6 extension headers walked per packet.
	decMaxExt = 8
	// decMaxLabels bounds one MPLS label stack.
	decMaxLabels = 16
)

// Decoder decodes captured frames into flow packets. It holds the IP fragment state, so use one per stream.
type Decoder struct {
	frag     fragTable
	frameNo  uint64 // number of the frame being decoded, set by DecodeFrame
	frameLen int    // wire length of the frame being decoded
	ts       int64  // packet time of the frame being decoded
	layers   int    // link-level headers walked in this frame
	vlan     uint16 // outermost VLAN ID of this frame
	vlanSeen bool
}

// NewDecoder returns a Decoder with empty fragment state.
func NewDecoder() *Decoder {
	d := &Decoder{}
	d.frag.seed = rand.Uint64()
	return d
}

// DecodeFrame decodes frame number frameNo (from 1), the number fragments
// held for later are remembered by.
func (d *Decoder) DecodeFrame(data []byte, linkType uint32, origLen int, ts int64, frameNo uint64, f *Frame) {
	d.frameNo = frameNo
	d.Decode(data, linkType, origLen, ts, f)
}

// Decode decodes one frame of the given LINKTYPE_* (origLen = wire length,
// ts = packet time in unix ns) into f, which it resets; it sets f.Len to
// origLen and f.CapLen to len(data). It never allocates in the steady state
// and never panics, whatever the bytes.

func (d *Decoder) Decode(data []byte, linkType uint32, origLen int, ts int64, f *Frame) {
	f.N, f.Skip, f.EtherType, f.Len, f.CapLen = 0, SkipNone, 0, origLen, len(data)
	d.ts, d.frameLen, d.layers, d.vlan, d.vlanSeen = ts, origLen, 0, 0, false
	if d.frag.live > 0 {
		d.frag.maybeExpire(ts)
	}
	// The upper bits of a pcap link type field carry FCS information.
	// Ethernet, by far the most common, saves decLink's call.
	if lt := linkType & 0xffff; lt == decLinkEthernet {
		d.decEthernet(data, f, -1)
	} else {
		d.decLink(lt, data, f, true)
	}
	if f.N > 0 {
		// A packet that fails takes itself back (decDrop), so a frame
		// that kept one failed further in: in what a kept packet carries,
		// a tunnel's header (GRE's) or its inner packet.
		switch f.Skip {
		case SkipMalformed:
			f.Skip = SkipTunnelPayloadMalformed
		case SkipTruncated:
			f.Skip = SkipTunnelPayloadTruncated
		}
	}
}

// decLink decodes a frame of link type lt; outer is false for the frame a
// PPI header wraps, which may not be PPI again.
func (d *Decoder) decLink(lt uint32, data []byte, f *Frame, outer bool) {
	switch lt {
	case decLinkEthernet:
		d.decEthernet(data, f, -1)
	case decLinkRaw, decLinkRaw12, decLinkRaw14:
		d.decRawIP(data, f, -1)
	case decLinkIPv4:
		d.decIPv4(data, f, -1)
	case decLinkIPv6:
		d.decIPv6(data, f, -1)
	case decLinkSLL:
		if len(data) < 16 {
			f.Skip = SkipTruncated
			return
		}
		d.decSLL(binary.BigEndian.Uint16(data[2:]), binary.BigEndian.Uint16(data[14:]), data[16:], f)
	case decLinkSLL2:
		if len(data) < 20 {
			f.Skip = SkipTruncated
			return
		}
		d.decSLL(binary.BigEndian.Uint16(data[8:]), binary.BigEndian.Uint16(data), data[20:], f)
	case decLinkNull:
		if len(data) < 4 {
			f.Skip = SkipTruncated
			return
		}
		// Host byte order of the capturing machine: the family is small,
		// so whichever reading is small is the right one.
		fam := binary.LittleEndian.Uint32(data)
		if fam > 0xffff {
			fam = binary.BigEndian.Uint32(data)
		}
		d.decFamily(fam, data[4:], f)
	case decLinkLoop:
		if len(data) < 4 {
			f.Skip = SkipTruncated
			return
		}
		d.decFamily(binary.BigEndian.Uint32(data), data[4:], f)
	case decLinkPPP:
		d.decPPP(data, f, -1)
	case decLinkPPPHDLC:
		// BSD uses this link type for Cisco HDLC too (address 0x0f/0x8f).
		if len(data) > 0 && (data[0] == 0x0f || data[0] == 0x8f) {
			d.decCHDLC(data, f)
			return
		}
		d.decPPP(data, f, -1)
	case decLinkCHDLC:
		d.decCHDLC(data, f)
	case decLinkPPPoE:
		d.decPPPoE(data, f, -1)
	case decLink80211:
		d.decDot11(data, f, -1)
	case decLinkPPI:
		if !outer {
			f.Skip = SkipMalformed
			return
		}
		d.decPPI(data, f)
	default:
		f.Skip, f.LinkType = SkipUnknownLinkType, lt
	}
}

// Flush drops all fragment state at the end of input, counting what never completed.
func (d *Decoder) Flush() { d.frag.flush() }

// FragStats returns the fragment counts so far.
func (d *Decoder) FragStats() FragStats { return d.frag.stats }

// decNonIP records a payload that is not IP. Below a tunnel (parent >= 0)
// the outer packets still count, so it is a tunnel matter, not a frame one.
func decNonIP(f *Frame, parent int, et uint16) {
	f.EtherType = et
	if parent >= 0 {
		f.Skip = SkipTunnelNonIP
		return
	}
	f.Skip = SkipNonIP
}

func (d *Decoder) decFamily(fam uint32, b []byte, f *Frame) {
	switch fam {
	case 2: // AF_INET everywhere
		d.decIPv4(b, f, -1)
	case 10, 24, 28, 30: // AF_INET6 on Linux, NetBSD/OpenBSD, FreeBSD, macOS
		d.decIPv6(b, f, -1)
	default:
		decNonIP(f, -1, EtherTypeUnknown)
	}
}

// decSLL follows a Linux cooked header's protocol, which is an EtherType
// except on netlink devices.
func (d *Decoder) decSLL(hatype, proto uint16, b []byte, f *Frame) {
	if hatype == 824 { // ARPHRD_NETLINK: the protocol is a netlink family
		decNonIP(f, -1, EtherTypeUnknown)
		return
	}
	d.decEtherType(proto, b, f, -1)
}

// decCHDLC decodes Cisco HDLC: address (unicast 0x0f, broadcast 0x8f),
// control 0, then an EtherType.
func (d *Decoder) decCHDLC(b []byte, f *Frame) {
	if len(b) < 4 {
		f.Skip = SkipTruncated
		return
	}
	if b[0]&0x7f != 0x0f || b[1] != 0 {
		f.Skip = SkipMalformed
		return
	}
	if et := binary.BigEndian.Uint16(b[2:]); et == decEthSLARP {
		decNonIP(f, -1, EtherTypeSLARP)
	} else {
		d.decEtherType(et, b[4:], f, -1)
	}
}

// decPPI decodes a Per-Packet Information header (version 0, flags, its
// length and the link type of the frame after it, all little-endian),
// checks that its field TLVs fill it, and decodes the frame it wraps.
func (d *Decoder) decPPI(b []byte, f *Frame) {
	if len(b) < 8 {
		f.Skip = SkipTruncated
		return
	}
	hl := int(binary.LittleEndian.Uint16(b[2:]))
	if b[0] != 0 || hl < 8 {
		f.Skip = SkipMalformed
		return
	}
	if hl > len(b) {
		if hl > d.frameLen {
			f.Skip = SkipMalformed // longer than the frame on the wire
		} else {
			f.Skip = SkipTruncated
		}
		return
	}
	align := b[1]&1 != 0 // fields padded to 4 bytes
	for off := 8; off < hl; {
		if off+4 > hl {
			f.Skip = SkipMalformed
			return
		}
		off += 4 + int(binary.LittleEndian.Uint16(b[off+2:]))
		if align {
			off = (off + 3) &^ 3
		}
		if off > hl {
			f.Skip = SkipMalformed
			return
		}
	}
	d.decLink(binary.LittleEndian.Uint32(b[4:]), b[hl:], f, false)
}

// decDot11 decodes an 802.11 frame down to the LLC/SNAP header of a data
// frame's body; frames without an IP packet to key are counted by kind.
func (d *Decoder) decDot11(b []byte, f *Frame, parent int) {
	if len(b) < 2 {
		f.Skip = SkipTruncated
		return
	}
	fc0, fc1 := b[0], b[1]
	fragAt := 22 // the sequence control field, little-endian: fragment number in the low bits
	if parent >= 0 && fc1&3 == 0 {
		// Within CAPWAP: Cisco access points send the frame control
		// bytes swapped, and Wireshark swaps them by default. So do we,
		// unless the swapped order cannot be a version 0 frame. Both
		// orders fit only when the flags byte has neither DS bit, which
		// the data frames of an access point always have: what is
		// misread then is a management frame, not an IP packet. They
		// swap the sequence control field too.
		fc0, fc1, fragAt = fc1, fc0, 23
	}
	if fc0&3 != 0 { // protocol version 0 is the only one
		f.Skip = SkipMalformed
		return
	}
	switch fc0 >> 2 & 3 {
	case 0:
		decNonIP(f, parent, EtherType80211Mgmt)
		return
	case 1, 3:
		decNonIP(f, parent, EtherType80211Ctrl)
		return
	}
	if fc0&0x40 != 0 { // the subtypes without a body
		decNonIP(f, parent, EtherType80211Null)
		return
	}
	hl, qos := 24, fc0&0x80 != 0
	if fc1&3 == 3 { // to and from the DS: a fourth address
		hl += 6
	}
	qosAt := hl
	if qos {
		hl += 2
		if fc1&0x80 != 0 { // +HTC: an HT control field follows
			hl += 4
		}
	}
	if len(b) < hl {
		f.Skip = SkipTruncated
		return
	}
	switch {
	case fc1&0x40 != 0:
		decNonIP(f, parent, EtherType80211Protected)
	case fc1&0x04 != 0 || b[fragAt]&0x0f != 0:
		decNonIP(f, parent, EtherType80211Fragment)
	case qos && b[qosAt]&0x80 != 0:
		decNonIP(f, parent, EtherType80211AMSDU)
	default:
		// The body starts with LLC: SNAP with an EtherType leads to IP.
		d.decEtherType(0, b[hl:], f, parent)
	}
}

func (d *Decoder) decEthernet(b []byte, f *Frame, parent int) {
	if d.layers++; d.layers > decMaxLayers {
		f.Skip = SkipMalformed
		return
	}
	if len(b) < 14 {
		f.Skip = SkipTruncated
		return
	}
	d.decEtherType(binary.BigEndian.Uint16(b[12:]), b[14:], f, parent)
}

// decEtherType follows an EtherType (or GRE protocol type, or SLL
// protocol) through tags and shims down to IP.
func (d *Decoder) decEtherType(et uint16, b []byte, f *Frame, parent int) {
	for {
		switch et {
		case decEthIPv4:
			d.decIPv4(b, f, parent)
			return
		case decEthIPv6:
			d.decIPv6(b, f, parent)
			return
		case decEthVLAN, decEthQinQ, decEthQinQOld, decEthQinQOld2:
			if d.layers++; d.layers > decMaxLayers {
				f.Skip = SkipMalformed
				return
			}
			if len(b) < 4 {
				f.Skip = SkipTruncated
				return
			}
			if parent < 0 && !d.vlanSeen {
				d.vlan, d.vlanSeen = binary.BigEndian.Uint16(b)&0x0fff, true
			}
			et, b = binary.BigEndian.Uint16(b[2:]), b[4:]
		case decEthPPPoE:
			d.decPPPoE(b, f, parent)
			return
		case decEthPPP:
			d.decPPP(b, f, parent)
			return
		case decEthMPLS, decEthMPLSMulti:
			d.decMPLS(b, f, parent)
			return
		case decEthTEB:
			d.decEthernet(b, f, parent)
			return
		default:
			if et >= 0x0600 {
				decNonIP(f, parent, et)
				return
			}
			// 802.3 length (or SLL's 802.2/802.3 markers): only
			// LLC/SNAP with an EtherType can lead on to IP.
			if len(b) < 3 || len(b) < 8 && b[0] == 0xaa && b[1] == 0xaa && b[2] == 0x03 {
				f.Skip = SkipTruncated
				return
			}
			if b[0] == 0xaa && b[1] == 0xaa && b[2] == 0x03 && b[3]|b[4]|b[5] == 0 {
				if d.layers++; d.layers > decMaxLayers {
					f.Skip = SkipMalformed
					return
				}
				et, b = binary.BigEndian.Uint16(b[6:]), b[8:]
				if et >= 0x0600 {
					continue
				}
			}
			decNonIP(f, parent, EtherType8023)
			return
		}
	}
}

func (d *Decoder) decPPPoE(b []byte, f *Frame, parent int) {
	if d.layers++; d.layers > decMaxLayers {
		f.Skip = SkipMalformed
		return
	}
	if len(b) < 6 {
		f.Skip = SkipTruncated
		return
	}
	if b[0] != 0x11 || b[1] != 0 { // version 1, type 1, session data
		f.Skip = SkipMalformed
		return
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	b = b[6:]
	if n < len(b) {
		b = b[:n] // Ethernet padding
	}
	d.decPPP(b, f, parent)
}

func (d *Decoder) decPPP(b []byte, f *Frame, parent int) {
	if len(b) >= 2 && b[0] == 0xff && b[1] == 0x03 {
		b = b[2:]
	}
	if len(b) == 0 || len(b) == 1 && b[0] == 0xff {
		f.Skip = SkipTruncated
		return
	}
	var proto uint16
	if b[0]&1 != 0 { // protocol field compression: one byte
		proto, b = uint16(b[0]), b[1:]
	} else {
		if len(b) < 2 {
			f.Skip = SkipTruncated
			return
		}
		proto, b = binary.BigEndian.Uint16(b), b[2:]
	}
	switch proto {
	case 0x0021:
		d.decIPv4(b, f, parent)
	case 0x0057:
		d.decIPv6(b, f, parent)
	case 0x0281, 0x0283:
		d.decMPLS(b, f, parent)
	default:
		// Control protocols (LCP, IPCP, ...) are >= 0x8000 and are named
		// by NonIPName; other PPP data protocols share one name.
		if proto < 0x8000 {
			proto = decEthPPP
		}
		decNonIP(f, parent, proto)
	}
}

func (d *Decoder) decMPLS(b []byte, f *Frame, parent int) {
	if d.layers++; d.layers > decMaxLayers {
		f.Skip = SkipMalformed
		return
	}
	for i := 0; ; i++ {
		if i == decMaxLabels {
			f.Skip = SkipMalformed
			return
		}
		if len(b) < 4 {
			f.Skip = SkipTruncated
			return
		}
		bos := b[2]&1 != 0
		b = b[4:]
		if bos {
			break
		}
	}
	if len(b) == 0 {
		f.Skip = SkipTruncated
		return
	}
	// MPLS does not say what it carries: guess by the first nibble.
	switch b[0] >> 4 {
	case 4:
		d.decIPv4(b, f, parent)
	case 6:
		d.decIPv6(b, f, parent)
	case 0: // pseudowire control word, then Ethernet
		if len(b) < 4 {
			f.Skip = SkipTruncated
			return
		}
		d.decEthernet(b[4:], f, parent)
	default:
		decNonIP(f, parent, decEthMPLS)
	}
}

func (d *Decoder) decRawIP(b []byte, f *Frame, parent int) {
	if len(b) == 0 {
		f.Skip = SkipTruncated
		return
	}
	switch b[0] >> 4 {
	case 4:
		d.decIPv4(b, f, parent)
	case 6:
		d.decIPv6(b, f, parent)
	default:
		f.Skip = SkipMalformed
	}
}

// decAdd appends a packet to f, or reports SkipTooDeep when f is full.
func (d *Decoder) decAdd(f *Frame, parent int) *Packet {
	if f.N >= MaxPackets || f.N < 0 {
		f.Skip = SkipTooDeep
		return nil
	}
	p := &f.Packets[f.N]
	f.N++
	*p = Packet{Parent: parent, VLAN: d.vlan}
	return p
}

// decDrop takes back the packet just added and records why.
func decDrop(f *Frame, why Skip) {
	f.N--
	f.Skip = why
}

// decIPHeader checks that b starts with a whole IP header of the version;
// otherwise it says why in f.Skip: a wrong version is malformed, a short
// header of the right version was cut by the snap length.
func decIPHeader(b []byte, minLen int, version byte, f *Frame) bool {
	switch {
	case len(b) > 0 && b[0]>>4 != version:
		f.Skip = SkipMalformed
	case len(b) < minLen:
		f.Skip = SkipTruncated
	default:
		return true
	}
	return false
}

func (d *Decoder) decIPv4(b []byte, f *Frame, parent int) {
	if !decIPHeader(b, 20, 4, f) {
		return
	}
	ihl := int(b[0]&0x0f) * 4
	ipLen := int(binary.BigEndian.Uint16(b[2:]))
	if ipLen == 0 { // segmentation offload: the stack had not filled it in
		ipLen = len(b)
	}
	if ihl < 20 || ipLen < ihl {
		f.Skip = SkipMalformed
		return
	}
	if len(b) < ihl {
		f.Skip = SkipTruncated
		return
	}
	if len(b) > ipLen {
		b = b[:ipLen] // link-layer padding or trailer
	}
	p := d.decAdd(f, parent)
	if p == nil {
		return
	}
	p.Key.Src[10], p.Key.Src[11] = 0xff, 0xff
	p.Key.Dst[10], p.Key.Dst[11] = 0xff, 0xff
	copy(p.Key.Src[12:], b[12:16])
	copy(p.Key.Dst[12:], b[16:20])
	p.Key.Proto = b[9]
	p.IPLen = ipLen
	if fo := binary.BigEndian.Uint16(b[6:]); fo&0x3fff != 0 {
		k := fragKey{src: p.Key.Src, dst: p.Key.Dst, id: uint32(binary.BigEndian.Uint16(b[4:])), proto: p.Key.Proto}
		d.decFragment(f, p, &k, int(fo&0x1fff), fo&0x2000 == 0, b[ihl:], ipLen-ihl)
		return
	}
	d.decL4(f, p, b[ihl:], ipLen-ihl, false)
}

func (d *Decoder) decIPv6(b []byte, f *Frame, parent int) {
	if !decIPHeader(b, 40, 6, f) {
		return
	}
	ipLen := 40 + int(binary.BigEndian.Uint16(b[4:]))
	if ipLen == 40 && b[6] != 59 {
		// Nothing but "no next header" fits in a zero payload: this is a
		// jumbogram or a segmentation-offload (BIG TCP) capture, whose
		// length is what was captured.
		ipLen = len(b)
	}
	if len(b) > ipLen {
		b = b[:ipLen]
	}
	nh, off := b[6], 40
	dst := 24 // offset of the final destination: a routing header may name it
	var (
		isFrag, last, cut bool
		fragOff           int
		fragID            uint32
		fragNH            uint8
	)
walk:
	for n := 0; n < decMaxExt; n++ {
		var hl int
		switch nh {
		case 0, 43, 60, 135, 139, 140: // hop-by-hop, routing, dest opts, mobility, HIP, shim6
			if cut = off+2 > len(b); cut {
				break walk
			}
			hl = (int(b[off+1]) + 1) * 8
			if nh == 43 && off+hl <= len(b) && b[off+3] > 0 {
				dst = decRoutingDst(b[off:off+hl], dst, off)
			}
		case 51: // AH counts 4-byte units, minus 2
			if cut = off+2 > len(b); cut {
				break walk
			}
			hl = (int(b[off+1]) + 2) * 4
		case 44:
			if cut = off+8 > len(b); cut {
				break walk
			}
			fo := binary.BigEndian.Uint16(b[off+2:])
			if fo&0xfff9 != 0 { // offset or M set: not an atomic fragment
				isFrag, last = true, fo&1 == 0
				fragOff = int(fo >> 3)
				fragID = binary.BigEndian.Uint32(b[off+4:])
				fragNH = b[off]
			}
			hl = 8
		default:
			break walk
		}
		nh = b[off]
		off += hl
		if off > ipLen {
			f.Skip = SkipMalformed
			return
		}
		if isFrag && fragOff != 0 {
			break // the rest is a piece of the datagram, not headers
		}
	}
	if cut {
		if off >= ipLen {
			f.Skip = SkipMalformed // a next header that the packet has no room for
		} else {
			f.Skip = SkipTruncated
		}
		return
	}
	p := d.decAdd(f, parent)
	if p == nil {
		return
	}
	p.Key.V6 = true
	copy(p.Key.Src[:], b[8:24])
	copy(p.Key.Dst[:], b[dst:dst+16])
	p.Key.Proto = nh
	p.IPLen = ipLen
	pay := b[min(off, len(b)):]
	if isFrag {
		// Key on the fragment header's next header: later fragments
		// do not have the headers that follow it in the first one.
		k := fragKey{src: p.Key.Src, dst: p.Key.Dst, id: fragID, proto: fragNH, v6: true}
		d.decFragment(f, p, &k, fragOff, last, pay, ipLen-off)
		return
	}
	d.decL4(f, p, pay, ipLen-off, false)
}

// decRoutingDst returns the offset in the packet of the final destination
// named by routing header r (at offset off) with segments left, as Zeek and
// tshark key such flows; cur when the header names none. Type 0 and 2 list
// the final destination last. SRv6 (type 4) is left as sent: the segment
// list may be compressed and the header's destination is the next segment,
// as in Zeek.
func decRoutingDst(r []byte, cur, off int) int {
	n := (len(r) - 8) / 16
	if n == 0 {
		return cur
	}
	if r[2] == 0 || r[2] == 2 {
		return off + 8 + (n-1)*16
	}
	return cur
}

// decFragment handles an IP fragment whose packet p (the last in f) has
// its addresses and protocol set; off is the fragment offset in 8-byte units.
func (d *Decoder) decFragment(f *Frame, p *Packet, k *fragKey, off int, last bool, b []byte, plen int) {
	d.frag.stats.Fragments++
	p.Fragment = true
	if off == 0 {
		d.decL4(f, p, b, plen, true)
		if f.N > 0 && &f.Packets[f.N-1] == p {
			d.frag.first(k, &p.Key, last, d.ts, p)
		}
		return
	}
	if !d.frag.later(k, last, p.IPLen, max(plen, 0), d, &p.Key) {
		decDrop(f, SkipFragmentPending)
		return
	}
	p.L4 = false
	p.PayloadLen = max(plen, 0)
}

func (d *Decoder) decL4(f *Frame, p *Packet, b []byte, plen int, frag bool) {
	p.L4 = true
	switch p.Key.Proto {
	case ProtoTCP:
		if len(b) < 4 {
			decDrop(f, SkipTruncated)
			return
		}
		p.Key.SrcPort = binary.BigEndian.Uint16(b)
		p.Key.DstPort = binary.BigEndian.Uint16(b[2:])
		hl := 20
		if len(b) >= 20 {
			hl = int(b[12]>>4) * 4
			if hl < 20 || hl > plen {
				decDrop(f, SkipMalformed)
				return
			}
			p.Seq = binary.BigEndian.Uint32(b[4:])
			p.Ack = binary.BigEndian.Uint32(b[8:])
			p.TCPFlags = b[13]
			p.Window = binary.BigEndian.Uint16(b[14:])
		} else {
			// Cut by the snap length: keep what is there.
			if len(b) >= 8 {
				p.Seq = binary.BigEndian.Uint32(b[4:])
			}
			if len(b) >= 12 {
				p.Ack = binary.BigEndian.Uint32(b[8:])
			}
			if len(b) >= 14 {
				hl = max(int(b[12]>>4)*4, 20)
				p.TCPFlags = b[13]
			}
			if len(b) >= 16 {
				p.Window = binary.BigEndian.Uint16(b[14:])
			}
		}
		p.PayloadLen = max(plen-hl, 0)
		if hl < len(b) {
			p.Payload = b[hl:]
		}
	case ProtoUDP:
		if len(b) < 4 {
			decDrop(f, SkipTruncated)
			return
		}
		p.Key.SrcPort = binary.BigEndian.Uint16(b)
		p.Key.DstPort = binary.BigEndian.Uint16(b[2:])
		pay := plen - 8
		if len(b) >= 8 {
			// A first fragment's UDP length covers the whole datagram:
			// each fragment counts the payload it carries, so a datagram
			// that never completes is not credited with what never came.
			if ul := int(binary.BigEndian.Uint16(b[4:])); ul >= 8 && ul-8 < pay {
				pay = ul - 8
			}
		}
		pay = max(pay, 0)
		p.PayloadLen = pay
		if len(b) > 8 {
			p.Payload = b[8:min(len(b), 8+pay)]
		}
		if !frag && len(p.Payload) > 0 {
			switch p.Key.DstPort {
			case 4789, 8472:
				d.decVXLAN(p.Payload, f, p)
			case 6081:
				d.decGeneve(p.Payload, f, p)
			case decPortGTPU:
				d.decGTPU(p.Payload, f, p)
			case decPortCAPWAPData:
				d.decCAPWAP(p.Payload, f, p)
			default:
				// GTP-U and CAPWAP answer from their port to the peer's.
				switch p.Key.SrcPort {
				case decPortGTPU:
					d.decGTPU(p.Payload, f, p)
				case decPortCAPWAPData:
					d.decCAPWAP(p.Payload, f, p)
				}
			}
		}
	case ProtoSCTP:
		if len(b) < 4 {
			decDrop(f, SkipTruncated)
			return
		}
		p.Key.SrcPort = binary.BigEndian.Uint16(b)
		p.Key.DstPort = binary.BigEndian.Uint16(b[2:])
		p.PayloadLen = max(plen-12, 0)
		if len(b) > 12 {
			p.Payload = b[12:]
		}
	case ProtoICMP, ProtoICMPv6:
		v6 := p.Key.Proto == ProtoICMPv6
		if v6 != p.Key.V6 {
			d.decOther(f, p, b, plen, frag)
			return
		}
		if len(b) < 2 {
			decDrop(f, SkipTruncated)
			return
		}
		typ := b[0]
		in := &decICMPv4[typ]
		if v6 {
			in = &decICMPv6[typ]
		}
		p.Key.SrcPort = uint16(typ)
		p.Key.DstPort = uint16(b[1])
		if in.kind != decICMPPlain {
			p.Key.DstPort = uint16(in.peer)
		}
		if in.id {
			if len(b) < 6 {
				decDrop(f, SkipTruncated)
				return
			}
			p.Key.ID = binary.BigEndian.Uint16(b[4:])
		}
		p.PayloadLen = max(plen-8, 0)
		if len(b) > 8 {
			p.Payload = b[8:]
		}
	default:
		d.decOther(f, p, b, plen, frag)
	}
}

// decOther keys a packet of a protocol without ports, following the IP
// tunnels among them.
func (d *Decoder) decOther(f *Frame, p *Packet, b []byte, plen int, frag bool) {
	p.PayloadLen = max(plen, 0)
	if len(b) > 0 {
		p.Payload = b
	}
	if frag { // a piece of a tunnelled packet is not a packet
		return
	}
	switch p.Key.Proto {
	case ProtoGRE:
		d.decGRE(b, f, p)
	case ProtoIPIP:
		d.decTunnel(f, p, TunnelIPinIP, decEthIPv4, b)
	case ProtoIPv6:
		d.decTunnel(f, p, TunnelIPinIP, decEthIPv6, b)
	}
}

// decTunnel decodes the inner frame of outer, marking outer as its carrier
// only when an inner packet came out.
func (d *Decoder) decTunnel(f *Frame, outer *Packet, kind Tunnel, et uint16, b []byte) {
	idx := f.N - 1
	if idx < 0 || &f.Packets[idx] != outer {
		return
	}
	d.decEtherType(et, b, f, idx)
	decTunnelDone(f, outer, kind, idx)
}

// decTunnelDone marks outer (at idx) as the carrier of the packets decoded
// after it, if any, and keys them within the tunnel.
func decTunnelDone(f *Frame, outer *Packet, kind Tunnel, idx int) {
	if f.N > idx+1 {
		outer.Carries = kind
		ctx := tunnelContext(&f.Packets[0].Key)
		for i := idx + 1; i < f.N; i++ {
			f.Packets[i].Key.Tunnel = ctx
		}
	}
}

func (d *Decoder) decVXLAN(b []byte, f *Frame, outer *Packet) {
	// Flags: I set, the others clear but group policy's G; last byte reserved.
	if len(b) < 8+14 || b[0]&0x08 == 0 || b[0]&^0x88 != 0 || b[7] != 0 {
		return
	}
	d.decTunnel(f, outer, TunnelVXLAN, decEthTEB, b[8:])
}

func (d *Decoder) decGeneve(b []byte, f *Frame, outer *Packet) {
	if len(b) < 8 || b[0]>>6 != 0 || b[1]&0x3f != 0 {
		return
	}
	hl := 8 + int(b[0]&0x3f)*4
	if hl > len(b) {
		return
	}
	switch et := binary.BigEndian.Uint16(b[2:]); et {
	case decEthTEB, decEthIPv4, decEthIPv6:
		d.decTunnel(f, outer, TunnelGeneve, et, b[hl:])
	}
}

// decGTPU unwraps a GTP-U G-PDU (message type 255) to the IP packet it
// carries. Other GTP-U messages (echo, error indication, end marker) are
// the tunnel's own and carry none. Only the port says GTP-U, so a header
// that does not check out, or that the capture cut, leaves the datagram
// plain UDP (as VXLAN's and Geneve's do): it still counts in its flow, and
// no frame is called malformed for another protocol's bytes.
func (d *Decoder) decGTPU(b []byte, f *Frame, outer *Packet) {
	// Version 1, protocol type GTP (not GTP'), spare bit clear.
	if outer.PayloadLen < 8 || len(b) < 8 || b[0]&0xf8 != 0x30 || b[1] != 255 {
		return
	}
	// The length counts what follows the mandatory 8 bytes.
	end := 8 + int(binary.BigEndian.Uint16(b[2:]))
	if end > outer.PayloadLen {
		return
	}
	off := 8
	if b[0]&0x07 != 0 { // E, S or PN: sequence number, N-PDU number, next extension header type
		if off += 4; off > end || off > len(b) {
			return
		}
		// Extension headers count 4-byte units and end with the next one's type.
		for next, n := b[off-1], 0; b[0]&0x04 != 0 && next != 0; n++ {
			if n == decMaxExt || off >= end || off >= len(b) {
				return
			}
			l := int(b[off]) * 4
			if l == 0 || off+l > end || off+l > len(b) {
				return
			}
			next = b[off+l-1]
			off += l
		}
	}
	if off >= end || off >= len(b) { // a G-PDU carries a packet
		return
	}
	inner := b[off:min(end, len(b))]
	switch inner[0] >> 4 {
	case 4:
		d.decTunnel(f, outer, TunnelGTPU, decEthIPv4, inner)
	case 6:
		d.decTunnel(f, outer, TunnelGTPU, decEthIPv6, inner)
	default:
		// An Ethernet PDU session carries frames, told (as tshark does)
		// by an EtherType that leads to IP; else an unstructured PDU.
		if len(inner) < 15 && len(b) < end {
			return
		}
		if len(inner) >= 15 {
			switch et := binary.BigEndian.Uint16(inner[12:]); {
			case et == decEthIPv4 && inner[14]>>4 == 4, et == decEthIPv6 && inner[14]>>4 == 6, et == decEthVLAN:
				d.decTunnel(f, outer, TunnelGTPU, decEthTEB, inner)
				return
			}
		}
		decNonIP(f, f.N-1, EtherTypeUnknown)
	}
}

// decCAPWAP unwraps a CAPWAP data channel message (RFC 5415) to the
// 802.3 or 802.11 frame it carries. A DTLS-protected message (preamble
// type 1) and keep-alives carry nothing to decode; fragments are counted,
// not reassembled. As with GTP-U, a header that does not check out or
// that the capture cut leaves the datagram plain UDP.
func (d *Decoder) decCAPWAP(b []byte, f *Frame, outer *Packet) {
	if outer.PayloadLen < 8 || len(b) < 8 || b[0] != 0 { // preamble: version 0, type 0 (clear)
		return
	}
	hl := int(b[1]>>3) * 4 // HLEN, in 4-byte words
	if hl < 8 || hl > outer.PayloadLen {
		return
	}
	// The optional radio MAC address (length, address) and wireless
	// specific information (wireless ID, length, data) lie within HLEN.
	off := 8
	for _, opt := range [2]struct{ flag, lenAt byte }{{0x10, 0}, {0x20, 1}} {
		if b[3]&opt.flag == 0 {
			continue
		}
		at := off + int(opt.lenAt)
		if at >= hl || at >= len(b) {
			return
		}
		off = at + 1 + int(b[at])
	}
	if off > hl || hl > len(b) {
		return
	}
	switch {
	case b[3]&0x80 != 0: // F
		f.Skip = SkipTunnelFragment
		return
	case b[3]&0x08 != 0, hl >= len(b): // K: a keep-alive; or no frame at all, or none captured
		return
	}
	idx := f.N - 1
	if idx < 0 || &f.Packets[idx] != outer {
		return
	}
	inner := b[hl:]
	switch wbid := b[2] >> 1 & 0x1f; {
	case b[2]&1 == 0: // T clear: an 802.3 frame
		d.decEthernet(inner, f, idx)
	case wbid == 1: // native IEEE 802.11
		d.decDot11(inner, f, idx)
	default:
		decNonIP(f, idx, EtherTypeUnknown)
	}
	decTunnelDone(f, outer, TunnelCAPWAP, idx)
}

func (d *Decoder) decGRE(b []byte, f *Frame, outer *Packet) {
	if len(b) < 4 {
		f.Skip = SkipTruncated
		return
	}
	flags, ver := b[0], b[1]&7
	proto := binary.BigEndian.Uint16(b[2:])
	off := 4
	switch ver {
	case 0:
		if flags&0xc0 != 0 { // checksum or routing: checksum and offset
			off += 4
		}
		if flags&0x20 != 0 { // key
			off += 4
		}
		if flags&0x10 != 0 { // sequence
			off += 4
		}
		if flags&0x40 != 0 { // source route entries up to a null one
			for i := 0; ; i++ {
				if i == 16 {
					f.Skip = SkipMalformed
					return
				}
				if off+4 > len(b) {
					f.Skip = SkipTruncated
					return
				}
				af, n := binary.BigEndian.Uint16(b[off:]), int(b[off+3])
				off += 4 + n
				if af == 0 && n == 0 {
					break
				}
			}
		}
	case 1: // PPTP enhanced GRE: key (payload length, call ID), optional sequence and ack
		if flags&0x20 == 0 {
			return
		}
		off += 4
		if flags&0x10 != 0 {
			off += 4
		}
		if b[1]&0x80 != 0 {
			off += 4
		}
	default:
		return
	}
	if off > len(b) {
		f.Skip = SkipTruncated
		return
	}
	b = b[off:]
	switch proto {
	case decEthERSPAN2:
		// Type II has a sequence number and an 8-byte header; type I neither.
		if flags&0x10 != 0 {
			if len(b) < 8 {
				f.Skip = SkipTruncated
				return
			}
			b = b[8:]
		}
		proto = decEthTEB
	case decEthERSPAN3:
		if len(b) < 12 {
			f.Skip = SkipTruncated
			return
		}
		ft := binary.BigEndian.Uint16(b[10:]) >> 10 & 0x1f
		hl := 12
		if b[11]&1 != 0 { // optional platform-specific subheader
			hl += 8
		}
		if hl > len(b) {
			f.Skip = SkipTruncated
			return
		}
		b = b[hl:]
		switch ft {
		case 0:
			proto = decEthTEB
		case 2:
			if len(b) > 0 && b[0]>>4 == 6 {
				proto = decEthIPv6
			} else {
				proto = decEthIPv4
			}
		default:
			decNonIP(f, f.N-1, decEthERSPAN3)
			return
		}
	}
	d.decTunnel(f, outer, TunnelGRE, proto, b)
}

// ICMP message kinds for keying.
const (
	decICMPPlain = iota
	decICMPRequest
	decICMPResponse
)

type decICMPInfo struct {
	peer uint8 // the counterpart type of a request or response
	kind uint8
	id   bool // the message carries an identifier at bytes 4-5
}

var decICMPv4, decICMPv6 = decICMPTables()

func decICMPTables() (v4, v6 [256]decICMPInfo) {
	pair := func(t *[256]decICMPInfo, req, resp uint8, id bool) {
		t[req] = decICMPInfo{peer: resp, kind: decICMPRequest, id: id}
		t[resp] = decICMPInfo{peer: req, kind: decICMPResponse, id: id}
	}
	pair(&v4, 8, 0, true)   // echo
	pair(&v4, 13, 14, true) // timestamp
	pair(&v4, 15, 16, true) // information
	pair(&v4, 10, 9, false) // router solicitation / advertisement
	pair(&v4, 17, 18, true) // address mask
	pair(&v6, 128, 129, true)
	pair(&v6, 130, 131, false) // MLD query / report
	pair(&v6, 133, 134, false) // router solicitation / advertisement
	pair(&v6, 135, 136, false) // neighbor solicitation / advertisement
	pair(&v6, 139, 140, false) // node information query / response
	pair(&v6, 144, 145, false) // home agent address discovery
	return
}

// ICMPIsRequest reports whether an ICMP (v6: ICMPv6) type is the request of a request/response pair.
func ICMPIsRequest(v6 bool, typ uint8) bool {
	if v6 {
		return decICMPv6[typ].kind == decICMPRequest
	}
	return decICMPv4[typ].kind == decICMPRequest
}

// ICMPIsResponse reports whether an ICMP (v6: ICMPv6) type is the response of a request/response pair.
func ICMPIsResponse(v6 bool, typ uint8) bool {
	if v6 {
		return decICMPv6[typ].kind == decICMPResponse
	}
	return decICMPv4[typ].kind == decICMPResponse
}

// NonIPName names the EtherType of a non-IP frame ("arp", "lldp", "802.3-llc", "ethertype-0x88cc").
func NonIPName(etherType uint16) string {
	switch etherType {
	case EtherTypeUnknown:
		return "unknown"
	case 0x0806:
		return "arp"
	case 0x8035:
		return "rarp"
	case 0x88cc:
		return "lldp"
	case 0x888e:
		return "eapol"
	case 0x8137, 0x8138:
		return "ipx"
	case 0x8863:
		return "pppoe-discovery"
	case 0x8809:
		return "slow-protocols"
	case 0x88f7:
		return "ptp"
	case 0x88e5:
		return "macsec"
	case 0x9000:
		return "loopback"
	case 0x2000: // on Cisco HDLC and PPP
		return "cdp"
	case EtherType80211Mgmt:
		return "802.11-mgmt"
	case EtherType80211Ctrl:
		return "802.11-ctrl"
	case EtherType80211Null:
		return "802.11-null"
	case EtherType80211Protected:
		return "802.11-protected"
	case EtherType80211Fragment:
		return "802.11-fragment"
	case EtherType80211AMSDU:
		return "802.11-amsdu"
	case EtherTypeSLARP:
		return "slarp"
	case decEthMPLS:
		return "mpls"
	case decEthPPP:
		return "ppp"
	case decEthERSPAN3:
		return "erspan"
	// PPP control protocols, as a PPP link or tunnel reports them.
	case 0xc021:
		return "ppp-lcp"
	case 0xc023:
		return "ppp-pap"
	case 0xc223:
		return "ppp-chap"
	case 0x8021:
		return "ppp-ipcp"
	case 0x8057:
		return "ppp-ipv6cp"
	case 0x80fd:
		return "ppp-ccp"
	}
	if etherType < 0x0600 {
		return "802.3-llc"
	}
	const hex = "0123456789abcdef"
	b := []byte("ethertype-0x0000")
	for i := 0; i < 4; i++ {
		b[len(b)-1-i] = hex[etherType>>(4*i)&0xf]
	}
	return string(b)
}
