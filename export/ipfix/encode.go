// Package ipfix exports flow records as IPFIX (RFC 7011) biflows (RFC 5103)
// to a collector over UDP or TCP. It encodes finished records; it never
// sees packets.
package ipfix

import (
	"encoding/binary"
	"time"

	"github.com/flowscope/flowscope/flow"
)

// Template IDs (data sets carry their template's ID as set ID).
const (
	TemplateIPv4  uint16 = 256
	TemplateIPv6  uint16 = 257
	TemplateStats uint16 = 258 // options template: the exporter's counters

	setTemplate        uint16 = 2
	setOptionsTemplate uint16 = 3
	version            uint16 = 10
	headerLen                 = 16
	setHeaderLen              = 4
)

// ReversePEN is the private enterprise number that marks an information
// element as the reverse (server → client) direction of a biflow, RFC 5103.
const ReversePEN = 29305

// Information element numbers (IANA's IPFIX registry).
const (
	ieOctetDeltaCount              = 1
	iePacketDeltaCount             = 2
	ieProtocolIdentifier           = 4
	ieTCPControlBits               = 6
	ieSourceTransportPort          = 7
	ieSourceIPv4Address            = 8
	ieDestinationTransportPort     = 11
	ieDestinationIPv4Address       = 12
	ieSourceIPv6Address            = 27
	ieDestinationIPv6Address       = 28
	ieExportedOctetTotalCount      = 40
	ieExportedMessageTotalCount    = 41
	ieExportedFlowRecordTotalCount = 42
	ieVlanID                       = 58
	ieApplicationName              = 96
	ieFlowEndReason                = 136
	ieFlowID                       = 148
	ieObservationDomainID          = 149
	ieFlowStartMilliseconds        = 152
	ieFlowEndMilliseconds          = 153
	ieNotSentFlowTotalCount        = 166
	ieBiflowDirection              = 239

	varLen = 0xffff
)

// field is one template field.
type field struct {
	id      uint16
	length  uint16
	reverse bool // enterprise bit set, PEN 29305
}

func flowFields(v6 bool) []field {
	src, dst, alen := uint16(ieSourceIPv4Address), uint16(ieDestinationIPv4Address), uint16(4)
	if v6 {
		src, dst, alen = ieSourceIPv6Address, ieDestinationIPv6Address, 16
	}
	return []field{
		{id: ieFlowID, length: 8},
		{id: src, length: alen},
		{id: dst, length: alen},
		{id: ieSourceTransportPort, length: 2},
		{id: ieDestinationTransportPort, length: 2},
		{id: ieProtocolIdentifier, length: 1},
		{id: ieFlowStartMilliseconds, length: 8},
		{id: ieFlowEndMilliseconds, length: 8},
		{id: ieOctetDeltaCount, length: 8},
		{id: iePacketDeltaCount, length: 8},
		{id: ieOctetDeltaCount, length: 8, reverse: true},
		{id: iePacketDeltaCount, length: 8, reverse: true},
		// Reverse first: nfcapd 1.7 files a reverse tcpControlBits under
		// the forward one, and the later field wins there.
		{id: ieTCPControlBits, length: 2, reverse: true},
		{id: ieTCPControlBits, length: 2},
		{id: ieFlowEndReason, length: 1},
		{id: ieBiflowDirection, length: 1},
		{id: ieVlanID, length: 2},
		{id: ieApplicationName, length: varLen},
	}
}

// statsScope and statsFields make the options template of the exporter's
// counters (RFC 7011 section 4: scoped to the observation domain).
var (
	statsScope  = []field{{id: ieObservationDomainID, length: 4}}
	statsFields = []field{
		{id: ieExportedMessageTotalCount, length: 8},
		{id: ieExportedFlowRecordTotalCount, length: 8},
		{id: ieExportedOctetTotalCount, length: 8},
		{id: ieNotSentFlowTotalCount, length: 8},
	}
)

func appendFields(b []byte, fs []field) []byte {
	for _, f := range fs {
		if f.reverse {
			b = binary.BigEndian.AppendUint16(b, f.id|0x8000)
			b = binary.BigEndian.AppendUint16(b, f.length)
			b = binary.BigEndian.AppendUint32(b, ReversePEN)
			continue
		}
		b = binary.BigEndian.AppendUint16(b, f.id)
		b = binary.BigEndian.AppendUint16(b, f.length)
	}
	return b
}

// appendTemplates appends the template set (IPv4 and IPv6 biflows) and
// the options template set (the statistics).
func appendTemplates(b []byte) []byte {
	start := len(b)
	b = binary.BigEndian.AppendUint16(b, setTemplate)
	b = append(b, 0, 0)
	for _, t := range []struct {
		id uint16
		v6 bool
	}{{TemplateIPv4, false}, {TemplateIPv6, true}} {
		fs := flowFields(t.v6)
		b = binary.BigEndian.AppendUint16(b, t.id)
		b = binary.BigEndian.AppendUint16(b, uint16(len(fs)))
		b = appendFields(b, fs)
	}
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))

	start = len(b)
	b = binary.BigEndian.AppendUint16(b, setOptionsTemplate)
	b = append(b, 0, 0)
	b = binary.BigEndian.AppendUint16(b, TemplateStats)
	b = binary.BigEndian.AppendUint16(b, uint16(len(statsScope)+len(statsFields)))
	b = binary.BigEndian.AppendUint16(b, uint16(len(statsScope)))
	b = appendFields(b, statsScope)
	b = appendFields(b, statsFields)
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	return b
}

// Stats are the exporter's counters, as its options records carry them.
type Stats struct {
	Messages uint64 // messages sent
	Records  uint64 // flow records sent
	Octets   uint64 // message bytes sent
	NotSent  uint64 // flow records lost to send errors
	// SendErrors counts messages lost: a failed UDP send, or on TCP a
	// message dropped from a full backlog or left in it at Close.
	SendErrors uint64
	// Delayed counts TCP messages that waited in the backlog (sent later
	// or lost).
	Delayed uint64
	// Reconnects counts TCP sessions opened again after a failure.
	Reconnects uint64
}

// statsSetLen is the length of an options data set with the counters.
const statsSetLen = setHeaderLen + 4 + 4*8

// appendStatsSet appends an options data set with the counters.
func appendStatsSet(b []byte, domain uint32, s Stats) []byte {
	b = binary.BigEndian.AppendUint16(b, TemplateStats)
	b = binary.BigEndian.AppendUint16(b, statsSetLen)
	b = binary.BigEndian.AppendUint32(b, domain)
	b = binary.BigEndian.AppendUint64(b, s.Messages)
	b = binary.BigEndian.AppendUint64(b, s.Records)
	b = binary.BigEndian.AppendUint64(b, s.Octets)
	return binary.BigEndian.AppendUint64(b, s.NotSent)
}

// maxAppName keeps applicationName's length in its one-byte form.
const maxAppName = 254

// EndReason maps flowscope's end reasons to flowEndReason (IE 136):
// idle timeout 1, active timeout 2, end of flow detected 3, forced end 4,
// lack of resources 5.
func EndReason(s string) uint8 {
	switch s {
	case "idle":
		return 1
	case "active":
		return 2
	case "fin", "rst":
		return 3
	case "eof":
		return 4
	case "evicted":
		return 5
	}
	return 0
}

// TCPBits turns flowscope's flag letters (FSRPAUEC) into tcpControlBits.
func TCPBits(flags string) uint16 {
	var b uint16
	for i := 0; i < len(flags); i++ {
		switch flags[i] {
		case 'F':
			b |= 0x01
		case 'S':
			b |= 0x02
		case 'R':
			b |= 0x04
		case 'P':
			b |= 0x08
		case 'A':
			b |= 0x10
		case 'U':
			b |= 0x20
		case 'E':
			b |= 0x40
		case 'C':
			b |= 0x80
		}
	}
	return b
}

func millis(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixMilli())
}

// AppendRecord appends r as a data record, preceded by the ID of the
// template it follows (2 bytes, big-endian), for WriteRecord. It keeps
// nothing and may run on any goroutine; it does not allocate when dst has
// room.
func AppendRecord(dst []byte, r *flow.Record) []byte {
	// As4 would panic on anything but IPv4: both must be.
	v6 := !r.Client.IP.Unmap().Is4() || !r.Server.IP.Unmap().Is4()
	tmpl := TemplateIPv4
	if v6 {
		tmpl = TemplateIPv6
	}
	b := binary.BigEndian.AppendUint16(dst, tmpl)
	b = binary.BigEndian.AppendUint64(b, r.ID)
	if v6 {
		c, s := r.Client.IP.As16(), r.Server.IP.As16()
		b = append(b, c[:]...)
		b = append(b, s[:]...)
	} else {
		c, s := r.Client.IP.Unmap().As4(), r.Server.IP.Unmap().As4()
		b = append(b, c[:]...)
		b = append(b, s[:]...)
	}
	b = binary.BigEndian.AppendUint16(b, r.Client.Port)
	b = binary.BigEndian.AppendUint16(b, r.Server.Port)
	b = append(b, r.IPProto)
	b = binary.BigEndian.AppendUint64(b, millis(r.FirstSeen))
	b = binary.BigEndian.AppendUint64(b, millis(r.LastSeen))
	b = binary.BigEndian.AppendUint64(b, r.Client.Bytes)
	b = binary.BigEndian.AppendUint64(b, r.Client.Packets)
	b = binary.BigEndian.AppendUint64(b, r.Server.Bytes)
	b = binary.BigEndian.AppendUint64(b, r.Server.Packets)
	b = binary.BigEndian.AppendUint16(b, TCPBits(r.Server.TCPFlags))
	b = binary.BigEndian.AppendUint16(b, TCPBits(r.Client.TCPFlags))
	b = append(b, EndReason(r.EndReason))
	b = append(b, 1) // biflowDirection: initiator, the source is the client
	b = binary.BigEndian.AppendUint16(b, r.VLAN)
	name := r.Service
	if len(name) > maxAppName {
		name = name[:maxAppName]
	}
	b = append(b, byte(len(name)))
	return append(b, name...)
}

// Record is AppendRecord as a method, for what takes an encoder value.
type Record struct{}

// AppendRecord is the package's AppendRecord.
func (Record) AppendRecord(dst []byte, r *flow.Record) []byte { return AppendRecord(dst, r) }
