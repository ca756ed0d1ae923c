// Package decode turns captured frames into the IP packets they carry, with
// their flow keys: link layers, IP (fragments attributed to their datagram),
// transport headers and tunnels, without allocating and without panicking
// whatever the bytes. It knows nothing of flows beyond their keys.
package decode

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"net/netip"
)

// IP protocol numbers the flow package handles by name.
const (
	ProtoICMP   = 1
	ProtoIPIP   = 4
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoIPv6   = 41
	ProtoGRE    = 47
	ProtoICMPv6 = 58
	ProtoSCTP   = 132
)

// TCP flag bits as they sit in the TCP header's flags byte.
const (
	FlagFIN = 0x01
	FlagSYN = 0x02
	FlagRST = 0x04
	FlagPSH = 0x08
	FlagACK = 0x10
	FlagURG = 0x20
	FlagECE = 0x40
	FlagCWR = 0x80
)

// Key is a flow's 5-tuple as seen on the wire (source first). Addresses are
// 16 bytes; IPv4 addresses are stored IPv4-mapped with V6 false. It is a
// plain comparable value so that it can key a map without allocating.
type Key struct {
	Src, Dst         [16]byte
	SrcPort, DstPort uint16 // ICMP: type and code, or type and counterpart type
	ID               uint16 // ICMP query/response identifier (echo, timestamp, ...); else 0
	Proto            uint8
	V6               bool
	// Tunnel is 0, or for a packet found inside a tunnel a 64-bit hash of
	// the outermost packet's two addresses under a secret seed: an inner
	// flow is the same flow only through the same pair of tunnel endpoints
	// (two pairs meet by chance once in 2^64, and no sender can compute a
	// pair that meets another), and every packet of it goes to the worker
	// that has its tunnel (see ShardHash).
	Tunnel uint64
}

// Reverse returns the key of the opposite direction.
func (k Key) Reverse() Key {
	k.Src, k.Dst = k.Dst, k.Src
	k.SrcPort, k.DstPort = k.DstPort, k.SrcPort
	return k
}

// SrcAddr returns the source address as a netip.Addr.
func (k *Key) SrcAddr() netip.Addr { return addrOf(k.Src, k.V6) }

// DstAddr returns the destination address as a netip.Addr.
func (k *Key) DstAddr() netip.Addr { return addrOf(k.Dst, k.V6) }

func addrOf(b [16]byte, v6 bool) netip.Addr {
	if v6 {
		return netip.AddrFrom16(b)
	}
	return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
}

// Tunnel names the encapsulation that a packet's payload carries.
type Tunnel uint8

// Encapsulations the decoder follows into an inner packet.
const (
	TunnelNone Tunnel = iota
	TunnelGRE
	TunnelVXLAN
	TunnelGeneve
	TunnelIPinIP // IPv4 or IPv6 directly inside IPv4 or IPv6 (IP-in-IP, 6in4, 4in6)
	TunnelGTPU   // GTP-U G-PDUs (UDP 2152)
	TunnelCAPWAP // CAPWAP data channel (UDP 5247)
)

var tunnelNames = [...]string{"", "gre", "vxlan", "geneve", "ip-in-ip", "gtp", "capwap"}

func (t Tunnel) String() string {
	if int(t) < len(tunnelNames) {
		return tunnelNames[t]
	}
	return "unknown"
}

// Packet is one IP packet found in a frame. A tunnelled frame yields several
// Packets, outermost first; each is a packet of its own flow.
type Packet struct {
	Key Key
	// IPLen is the packet's length per its IP header (header, extension
	// headers and payload), whatever the capture kept.
	IPLen int
	// PayloadLen is the transport payload length per the headers (TCP:
	// IP length minus headers; UDP: UDP length minus 8; ICMP: after the
	// 8-byte header; other protocols: the IP payload). A fragment counts
	// the part it carries: a non-first one its whole fragment data.
	PayloadLen int
	// Payload is the captured part of the transport payload; it aliases
	// the frame and is valid only until the next frame is read.
	Payload []byte
	// TCP fields, valid when Key.Proto is ProtoTCP and L4 is true.
	TCPFlags uint8
	Seq, Ack uint32
	Window   uint16
	// L4 is true when the transport header was present (false for
	// non-first fragments attributed through their fragment ID).
	L4 bool
	// Fragment is true when the packet is an IP fragment (any part).
	Fragment bool
	// The Extra fields carry fragments that arrived before the first
	// fragment of their datagram and are attributed with it: their count,
	// IP, frame and payload bytes, and the time and frame number of the
	// earliest.
	ExtraPackets    int
	ExtraIPLen      int
	ExtraFrameLen   int
	ExtraPayloadLen int
	ExtraFirstTS    int64
	ExtraFirstFrame uint64
	// Parent is the index in Frame.Packets of the tunnel packet that
	// carried this one, or -1.
	Parent int
	// Carries is the encapsulation this packet's payload holds, if the
	// decoder followed it into an inner packet.
	Carries Tunnel
	// VLAN is the outermost 802.1Q/802.1ad VLAN ID of the frame, 0 if none.
	VLAN uint16
}

// ShardHash picks the worker for a frame: every packet of a frame goes to
// the worker of its outermost packet, so a tunnel's inner flows can name the
// tunnel's flow as their parent. Packets that can carry a tunnel (GRE,
// IP-in-IP, the VXLAN, Geneve, GTP-U and CAPWAP data ports) are placed by their two addresses
// alone, so that both directions of the tunnel and every inner flow of it
// meet on one worker; the rest by their two endpoints. The hash is a sum
// of one mix per endpoint, so both directions agree without building the
// canonical key; it runs once a frame on the reading goroutine, which
// bounds --flows-only.
func (f *Frame) ShardHash(seed uint64) uint32 {
	if f.N == 0 {
		return 0
	}
	k := &f.Packets[0].Key
	sp, dp := k.SrcPort, k.DstPort
	if tunnelCapable(k) {
		sp, dp = 0, 0
	}
	x := endpointMix(&k.Src, sp, seed) + endpointMix(&k.Dst, dp, seed) + uint64(k.Proto)
	x ^= x >> 29
	x *= 0xbf58476d1ce4e5b9
	return uint32(x >> 32)
}

// endpointMix mixes one endpoint (address, port) with seed.
func endpointMix(a *[16]byte, port uint16, seed uint64) uint64 {
	x := binary.LittleEndian.Uint64(a[0:]) ^ seed
	x ^= bits.RotateLeft64(binary.LittleEndian.Uint64(a[8:]), 31) ^ uint64(port)<<47
	x *= 0x9e3779b97f4a7c15
	return x ^ x>>32
}

func tunnelCapable(k *Key) bool {
	switch k.Proto {
	case ProtoGRE, ProtoIPIP, ProtoIPv6:
		return true
	case ProtoUDP:
		return isTunnelPort(k.SrcPort) || isTunnelPort(k.DstPort)
	}
	return false
}

func isTunnelPort(p uint16) bool {
	return p == 4789 || p == 8472 || p == 6081 || p == decPortGTPU || p == decPortCAPWAPData
}

// addrPair is a key of just k's two addresses, in canonical order.
func addrPair(k *Key) Key {
	pk := Key{Src: k.Src, Dst: k.Dst, V6: k.V6}
	if !EndpointLess(pk.Src[:], 0, pk.Dst[:], 0) {
		pk.Src, pk.Dst = pk.Dst, pk.Src
	}
	return pk
}

// tunnelContext is Key.Tunnel for the packets inside a frame's outermost
// packet: never 0. Its seed is drawn per process; only which contexts are
// equal reaches the output, never their values.
func tunnelContext(outer *Key) uint64 {
	pk := addrPair(outer)
	return hashKey64(&pk, tunnelSeed) | 1
}

var tunnelSeed = rand.Uint64()

// MaxPackets bounds the tunnel nesting the decoder follows in one frame.
const MaxPackets = 4

// Frame is what the decoder makes of one captured frame.
type Frame struct {
	Packets [MaxPackets]Packet
	N       int // number of valid Packets
	// Skip is why the frame yielded no flow packet (SkipNone if it did).
	Skip Skip
	// EtherType is set for SkipNonIP: the EtherType (or PPP/SLL protocol)
	// of the frame that was not IP.
	EtherType uint16
	// LinkType is set for SkipUnknownLinkType: the link type not known,
	// the frame's or the one its PPI header names.
	LinkType uint32
	// Len is the frame's original (wire) length; CapLen what was captured.
	Len, CapLen int
}

// Skip is the reason a frame, or part of it, was not turned into a flow packet.
type Skip uint8

// Reasons for skipping a frame. Every skipped frame is counted by reason.
const (
	SkipNone                   Skip = iota
	SkipUnknownLinkType             // link type the decoder does not know
	SkipNonIP                       // a link-layer frame that does not carry IP (ARP, LLDP, ...)
	SkipTruncated                   // cut by the snap length before the headers needed for a key
	SkipMalformed                   // headers that contradict themselves (bad IHL, lengths, versions)
	SkipFragmentPending             // a non-first fragment held until its first fragment arrives
	SkipTunnelNonIP                 // a tunnel whose payload is not IP (e.g. PPP LCP in GRE); the outer packet still counts
	SkipTooDeep                     // tunnels nested deeper than MaxPackets; the outer packets still count
	SkipTunnelFragment              // a fragment of a tunnel's frame (CAPWAP), not reassembled; the outer packet still counts
	SkipTunnelPayloadMalformed      // what a kept packet carries (a tunnel header or inner packet) contradicts itself; the outer packets still count
	SkipTunnelPayloadTruncated      // what a kept packet carries (a tunnel header or inner packet) was cut before a key; the outer packets still count
	SkipCount                       // the number of reasons
)

var skipNames = [...]string{"", "unknown-link-type", "non-ip", "truncated", "malformed", "fragment-pending", "tunnel-non-ip", "tunnel-too-deep", "tunnel-fragment", "tunnel-payload-malformed", "tunnel-payload-truncated"}

func (s Skip) String() string {
	if int(s) < len(skipNames) {
		return skipNames[s]
	}
	return "unknown"
}
