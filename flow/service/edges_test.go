package service

import (
	"encoding/hex"
	"testing"
)

// sampleB is one flow's first payloads and, for the protocols of the
// detect_b detectors, the verdict expected from the detector det.
type sampleB struct {
	name, src      string
	transport      Transport
	clientFirst    bool
	client, server string // hex
	det            string // "" for another protocol's sample
	conf           Confidence
	dir            Dir
	ev             string
}

func (s sampleB) input(t testing.TB) *Input {
	t.Helper()
	c, err := hex.DecodeString(s.client)
	if err != nil {
		t.Fatalf("%s: client hex: %v", s.name, err)
	}
	v, err := hex.DecodeString(s.server)
	if err != nil {
		t.Fatalf("%s: server hex: %v", s.name, err)
	}
	return &Input{Transport: s.transport, Client: c, Server: v, ClientFirst: s.clientFirst}
}

// detectorsB lists every detect_b detector.
var detectorsB = []Detector{
	mysqlDetector, postgresqlDetector, redisDetector, mqttDetector,
	wireguardDetector, openvpnDetector, sipDetector, ntpDetector,
	dhcpDetector, snmpDetector, bittorrentDetector, socksDetector,
	rtspDetector, vxlanDetector, geneveDetector,
}

// confB runs d, checking the invariants every verdict must keep, and
// returns the confidence (None when rejected).
func confB(t testing.TB, d Detector, in *Input) Confidence {
	t.Helper()
	r, ok := d.Detect(in)
	if !ok {
		if r != (Result{}) {
			t.Fatalf("%s: rejected with a non-zero result %+v", d.Name, r)
		}
		return None
	}
	if r.Service != d.Name || r.Detector != d.Name {
		t.Fatalf("%s: service %q detector %q", d.Name, r.Service, r.Detector)
	}
	if r.Confidence < Low || r.Confidence > High {
		t.Fatalf("%s: confidence %v", d.Name, r.Confidence)
	}
	if r.Dir != FromClient && r.Dir != FromServer {
		t.Fatalf("%s: dir %v", d.Name, r.Dir)
	}
	if len(r.Evidence) == 0 || len(r.Evidence) > 64 {
		t.Fatalf("%s: evidence %q", d.Name, r.Evidence)
	}
	return r.Confidence
}

func detectorB(t *testing.T, name string) Detector {
	t.Helper()
	for _, d := range detectorsB {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no detector %q", name)
	return Detector{}
}

func TestDetectBSamples(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range ownSamplesB {
		t.Run(s.name, func(t *testing.T) {
			d := detectorB(t, s.det)
			seen[s.det] = true
			in := s.input(t)
			confB(t, d, in)
			r, ok := d.Detect(in)
			if !ok {
				t.Fatalf("%s rejected %s (%s)", s.det, s.name, s.src)
			}
			if r.Confidence != s.conf || r.Dir != s.dir || r.Evidence != s.ev {
				t.Errorf("got %v %v %q, want %v %v %q", r.Confidence, r.Dir, r.Evidence, s.conf, s.dir, s.ev)
			}
		})
	}
	for _, d := range detectorsB {
		if !seen[d.Name] {
			t.Errorf("no sample for %s", d.Name)
		}
	}
}

// TestDetectBCrossCheck runs every detector on every sample: only the
// sample's own detector may claim it. Detectors are run whatever their
// Transports say, so each also proves it checks the transport itself.
func TestDetectBCrossCheck(t *testing.T) {
	all := append(append([]sampleB(nil), ownSamplesB...), foreignSamplesB...)
	for _, s := range all {
		in := s.input(t)
		for _, d := range detectorsB {
			if d.Name == s.det {
				continue
			}
			if r, ok := d.Detect(in); ok {
				t.Errorf("%s claims %s (%s): %v %q", d.Name, s.name, s.src, r.Confidence, r.Evidence)
			}
		}
	}
}

// TestDetectBPrefixes cuts every sample short, one direction at a time:
// no detector may panic or be surer than it is of the whole sample (so a
// foreign sample's prefixes stay rejected too).
func TestDetectBPrefixes(t *testing.T) {
	all := append(append([]sampleB(nil), ownSamplesB...), foreignSamplesB...)
	for _, s := range all {
		full := s.input(t)
		for _, d := range detectorsB {
			want := confB(t, d, full)
			check := func(c, v []byte) {
				in := &Input{Transport: full.Transport, Client: c, Server: v, ClientFirst: full.ClientFirst}
				if got := confB(t, d, in); got > want {
					t.Fatalf("%s on %s cut to %d/%d bytes: %v, whole sample %v", d.Name, s.name, len(c), len(v), got, want)
				}
			}
			for i := 0; i < len(full.Client); i++ {
				check(full.Client[:i], full.Server)
				check(full.Client[:i], nil)
			}
			for i := 0; i < len(full.Server); i++ {
				check(full.Client, full.Server[:i])
				check(nil, full.Server[:i])
			}
		}
	}
}

// TestDetectBTransport feeds each sample over the other transport: only
// the detectors that declare both may still claim it, and then only the
// sample's own.
func TestDetectBTransport(t *testing.T) {
	for _, s := range ownSamplesB {
		in := s.input(t)
		in.Transport = UDP + TCP - in.Transport
		for _, d := range detectorsB {
			r, ok := d.Detect(in)
			if !ok {
				continue
			}
			both := len(d.Transports) == 2
			if !both || d.Name != s.det {
				t.Errorf("%s claims %s over the wrong transport: %v", d.Name, s.name, r.Confidence)
			}
		}
	}
}

// TestDetectBAllocs: a rejection allocates nothing, a verdict at most its
// evidence string.
func TestDetectBAllocs(t *testing.T) {
	all := append(append([]sampleB(nil), ownSamplesB...), foreignSamplesB...)
	for _, s := range all {
		in := s.input(t)
		for _, d := range detectorsB {
			_, ok := d.Detect(in)
			max := 0.0
			if ok {
				max = 1
			}
			if n := testing.AllocsPerRun(20, func() { d.Detect(in) }); n > max {
				t.Errorf("%s on %s: %v allocations", d.Name, s.name, n)
			}
		}
	}
}

func hexB(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// withB returns a copy of b with b[i] set to v.
func withB(b []byte, i int, v byte) []byte {
	c := append([]byte(nil), b...)
	c[i] = v
	return c
}

// TestDetectBEdges covers near misses and the choices between confidence
// levels that the captured samples do not reach.
func TestDetectBEdges(t *testing.T) {
	wgInit := hexB(ownSampleB(t, "wireguard handshake").client)
	ntpC := hexB(ownSampleB(t, "ntp client and server").client)
	ntpS := hexB(ownSampleB(t, "ntp client and server").server)
	ovC := hexB(ownSampleB(t, "openvpn udp").client)
	ovS := hexB(ownSampleB(t, "openvpn udp").server)
	vx := hexB(ownSampleB(t, "vxlan dns").client)
	gen := hexB(ownSampleB(t, "geneve ethernet").client)
	dhcp := hexB(ownSampleB(t, "dhcp discover").client)
	snmp1 := hexB(ownSampleB(t, "snmp v1 getnext").client)
	mysql := hexB(ownSampleB(t, "mysql 8 greeting before tls").server)
	mqtt := hexB(ownSampleB(t, "mqtt 3.1 connect").client)
	tests := []struct {
		name   string
		det    string
		tr     Transport
		c, s   []byte
		want   Confidence
		wantEv string
	}{
		{"mysql version not a digit", "mysql", TCP, nil, withB(mysql, 5, 'v'), None, ""},
		{"mysql version unterminated", "mysql", TCP, nil, mysql[:11], None, ""},
		{"mysql length too short for the fields", "mysql", TCP, nil, withB(mysql, 0, 0x0a), None, ""},
		{"mysql protocol 9", "mysql", TCP, nil, withB(mysql, 4, 9), None, ""},
		{"postgresql sslrequest wrong length", "postgresql", TCP, hexB("0000000904d2162f00"), nil, None, ""},
		{"postgresql startup without user yet", "postgresql", TCP, hexB("00000020000300006461746162617365006d61696c00"), nil, Medium, "\x00\x00\x00\x20\x00\x03\x00\x00"},
		{"postgresql startup bad name", "postgresql", TCP, hexB("0000002000030000752d7300"), nil, None, ""},
		{"postgresql protocol 2", "postgresql", TCP, hexB("000000260002000075736572006f72787900"), nil, None, ""},
		{"redis unknown command", "redis", TCP, []byte("*2\r\n$8\r\nJSON.GET\r\n$3\r\nkey\r\n"), nil, Medium, "JSON.GET"},
		{"redis unknown command unterminated", "redis", TCP, []byte("*2\r\n$8\r\nJSON.GET"), nil, None, ""},
		{"redis array of arrays", "redis", TCP, []byte("*2\r\n*1\r\n"), nil, None, ""},
		{"redis inline ping needs CRLF", "redis", TCP, []byte("PING\n"), nil, None, ""},
		{"irc ping is not redis", "redis", TCP, []byte("PING :irc.example.net\r\n"), nil, None, ""},
		{"pop3 greeting is not redis", "redis", TCP, nil, []byte("+OK POP3 ready\r\n"), None, ""},
		{"redis reply with client bytes", "redis", TCP, []byte("HELO x\r\n"), []byte("+OK\r\n"), None, ""},
		{"redis noauth alone", "redis", TCP, nil, []byte("-NOAUTH Authentication required.\r\n"), Low, "-NOAUTH Authentication required."},
		{"mqtt reserved flag", "mqtt", TCP, withB(mqtt, 11, mqtt[11]|1), nil, None, ""},
		{"mqtt level 4 with MQIsdp", "mqtt", TCP, withB(mqtt, 10, 4), nil, None, ""},
		{"mqtt varint too long", "mqtt", TCP, hexB("10ffffffff7f00044d51545404"), nil, None, ""},
		{"mqtt connack with client bytes", "mqtt", TCP, []byte("x"), hexB("20020000"), None, ""},
		{"wireguard reserved byte", "wireguard", UDP, withB(wgInit, 2, 1), nil, None, ""},
		{"wireguard initiation one byte long", "wireguard", UDP, append(append([]byte(nil), wgInit...), 0), nil, None, ""},
		{"wireguard data misaligned", "wireguard", UDP, append(hexB("04000000"), make([]byte, 40)...), nil, None, ""},
		{"openvpn ack of another session", "openvpn", UDP, ovC, withB(ovS, 20, ovS[20]^1), Medium, string(ovC)},
		{"openvpn key id 1", "openvpn", UDP, withB(ovC, 0, 0x39), nil, None, ""},
		{"openvpn zero session", "openvpn", UDP, hexB("3800000000000000000000000000"), nil, None, ""},
		{"openvpn data opcode", "openvpn", UDP, withB(ovC, 0, 0x48), nil, None, ""},
		{"sip wrong version", "sip", UDP, []byte("INVITE sip:a@b SIP/3.0\r\n"), nil, None, ""},
		{"sip http uri", "sip", UDP, []byte("OPTIONS http://a/ SIP/2.0\r\n"), nil, None, ""},
		{"sip status 700", "sip", UDP, []byte("SIP/2.0 700 Nope\r\n"), nil, None, ""},
		{"rtsp star", "rtsp", TCP, []byte("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n"), nil, High, "OPTIONS * RTSP/1.0"},
		{"rtsp 2.0 status", "rtsp", TCP, nil, []byte("RTSP/2.0 200 OK\r\n"), High, "RTSP/2.0 200 OK"},
		{"rtsp method lower case", "rtsp", TCP, []byte("options rtsp://a/ RTSP/1.0\r\n"), nil, None, ""},
		{"rtsp over udp", "rtsp", UDP, []byte("OPTIONS * RTSP/1.0\r\n"), nil, None, ""},
		{"ntp symmetric", "ntp", UDP, withB(ntpC, 0, 0x21), withB(ntpS, 0, 0x22), High, "\x21\x0b\x06\xef"},
		{"ntp modes disagree", "ntp", UDP, ntpC, withB(ntpS, 0, 0x23), Low, "\x23\x0b\x06\xef"},
		{"ntp stratum 17", "ntp", UDP, withB(ntpC, 1, 17), nil, None, ""},
		{"ntp version 5", "ntp", UDP, withB(ntpC, 0, 0x2b), nil, None, ""},
		{"ntp control mode", "ntp", UDP, withB(ntpC, 0, 0x26), nil, None, ""},
		{"ntp 50 bytes", "ntp", UDP, append(append([]byte(nil), ntpC...), 0, 0), nil, None, ""},
		{"ntp with MD5 MAC", "ntp", UDP, append(append([]byte(nil), ntpC...), make([]byte, 20)...), nil, Low, "\x23\x0b\x06\xef"},
		{"dhcp without cookie", "dhcp", UDP, withB(dhcp, 236, 0), nil, None, ""},
		{"dhcp token ring", "dhcp", UDP, withB(dhcp, 1, 6), nil, None, ""},
		{"dhcp no message type", "dhcp", UDP, withB(dhcp, 240, 0xff), nil, High, "BOOTREQUEST"},
		{"snmp v1 getbulk", "snmp", UDP, withB(snmp1, 14, 0xa5), nil, None, ""},
		{"snmp version 2", "snmp", UDP, withB(snmp1, 4, 2), nil, None, ""},
		{"snmp trailing byte", "snmp", UDP, append(append([]byte(nil), snmp1...), 0), nil, None, ""},
		{"bittorrent dht node id short", "bittorrent", UDP, []byte("d1:ad2:id20:abc"), nil, None, ""},
		{"bittorrent dht error", "bittorrent", UDP, []byte("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee"), nil, None, ""},
		{"bittorrent handshake over udp", "bittorrent", UDP, []byte("\x13BitTorrent protocol\x00\x00\x00\x00\x00\x00\x00\x00"), nil, None, ""},
		{"socks5 unoffered method chosen", "socks", TCP, hexB("050100"), hexB("0502"), Medium, "\x05\x01\x00"},
		{"socks5 no acceptable method", "socks", TCP, hexB("050100"), hexB("05ff"), High, "\x05\x01\x00"},
		{"socks5 unassigned method", "socks", TCP, hexB("05010a"), nil, None, ""},
		{"socks5 count beyond bytes", "socks", TCP, hexB("050300"), nil, None, ""},
		{"socks4 port zero", "socks", TCP, hexB("04010000c000021400"), nil, None, ""},
		{"socks4 unterminated user", "socks", TCP, []byte("\x04\x01\x00\x50\xc0\x00\x02\x14alice"), nil, None, ""},
		{"vxlan multicast source", "vxlan", UDP, withB(vx, 14, 0x01), nil, None, ""},
		{"vxlan unknown ethertype", "vxlan", UDP, withB(vx, 20, 0x88), nil, None, ""},
		{"vxlan flags", "vxlan", UDP, withB(vx, 0, 0x0c), nil, None, ""},
		{"geneve version 1", "geneve", UDP, withB(gen, 0, 0x40), nil, None, ""},
		{"geneve options past the end", "geneve", UDP, withB(gen[:8], 0, 0x01), nil, None, ""},
		{"geneve inner contradicts", "geneve", UDP, withB(withB(gen, 2, 0x08), 3, 0x00), nil, None, ""},
		{"geneve unknown protocol", "geneve", UDP, withB(gen, 3, 0x59), nil, None, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &Input{Transport: tt.tr, Client: tt.c, Server: tt.s, ClientFirst: len(tt.c) > 0}
			d := detectorB(t, tt.det)
			if got := confB(t, d, in); got != tt.want {
				t.Fatalf("confidence %v, want %v", got, tt.want)
			}
			if r, ok := d.Detect(in); ok && r.Evidence != tt.wantEv {
				t.Errorf("evidence %q, want %q", r.Evidence, tt.wantEv)
			}
		})
	}
}

func ownSampleB(t *testing.T, name string) sampleB {
	t.Helper()
	for _, s := range ownSamplesB {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("no sample %q", name)
	return sampleB{}
}

// FuzzDetectB runs every detect_b detector on arbitrary bytes: none may
// panic or return a malformed verdict. Run it with
// go test -fuzz FuzzDetectB -fuzztime 30s ./flow/service/
func FuzzDetectB(f *testing.F) {
	for _, s := range append(append([]sampleB(nil), ownSamplesB...), foreignSamplesB...) {
		in := s.input(f)
		f.Add(uint8(in.Transport), in.Client, in.Server, in.ClientFirst)
	}
	f.Fuzz(func(t *testing.T, tr uint8, c, s []byte, cf bool) {
		in := &Input{Transport: Transport(tr % 2), Client: c, Server: s, ClientFirst: cf}
		for _, d := range detectorsB {
			confB(t, d, in)
		}
	})
}
