package service

import "net/netip"

// mDNS (RFC 6762) and LLMNR (RFC 4795) are DNS messages: the dns
// detector recognises them, and where the flow goes names them. Multicast
// DNS to its groups or its port is mdns, whatever a resolver's source
// port; unicast mDNS queries (§5.5) go to 5353 too.
var mdnsProtocol = Protocol{
	Name: "mdns", Transports: onBoth,
	Registry: []string{"mdns"},
	OffPort:  SeverityMedium,
	Refines:  "dns",
	Ports:    []uint16{5353},
	Groups:   []netip.Addr{netip.MustParseAddr("224.0.0.251"), netip.MustParseAddr("ff02::fb")},
}

// LLMNR: Windows' link-local name resolution, to its groups or port 5355
// (over TCP too, for long answers).
var llmnrProtocol = Protocol{
	Name: "llmnr", Transports: onBoth,
	Registry: []string{"llmnr"},
	OffPort:  SeverityMedium,
	Refines:  "dns",
	Ports:    []uint16{5355},
	Groups:   []netip.Addr{netip.MustParseAddr("224.0.0.252"), netip.MustParseAddr("ff02::1:3")},
}
