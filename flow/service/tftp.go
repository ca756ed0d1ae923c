package service

// TFTP (RFC 1350, options RFC 2347), recognised by a read or write
// request: the file's name and a transfer mode, each ending in a NUL.
// The server answers from a new port of its own (RFC 1350 §4), so the
// transfer is a flow of its own between two ports neither of which is
// the registered one: tftpTransferDetector names it from its opcodes,
// and its verdicts raise no nonstandard-port finding (Anywhere).
var tftpProtocol = Protocol{
	Name: "tftp", Transports: onUDP,
	Registry:   []string{"tftp"},
	OffPort:    SeverityHigh,
	FirstBytes: "a TFTP request",
	Detectors:  []*Detector{&tftpDetector, &tftpTransferDetector},
}

var tftpDetector = Detector{
	Name:       "tftp",
	Transports: onUDP,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		return eitherSide(in, "tftp", tftpRequest)
	},
}

// tftpRequest checks opcode 1 (RRQ) or 2 (WRQ), a printable file name,
// then mode netascii, octet or mail (any case), then option and value
// pairs, each NUL-terminated, to the datagram's end. The evidence is the
// file name.
func tftpRequest(b []byte) (Confidence, evidence) {
	if len(b) < 4 || b[0] != 0 || (b[1] != 1 && b[1] != 2) {
		return None, evidence{}
	}
	name, rest, ok := tftpString(b[2:])
	if !ok || len(name) == 0 {
		return None, evidence{}
	}
	mode, rest, ok := tftpString(rest)
	if !ok || !(equalFold(mode, "netascii") || equalFold(mode, "octet") || equalFold(mode, "mail")) {
		return None, evidence{}
	}
	for len(rest) > 0 {
		if _, rest, ok = tftpString(rest); !ok {
			return None, evidence{}
		}
	}
	return High, evidence{b: head(name, 64)}
}

// tftpString splits a NUL-terminated printable string off b.
func tftpString(b []byte) (s, rest []byte, ok bool) {
	for i, c := range b {
		if c == 0 {
			return b[:i], b[i+1:], true
		}
		if c < 0x20 || c == 0x7f {
			return nil, nil, false
		}
	}
	return nil, nil, false
}

// tftpTransferDetector names a transfer's flow: DATA, ACK, OACK and ERROR
// messages only, each side's in an order one end of a transfer sends
// them, the flow taken from its start. The sender's first block is 1 and
// the receiver's first ACK 0 (a write, or the answer to an OACK) or 1; a
// side alone says little, since each message is four bytes of header.
var tftpTransferDetector = Detector{
	Name:       "tftp-transfer",
	Transports: onUDP,
	Anywhere:   true,
	Detect: func(in *Input) (Result, bool) {
		if in == nil || in.Transport != UDP {
			return Result{}, false
		}
		c, s := tftpSideOf(in.ClientDatagrams, in.Client), tftpSideOf(in.ServerDatagrams, in.Server)
		conf := tftpFlow(&c, &s)
		if conf == None {
			return Result{}, false
		}
		// Both sides stand or fall together; each may decide if its
		// first datagram is a transfer message (decide: the first
		// speaker on a tie).
		var cv, sv verdict
		if op, _ := tftpMessage(in.Client); op != 0 {
			cv = verdict{conf, tftpEvidence(in.Client)}
		}
		if op, _ := tftpMessage(in.Server); op != 0 {
			sv = verdict{conf, tftpEvidence(in.Server)}
		}
		r, ok := decide("tftp", in, cv, sv, nil)
		if ok {
			r.Detector = "tftp-transfer"
		}
		return r, ok
	},
}

// TFTP opcodes of a transfer (RFC 1350, RFC 2347), and RFC 2348's bounds
// on a block's size.
const (
	tftpData  = 3
	tftpAck   = 4
	tftpError = 5
	tftpOACK  = 6

	tftpDefaultBlock = 512
	tftpMinBlock     = 8
	tftpMaxBlock     = 65464
)

// tftpMessage parses a transfer's datagram: its opcode (0 if it is none)
// and, for DATA and ACK, its block number; for an OACK, the blksize it
// grants (0 if none). An ACK is exactly four bytes; an ERROR's code is
// 0-8 and its message a NUL-terminated printable string ending the
// datagram; an OACK holds option names and values, each NUL-terminated,
// to the datagram's end. A DATA datagram may be cut short (the flow
// keeps a few KiB of each side).
func tftpMessage(b []byte) (op, n int) {
	if len(b) < 4 || b[0] != 0 {
		return 0, 0
	}
	switch b[1] {
	case tftpData:
		if len(b)-4 > tftpMaxBlock {
			return 0, 0
		}
		return tftpData, be16(b[2:])
	case tftpAck:
		if len(b) != 4 {
			return 0, 0
		}
		return tftpAck, be16(b[2:])
	case tftpError:
		if b[2] != 0 || b[3] > 8 {
			return 0, 0
		}
		if _, rest, ok := tftpString(b[4:]); !ok || len(rest) > 0 {
			return 0, 0
		}
		return tftpError, 0
	case tftpOACK:
		blk, opts, rest := 0, 0, b[2:]
		for ; len(rest) > 0; opts++ {
			name, r, ok := tftpString(rest)
			if !ok || len(name) == 0 || !tftpOptionName(name) {
				return 0, 0
			}
			value, r, ok := tftpString(r)
			if !ok {
				return 0, 0
			}
			if equalFold(name, "blksize") {
				if blk = tftpNumber(value); blk < tftpMinBlock || blk > tftpMaxBlock {
					return 0, 0
				}
			}
			rest = r
		}
		if opts == 0 {
			return 0, 0 // an OACK acknowledges at least one option
		}
		return tftpOACK, blk
	}
	return 0, 0
}

// tftpOptionName: option names are words (blksize, tsize, timeout,
// windowsize, multicast).
func tftpOptionName(b []byte) bool {
	for _, c := range b {
		if !isLetter(c) && !isDigit(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// tftpNumber is a decimal option value, or -1.
func tftpNumber(b []byte) int {
	if len(b) == 0 || len(b) > 5 {
		return -1
	}
	n := 0
	for _, c := range b {
		if !isDigit(c) {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// tftpSide is what one side's datagrams show of a transfer.
type tftpSide struct {
	n          int  // datagrams
	bad        bool // one is no transfer message, or out of order
	oack       bool // it opens with an OACK
	oacks      int  // OACKs: the first and its retransmissions
	blksize    int  // the OACK's blksize, 0 if none
	onlyError  bool // its one datagram is an ERROR
	data, acks int  // DATA and ACK datagrams
	firstBlock int  // the first DATA's or ACK's block
	blocks     int  // distinct blocks sent (DATA) or acknowledged (ACK)
	// sizes are the payload sizes of the first distinct DATA blocks
	// (a side keeps svcMaxDatagrams, 4, in the flow table).
	sizes  [4]int
	nsizes int
}

// tftpSideOf reads one side's datagrams (first alone when there are none):
// an optional OACK (repeated when its ACK was lost), then DATA or ACK
// messages whose blocks count up by 1 (a repeat is a retransmission), then
// an optional ERROR.
func tftpSideOf(ds [][]byte, first []byte) tftpSide {
	var s tftpSide
	n := len(ds)
	if n == 0 && len(first) > 0 {
		n = 1
	}
	last, ended := -1, false
	for i := 0; i < n; i++ {
		d := first
		if len(ds) > 0 {
			d = ds[i]
		}
		s.n++
		op, v := tftpMessage(d)
		if op == 0 || ended {
			s.bad = true
			return s
		}
		switch op {
		case tftpOACK:
			// Only first, or again (its ACK 0 lost) before anything else.
			if i > 0 && (i != s.oacks || string(d) != string(ds[0])) {
				s.bad = true
				return s
			}
			s.oack, s.blksize = true, v
			s.oacks++
		case tftpError:
			ended = true
			s.onlyError = i == 0
		case tftpData, tftpAck:
			if op == tftpData && s.acks > 0 || op == tftpAck && s.data > 0 {
				s.bad = true // one side either sends or acknowledges
				return s
			}
			switch {
			case last < 0:
				s.firstBlock, s.blocks = v, 1
			case v == last: // a retransmission
			case v == last+1:
				s.blocks++
			default:
				s.bad = true
				return s
			}
			if op == tftpData {
				s.data++
				if (last < 0 || v != last) && s.nsizes < len(s.sizes) {
					s.sizes[s.nsizes] = len(d) - 4
					s.nsizes++
				}
			} else {
				s.acks++
			}
			last = v
		}
	}
	return s
}

// tftpSized reports whether a sender's blocks fit the block size: every
// one at most its size, every block but the last exactly its size (a
// shorter one ends the transfer; the flow's copy of the last may be cut).
func (s *tftpSide) tftpSized(blksize int) bool {
	for i := 0; i < s.nsizes; i++ {
		if z := s.sizes[i]; z > blksize || i < s.nsizes-1 && z != blksize {
			return false
		}
	}
	return true
}

// tftpFlow is the confidence the two sides give together. High: a
// transfer's start answered: DATA 1 and an ACK of 0 or 1 (after an OACK,
// the ACK of 0 it asks for), or an OACK answered by ACK 0 or DATA 1.
// Medium: an ERROR alone (a request refused from the server's new port)
// or answered by more TFTP, or a sender alone with DATA 1 and 2 (the
// second means the first was acknowledged). Low: DATA 1, an OACK, or two
// counting ACKs alone. Anything else, or anything of another protocol on
// either side, is none.
func tftpFlow(c, s *tftpSide) Confidence {
	if c.bad || s.bad || c.n+s.n == 0 {
		return None
	}
	if c.oack && s.oack {
		return None
	}
	blk := tftpDefaultBlock
	if c.blksize > 0 {
		blk = c.blksize
	} else if s.blksize > 0 {
		blk = s.blksize
	}
	if c.onlyError || s.onlyError {
		return Medium
	}
	snd, rcv := c, s
	if s.data > 0 || c.acks > 0 {
		snd, rcv = s, c
	}
	if snd.acks > 0 || rcv.data > 0 || snd.data > 0 && snd.firstBlock != 1 || !snd.tftpSized(blk) {
		return None
	}
	if rcv.acks > 0 {
		// An OACK asks for ACK 0 from the other side (the sender reads;
		// the receiver, offering it, then awaits DATA 1).
		switch {
		case snd.oack && rcv.firstBlock != 0, rcv.oack && rcv.firstBlock != 1, rcv.firstBlock > 1:
			return None
		}
	}
	switch {
	case snd.data > 0 && rcv.acks > 0:
		return High
	case snd.oack && rcv.acks > 0, rcv.oack && snd.data > 0:
		return High
	case rcv.n == 0 && snd.data > 0 && snd.blocks >= 2:
		return Medium
	case rcv.n == 0 && snd.data > 0:
		return Low
	case snd.n == 0 && rcv.blocks >= 2 && !rcv.oack:
		return Low
	case c.n+s.n == 1 && (c.oack || s.oack):
		return Low
	}
	return None
}

// tftpEvidence is a transfer message's evidence: an OACK's options or an
// ERROR's message, else the opcode and block number.
func tftpEvidence(b []byte) []byte {
	switch b[1] {
	case tftpOACK:
		return head(b[2:len(b)-1], 64)
	case tftpError:
		if len(b) > 5 {
			return head(b[4:len(b)-1], 64)
		}
	}
	return b[:4]
}
