package flow

import "github.com/flowscope/flowscope/flow/ports"

// PortRank says how likely a port is a server's, for deciding a flow's
// direction without a handshake: 3 for well-known ports below 600, 2 for a
// port where a service we detect is expected, as standard or as a
// conventional alternate (3306, 51820, 8080, 993...), 1 for another
// IANA-registered port below 32768, 0 otherwise: unassigned ports and
// those from 32768 up, where Linux (32768–60999) and Windows and the BSDs
// (49152–65535) pick ephemeral source ports. Ports 600–1023 rank as
// registered ports do, not as well-known ones: that is where clients that
// need a privileged source port get one (bindresvport, the Linux NFS
// client from 665), so an NFS client on 800 is not taken for the server
// of its server's 2049.
func PortRank(proto uint8, port uint16) int {
	pp, ok := ports.ProtoOf(proto)
	switch {
	case !ok || port == 0:
		return 0
	case port < 600:
		return 3
	case ports.IsServerPort(pp, port):
		return 2
	case port < 32768 && ports.Registered(pp, port):
		return 1
	}
	return 0
}
