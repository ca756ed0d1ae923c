// Package flow keeps bidirectional flows: the flow table on packet time
// fed with decoded frames (package decode), Zeek-compatible state and
// history, service identification and metadata per flow, and one Record
// per flow when it ends. It never prints.
package flow

import "github.com/flowscope/flowscope/flow/decode"

// The packet vocabulary is decode's: frames come in decoded, and the flow
// table keys, counts and records them.
type (
	Key       = decode.Key
	Packet    = decode.Packet
	Frame     = decode.Frame
	Tunnel    = decode.Tunnel
	Skip      = decode.Skip
	Decoder   = decode.Decoder
	FragStats = decode.FragStats
)

// IP protocols, TCP flags, tunnels and skip reasons, as decode names them.
const (
	ProtoICMP   = decode.ProtoICMP
	ProtoIPIP   = decode.ProtoIPIP
	ProtoTCP    = decode.ProtoTCP
	ProtoUDP    = decode.ProtoUDP
	ProtoIPv6   = decode.ProtoIPv6
	ProtoGRE    = decode.ProtoGRE
	ProtoICMPv6 = decode.ProtoICMPv6
	ProtoSCTP   = decode.ProtoSCTP

	FlagFIN = decode.FlagFIN
	FlagSYN = decode.FlagSYN
	FlagRST = decode.FlagRST
	FlagPSH = decode.FlagPSH
	FlagACK = decode.FlagACK
	FlagURG = decode.FlagURG
	FlagECE = decode.FlagECE
	FlagCWR = decode.FlagCWR

	TunnelNone = decode.TunnelNone

	SkipNone            = decode.SkipNone
	SkipNonIP           = decode.SkipNonIP
	SkipUnknownLinkType = decode.SkipUnknownLinkType

	MaxPackets = decode.MaxPackets
	skipCount  = decode.SkipCount
)

// NewDecoder returns a frame decoder (see package decode).
func NewDecoder() *Decoder { return decode.NewDecoder() }

// NonIPName names a non-IP EtherType for the summary.
func NonIPName(etherType uint16) string { return decode.NonIPName(etherType) }

// ICMPIsResponse reports whether an ICMP type answers a request.
func ICMPIsResponse(v6 bool, typ uint8) bool { return decode.ICMPIsResponse(v6, typ) }
