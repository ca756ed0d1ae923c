package flow

import "time"

// Zeek-compatible connection state: each endpoint runs a small TCP state
// machine and the pair maps to a conn_state code; every notable event is a
// history letter. Letters are recorded per canonical side and only cased
// (upper = client) when the record is made, because the client may be
// decided after the first packets.

type tcpEndpointState uint8

const (
	tcpInactive tcpEndpointState = iota
	tcpSynSent
	tcpSynAckSent
	tcpPartial
	tcpEstablished
	tcpClosed
	tcpReset
)

// historyMax bounds the history kept per flow; Zeek's rules make longer
// histories rare (most letters are recorded once per direction).
const historyMax = 30

// sideState is what one canonical side of a flow sent.
type sideState struct {
	packets, bytes, payload, frameBytes uint64
	flags                               uint8
	tcp                                 tcpEndpointState
	once                                uint8 // history letters a, d, i, q already recorded
	seqValid                            bool
	nextSeq                             uint32    // highest sequence number sent plus one
	lastSeq                             [4]uint32 // last seq of s, h, f, r letters
	seenSeq                             uint8     // which of lastSeq are set
	retrans, zeroWin                    uint32    // counts for logarithmic t, w letters
	outOfOrder                          uint32    // segments below nextSeq arriving within reorderWindow
	lastData                            int64     // time of this side's last data segment
}

const (
	onceA = 1 << iota
	onceD
	onceI
	onceQ
)

// history holds letters with the side in the top bit.
type history struct {
	b [historyMax]byte
	n uint8
}

func (h *history) add(letter byte, side int) {
	if int(h.n) < len(h.b) {
		h.b[h.n] = letter | byte(side)<<7
		h.n++
	}
}

// render returns the history with the client's letters in upper case.
func (h *history) render(clientSide int, flipped bool) string {
	var out [historyMax + 1]byte
	n := 0
	if flipped {
		out[0] = '^'
		n = 1
	}
	for _, c := range h.b[:h.n] {
		side := int(c >> 7)
		l := c & 0x7f
		if side == clientSide {
			l -= 'a' - 'A'
		}
		out[n] = l
		n++
	}
	return string(out[:n])
}

// logarithmic reports whether the n-th occurrence (from 1) is recorded:
// Zeek records the 1st, 10th, 100th... of t, w, c and g.
func logarithmic(n uint32) bool {
	for n >= 10 && n%10 == 0 {
		n /= 10
	}
	return n == 1
}

// seqIndex maps s, h, f, r to their slot in lastSeq.
func seqIndex(letter byte) uint {
	switch letter {
	case 's':
		return 0
	case 'h':
		return 1
	case 'f':
		return 2
	}
	return 3
}

// addSeqLetter records s, h, f or r unless the same letter was recorded for
// the same sequence number (a retransmission).
func (h *history) addSeqLetter(s *sideState, letter byte, side int, seq uint32) {
	i := seqIndex(letter)
	if s.seenSeq&(1<<i) != 0 && s.lastSeq[i] == seq {
		return
	}
	s.seenSeq |= 1 << i
	s.lastSeq[i] = seq
	h.add(letter, side)
}

func (h *history) addOnce(s *sideState, bit uint8, letter byte, side int) {
	if s.once&bit == 0 {
		s.once |= bit
		h.add(letter, side)
	}
}

// seqBefore reports a < b in 32-bit sequence space.
func seqBefore(a, b uint32) bool { return int32(a-b) < 0 }

// updateTCP advances the sender's state machine and history for one packet.
// reorderWindow tells reordering from retransmission, as Wireshark does: a
// segment below the highest sequence sent that arrives this soon after the
// previous data segment was overtaken, not sent again.
const reorderWindow = int64(3 * time.Millisecond)

func updateTCP(h *history, s, peer *sideState, side int, p *Packet, ts int64) {
	fl := p.TCPFlags
	syn, ack, fin, rst := fl&FlagSYN != 0, fl&FlagACK != 0, fl&FlagFIN != 0, fl&FlagRST != 0

	if syn && (fin || rst) {
		h.addOnce(s, onceQ, 'q', side)
	}
	switch {
	case syn && !ack:
		h.addSeqLetter(s, 's', side, p.Seq)
	case syn && ack:
		h.addSeqLetter(s, 'h', side, p.Seq)
	}
	if fin {
		h.addSeqLetter(s, 'f', side, p.Seq)
	}
	if rst {
		h.addSeqLetter(s, 'r', side, p.Seq)
	}
	if p.PayloadLen > 0 {
		end := p.Seq + uint32(p.PayloadLen)
		switch {
		case s.seqValid && !seqBefore(s.nextSeq, end) && !syn && ts-s.lastData < reorderWindow && ts >= s.lastData:
			s.outOfOrder++
		case s.seqValid && !seqBefore(s.nextSeq, end) && !syn:
			s.retrans++
			if logarithmic(s.retrans) {
				h.add('t', side)
			}
		default:
			h.addOnce(s, onceD, 'd', side)
		}
		s.lastData = ts
	} else if ack && !syn && !fin && !rst {
		h.addOnce(s, onceA, 'a', side)
	}
	if p.Window == 0 && !rst && p.L4 {
		s.zeroWin++
		if logarithmic(s.zeroWin) {
			h.add('w', side)
		}
	}
	end := p.Seq + uint32(p.PayloadLen)
	if syn || fin {
		end++
	}
	if !s.seqValid || seqBefore(s.nextSeq, end) {
		s.nextSeq = end
		s.seqValid = true
	}

	switch {
	case rst:
		s.tcp = tcpReset
	case s.tcp == tcpReset:
	case fin:
		s.tcp = tcpClosed
	case syn && !ack:
		if s.tcp == tcpInactive || s.tcp == tcpPartial {
			s.tcp = tcpSynSent
		}
	case syn && ack:
		if s.tcp == tcpInactive || s.tcp == tcpPartial {
			s.tcp = tcpSynAckSent
		}
	default:
		switch s.tcp {
		case tcpInactive:
			if peer.tcp == tcpSynAckSent {
				s.tcp, peer.tcp = tcpEstablished, tcpEstablished
			} else {
				s.tcp = tcpPartial
			}
		case tcpSynSent, tcpSynAckSent:
			switch peer.tcp {
			case tcpSynSent, tcpSynAckSent:
				s.tcp, peer.tcp = tcpEstablished, tcpEstablished
			case tcpEstablished, tcpPartial:
				s.tcp = tcpEstablished
			}
		}
	}
}

// connState maps the two endpoint states to Zeek's conn_state for TCP.
func connStateTCP(orig, resp tcpEndpointState, origPayload, respPayload uint64, hist string) string {
	oInactive := orig == tcpInactive || orig == tcpPartial
	rInactive := resp == tcpInactive || resp == tcpPartial
	switch {
	case resp == tcpReset:
		if orig == tcpSynSent || orig == tcpSynAckSent ||
			(orig == tcpReset && origPayload == 0 && respPayload == 0) {
			return "REJ"
		}
		if oInactive {
			return "RSTRH"
		}
		return "RSTR"
	case orig == tcpReset:
		if rInactive {
			if rstos0(hist) {
				return "RSTOS0"
			}
			return "OTH"
		}
		return "RSTO"
	case resp == tcpClosed && orig == tcpClosed:
		return "SF"
	case orig == tcpClosed:
		if rInactive {
			return "SH"
		}
		return "S2"
	case resp == tcpClosed:
		if oInactive {
			return "SHR"
		}
		return "S3"
	case orig == tcpSynSent && resp == tcpInactive:
		return "S0"
	case orig == tcpEstablished && resp == tcpEstablished:
		return "S1"
	}
	return "OTH"
}

// rstos0 matches Zeek's /^\^?S[^HAFGIQ]*R.*/: the originator's SYN, then
// its RST with no handshake, ack, FIN, gap, or odd flags from it between.
func rstos0(h string) bool {
	if len(h) > 0 && h[0] == '^' {
		h = h[1:]
	}
	if len(h) == 0 || h[0] != 'S' {
		return false
	}
	for i := 1; i < len(h); i++ {
		switch h[i] {
		case 'R':
			return true
		case 'H', 'A', 'F', 'G', 'I', 'Q':
			return false
		}
	}
	return false
}
