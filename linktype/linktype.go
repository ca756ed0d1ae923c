// Package linktype names the LINKTYPE_* values of pcap and pcapng: the
// one vocabulary the capture readers and the frame decoder share.
package linktype

import "strconv"

// LINKTYPE_* values the decoder handles by name.
const (
	Null      uint32 = 0   // BSD loopback, 4-byte host-order address family
	Ethernet  uint32 = 1   // Ethernet II / 802.3
	PPP       uint32 = 9   // PPP, RFC 1661 framing
	PPPoE     uint32 = 51  // PPPoE session frames without Ethernet header
	Raw       uint32 = 101 // raw IPv4 or IPv6, no link header
	CHDLC     uint32 = 104 // Cisco HDLC: address, control, EtherType
	IEEE80211 uint32 = 105 // IEEE 802.11 frames without a radio header
	Loop      uint32 = 108 // OpenBSD loopback, network-order address family
	LinuxSLL  uint32 = 113 // Linux cooked capture v1
	PPI       uint32 = 192 // Per-Packet Information header, then a frame of the link type it names
	IPv4      uint32 = 228 // raw IPv4
	IPv6      uint32 = 229 // raw IPv6
	LinuxSLL2 uint32 = 276 // Linux cooked capture v2
)

// Stable lower-case names: gopacket's LinkType.String() is mixed-case and
// knows fewer types, and these names end up in reports and scripts.
var names = map[uint32]string{
	0:   "null",
	1:   "ethernet",
	3:   "ax25",
	6:   "token-ring",
	7:   "arcnet",
	8:   "slip",
	9:   "ppp",
	10:  "fddi",
	50:  "ppp-hdlc",
	51:  "pppoe",
	100: "atm-rfc1483",
	101: "raw",
	104: "c-hdlc",
	105: "ieee802.11",
	107: "frame-relay",
	108: "loop",
	113: "linux-sll",
	114: "localtalk",
	117: "pflog",
	119: "prism",
	122: "ip-over-fc",
	123: "sunatm",
	127: "ieee802.11-radiotap",
	129: "arcnet-linux",
	138: "ip-over-ieee1394",
	139: "mtp2-with-phdr",
	140: "mtp2",
	141: "mtp3",
	142: "sccp",
	143: "docsis",
	144: "linux-irda",
	177: "linux-lapd",
	192: "ppi",
	220: "usb-linux-mmapped",
	224: "fc-2",
	225: "fc-2-framed",
	228: "ipv4",
	229: "ipv6",
	239: "nflog",
	276: "linux-sll2",
}

// Name returns a stable lower-case name for a LINKTYPE_* value, or "linktype-N".
func Name(lt uint32) string {
	if n, ok := names[lt]; ok {
		return n
	}
	return "linktype-" + strconv.FormatUint(uint64(lt), 10)
}
