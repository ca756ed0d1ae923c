//go:build cgo && !purego

package capture

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// tcpPort and hasProto read tshark's columns: tcp.srcport, tcp.dstport and
// frame.protocols.
func tcpPort(port string) func([]string) bool {
	return func(c []string) bool { return c[14] == port || c[15] == port }
}

func hasProto(proto string) func([]string) bool {
	return func(c []string) bool { return strings.Contains(":"+c[21]+":", ":"+proto+":") }
}

// TestFilterMatchesTshark checks filters on several link types against
// tshark's dissection of the same frames.
func TestFilterMatchesTshark(t *testing.T) {
	tests := []struct {
		file string
		expr string
		want func([]string) bool
	}{
		{"ndpi__netflix.pcap", "tcp port 80", tcpPort("80")},
		{"ndpi__http.pcapng", "tcp port 80", tcpPort("80")},
		{"tcpdump__dns_tcp.pcap", "tcp port 80", tcpPort("80")},
		{"tcpdump__tcp-handshake-nano.pcap", "tcp port 80", tcpPort("80")}, // Linux SLL
		{"zeek__linux_dlt_sll2.pcap", "icmp or icmp6", func(c []string) bool { return hasProto("icmp")(c) || hasProto("icmpv6")(c) }},
		{"zeek__linux_dlt_sll2.pcap", "arp or rarp", hasProto("arp")}, // tshark calls RARP arp
		{"ndpi__rdp.pcap", "tcp port 3389", tcpPort("3389")},          // BSD loopback
		{"ndpi__psiphon3.pcap", "tcp port 443", tcpPort("443")},       // raw IP
		// Request, reply, request, ...: the replies are the even frames.
		{"zeek__5-pings.pcap", "icmp[icmptype] = icmp-echoreply", func(c []string) bool { n, _ := strconv.Atoi(c[0]); return n%2 == 0 }},
		{"zeek__pcapng-multi-interface.pcapng", "udp port 53", hasProto("dns")}, // two interfaces
		{"gopacket__test202.pcapng", "udp port 67", hasProto("dhcp")},           // Ethernet and BSD loopback
		// Not ndpi__dns_fragmented.pcap with "udp": libpcap matches first
		// fragments of UDP datagrams, tshark dissects them as data.
		// Not zeek__ipv6-http-atomic-frag.pcap: libpcap's "tcp" does not
		// look past IPv6 extension headers, tshark does.
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.expr, func(t *testing.T) {
			flt, err := NewFilter(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			f, err := OpenFile(capture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			pkts, err := readAll(t, f)
			if err != nil {
				t.Fatal(err)
			}
			rows := tsharkRows(t, tt.file)
			matched := 0
			for i, p := range pkts {
				want := tt.want(rows[i])
				if got := flt.Match(&p); got != want {
					t.Errorf("packet %d: match %v, tshark says %v", i+1, got, rows[i])
				}
				if want {
					matched++
				}
			}
			t.Logf("%d of %d packets match", matched, len(pkts))
			if len(flt.FilterErrors()) != 0 {
				t.Errorf("filter errors: %v", flt.FilterErrors())
			}
		})
	}
}

func TestFilterErrors(t *testing.T) {
	for _, expr := range []string{"tcp prot 80", "host", "port 99999999"} {
		_, err := NewFilter(expr)
		var fe *FilterError
		if !errors.As(err, &fe) || fe.Expr != expr {
			t.Errorf("NewFilter(%q) = %v, want *FilterError", expr, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), `invalid filter "`+expr+`": `) {
			t.Errorf("message %q", err)
		}
	}

	// Raw IP files store LINKTYPE_RAW (101), which libpcap knows as DLT_RAW.
	tcp, err := NewFilter("tcp")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := OpenFile(capture(t, "ndpi__psiphon3.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var rp Packet
	for raw.Next(&rp) == nil {
		if !tcp.Match(&rp) {
			t.Fatalf("tcp did not match raw IP packet %d: %v", raw.Packets(), tcp.FilterErrors())
		}
	}

	// Valid for Ethernet, meaningless on raw IP: no match, error recorded.
	flt, err := NewFilter("ether host 00:11:22:33:44:55 or tcp")
	if err != nil {
		t.Fatal(err)
	}
	f, err := OpenFile(capture(t, "ndpi__psiphon3.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var p Packet
	for f.Next(&p) == nil {
		if flt.Match(&p) {
			t.Fatal("matched a raw IP packet")
		}
	}
	errs := flt.FilterErrors()
	var fe *FilterError
	if len(errs) != 1 || !errors.As(errs[LinkTypeRaw], &fe) || fe.LinkType != LinkTypeRaw {
		t.Fatalf("FilterErrors() = %v", errs)
	}
	t.Log(errs[LinkTypeRaw])
}

// TestFilterMixedLinkTypes compiles per link type on a pcapng whose
// interfaces are Ethernet and BSD loopback.
func TestFilterMixedLinkTypes(t *testing.T) {
	flt, err := NewFilter("udp")
	if err != nil {
		t.Fatal(err)
	}
	f, err := OpenFile(capture(t, "gopacket__test202.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pkts, err := readAll(t, f)
	if err != nil {
		t.Fatal(err)
	}
	// Every packet is UDP (BOOTP on Ethernet, Dropbox LAN sync on loopback).
	for i, p := range pkts {
		if !flt.Match(&p) {
			t.Errorf("packet %d (link type %d) did not match udp", i+1, p.LinkType)
		}
	}
	if flt.String() != "udp" {
		t.Errorf("String() = %q", flt.String())
	}
}
