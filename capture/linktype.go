package capture

import "github.com/flowscope/flowscope/linktype"

// LINKTYPE_* values (tcpdump.org/linktypes.html) that the rest of flowscope
// cares about; the names live in package linktype, which flow shares.
const (
	LinkTypeNull      = linktype.Null
	LinkTypeEthernet  = linktype.Ethernet
	LinkTypePPP       = linktype.PPP
	LinkTypePPPoE     = linktype.PPPoE
	LinkTypeRaw       = linktype.Raw
	LinkTypeLoop      = linktype.Loop
	LinkTypeLinuxSLL  = linktype.LinuxSLL
	LinkTypeIPv4      = linktype.IPv4
	LinkTypeIPv6      = linktype.IPv6
	LinkTypeLinuxSLL2 = linktype.LinuxSLL2
)

// LinkTypeName returns a stable lower-case name for a LINKTYPE_* value, or "linktype-N".
func LinkTypeName(lt uint32) string { return linktype.Name(lt) }
