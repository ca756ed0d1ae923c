package flow

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"

	"github.com/flowscope/flowscope/flow/decode"
)

// CommunityID returns the Community ID v1 (corelight spec, seed 0) of a flow
// whose originator sent k. ICMP keys already hold the spec's port
// equivalents (type and counterpart type or code), see decode.go.
func CommunityID(k Key) string {
	var buf [2 + 16 + 16 + 2 + 4]byte
	n := 2 // seed 0
	alen := 4
	if k.V6 {
		alen = 16
	}
	src, dst := k.Src[16-alen:], k.Dst[16-alen:]
	sport, dport := k.SrcPort, k.DstPort
	hasPorts := false
	oneWay := false
	switch k.Proto {
	case ProtoTCP, ProtoUDP, ProtoSCTP:
		hasPorts = true
	case ProtoICMP, ProtoICMPv6:
		hasPorts = true
		oneWay = !decode.ICMPTwoWay(k.Proto == ProtoICMPv6, uint8(sport))
	}
	// The smaller IP:port comes first so both directions hash alike; the
	// spec keeps one-way ICMP messages as sent.
	if !oneWay && !decode.EndpointLess(src, sport, dst, dport) {
		src, dst = dst, src
		sport, dport = dport, sport
	}
	n += copy(buf[n:], src)
	n += copy(buf[n:], dst)
	buf[n] = k.Proto
	buf[n+1] = 0
	n += 2
	if hasPorts {
		binary.BigEndian.PutUint16(buf[n:], sport)
		binary.BigEndian.PutUint16(buf[n+2:], dport)
		n += 4
	}
	sum := sha1.Sum(buf[:n])
	var out [2 + 28]byte
	out[0], out[1] = '1', ':'
	base64.StdEncoding.Encode(out[2:], sum[:])
	return string(out[:])
}
