package report

import (
	"net/netip"
	"time"

	"github.com/flowscope/flowscope/flow"
)

var t0 = time.Date(2019, 5, 27, 14, 40, 8, 21140000, time.UTC)

// tcpRec is a complete IPv4 TCP flow, the shape most records have.
func tcpRec() flow.Record {
	return flow.Record{
		ID: 1, Proto: "tcp", IPProto: 6, IPVersion: 4,
		Client: flow.Side{IP: netip.MustParseAddr("10.0.0.1"), Port: 51234, Packets: 5, Bytes: 400,
			PayloadBytes: 120, FrameBytes: 470, TCPFlags: "FSPA"},
		Server: flow.Side{IP: netip.MustParseAddr("10.0.0.2"), Port: 80, Packets: 4, Bytes: 1200,
			PayloadBytes: 900, FrameBytes: 1256, TCPFlags: "FSPA"},
		FirstSeen: t0, LastSeen: t0.Add(589 * time.Microsecond),
		ConnState: "SF", History: "ShADadFf", CommunityID: "1:LQU9qZlK+B5F3KDmev6m5PMibrg=",
		DirectionBy: "syn", EndReason: "fin", FirstFrame: 1,
		PortService: "http", PortClass: "well-known",
	}
}

// udp6Rec is an IPv6 UDP flow with every optional field but ICMP's set.
func udp6Rec() flow.Record {
	return flow.Record{
		ID: 2, Proto: "udp", IPProto: 17, IPVersion: 6,
		Client: flow.Side{IP: netip.MustParseAddr("2001:db8:85a3::8a2e:370:7334"), Port: 5353, Packets: 3,
			Bytes: 3000, PayloadBytes: 2800, FrameBytes: 3042},
		Server: flow.Side{IP: netip.MustParseAddr("2001:db8::53"), Port: 53, Packets: 1, Bytes: 100,
			PayloadBytes: 52, FrameBytes: 114},
		FirstSeen: t0.Add(time.Second), LastSeen: t0.Add(13 * time.Second),
		ConnState: "SF", History: "Dd", CommunityID: "1:abc",
		DirectionBy: "port", EndReason: "idle", VLAN: 100, TunnelParent: 7, Fragments: 2, FirstFrame: 9,
		PortService: "domain", PortClass: "well-known",
	}
}

// icmpRec is an ICMP echo flow carried in GRE, with a zero duration.
func icmpRec() flow.Record {
	return flow.Record{
		ID: 3, Proto: "icmp", IPProto: 1, IPVersion: 4,
		Client: flow.Side{IP: netip.MustParseAddr("192.168.100.200"), Port: 8, Packets: 1, Bytes: 84,
			PayloadBytes: 56, FrameBytes: 98},
		Server:    flow.Side{IP: netip.MustParseAddr("8.8.8.8")},
		FirstSeen: t0, LastSeen: t0,
		ConnState: "OTH", History: "", CommunityID: "1:x",
		DirectionBy: "icmp", EndReason: "eof", ICMPID: 4660, Tunnel: "gre", FirstFrame: 3,
	}
}

// svcRec is a TCP flow from 10.0.0.1 to 10.0.0.2:port whose payload showed
// service (none when ""), with made-up evidence "<service>\r\n" sent by
// the server in frame 4.
func svcRec(id uint64, port uint16, service, confidence string) flow.Record {
	r := tcpRec()
	r.ID = id
	r.Server.Port = port
	r.PortService, r.PortClass = "", ""
	if service != "" {
		r.Service, r.ServiceConfidence, r.ServiceDetector = service, confidence, service
		r.Evidence, r.EvidenceDir, r.EvidenceFrame = "<"+service+">\r\n", "server", 4
	}
	return r
}
