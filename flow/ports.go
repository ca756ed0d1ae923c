package flow

// PortRank says how likely a port is a server's: 2 for well-known ports
// (below 1024), 1 for common registered service ports, 0 otherwise. The
// side with the higher rank is taken as the server when no handshake says.
func PortRank(proto uint8, port uint16) int {
	switch {
	case port == 0:
		return 0
	case port < 1024:
		return 2
	case servicePorts[port]:
		return 1
	}
	return 0
}

// servicePorts lists registered ports that commonly carry services and that
// clients rarely pick as ephemeral source ports.
var servicePorts = func() map[uint16]bool {
	m := map[uint16]bool{}
	for _, p := range []uint16{
		1080, 1194, 1433, 1521, 1701, 1723, 1812, 1813, 1883, 2049, 2082, 2083, 2181, 2375, 2376,
		3000, 3128, 3268, 3306, 3389, 3478, 3479, 4433, 4443, 4500, 4789, 5000, 5060, 5061, 5222,
		5223, 5353, 5355, 5432, 5601, 5672, 5900, 5938, 6060, 6081, 6379, 6443, 6660, 6665, 6666, 6667,
		6881, 7000, 8000, 8008, 8080, 8081, 8088, 8443, 8472, 8883, 8888, 9000, 9042, 9090, 9092, 9100,
		9200, 9300, 9418, 10000, 11211, 27017, 51820,
	} {
		m[p] = true
	}
	return m
}()
