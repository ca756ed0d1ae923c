package service

import (
	"math/rand/v2"
	"testing"
)

// TestTFTPTransfer: what each side of a transfer's flow must show for
// which confidence, and the near misses that must name nothing (or no
// more than a guess, which names no flow).
func TestTFTPTransfer(t *testing.T) {
	rrq, wrq := sampleIn("tftp-data-rrq"), sampleIn("tftp-data-wrq")
	orrq, owrq := sampleIn("tftp-data-oack-rrq"), sampleIn("tftp-data-oack-wrq")
	d1, d2 := rrq.ClientDatagrams[0], rrq.ClientDatagrams[1]
	a1, a2 := rrq.ServerDatagrams[0], rrq.ServerDatagrams[1]
	a0, short := wrq.ClientDatagrams[0], wrq.ServerDatagrams[0]   // ACK 0; DATA 1 of 15 bytes
	oack, big := orrq.ClientDatagrams[0], orrq.ClientDatagrams[1] // blksize 1024; DATA 1 of 1024 bytes
	errNF := sampleIn("tftp-data-error").Client
	request := sampleIn("tftp-rrq").Client
	d3 := with(d2, 3, 3)
	cat := func(a, b []byte) []byte { return append(append([]byte(nil), a...), b...) }
	udp := func(client, server [][]byte) Input {
		in := Input{Transport: UDP, ClientFirst: true, ClientDatagrams: client, ServerDatagrams: server}
		if len(client) > 0 {
			in.Client = client[0]
		}
		if len(server) > 0 {
			in.Server = server[0]
		}
		return in
	}
	one := func(b ...[]byte) [][]byte { return b }
	cases := []struct {
		name string
		in   Input
		want Confidence
	}{
		{"data 1 answered by ack 1", udp(one(d1), one(a1)), High},
		{"ack 0 answered by data 1 (a write)", udp(one(a0), one(short)), High},
		{"oack answered by ack 0", udp(one(oack), one(a0)), High},
		{"oack answered by data 1", udp(one(oack), one(short)), High},
		{"retransmitted data 1, acks 1 and 2", udp(one(d1, d1, d2), one(a1, a2)), High},
		{"data under the granted blksize", udp(one(oack, big), one(a0, a1)), High},
		{"a transfer's end in an error", udp(one(d1, errNF), one(a1)), High},
		{"error alone", udp(one(errNF), nil), Medium},
		{"data 1 and 2 alone", udp(one(d1, d2), nil), Medium},
		{"data 1 alone", udp(one(d1), nil), Low},
		{"acks 1 and 2 alone", udp(one(a1, a2), nil), Low},
		{"oack alone", udp(one(oack), nil), Low},
		{"ack 1 alone", udp(one(a1), nil), None},
		// Near misses.
		{"mid-transfer: data 2 answered by ack 2", udp(one(d2), one(a2)), None},
		{"data 1 answered by ack 2", udp(one(d1), one(a2)), None},
		{"data 1 then 3", udp(one(d1, d3), one(a1)), None},
		{"ack of five bytes", udp(one(d1), one(cat(a1, []byte{0}))), None},
		{"data over 512 bytes, no oack", udp(one(big), one(a1)), None},
		{"data over the granted blksize", udp(one(oack, cat(big, []byte{'x'})), one(a0)), None},
		{"a short block, then another", udp(one(short, d2), one(a1)), None},
		{"oack answered by ack 1", udp(one(oack), one(a1)), None},
		{"oack on both sides", udp(one(oack), one(oack)), None},
		{"oack sent again (its ack 0 lost), then data", udp(one(oack, oack, big), one(a0, a1)), High},
		{"oack after data", udp(one(d1, oack), one(a1)), None},
		{"a different oack second", udp(one(oack, []byte("\x00\x06blksize\x00512\x00")), one(a0)), None},
		{"data both ways", udp(one(d1), one(d1)), None},
		{"acks both ways", udp(one(a1), one(a1)), None},
		{"data and acks from one side", udp(one(d1, a1), nil), None},
		{"something after an error", udp(one(errNF, d1), one(a1)), None},
		{"error code 9", udp(one(with(errNF, 3, 9)), nil), None},
		{"error unterminated", udp(one(errNF[:len(errNF)-1]), nil), None},
		{"error with a control character", udp(one(with(errNF, 6, '\n')), nil), None},
		{"oack with blksize 4", udp(one([]byte("\x00\x06blksize\x004\x00")), one(a0)), None},
		{"oack without options", udp(one([]byte("\x00\x06")), one(a0)), None},
		{"oack with an unterminated value", udp(one(oack[:len(oack)-1]), one(a0)), None},
		{"a request is no transfer", udp(one(request), nil), None},
		{"data 1 answered by a request", udp(one(d1), one(request)), None},
		{"other opcodes", udp(one(with(d1, 1, 7)), one(a1)), None},
		{"dns answered by dns", sampleIn("dns-udp-aaaa"), None},
		{"rtp stream", sampleIn("rtp-stream"), None},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := checkedConf(t, &tftpTransferDetector, &c.in); got != c.want {
				t.Errorf("%v, want %v", got, c.want)
			}
		})
	}
	if r, _ := tftpTransferDetector.Detect(&owrq); r.Dir != FromClient || r.Evidence != "blksize\x001024" {
		t.Errorf("oack write: %+v", r)
	}

	// Random datagrams shaped like a transfer's (the flood's 8-64 bytes,
	// an opcode's first two bytes) are at most a guess, one side or two.
	rng := rand.New(rand.NewPCG(1, 2))
	random := func() []byte {
		b := make([]byte, 8+rng.IntN(57))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		b[0], b[1] = 0, byte(3+rng.IntN(4))
		return b
	}
	for i := 0; i < 20000; i++ {
		in := udp(one(random(), random()), nil)
		if i%2 == 1 {
			in = udp(one(random()), one(random()))
		}
		if r, ok := tftpTransferDetector.Detect(&in); ok && r.Confidence > Low {
			t.Fatalf("random %q / %q: %v", in.Client, in.Server, r.Confidence)
		}
	}
}

// TestOnAnyPort: only the transfer's verdicts belong on any port.
func TestOnAnyPort(t *testing.T) {
	for _, d := range detectors {
		if got, want := OnAnyPort(d.Name), d == &tftpTransferDetector; got != want {
			t.Errorf("OnAnyPort(%q) = %v, want %v", d.Name, got, want)
		}
	}
	if OnAnyPort("") || OnAnyPort("tftp") {
		t.Error("OnAnyPort names a request")
	}
}
