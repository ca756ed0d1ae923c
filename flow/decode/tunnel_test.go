package decode

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Frames of the GTP-U and CAPWAP tunnels and of the Cisco HDLC, 802.11 and
// PPI link types, built from their specifications (3GPP TS 29.281, RFC
// 5415, IEEE 802.11, the PPI 1.0.10 specification). No public capture here
// holds GTP-U, Cisco HDLC or PPI, so TestTunnelCapturesTshark writes these
// frames to pcap and pcapng files and has tshark dissect them: its view must
// be the decoder's.

// decGTP builds a GTPv1 header (flags byte: version 1, PT 1, then E, S, PN)
// whose length covers opt (the optional fields and extension headers) and
// payload.
func decGTP(flags, typ byte, teid uint32, opt, payload []byte) []byte {
	h := make([]byte, 8)
	h[0], h[1] = 0x30|flags, typ
	binary.BigEndian.PutUint16(h[2:], uint16(len(opt)+len(payload)))
	binary.BigEndian.PutUint32(h[4:], teid)
	return decCat(h, opt, payload)
}

// decGTPExt is the optional part: sequence number 7, N-PDU number 0, the
// first extension header's type, then the extension headers.
func decGTPExt(first byte, exts ...[]byte) []byte {
	return decCat([]byte{0, 7, 0, first}, decCat(exts...))
}

// GTP-U extension headers of one 4-byte unit: the UDP port of an error
// indication's sender (0x40), then a PDU session container (0x85, QFI 9).
var (
	decGTPExtUDPPort = []byte{1, 0x08, 0x68, 0x85}
	decGTPExtPDU     = []byte{1, 0x10, 0x09, 0x00}
)

// decCAPWAP builds a CAPWAP header, preamble version 0 type 0, with
// flags (the byte of F, L, W, M, K), the T flag and WBID, and opts (radio
// MAC address and wireless specific information) padded to HLEN.
func decCAPWAPHdr(t bool, wbid, flags byte, opts []byte) []byte {
	h := decCat(make([]byte, 8), opts)
	for len(h)%4 != 0 {
		h = append(h, 0)
	}
	const rid = 1
	h[1] = byte(len(h)/4)<<3 | rid>>2
	h[2] = (rid&3)<<6 | wbid<<1
	if t {
		h[2] |= 1
	}
	h[3] = flags
	return h
}

// CAPWAP header flag bits (the fourth byte).
const (
	decCWF = 0x80 // fragment
	decCWW = 0x20 // wireless specific information present
	decCWM = 0x10 // radio MAC address present
	decCWK = 0x08 // keep-alive
)

// decCWWireless is wireless specific information for IEEE 802.11 (wireless
// ID 1): RSSI, SNR and data rate.
var decCWWireless = []byte{1, 4, 0xed, 0x4d, 0, 0}

// decDot11Data builds an 802.11 data frame: fc0 is the first frame control
// byte (0x08 data, 0x88 QoS data), fc1 the flags (to/from DS, protected, ...);
// the header grows by a fourth address and QoS control as they say. body
// follows the header as is (the LLC/SNAP header included).
func decDot11Data(fc0, fc1 byte, body []byte) []byte {
	h := []byte{fc0, fc1, 0x2c, 0}
	h = decCat(h, []byte{2, 0, 0, 0, 0, 1}, []byte{2, 0, 0, 0, 0, 2}, []byte{2, 0, 0, 0, 0, 3}, []byte{0x10, 0})
	if fc1&3 == 3 {
		h = decCat(h, []byte{2, 0, 0, 0, 0, 4})
	}
	if fc0&0x80 != 0 {
		h = decCat(h, []byte{0, 0})
		if fc1&0x80 != 0 {
			h = decCat(h, make([]byte, 4))
		}
	}
	return decCat(h, body)
}

// decSNAP is an LLC/SNAP header with an EtherType.
func decSNAP(et uint16, payload []byte) []byte {
	return decCat([]byte{0xaa, 0xaa, 0x03, 0, 0, 0}, decBE16(et), payload)
}

// decBeacon is an 802.11 beacon: a management frame.
var decBeacon = decCat([]byte{0x80, 0, 0, 0}, bytes.Repeat([]byte{0xff}, 6), []byte{2, 0, 0, 0, 0, 1}, []byte{2, 0, 0, 0, 0, 1},
	[]byte{0x20, 0}, make([]byte, 8), []byte{0x64, 0, 0x01, 0x04}, []byte{0, 4}, []byte("test"))

// decPPIHdr builds a PPI header for a frame of link type dlt with the
// given fields (each type, length, data) and flags.
func decPPIHdr(flags byte, dlt uint32, fields ...[]byte) []byte {
	h := []byte{0, flags, 0, 0, 0, 0, 0, 0}
	for _, f := range fields {
		h = binary.LittleEndian.AppendUint16(h, binary.LittleEndian.Uint16(f))
		h = binary.LittleEndian.AppendUint16(h, uint16(len(f)-2))
		h = append(h, f[2:]...)
		for flags&1 != 0 && len(h)%4 != 0 {
			h = append(h, 0)
		}
	}
	binary.LittleEndian.PutUint16(h[2:], uint16(len(h)))
	binary.LittleEndian.PutUint32(h[4:], dlt)
	return h
}

// decPPICommon is a PPI 802.11-Common field (type 2, 20 bytes): TSF,
// flags, rate, channel 2437 MHz, FHSS, signal and noise.
var decPPICommon = decCat([]byte{2, 0}, make([]byte, 8), []byte{0, 0, 0x6c, 0, 0x85, 0x09, 0xa0, 0, 0, 0, 0xc4, 0xa0})

// decOuterUDP wraps payload in Ethernet/IPv4/UDP from 10.0.0.1:sport to
// 10.0.0.2:dport.
func decOuterUDP(sport, dport uint16, payload []byte) []byte {
	return decEth(0x0800, decIP4(ProtoUDP, decA4, decB4, 9, 0, decUDP(sport, dport, payload)))
}

func decUDPKey(sport, dport uint16) Key {
	return Key{Src: decAddr("10.0.0.1"), Dst: decAddr("10.0.0.2"), SrcPort: sport, DstPort: dport, Proto: ProtoUDP}
}

// decTunnelCases are the GTP-U, CAPWAP, 802.11, PPI and Cisco HDLC cases
// of decSynthCases, well-formed and not.
func decTunnelCases() []decSynth {
	gtp, cw := []Tunnel{TunnelGTPU, TunnelNone}, []Tunnel{TunnelCAPWAP, TunnelNone}
	gpdu := func(opt, payload []byte) []byte { return decOuterUDP(2152, 2152, decGTP(0, 255, 0x1234, opt, payload)) }
	gpduFlags := func(flags byte, opt, payload []byte) []byte {
		return decOuterUDP(2152, 2152, decGTP(flags, 255, 0x1234, opt, payload))
	}
	gtpLen := func(frame []byte, n uint16) []byte { // the GTP length field set to n
		c := bytes.Clone(frame)
		binary.BigEndian.PutUint16(c[14+20+8+2:], n)
		return c
	}
	capwap := func(hdr, payload []byte) []byte { return decOuterUDP(12380, 5247, decCat(hdr, payload)) }
	wlan := decCAPWAPHdr(true, 1, decCWW, decCWWireless)
	qosToDS := decDot11Data(0x88, 0x01, decSNAP(0x0800, decUDPv4))
	// Cisco access points swap the frame control bytes (see decDot11).
	swapFC := func(b []byte) []byte {
		c := bytes.Clone(b)
		c[0], c[1] = c[1], c[0]
		return c
	}
	chdlcHdr := []byte{0x0f, 0x00, 0x08, 0x00}
	return []decSynth{
		// GTP-U.
		{name: "gtp-u g-pdu ipv4", linkType: 1, carries: gtp, keys: []Key{decUDPKey(2152, 2152), decKeyUDPv4},
			data: gpdu(nil, decUDPv4)},
		{name: "gtp-u g-pdu sequence number ipv6", linkType: 1, carries: gtp, keys: []Key{decUDPKey(2152, 2152), decKeyUDPv6},
			data: gpduFlags(0x02, decGTPExt(0), decUDPv6)},
		{name: "gtp-u g-pdu two extension headers", linkType: 1, carries: gtp, keys: []Key{decUDPKey(2152, 2152), decKeyTCPv4},
			data: gpduFlags(0x06, decGTPExt(0x40, decGTPExtUDPPort, decGTPExtPDU), decTCPv4)},
		{name: "gtp-u g-pdu from port 2152", linkType: 1, carries: gtp, keys: []Key{decUDPKey(2152, 40000), decKeyUDPv4},
			data: decOuterUDP(2152, 40000, decGTP(0, 255, 0x1234, nil, decUDPv4))},
		{name: "gtp-u e flag clear ignores next type", linkType: 1, carries: gtp, keys: []Key{decUDPKey(2152, 2152), decKeyUDPv4},
			data: gpduFlags(0x01, decGTPExt(0x85), decUDPv4)},
		{name: "gtp-u echo request", linkType: 1, keys: []Key{decUDPKey(2152, 2152)},
			data: decOuterUDP(2152, 2152, decGTP(0x02, 1, 0, decGTPExt(0), []byte{14, 0}))},
		{name: "gtp-u end marker", linkType: 1, keys: []Key{decUDPKey(2152, 2152)},
			data: decOuterUDP(2152, 2152, decGTP(0, 254, 0x1234, nil, nil))},
		{name: "gtp prime is plain udp", linkType: 1, keys: []Key{decUDPKey(2152, 2152)},
			data: decOuterUDP(2152, 2152, decCat([]byte{0x20}, decGTP(0, 255, 1, nil, decUDPv4)[1:]))},
		{name: "gtp-u g-pdu ethernet pdu", linkType: 1, carries: gtp, keys: []Key{decUDPKey(2152, 2152), decKeyUDPv4},
			data: gpdu(nil, decEth(0x0800, decUDPv4))},
		{name: "gtp-u g-pdu unstructured pdu", linkType: 1, skip: SkipTunnelNonIP, et: EtherTypeUnknown, keys: []Key{decUDPKey(2152, 2152)},
			data: gpdu(nil, decCat([]byte{0}, []byte("an unstructured PDU of no known form")))},
		{name: "gtp-u length past the datagram", linkType: 1, plain: true, keys: []Key{decUDPKey(2152, 2152)},
			data: gtpLen(gpdu(nil, decUDPv4), uint16(len(decUDPv4)+1))},
		{name: "gtp-u g-pdu without a packet", linkType: 1, plain: true, keys: []Key{decUDPKey(2152, 2152)},
			data: gpduFlags(0x02, decGTPExt(0), nil)},
		{name: "gtp-u optional fields past the length", linkType: 1, plain: true, keys: []Key{decUDPKey(2152, 2152)},
			data: gtpLen(gpduFlags(0x02, decGTPExt(0), decUDPv4), 2)},
		{name: "gtp-u extension chain past the length", linkType: 1, plain: true, keys: []Key{decUDPKey(2152, 2152)},
			data: gtpLen(gpduFlags(0x04, decGTPExt(0x85, decGTPExtPDU), decUDPv4), 6)},
		{name: "gtp-u extension named past the length", linkType: 1, plain: true, keys: []Key{decUDPKey(2152, 2152)},
			data: gtpLen(gpduFlags(0x04, decGTPExt(0x85, decGTPExtPDU), decUDPv4), 4)},
		{name: "gtp-u extension chain cut", linkType: 1, plain: true, keys: []Key{decUDPKey(2152, 2152)},
			data: gpduFlags(0x04, decGTPExt(0x85, []byte{2, 0x10, 0x09, 0x00}), nil)},
		{name: "gtp-u extension of length 0", linkType: 1, plain: true, keys: []Key{decUDPKey(2152, 2152)},
			data: gpduFlags(0x04, decGTPExt(0x85, []byte{0, 0x10, 0x09, 0x00}), decUDPv4)},
		{name: "gtp-u header cut by the capture", linkType: 1, plain: true, keys: []Key{decUDPKey(2152, 2152)},
			data: gpdu(nil, decUDPv4)[:14+20+8+5]},
		{name: "gtp-u extension cut by the capture", linkType: 1, plain: true, keys: []Key{decUDPKey(2152, 2152)},
			data: gpduFlags(0x04, decGTPExt(0x85, decGTPExtPDU), decUDPv4)[:14+20+8+13]},
		{name: "gtp-u packet not captured", linkType: 1, plain: true, keys: []Key{decUDPKey(2152, 2152)},
			data: gpdu(nil, decUDPv4)[:14+20+8+8]},
		{name: "udp/2152 payload that is not gtp-u", linkType: 1, plain: true, keys: []Key{decUDPKey(40000, 2152)},
			data: decOuterUDP(40000, 2152, decCat([]byte{0x32, 0xff, 0xff, 0xff}, make([]byte, 20)))},
		{name: "gtp-u endless extension chain", linkType: 1, plain: true, keys: []Key{decUDPKey(2152, 2152)},
			data: gpduFlags(0x04, decGTPExt(0x85, bytes.Repeat([]byte{1, 0x10, 0x09, 0x85}, 9)), decUDPv4)},

		// CAPWAP data channel.
		{name: "capwap 802.3", linkType: 1, carries: cw, keys: []Key{decUDPKey(12380, 5247), decKeyTCPv4},
			data: capwap(decCAPWAPHdr(false, 1, 0, nil), decEth(0x0800, decTCPv4))},
		{name: "capwap 802.11 qos data", linkType: 1, carries: cw, keys: []Key{decUDPKey(12380, 5247), decKeyUDPv4},
			data: capwap(wlan, swapFC(qosToDS))},
		{name: "capwap 802.11 from the controller", linkType: 1, carries: cw, keys: []Key{decUDPKey(5247, 12380), decKeyUDPv6},
			data: decOuterUDP(5247, 12380, decCat(decCAPWAPHdr(true, 1, decCWM|decCWW, decCat([]byte{6, 2, 0, 0, 0, 0, 9}, decCWWireless)),
				swapFC(decDot11Data(0x08, 0x02, decSNAP(0x86dd, decUDPv6)))))},
		{name: "capwap 802.11 beacon", linkType: 1, skip: SkipTunnelNonIP, et: EtherType80211Mgmt, keys: []Key{decUDPKey(12380, 5247)},
			data: capwap(wlan, swapFC(decBeacon))},
		{name: "capwap 802.11 probe request retry", linkType: 1, skip: SkipTunnelNonIP, et: EtherType80211Mgmt, keys: []Key{decUDPKey(12380, 5247)},
			data: capwap(wlan, swapFC(with(with(decBeacon, 0, 0x40), 1, 0x08)))},
		// RFC 5415's order, which tshark reads swapped by default.
		{name: "capwap 802.11 rfc order", linkType: 1, carries: cw, keys: []Key{decUDPKey(12380, 5247), decKeyUDPv4},
			data: capwap(wlan, qosToDS)},
		{name: "capwap fragment", linkType: 1, skip: SkipTunnelFragment, keys: []Key{decUDPKey(12380, 5247)},
			data: capwap(decCAPWAPHdr(true, 1, decCWF|decCWW, decCWWireless), qosToDS)},
		{name: "capwap keep-alive", linkType: 1, keys: []Key{decUDPKey(12380, 5247)},
			data: capwap(decCAPWAPHdr(false, 1, decCWK, nil), []byte{0, 8, 0, 35, 0, 16, 1, 2})},
		{name: "capwap dtls", linkType: 1, keys: []Key{decUDPKey(12380, 5247)},
			data: capwap([]byte{1, 0, 0, 0, 0x17, 0xfe, 0xfd, 0, 1}, make([]byte, 40))},
		{name: "capwap other binding", linkType: 1, skip: SkipTunnelNonIP, et: EtherTypeUnknown, keys: []Key{decUDPKey(12380, 5247)},
			data: capwap(decCAPWAPHdr(true, 3, 0, nil), make([]byte, 20))},
		{name: "udp/5247 payload that is not capwap", linkType: 1, plain: true, keys: []Key{decUDPKey(40000, 5247)},
			data: decOuterUDP(40000, 5247, decCat([]byte{0, 5, 0, 0}, bytes.Repeat([]byte{1, 2, 3, 4}, 10)))},
		{name: "capwap header cut by the capture", linkType: 1, plain: true, keys: []Key{decUDPKey(12380, 5247)},
			data: capwap(wlan, qosToDS)[:14+20+8+6]},
		{name: "capwap options cut by the capture", linkType: 1, plain: true, keys: []Key{decUDPKey(12380, 5247)},
			data: capwap(wlan, qosToDS)[:14+20+8+9]},
		{name: "capwap frame not captured", linkType: 1, plain: true, keys: []Key{decUDPKey(12380, 5247)},
			data: capwap(decCAPWAPHdr(false, 1, 0, nil), decEth(0x0800, decTCPv4))[:14+20+8+8]},
		{name: "capwap hlen below 2", linkType: 1, plain: true, keys: []Key{decUDPKey(12380, 5247)},
			data: capwap(with(decCAPWAPHdr(false, 1, 0, nil), 1, 1<<3), decEth(0x0800, decTCPv4))},
		{name: "capwap hlen past the datagram", linkType: 1, plain: true, keys: []Key{decUDPKey(12380, 5247)},
			data: capwap(with(decCAPWAPHdr(false, 1, 0, nil), 1, 31<<3), make([]byte, 20))},
		{name: "capwap wireless information past hlen", linkType: 1, plain: true, keys: []Key{decUDPKey(12380, 5247)},
			data: capwap(with(wlan, 9, 40), qosToDS)},
		{name: "capwap wireless flag without room", linkType: 1, plain: true, keys: []Key{decUDPKey(12380, 5247)},
			data: capwap(decCAPWAPHdr(false, 1, decCWW, nil), decEth(0x0800, decTCPv4))},

		// IEEE 802.11 (105).
		{name: "802.11 data", linkType: 105, keys: []Key{decKeyUDPv4}, data: decDot11Data(0x08, 0x01, decSNAP(0x0800, decUDPv4))},
		{name: "802.11 qos data four addresses htc", linkType: 105, keys: []Key{decKeyUDPv6},
			data: decDot11Data(0x88, 0x83, decSNAP(0x86dd, decUDPv6))},
		{name: "802.11 beacon", linkType: 105, skip: SkipNonIP, et: EtherType80211Mgmt, data: decBeacon},
		{name: "802.11 ack", linkType: 105, skip: SkipNonIP, et: EtherType80211Ctrl, data: []byte{0xd4, 0, 0, 0, 2, 0, 0, 0, 0, 1}},
		{name: "802.11 null function", linkType: 105, skip: SkipNonIP, et: EtherType80211Null, data: decDot11Data(0x48, 0x11, nil)},
		{name: "802.11 protected", linkType: 105, skip: SkipNonIP, et: EtherType80211Protected,
			data: decDot11Data(0x88, 0x41, make([]byte, 60))},
		{name: "802.11 fragment", linkType: 105, skip: SkipNonIP, et: EtherType80211Fragment,
			data: decDot11Data(0x08, 0x05, decSNAP(0x0800, decUDPv4))},
		{name: "802.11 a-msdu", linkType: 105, skip: SkipNonIP, et: EtherType80211AMSDU,
			data: with(decDot11Data(0x88, 0x01, decSNAP(0x0800, decUDPv4)), 24, 0x80)},
		{name: "802.11 llc without snap", linkType: 105, skip: SkipNonIP, et: EtherType8023,
			data: decDot11Data(0x08, 0x01, []byte{0x42, 0x42, 0x03, 0, 0, 0, 0})},
		{name: "802.11 arp", linkType: 105, skip: SkipNonIP, et: 0x0806, data: decDot11Data(0x08, 0x01, decSNAP(0x0806, make([]byte, 28)))},
		{name: "802.11 version 1", linkType: 105, skip: SkipMalformed, data: with(decDot11Data(0x08, 0x01, decSNAP(0x0800, decUDPv4)), 0, 0x09)},

		// PPI (192).
		{name: "ppi 802.11 common", linkType: 192, keys: []Key{decKeyUDPv4}, data: decCat(decPPIHdr(0, 105, decPPICommon), qosToDS)},
		{name: "ppi aligned fields", linkType: 192, keys: []Key{decKeyUDPv4},
			data: decCat(decPPIHdr(1, 105, []byte{0xa0, 0x0d, 1, 2, 3, 4}, decPPICommon), qosToDS)},
		{name: "ppi no fields ethernet", linkType: 192, keys: []Key{decKeyTCPv4}, data: decCat(decPPIHdr(0, 1), decEth(0x0800, decTCPv4))},
		{name: "ppi beacon", linkType: 192, skip: SkipNonIP, et: EtherType80211Mgmt, data: decCat(decPPIHdr(0, 105, decPPICommon), decBeacon)},
		{name: "ppi unknown link type", linkType: 192, skip: SkipUnknownLinkType, data: decCat(decPPIHdr(0, 147), decUDPv4)},
		{name: "ppi in ppi", linkType: 192, skip: SkipMalformed, data: decCat(decPPIHdr(0, 192), decPPIHdr(0, 105), qosToDS)},
		{name: "ppi version 1", linkType: 192, skip: SkipMalformed, data: with(decCat(decPPIHdr(0, 105), qosToDS), 0, 1)},
		{name: "ppi length below 8", linkType: 192, skip: SkipMalformed, data: with(decCat(decPPIHdr(0, 105), qosToDS), 2, 4)},
		{name: "ppi length past the frame", linkType: 192, skip: SkipMalformed, data: with(decCat(decPPIHdr(0, 105), qosToDS), 3, 2)},
		{name: "ppi field past the header", linkType: 192, skip: SkipMalformed,
			data: decCat(with(decPPIHdr(0, 105, decPPICommon), 10, 21), qosToDS)},

		// Cisco HDLC (104).
		{name: "c-hdlc ipv4", linkType: 104, keys: []Key{decKeyUDPv4}, data: decCat(chdlcHdr, decUDPv4)},
		{name: "c-hdlc slarp", linkType: 104, skip: SkipNonIP, et: EtherTypeSLARP,
			data: decCat([]byte{0x8f, 0, 0x80, 0x35}, []byte{0, 0, 0, 2}, make([]byte, 14))},
		{name: "c-hdlc cdp", linkType: 104, skip: SkipNonIP, et: 0x2000, data: decCat([]byte{0x8f, 0, 0x20, 0x00}, make([]byte, 20))},
		{name: "c-hdlc bad address", linkType: 104, skip: SkipMalformed, data: decCat([]byte{0x0e, 0x00, 0x08, 0x00}, decUDPv4)},
		{name: "c-hdlc bad control", linkType: 104, skip: SkipMalformed, data: decCat([]byte{0x0f, 0x03, 0x08, 0x00}, decUDPv4)},
	}
}

// TestDecodeUnknownInnerLinkType: a PPI header naming a link type the
// decoder does not know reports that link type, not PPI's.
func TestDecodeUnknownInnerLinkType(t *testing.T) {
	var f Frame
	d := NewDecoder()
	d.Decode(decCat(decPPIHdr(0, 147), decUDPv4), 192, 0, 0, &f)
	if f.Skip != SkipUnknownLinkType || f.LinkType != 147 {
		t.Errorf("PPI around link type 147: skip %v, link type %d", f.Skip, f.LinkType)
	}
	d.Decode(decUDPv4, 148, 0, 0, &f)
	if f.Skip != SkipUnknownLinkType || f.LinkType != 148 {
		t.Errorf("link type 148: skip %v, link type %d", f.Skip, f.LinkType)
	}
}

// decTsharkFields are the fields of the committed tshark views
// (testdata/captures/expected/tshark), which decCheckRow reads.
var decTsharkFields = []string{"frame.number", "frame.time_epoch", "frame.len", "frame.cap_len", "frame.interface_id", "vlan.id",
	"ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.proto", "ipv6.nxt", "ip.flags.mf", "ip.frag_offset", "tcp.srcport", "tcp.dstport",
	"udp.srcport", "udp.dstport", "tcp.flags.str", "tcp.len", "udp.length", "frame.protocols"}

// decTshark runs tshark on a capture and returns its per-packet view.
func decTshark(t *testing.T, tshark, path string) []decTsvRow {
	t.Helper()
	args := []string{"-n", "-r", path, "-T", "fields", "-E", "header=y"}
	for _, f := range decTsharkFields {
		args = append(args, "-e", f)
	}
	out, err := exec.Command(tshark, args...).Output()
	if err != nil {
		t.Fatalf("tshark %s: %v", path, err)
	}
	tsv := filepath.Join(t.TempDir(), "view.tsv")
	if err := os.WriteFile(tsv, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return decReadTsv(t, tsv)
}

// decTunnelCaptureFrames are the frames of the generated captures: every
// well-formed case of decTunnelCases (the malformed and plain ones are
// for the decoder's eyes: tshark reports them its own way) and a CAPWAP control
// message, the tunnel's own flow.
func decTunnelCaptureFrames() []decTestFrame {
	var frames []decTestFrame
	for _, tc := range decTunnelCases() {
		if (tc.skip == SkipNone || tc.skip == SkipNonIP || tc.skip == SkipTunnelNonIP) && !tc.plain && tc.name != "capwap 802.11 rfc order" {
			frames = append(frames, decTestFrame{data: tc.data, linkType: tc.linkType})
		}
	}
	// Discovery request in the clear (control channel, message type 1).
	ctl := decOuterUDP(12379, 5246, decCat(decCAPWAPHdr(false, 1, 0, nil), []byte{0, 0, 0, 1, 0, 0, 8, 0}, []byte{0, 20, 0, 1, 0}, []byte{0, 0, 0}))
	frames = append(frames, decTestFrame{data: ctl, linkType: 1})
	for i := range frames {
		frames[i].origLen = len(frames[i].data)
		frames[i].ts = int64(1700000000+i) * 1e9
	}
	return frames
}

// decWriteCaptures writes frames to a pcap per link type and to one pcapng
// holding them all (an interface per link type), and returns the paths.
func decWriteCaptures(t *testing.T, frames []decTestFrame) []string {
	t.Helper()
	dir := t.TempDir()
	var lts []uint32
	byLT := map[uint32][]decTestFrame{}
	for _, fr := range frames {
		if _, ok := byLT[fr.linkType]; !ok {
			lts = append(lts, fr.linkType)
		}
		byLT[fr.linkType] = append(byLT[fr.linkType], fr)
	}
	ci := func(fr decTestFrame, intf int) gopacket.CaptureInfo {
		return gopacket.CaptureInfo{Timestamp: time.Unix(0, fr.ts), CaptureLength: len(fr.data), Length: fr.origLen, InterfaceIndex: intf}
	}
	var paths []string
	for _, lt := range lts {
		var buf bytes.Buffer
		w := pcapgo.NewWriter(&buf)
		if err := w.WriteFileHeader(65535, layers.LinkType(lt)); err != nil {
			t.Fatal(err)
		}
		for _, fr := range byLT[lt] {
			if err := w.WritePacket(ci(fr, 0), fr.data); err != nil {
				t.Fatal(err)
			}
		}
		p := filepath.Join(dir, "linktype-"+strconv.Itoa(int(lt))+".pcap")
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	var buf bytes.Buffer
	intf := pcapgo.DefaultNgInterface
	intf.LinkType = layers.LinkType(lts[0])
	w, err := pcapgo.NewNgWriterInterface(&buf, intf, pcapgo.DefaultNgWriterOptions)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[uint32]int{lts[0]: 0}
	for _, lt := range lts[1:] {
		intf.LinkType = layers.LinkType(lt)
		if ids[lt], err = w.AddInterface(intf); err != nil {
			t.Fatal(err)
		}
	}
	for _, fr := range frames {
		if err := w.WritePacket(ci(fr, ids[fr.linkType]), fr.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "all.pcapng")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return append(paths, p)
}

// TestTunnelCapturesTshark writes the generated GTP-U, CAPWAP, 802.11, PPI
// and Cisco HDLC frames to pcap and pcapng files, reads them back through
// the capture package and compares every frame with tshark's dissection:
// the same IP layers, addresses, ports and tunnels. It does the same for
// the real CAPWAP capture of the nDPI corpus (802.11 over CAPWAP from a
// Cisco access point, DTLS control channel).
func TestTunnelCapturesTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed")
	}
	paths := decWriteCaptures(t, decTunnelCaptureFrames())
	paths = append(paths, filepath.Join(decCaptureDir(t), "ndpi-corpus", "pcap", "capwap.pcap"))
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			frames := decReadCaptureFile(t, path)
			rows := decTshark(t, tshark, path)
			if len(rows) != len(frames) || len(frames) == 0 {
				t.Fatalf("%d frames, tshark %d", len(frames), len(rows))
			}
			d := NewDecoder()
			var f Frame
			inner := 0
			for i, fr := range frames {
				d.Decode(fr.data, fr.linkType, fr.origLen, fr.ts, &f)
				for _, e := range decCheckRow(&f, rows[i]) {
					t.Errorf("frame %s (%s): %s", rows[i]["frame.number"], rows[i]["frame.protocols"], e)
				}
				if f.N > 1 {
					inner++
				}
			}
			if strings.HasSuffix(path, "capwap.pcap") && inner != 11 {
				// tshark: DHCP 5, ICMPv6 5, IGMP 1 inside the data channel.
				t.Errorf("%d frames with an inner packet, want 11", inner)
			}
			t.Logf("%d frames agree with tshark, %d with a tunnelled packet", len(frames), inner)
		})
	}
}

// with returns a copy of b with b[i] set to v.
func with(b []byte, i int, v byte) []byte {
	c := bytes.Clone(b)
	c[i] = v
	return c
}
