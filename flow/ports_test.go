package flow

import "testing"

// TestPortRank: standard ports and conventional alternates of the
// catalogue's services both hint at the server; other registered ports
// less, ephemeral ones not at all.
func TestPortRank(t *testing.T) {
	tests := []struct {
		name  string
		proto uint8
		port  uint16
		want  int
	}{
		{"well-known", ProtoTCP, 22, 3},
		{"standard", ProtoTCP, 3306, 2},
		{"documented default", ProtoUDP, 51820, 2},
		{"http alternate", ProtoTCP, 8080, 2},
		{"tls alternate", ProtoTCP, 8443, 2},
		{"vxlan alternate", ProtoUDP, 8472, 2},
		{"vnc display 1", ProtoTCP, 5901, 2},
		{"alternate on the other transport", ProtoUDP, 8080, 1},
		{"registered, no service of ours", ProtoTCP, 8001, 1},
		{"privileged client range, service of ours", ProtoTCP, 993, 2},
		{"privileged client range, registered", ProtoUDP, 800, 1},
		{"nfs, a service of ours", ProtoUDP, 2049, 2},
		{"ephemeral", ProtoTCP, 50000, 0},
		{"port 0", ProtoTCP, 0, 0},
		{"no ports", 1, 8080, 0},
	}
	for _, tt := range tests {
		if got := PortRank(tt.proto, tt.port); got != tt.want {
			t.Errorf("%s: PortRank(%d, %d) = %d, want %d", tt.name, tt.proto, tt.port, got, tt.want)
		}
	}
}
