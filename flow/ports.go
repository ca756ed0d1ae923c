package flow

import "github.com/flowscope/flowscope/flow/ports"

// PortRank says how likely a port is a server's, for deciding a flow's
// direction without a handshake: 3 for well-known ports (below 1024), 2
// for a port where a service we detect is expected, as standard or as a
// conventional alternate (3306, 51820, 8080...), 1 for another
// IANA-registered port below 32768, 0 otherwise:
// unassigned ports and those from 32768 up, where Linux (32768–60999) and
// Windows and the BSDs (49152–65535) pick ephemeral source ports.
func PortRank(proto uint8, port uint16) int {
	pp, ok := ports.ProtoOf(proto)
	switch {
	case !ok || port == 0:
		return 0
	case port < 1024:
		return 3
	case ports.IsServerPort(pp, port):
		return 2
	case port < 32768 && ports.Registered(pp, port):
		return 1
	}
	return 0
}
