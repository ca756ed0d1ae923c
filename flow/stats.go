package flow

import (
	"math"
	"time"
)

// Volume and timing features of a flow: what stays visible when the payload
// is encrypted. Everything is streaming (running sums for mean and
// variance) and bounded per flow, however long the flow.

// moments keeps a running count, minimum, maximum and the sums that give
// mean and variance, of integer values (bytes, nanoseconds). The sums are
// of deviations from the first value (the shifted-data method), which keeps
// the variance accurate where values sit far from zero (less so when the
// first value is far from the rest: a relative error near 1e-10 for gaps of
// 1 ns then a day), and they need no division per value: Welford's running
// mean costs two per packet.
type moments struct {
	n        uint64
	first    int64
	min, max int64
	sum      float64 // of x - first (a float: no overflow over days of gaps)
	sumSq    float64 // of (x - first)²
}

func (m *moments) add(x int64) {
	if m.n == 0 {
		m.first, m.min, m.max = x, x, x
	}
	m.n++
	m.min = min(m.min, x)
	m.max = max(m.max, x)
	d := float64(x - m.first)
	m.sum += d
	m.sumSq += d * d
}

// dist returns the summary, each value divided by per (1e9 turns
// nanoseconds into seconds).
func (m *moments) dist(per float64) Dist {
	if m.n == 0 {
		return Dist{}
	}
	n := float64(m.n)
	mean := m.sum / n
	variance := max(0, m.sumSq/n-mean*mean)
	return Dist{N: m.n, Min: float64(m.min) / per, Max: float64(m.max) / per,
		Mean: (float64(m.first) + mean) / per, Std: math.Sqrt(variance) / per}
}

// Dist summarises a distribution: count, minimum, maximum, mean and
// population standard deviation.
type Dist struct {
	N    uint64  `json:"n"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
}

// activityGap separates active periods: a silence longer than this is idle
// time (CICFlowMeter and NetFlow exporters use seconds-long activity gaps).
const activityGap = int64(time.Second)

// dirStats is the timing and size state of one side of a flow.
type dirStats struct {
	size      moments // IP bytes per packet
	iat       moments // nanoseconds between this side's packets
	last      int64
	empty     uint64 // packets without payload (TCP pure ACKs and the like)
	outOfOrd  uint64 // TCP segments below the highest sequence sent, not seen before
	rttSample int64  // handshake RTT measured at this side, ns (0: none)
}

// flowStats is what a flow keeps for its features.
type flowStats struct {
	dir     [2]dirStats // by canonical side
	active  uint32      // active periods
	idle    int64       // total idle time, ns
	lastAny int64
	synTS   [2]int64 // time of each side's first SYN (client SYN, server SYN/ACK)
	splt    []spltItem
	spltCap int
	entropy [2]float64 // of each side's first payload packet
	entDone [2]bool
}

type spltItem struct {
	size uint16
	side uint8
	gap  int64 // ns since the flow's previous packet
}

// update accounts one packet of side at ts.
func (st *flowStats) update(side int, p *Packet, ts int64) {
	d := &st.dir[side]
	d.size.add(int64(p.IPLen))
	if d.last != 0 && ts >= d.last {
		d.iat.add(ts - d.last)
	}
	d.last = ts
	if p.PayloadLen == 0 {
		d.empty++
	} else if !st.entDone[side] && len(p.Payload) > 0 {
		st.entropy[side] = entropy(p.Payload[:min(len(p.Payload), entropyBytes)])
		st.entDone[side] = true
	}
	gap := int64(0)
	if st.lastAny == 0 || ts-st.lastAny > activityGap {
		st.active++
		if st.lastAny != 0 {
			st.idle += ts - st.lastAny
		}
	}
	if st.lastAny != 0 {
		gap = ts - st.lastAny
	}
	if ts > st.lastAny {
		st.lastAny = ts
	}
	if len(st.splt) < st.spltCap {
		if len(st.splt) == cap(st.splt) {
			st.growSPLT()
		}
		st.splt = append(st.splt, spltItem{size: uint16(min(p.IPLen, math.MaxUint16)), side: uint8(side), gap: gap})
	}
}

// spltFirst is the sequence's first allocation: most flows are short, and
// a one-packet flow should not hold room for twenty.
const spltFirst = 4

// growSPLT makes room for the sequence: spltFirst items, then all of them.
func (st *flowStats) growSPLT() {
	n := min(spltFirst, st.spltCap)
	if cap(st.splt) >= spltFirst {
		n = st.spltCap
	}
	grown := make([]spltItem, len(st.splt), n)
	copy(grown, st.splt)
	st.splt = grown
}

// reset empties the stats for the record that continues a split flow,
// keeping the sequence's memory.
func (st *flowStats) reset() {
	*st = flowStats{splt: st.splt[:0], spltCap: st.spltCap}
}

// handshake records TCP handshake timing: the SYN, the SYN/ACK and the
// first ACK give the client-side RTT (SYN → SYN/ACK, seen from the
// capture point) and the server-side RTT (SYN/ACK → ACK).
func (st *flowStats) handshake(side int, flags uint8, ts int64, clientSide int) {
	switch {
	case flags&(FlagSYN|FlagACK) == FlagSYN && side == clientSide && st.synTS[0] == 0:
		st.synTS[0] = ts
	case flags&(FlagSYN|FlagACK) == FlagSYN|FlagACK && side != clientSide && st.synTS[1] == 0:
		st.synTS[1] = ts
		if st.synTS[0] != 0 && ts >= st.synTS[0] {
			st.dir[clientSide].rttSample = ts - st.synTS[0]
		}
	case flags&(FlagSYN|FlagACK|FlagRST) == FlagACK && side == clientSide && st.synTS[1] != 0 &&
		st.dir[1-clientSide].rttSample == 0 && ts >= st.synTS[1]:
		st.dir[1-clientSide].rttSample = ts - st.synTS[1]
	}
}

// entropyBytes is how much of a side's first payload the entropy covers:
// enough to tell text, structure and ciphertext apart (and small enough
// for byte-sized counts).
const entropyBytes = 255

// entropy returns the Shannon entropy, in bits per byte, of b (at most
// entropyBytes long): log2(n) - Σ c·log2(c) / n over the byte counts c,
// summed in one pass from a table of the increments of c·log2(c).
func entropy(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	b = b[:min(len(b), entropyBytes)]
	var counts [256]uint8 // entropyBytes < 256: no overflow
	sum := 0.0
	for _, c := range b {
		sum += cLogCStep[counts[c]]
		counts[c]++
	}
	n := float64(len(b))
	return math.Log2(n) - sum/n
}

// cLogCStep[k] is (k+1)·log2(k+1) - k·log2(k).
var cLogCStep = func() (t [entropyBytes]float64) {
	f := func(c int) float64 {
		if c == 0 {
			return 0
		}
		return float64(c) * math.Log2(float64(c))
	}
	for k := range t {
		t[k] = f(k+1) - f(k)
	}
	return t
}()
