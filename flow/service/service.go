// Package service identifies a flow's application protocol from the first
// payload bytes of each direction, never from its ports.
package service

// Confidence says how sure a detector is.
type Confidence uint8

// Confidence levels: Low is a plausible structure that other protocols
// could also show; Medium matches a distinctive structure; High matches
// a protocol's magic, version string or fully parsed header.
const (
	None Confidence = iota
	Low
	Medium
	High
)

func (c Confidence) String() string {
	switch c {
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	}
	return "none"
}

// Dir is a direction of a flow.
type Dir uint8

// Directions: bytes sent by the client (originator) or by the server.
const (
	FromClient Dir = iota
	FromServer
)

func (d Dir) String() string {
	if d == FromServer {
		return "server"
	}
	return "client"
}

// Transport is the transport protocol a payload came over.
type Transport uint8

// Transports detectors handle.
const (
	TCP Transport = iota
	UDP
)

// Input is what a detector sees of a flow: no ports, on purpose.
type Input struct {
	Transport Transport
	// Client and Server are the first payload bytes each side sent: for
	// TCP the in-order stream prefix, for UDP one datagram of each side
	// (Identify tries them in order, pairing each side's k-th).
	Client, Server []byte
	// ClientDatagrams and ServerDatagrams are, over UDP, every datagram
	// each side sent so far, in order (a few at most, the later ones
	// possibly cut short), for detectors that confirm a guess by what
	// follows. Empty over TCP.
	ClientDatagrams, ServerDatagrams [][]byte
	// ClientFirst reports whether the client sent payload before the server.
	ClientFirst bool
	// MidStream reports a TCP connection seen without either side's SYN:
	// the capture began inside it, so its bytes start wherever the
	// capture did, not at the protocol's first message.
	MidStream bool
}

// Result is a detector's verdict.
type Result struct {
	Service    string // lower-case protocol name: "tls", "quic", "http", "ssh", ...
	Confidence Confidence
	Dir        Dir    // the direction whose bytes decided
	Evidence   string // the deciding bytes, short and raw (escape before printing)
	Detector   string // the detector's name
}

// Detector recognises one protocol.
type Detector struct {
	Name       string
	Transports []Transport
	// Anywhere marks a detector whose verdicts name flows between ports
	// that the protocol's ends chose at run time (a TFTP transfer): off
	// the protocol's registered ports they raise no nonstandard-port
	// finding (see OnAnyPort).
	Anywhere bool
	// Detect returns the verdict, or ok false when the payload is not (or
	// not yet recognisably) this protocol. It must not panic on any input.
	Detect func(in *Input) (r Result, ok bool)
}
