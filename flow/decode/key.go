package decode

import (
	"encoding/binary"
	"math/bits"
)

// HashKey mixes the key's 40 bytes with seed. Tables and shards take a
// random seed per process, so that no one can choose keys that all land in
// one probe run (or one worker). Each pair of address words the sender
// picks meets secrets derived from the seed inside a multiply before
// anything combines them (as wyhash does): XORed together first, equal
// changes to two words (an IPv6 source's upper half and a destination's
// lower half) cancelled out and collided under every seed. The ports and
// the rest then join them in a last multiply of two seeded forms of the
// whole (a single seeded multiplier left keys differing only in a port
// clustered under some seeds: up to 61 probes a key). Over 400 seeds each,
// keys chosen against seed 0, IPv6 halves changed together, one address
// pair with every port and inner ports chosen to cancel their tunnel's
// context take 0.20 probes a key at worst.
func HashKey(k *Key, seed uint64) uint32 {
	h := hashKey64(k, seed)
	return uint32(h ^ h>>32)
}

// hashKey64 is HashKey before its fold to 32 bits.
func hashKey64(k *Key, seed uint64) uint64 {
	const m1, m2, m3, m4 = 0x9e3779b97f4a7c15, 0xbf58476d1ce4e5b9, 0x94d049bb133111eb, 0xd6e8feb86659fd93
	s0, s1 := seed^m1, bits.RotateLeft64(seed, 17)^m2
	s2, s3 := bits.RotateLeft64(seed, 31)^m3, bits.RotateLeft64(seed, 47)^m4
	h1, l1 := bits.Mul64(binary.LittleEndian.Uint64(k.Src[0:])^s0, binary.LittleEndian.Uint64(k.Dst[8:])^s1)
	h2, l2 := bits.Mul64(binary.LittleEndian.Uint64(k.Src[8:])^s2, binary.LittleEndian.Uint64(k.Dst[0:])^s3)
	c := uint64(k.SrcPort) | uint64(k.DstPort)<<16 | uint64(k.ID)<<32 | uint64(k.Proto)<<48
	if k.V6 {
		c |= 1 << 56
	}
	x := h1 ^ l1 ^ h2 ^ l2 ^ c
	// The tunnel context (once public: a hash with a fixed seed) was XORed
	// into c, where chosen ports cancelled it out. It meets a secret inside
	// this multiply instead.
	h3, l3 := bits.Mul64(x^s2, bits.RotateLeft64(x, 32)^k.Tunnel^s3)
	return h3 ^ l3
}

// Canonical returns the key as both directions of its flow share it.
func (k Key) Canonical() Key {
	ck, _ := Canonical(k)
	return ck
}

// Canonical orders a key so both directions map to one entry; side is the
// canonical side of the key's source.
func Canonical(k Key) (Key, int) {
	if EndpointLess(k.Src[:], k.SrcPort, k.Dst[:], k.DstPort) {
		return k, 0
	}
	return k.Reverse(), 1
}

// EndpointLess orders two endpoints (address bytes, port), as the
// canonical key and the Community ID do.
func EndpointLess(a []byte, ap uint16, b []byte, bp uint16) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return ap < bp
}

// ICMPTwoWay reports whether an ICMP type belongs to a request/response
// pair, the only ICMP messages the Community ID treats as bidirectional.
func ICMPTwoWay(v6 bool, typ uint8) bool {
	return ICMPIsRequest(v6, typ) || ICMPIsResponse(v6, typ)
}
