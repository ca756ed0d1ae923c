package flow

import (
	"net/netip"
	"time"

	"github.com/flowscope/flowscope/flow/beacon"
)

// Side is what one endpoint of a flow sent.
type Side struct {
	IP   netip.Addr `json:"ip"`
	Port uint16     `json:"port"`
	// Packets sent by this side (every IP fragment counts as a packet).
	Packets uint64 `json:"packets"`
	// Bytes is the IP bytes sent (IP header included, per the IP length field).
	Bytes uint64 `json:"bytes"`
	// PayloadBytes is the transport payload sent (TCP/UDP/ICMP payload).
	PayloadBytes uint64 `json:"payload_bytes"`
	// FrameBytes is the wire length of the link-layer frames that carried
	// this side's packets, outer headers included (what tshark counts).
	FrameBytes uint64 `json:"frame_bytes"`
	// TCPFlags is every TCP flag this side sent, as letters in the order
	// FSRPAUEC (tcpdump's order: FIN SYN RST PSH ACK URG ECE CWR).
	TCPFlags string `json:"tcp_flags,omitempty"`
}

// EndReason says why a flow record was emitted.
type EndReason uint8

// Why a flow ended.
const (
	EndEOF     EndReason = iota // still open at the end of input
	EndIdle                     // no packet for the idle timeout of its protocol
	EndActive                   // open longer than the active timeout; a new record continues it
	EndFIN                      // TCP closed by FIN in both directions
	EndRST                      // TCP reset
	EndEvicted                  // removed to keep the table within --max-flows
	endReasonCount

	// EndOpen marks a snapshot of a flow that has not ended (live interval reports).
	EndOpen EndReason = endReasonCount
)

var endReasonNames = [...]string{"eof", "idle", "active", "fin", "rst", "evicted", "open"}

func (r EndReason) String() string {
	if int(r) < len(endReasonNames) {
		return endReasonNames[r]
	}
	return "unknown"
}

// DirectionBy says how the client (originator) of a flow was decided.
type DirectionBy uint8

// How a flow's direction was decided.
const (
	DirFirstPacket DirectionBy = iota // the sender of the first packet seen
	DirSYN                            // the sender of the TCP SYN (or the receiver of the SYN/ACK)
	DirPort                           // the side on a service port talking to an ephemeral port is the server
	DirICMP                           // the sender of the ICMP request (or the receiver of the reply)
)

var directionNames = [...]string{"first-packet", "syn", "port", "icmp"}

func (d DirectionBy) String() string {
	if int(d) < len(directionNames) {
		return directionNames[d]
	}
	return "unknown"
}

// Record is a finished flow, as the report package prints it.
type Record struct {
	// ID is unique and grows with the flow's first packet: that packet's
	// frame number times 10 plus its tunnel layer (0 outermost), see FlowID.
	ID          uint64    `json:"id"`
	Proto       string    `json:"proto"` // "tcp", "udp", "icmp", "icmp6", "gre", "sctp", or "ip-N"
	IPProto     uint8     `json:"ip_proto"`
	IPVersion   uint8     `json:"ip_version"`
	Client      Side      `json:"client"`
	Server      Side      `json:"server"`
	FirstSeen   time.Time `json:"first_seen"` // RFC 3339 with nanoseconds in JSON
	LastSeen    time.Time `json:"last_seen"`
	ConnState   string    `json:"conn_state"`
	History     string    `json:"history"`
	CommunityID string    `json:"community_id"`
	DirectionBy string    `json:"direction_by"`
	EndReason   string    `json:"end_reason"`
	// ICMPID is the ICMP query identifier the flow is keyed by (echo etc.).
	ICMPID uint16 `json:"icmp_id,omitempty"`
	// VLAN is the outermost VLAN ID of the flow's first packet.
	VLAN uint16 `json:"vlan,omitempty"`
	// Tunnel is the encapsulation this flow's packets carried (outer flows).
	Tunnel string `json:"tunnel,omitempty"`
	// TunnelParent is the ID of the outer flow that carried this flow.
	TunnelParent uint64 `json:"tunnel_parent,omitempty"`
	// Closed is the packet time at which both sides of a TCP flow had
	// closed (FIN both ways) or one reset it; zero otherwise. Packets after
	// it (the last ACK) still count; Zeek's duration stops here.
	Closed time.Time `json:"-"`
	// Fragments counts IP fragments among the flow's packets.
	Fragments uint64 `json:"ip_fragments,omitempty"`
	// FirstFrame is the frame number (1-based, in merged input order) of
	// the flow's first packet.
	FirstFrame uint64 `json:"first_frame"`

	// Service is the protocol its payload shows ("tls", "ssh", ...), or
	// empty when no detector recognised it. Never taken from the port.
	Service string `json:"service"`
	// ServiceConfidence is "low", "medium" or "high" when Service is set.
	ServiceConfidence string `json:"service_confidence,omitempty"`
	// ServiceDetector names the detector that decided.
	ServiceDetector string `json:"service_detector,omitempty"`
	// Evidence is the deciding bytes (raw: escape before printing),
	// EvidenceDir who sent them ("client" or "server") and EvidenceFrame
	// the frame that completed them.
	Evidence      string `json:"evidence,omitempty"`
	EvidenceDir   string `json:"evidence_dir,omitempty"`
	EvidenceFrame uint64 `json:"evidence_frame,omitempty"`
	// OtherSide is what the side that did not decide Service speaks, when
	// that side alone is surely another protocol (an HTTP request answered
	// by an SSH banner); nil otherwise. Embedded so that its fields are the
	// record's own JSON keys (other_service, ...) beside service's; read
	// them through r.OtherSide, which may be nil. A protocol-mismatch
	// finding reports it too.
	*OtherSide
	// ClientPrefix and ServerPrefix are the first payload bytes each side
	// sent (at most 16, raw), the counter-evidence when no detector
	// recognised the flow; empty when that side sent no captured payload.
	ClientPrefix, ServerPrefix string `json:"-"`
	// ClientFromSYN reports that the client's payload prefix starts at its
	// SYN: detectors saw its stream from the beginning.
	ClientFromSYN bool `json:"-"`
	// Continues is the ID of the record this one continues, when an
	// active timeout split a long flow.
	Continues uint64 `json:"continues,omitempty"`
	// EarlierVerdict and EarlierOtherSide say, for a record that continues
	// a split flow, that an earlier record of it already carried the same
	// service verdict above low, or the same verdict on its other side: the
	// findings they raise are not raised again.
	EarlierVerdict, EarlierOtherSide bool `json:"-"`
	// PortService is the IANA registry's name for the server port.
	PortService string `json:"port_service"`
	// PortClass is "well-known", "registered" or "dynamic" (server port).
	PortClass string `json:"port_class"`
	// Features are the flow's volume and timing features (nil with
	// FlowsOnly: a pointer keeps flow-only records small).
	Features *Features `json:"features,omitempty"`
	// ServerName is the name the client used for the server: the TLS/QUIC
	// SNI, else the HTTP Host, else the DNS name its address was looked up
	// by earlier.
	ServerName string `json:"server_name,omitempty"`
	// DNS is what a DNS flow asked and was answered (nil otherwise).
	DNS *DNSInfo `json:"dns,omitempty"`
	// TLS is the handshake metadata of a TLS flow (nil otherwise).
	TLS *TLSInfo `json:"tls,omitempty"`
	// SSH and HTTP are what the clear-text start of such flows shows.
	SSH  *SSHInfo  `json:"ssh,omitempty"`
	HTTP *HTTPInfo `json:"http,omitempty"`

	// End is the packet time (unix ns) at which the flow ended: its last
	// packet plus its idle timeout, the end of the close delay after FIN
	// or RST, the packet that split, evicted or replaced it, or EndOfInput
	// for flows open at the end. Records are written in (End, ID) order.
	End int64 `json:"-"`

	// Beacon, on the record a beacon finding is reported with, is the
	// group of connections that scored as one (see flow/beacon).
	Beacon *beacon.Result `json:"-"`
}

// Duration is LastSeen minus FirstSeen.
func (r *Record) Duration() time.Duration { return r.LastSeen.Sub(r.FirstSeen) }

// Stats counts what the flow stage saw, including everything it skipped.
type Stats struct {
	Frames     uint64 // frames handed to the decoder
	FrameBytes uint64 // their wire lengths
	IPPackets  uint64 // IP packets (tunnelled ones counted again per layer)
	// Skipped counts frames (or tunnel payloads) not turned into flow
	// packets, by reason (Skip.String()).
	Skipped map[string]uint64
	// NonIP counts non-IP frames by kind ("arp", "lldp", "ethertype-0x88cc").
	NonIP map[string]uint64
	// LinkTypes counts frames per link type name.
	LinkTypes map[string]uint64
	// UnknownLinkTypes counts frames per unknown link type number.
	UnknownLinkTypes map[uint32]uint64

	Fragments             uint64 // IP fragments seen
	FragmentsUnattributed uint64 // non-first fragments whose first fragment never came
	DatagramsIncomplete   uint64 // fragmented datagrams whose last fragment never came

	Flows      uint64            // flow records emitted
	EndReasons map[string]uint64 // records per end reason
	MaxActive  int               // largest number of flows open at once
	// Unidentified counts flows whose service was not identified because
	// --max-memory's share for identification was in use (floods).
	Unidentified uint64
}

// SideFeatures is what the sizes and timing of one side's packets show.
type SideFeatures struct {
	Sizes           Dist    `json:"sizes"` // IP bytes per packet
	IAT             Dist    `json:"iat"`   // seconds between this side's packets
	DataPackets     uint64  `json:"data_packets"`
	EmptyPackets    uint64  `json:"empty_packets"` // no payload (TCP pure ACKs and the like)
	BytesPerSec     float64 `json:"bytes_per_sec"`
	PacketsPerSec   float64 `json:"packets_per_sec"`
	Retransmissions uint64  `json:"retransmissions"`
	OutOfOrder      uint64  `json:"out_of_order"`
	ZeroWindow      uint64  `json:"zero_window"`
	// PayloadEntropy is the Shannon entropy (bits per byte) of the first
	// 255 payload bytes of this side's first data packet, 0 without payload.
	PayloadEntropy float64 `json:"payload_entropy"`
}

// Features are the volume and timing features of a flow.
type Features struct {
	Client SideFeatures `json:"client"`
	Server SideFeatures `json:"server"`
	// ActivePeriods counts runs of packets without a silence over 1 s;
	// IdleTime is the sum of those silences, in seconds.
	ActivePeriods uint32  `json:"active_periods"`
	IdleTime      float64 `json:"idle_time"`
	// RTTClient is SYN → SYN/ACK and RTTServer SYN/ACK → ACK, in seconds,
	// as seen at the capture point (0 when the handshake was not seen).
	RTTClient float64 `json:"rtt_client"`
	RTTServer float64 `json:"rtt_server"`
	// SPLT is the first packets' lengths (IP bytes), directions ('c' or
	// 's') and gaps since the flow's previous packet (seconds).
	SPLTLengths []uint16  `json:"splt_lengths"`
	SPLTDirs    string    `json:"splt_dirs"`
	SPLTGaps    []float64 `json:"splt_gaps"`
}

// OtherSide is the verdict on a flow's other side, as Record gives its
// own: the service, confidence, detector, the deciding bytes (raw: escape
// before printing) and the side that sent them ("client" or "server").
// The Other prefix keeps the promoted names apart from Record's own.
type OtherSide struct {
	OtherService    string `json:"other_service"`
	OtherConfidence string `json:"other_service_confidence"`
	OtherDetector   string `json:"other_service_detector"`
	OtherEvidence   string `json:"other_evidence"`
	OtherDir        string `json:"other_evidence_dir"`
}
