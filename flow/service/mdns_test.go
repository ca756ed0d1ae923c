package service

import (
	"net/netip"
	"testing"
)

// TestRefine: a DNS verdict is mdns or llmnr by its groups or ports, on the
// protocols' transports; nothing else is renamed.
func TestRefine(t *testing.T) {
	a := netip.MustParseAddr
	host, host6 := a("10.0.2.15"), a("fe80::c50d:519f:96a4:e108")
	tests := []struct {
		name   string
		tr     Transport
		a, b   netip.Addr
		pa, pb uint16
		want   string
	}{
		// ndpi-corpus/gnutella.pcap flows 109, 99, 235, 209.
		{"dns", UDP, host, a("224.0.0.251"), 5353, 5353, "mdns"},
		{"dns", UDP, host6, a("ff02::fb"), 5353, 5353, "mdns"},
		{"dns", UDP, host, a("224.0.0.252"), 50435, 5355, "llmnr"},
		{"dns", UDP, host6, a("ff02::1:3"), 62539, 5355, "llmnr"},
		{"dns", UDP, host, a("192.168.1.1"), 41000, 5353, "mdns"}, // unicast query (RFC 6762 §5.5)
		{"dns", UDP, host, a("::ffff:224.0.0.251"), 41000, 41001, "mdns"},
		{"dns", TCP, host, a("192.168.1.1"), 41000, 5355, "llmnr"},
		{"dns", UDP, host, a("192.168.1.1"), 41000, 53, "dns"},
		{"dns", UDP, host, a("224.0.0.253"), 41000, 5354, "dns"},
		{"ssdp", UDP, host, a("224.0.0.251"), 5353, 5353, "ssdp"},
		{"", UDP, host, a("224.0.0.251"), 5353, 5353, ""},
	}
	for _, tt := range tests {
		if got := Refine(tt.name, tt.tr, tt.a, tt.b, tt.pa, tt.pb); got != tt.want {
			t.Errorf("Refine(%q, %v, %v:%d, %v:%d) = %q, want %q", tt.name, tt.tr, tt.a, tt.pa, tt.b, tt.pb, got, tt.want)
		}
	}
	if n := testing.AllocsPerRun(20, func() { Refine("dns", UDP, host, a("ff02::fb"), 5353, 5353) }); n > 0 {
		t.Errorf("Refine allocates %v times", n)
	}
}
