package service

import "encoding/binary"

// WireGuard, recognised by its handshake messages' types and exact sizes,
// or by transport data whose receiver index and counter agree across
// datagrams.
var wireguardProtocol = Protocol{
	Name: "wireguard", Transports: onUDP,
	// Not registered with IANA: 51820 is WireGuard's documented default.
	Defaults:  []uint16{51820},
	OffPort:   SeverityMedium,
	Detectors: []*Detector{&wireguardDetector},
}

var wireguardDetector = Detector{
	Name:       "wireguard",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		r, ok := eitherSide(in, "wireguard", wireguardCheck)
		if ok && r.Confidence == Low {
			// Transport data alone: confirmed by the side's next datagrams.
			if c := max(wireguardSession(in.ClientDatagrams), wireguardSession(in.ServerDatagrams)); c > Low {
				r.Confidence = c
			}
		}
		return r, ok
	},
}

// wireguardSession checks a side's datagrams for one WireGuard session's
// transport data: every one of type 4 to the same receiver index, with
// counters that increase (a few may be lost, none repeats); handshake
// messages among them (types 1 to 3, of whatever size a variant gives
// them) are passed over. Two such are Medium, three or more High: random
// datagrams agree on 8 header bytes and an increasing 64-bit counter by
// no accident.
func wireguardSession(ds [][]byte) Confidence {
	var index []byte
	var last uint64
	n := 0
	for _, d := range ds {
		if len(d) < 32 || d[1]|d[2]|d[3] != 0 || d[0] < 1 || d[0] > 4 {
			return None
		}
		if d[0] != 4 {
			continue
		}
		counter := binary.LittleEndian.Uint64(d[8:16])
		if index != nil && (string(d[4:8]) != string(index) || counter <= last) {
			return None
		}
		index, last = d[4:8], counter
		n++
	}
	switch {
	case n >= 3:
		return High
	case n == 2:
		return Medium
	}
	return None
}

// wireguardCheck checks a message type, its three reserved zero bytes and the
// type's exact length: handshake messages have fixed sizes. Transport data
// only has a 16-byte-aligned size (padded plaintext plus a 16-byte tag),
// which plenty of other datagrams share.
func wireguardCheck(b []byte) (Confidence, evidence) {
	if len(b) < 32 || b[1]|b[2]|b[3] != 0 {
		return None, evidence{}
	}
	ev := evidence{b: b[:4]}
	switch n := len(b); b[0] {
	case 1:
		if n == 148 {
			return High, ev
		}
	case 2:
		if n == 92 {
			return High, ev
		}
	case 3:
		if n == 64 {
			return High, ev
		}
	case 4:
		if (n-16)%16 == 0 {
			return Low, ev
		}
	}
	return None, evidence{}
}
