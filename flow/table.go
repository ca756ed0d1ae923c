package flow

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/flowscope/flowscope/flow/decode"
	"github.com/flowscope/flowscope/flow/dnsmeta"
)

// Config sets the flow table's timeouts and bound. Timeouts run on packet
// time, never the wall clock.
type Config struct {
	TCPIdle, UDPIdle, ICMPIdle, OtherIdle time.Duration
	// Active ends a flow open longer than this (a new record continues
	// it); 0 disables it.
	Active time.Duration
	// CloseDelay keeps a TCP flow after FIN in both directions or a RST,
	// so that the last ACKs still count in it (Zeek's tcp_close_delay).
	CloseDelay time.Duration
	// MaxFlows bounds the open flows; when full, the flow idle the
	// longest is evicted.
	MaxFlows int
	// MaxIdentifying bounds the flows whose service is being identified
	// at once (each holds its first payload bytes); a flow that would
	// start beyond it goes unidentified and is counted. 0: no bound.
	MaxIdentifying int
	// SPLT is how many first packets' lengths, directions and gaps each
	// flow records (0: none).
	SPLT int
	// FlowsOnly skips everything beyond the flow itself: service
	// identification, handshake metadata, DNS names and features.
	FlowsOnly bool
}

// DefaultConfig returns Zeek-like defaults: TCP 5 min, UDP and ICMP 1 min.
func DefaultConfig() Config {
	return Config{
		TCPIdle:    5 * time.Minute,
		UDPIdle:    time.Minute,
		ICMPIdle:   time.Minute,
		OtherIdle:  time.Minute,
		Active:     30 * time.Minute,
		CloseDelay: 5 * time.Second,
		MaxFlows:   1 << 20,
		SPLT:       20,
	}
}

// Lists of open flows, each ordered by last packet time, one per timeout.
const (
	listTCP = iota
	listUDP
	listICMP
	listOther
	listClosing
	listCount
)

const nilIdx = -1

// entry is one open flow. Side 0 is the canonical key's Src.
// The fields every packet touches come first, to share cache lines.
type entry struct {
	key   Key // canonical
	last  int64
	first int64
	// touched is the table's packet time at the flow's last packet: the
	// idle lists are ordered and expired on it, so a packet with an older
	// timestamp than the newest seen cannot break their order. For a
	// closing flow it is the time it closed.
	touched    int64
	prev, next int32
	hash       uint32
	list       uint8
	clientSide uint8
	firstSide  uint8 // side that sent the first packet
	dirBy      DirectionBy
	endReason  EndReason // set when closing (fin or rst)
	tunnel     Tunnel
	vlan       uint16
	side       [2]sideState
	id         uint64
	firstFrame uint64
	parent     uint64
	fragments  uint64
	hist       history
	continues  uint64 // ID of the record this one continues (active timeout)
	// app is what the flow knows beyond its counters (nil with FlowsOnly).
	app *app
}

type list struct{ head, tail int32 }

// entryStore holds the entries in fixed chunks: growing never copies the
// flows already open, nor holds two copies of them at once.
type entryStore struct {
	chunks [][]entry
	n      int32
}

const entryChunkBits = 12 // 4096 entries, 1.3 MiB a chunk

func (s *entryStore) at(i int32) *entry {
	return &s.chunks[i>>entryChunkBits][i&(1<<entryChunkBits-1)]
}

// add returns the index of a new zero entry.
func (s *entryStore) add() int32 {
	if int(s.n)>>entryChunkBits == len(s.chunks) {
		s.chunks = append(s.chunks, make([]entry, 1<<entryChunkBits))
	}
	s.n++
	return s.n - 1
}

// Table is the flow table: it updates flows packet by packet and emits a
// Record for each flow that ends. It is not safe for concurrent use; shard
// flows by key hash across Tables to use several cores.
type Table struct {
	svcFree []*svcState
	// svcScratch holds the detectors' input during an identification.
	svcScratch svcScratch
	appFree    []*app
	dns        *dnsmeta.Cache // address → the name it was looked up by
	cfg        Config
	timeout    [listCount]int64
	index      index
	entries    entryStore
	free       []int32
	lists      [listCount]list
	now        int64
	// nextExpire is a packet time before which no open flow times out: a
	// lower bound (a list's head only moves to flows touched later), so
	// expire can skip its walk over the lists for most packets.
	nextExpire int64
	emit       func(*Record)
	rec        Record // the one emit is handed
	stats      tableStats
	seed       uint64 // of the index hash
}

type tableStats struct {
	flows        uint64
	reasons      [endReasonCount]uint64
	maxActive    int
	identifying  int    // flows holding a service state now
	unidentified uint64 // flows not identified for want of memory
}

// TableStats counts a table's records by end reason, its peak of open
// flows and the flows it left unidentified to stay within MaxIdentifying.
type TableStats struct {
	Flows        uint64
	Reasons      [endReasonCount]uint64
	MaxActive    int
	Unidentified uint64
}

// Stats returns the table's counts so far.
func (t *Table) Stats() TableStats {
	return TableStats{Flows: t.stats.flows, Reasons: t.stats.reasons, MaxActive: t.stats.maxActive, Unidentified: t.stats.unidentified}
}

// NewTable returns a table that calls emit for every finished flow. The
// Record is valid only during the call.
func NewTable(cfg Config, emit func(*Record)) *Table {
	d := DefaultConfig()
	if cfg.MaxFlows <= 0 {
		cfg.MaxFlows = d.MaxFlows
	}
	t := &Table{cfg: cfg, emit: emit, seed: rand.Uint64()}
	t.timeout[listTCP] = int64(cfg.TCPIdle)
	t.timeout[listUDP] = int64(cfg.UDPIdle)
	t.timeout[listICMP] = int64(cfg.ICMPIdle)
	t.timeout[listOther] = int64(cfg.OtherIdle)
	t.timeout[listClosing] = int64(cfg.CloseDelay)
	hint := cfg.MaxFlows
	if hint > 1<<16 {
		hint = 1 << 16
	}
	t.index = newIndex(hint)
	for i := range t.lists {
		t.lists[i] = list{nilIdx, nilIdx}
	}
	return t
}

// Len returns the number of open flows.
func (t *Table) Len() int { return t.index.n }

func listFor(proto uint8) uint8 {
	switch proto {
	case ProtoTCP:
		return listTCP
	case ProtoUDP:
		return listUDP
	case ProtoICMP, ProtoICMPv6:
		return listICMP
	}
	return listOther
}

// IDLayers spaces flow IDs: a flow's ID is the number of the frame of its
// first packet times IDLayers plus the packet's tunnel layer in that frame
// (0 outermost). Each packet starts at most one flow, so IDs are unique,
// grow with the first packet, and do not depend on how flows are sharded.
const IDLayers = 10

// FlowID is the ID of a flow whose first packet was layer of frame.
func FlowID(frame uint64, layer int) uint64 { return frame*IDLayers + uint64(layer) }

// Update accounts one packet to its flow, creating the flow if needed, and
// returns the flow's record ID (for tunnel parents). layer is the packet's
// index in its frame (Frame.Packets); frameLen is the wire length of the
// frame that carried it; parent the ID of the tunnel flow that carried it,
// or 0.
func (t *Table) Update(p *Packet, ts int64, frame uint64, layer int, frameLen int, parent uint64) uint64 {
	if ts > t.now {
		t.now = ts
		t.expire()
	}
	ck, side := decode.Canonical(p.Key)
	h := decode.HashKey(&ck, t.seed)
	idx := t.index.find(&ck, h, &t.entries)
	ok := idx >= 0
	if ok {
		e := t.entries.at(idx)
		switch {
		case e.list == listClosing && p.Key.Proto == ProtoTCP && p.TCPFlags&(FlagSYN|FlagACK) == FlagSYN:
			// A new connection reusing the tuple of a closed one.
			t.end(idx, e.endReason, t.now)
			ok = false
		case t.cfg.Active > 0 && ts-e.first >= int64(t.cfg.Active):
			t.restart(idx, ts, FlowID(frame, layer), frame)
		}
	}
	if !ok {
		idx = t.create(ck, h, side, p, ts, FlowID(frame, layer), frame, parent)
	}
	e := t.entries.at(idx)
	t.account(e, side, p, ts, frame, frameLen)
	if e.list == listClosing {
		// The close delay runs from the close, not from the last packet:
		// the flow keeps its place in the closing list.
		return e.id
	}
	e.touched = t.now
	if p.Key.Proto == ProtoTCP && e.closed() {
		e.endReason = EndFIN
		if e.side[0].tcp == tcpReset || e.side[1].tcp == tcpReset {
			e.endReason = EndRST
		}
		t.unlink(idx)
		t.pushBack(idx, listClosing)
		return e.id
	}
	if t.lists[e.list].tail != idx {
		t.unlink(idx)
		t.pushBack(idx, e.list)
	}
	return e.id
}

func (e *entry) closed() bool {
	a, b := e.side[0].tcp, e.side[1].tcp
	return a == tcpReset || b == tcpReset || (a == tcpClosed && b == tcpClosed)
}

func (t *Table) create(ck Key, h uint32, side int, p *Packet, ts int64, id, frame uint64, parent uint64) int32 {
	if t.index.n >= t.cfg.MaxFlows {
		t.evictOldest()
	}
	var idx int32
	if n := len(t.free); n > 0 {
		idx = t.free[n-1]
		t.free = t.free[:n-1]
		*t.entries.at(idx) = entry{}
	} else {
		idx = t.entries.add()
	}
	e := t.entries.at(idx)
	e.key = ck
	e.hash = h
	if !t.cfg.FlowsOnly {
		e.app = t.newApp()
	}
	e.id = id
	e.first, e.last, e.touched = ts, ts, t.now
	e.firstFrame = frame
	e.firstSide = uint8(side)
	e.list = listFor(ck.Proto)
	e.prev, e.next = nilIdx, nilIdx
	e.vlan = p.VLAN
	e.parent = parent
	e.clientSide, e.dirBy = decideDirection(p, side)
	if t.dns != nil && e.app != nil {
		// Named by answers seen before the flow began, not by later ones.
		srv := ck.DstAddr()
		if int(e.clientSide) == 1 {
			srv = ck.SrcAddr()
		}
		e.app.dnsName, _ = t.dns.Peek(srv)
	}
	t.index.insert(h, idx, &t.entries)
	t.pushBack(idx, e.list)
	if n := t.index.n; n > t.stats.maxActive {
		t.stats.maxActive = n
	}
	return idx
}

// decideDirection picks the client from a flow's first packet.
func decideDirection(p *Packet, side int) (uint8, DirectionBy) {
	other := uint8(1 - side)
	k := &p.Key
	switch k.Proto {
	case ProtoTCP:
		if p.L4 && p.TCPFlags&FlagSYN != 0 {
			if p.TCPFlags&FlagACK == 0 {
				return uint8(side), DirSYN
			}
			return other, DirSYN
		}
	case ProtoICMP, ProtoICMPv6:
		v6 := k.Proto == ProtoICMPv6
		if decode.ICMPTwoWay(v6, uint8(k.SrcPort)) {
			if ICMPIsResponse(v6, uint8(k.SrcPort)) {
				return other, DirICMP
			}
			return uint8(side), DirICMP
		}
		return uint8(side), DirFirstPacket
	}
	if k.Proto == ProtoTCP || k.Proto == ProtoUDP || k.Proto == ProtoSCTP {
		s, d := PortRank(k.Proto, k.SrcPort), PortRank(k.Proto, k.DstPort)
		switch {
		case s > d:
			return other, DirPort
		case d > s:
			return uint8(side), DirPort
		}
	}
	return uint8(side), DirFirstPacket
}

func (t *Table) account(e *entry, side int, p *Packet, ts int64, frame uint64, frameLen int) {
	if ts > e.last {
		e.last = ts
	}
	if ts < e.first {
		e.first = ts
	}
	a := e.app
	if a != nil {
		a.stats.update(side, p, ts)
	}
	s := &e.side[side]
	pk := uint64(1 + p.ExtraPackets)
	s.packets += pk
	s.bytes += uint64(p.IPLen + p.ExtraIPLen)
	s.payload += uint64(p.PayloadLen + p.ExtraPayloadLen)
	s.frameBytes += uint64(frameLen + p.ExtraFrameLen)
	if p.ExtraPackets > 0 && p.ExtraFirstTS < e.first {
		// Fragments held until their first fragment came started the flow.
		e.first, e.firstFrame = p.ExtraFirstTS, p.ExtraFirstFrame
	}
	if p.Fragment {
		e.fragments += pk
	}
	if p.Carries != TunnelNone {
		e.tunnel = p.Carries
	}
	if a != nil && p.L4 && (p.Key.Proto == ProtoTCP || p.Key.Proto == ProtoUDP) {
		if !a.svcDone {
			t.service(e, side, p, frame)
		} else if a.otherLeft > 0 && side != a.svcRes.evSide && len(p.Payload) > 0 {
			t.otherSide(e, side, p)
		}
		if a.dnsFails < dnsMaxFails {
			if msg := dnsMessage(p, a.svcRes.res.Service == "dns"); msg != nil {
				a.noteDNS(msg)
			}
		}
	}
	switch p.Key.Proto {
	case ProtoTCP:
		if !p.L4 {
			return
		}
		s.flags |= p.TCPFlags
		// A SYN settles the direction even when the flow began mid-stream.
		if p.TCPFlags&FlagSYN != 0 && e.dirBy != DirSYN {
			if p.TCPFlags&FlagACK == 0 {
				e.clientSide = uint8(side)
			} else {
				e.clientSide = uint8(1 - side)
			}
			e.dirBy = DirSYN
		}
		if a != nil {
			a.stats.handshake(side, p.TCPFlags, ts, int(e.clientSide))
		}
		updateTCP(&e.hist, s, &e.side[1-side], side, p, ts)
	case ProtoUDP:
		if p.PayloadLen > 0 || p.ExtraIPLen > 0 {
			e.hist.addOnce(s, onceD, 'd', side)
		}
	}
}

// service feeds a packet to the flow's service identification.
func (t *Table) service(e *entry, side int, p *Packet, frame uint64) {
	a := e.app
	if p.Key.Proto == ProtoTCP && p.TCPFlags&FlagSYN != 0 && !a.synSeen[side] {
		a.synSeq[side], a.synSeen[side] = p.Seq, true
	}
	if len(p.Payload) == 0 {
		return // no state until there is payload: SYN-only flows cost nothing
	}
	sv := a.svc
	if sv == nil {
		if t.cfg.MaxIdentifying > 0 && t.stats.identifying >= t.cfg.MaxIdentifying {
			a.svcDone = true // counted: the summary says how many
			t.stats.unidentified++
			return
		}
		sv = t.newSvc()
		a.svc = sv
		for i := range a.synSeen {
			if a.synSeen[i] {
				sv.noteSYN(i, a.synSeq[i])
			}
		}
	}
	if p.Key.Proto == ProtoTCP && p.TCPFlags&FlagSYN != 0 {
		sv.noteSYN(side, p.Seq)
	}
	if p.Key.Proto == ProtoUDP && side == int(e.clientSide) && sv.dir[side].pkts < svcMaxPackets {
		sv.feedQUIC(p)
	}
	if sv.add(side, p) {
		sv.identify(int(e.clientSide), p.Key.Proto == ProtoTCP, frame, &t.svcScratch)
	}
	if sv.done(p.Key.Proto == ProtoTCP, int(e.clientSide)) {
		t.finishSvc(e)
	}
}

// restart emits a flow that hit the active timeout and keeps its state for
// the record that continues it.
func (t *Table) restart(idx int32, ts int64, id, frame uint64) {
	e := t.entries.at(idx)
	t.emitRecord(e, EndActive, t.now)
	e.continues = e.id
	e.id = id
	e.first, e.last = ts, ts
	e.firstFrame = frame
	for i := range e.side {
		// Counts and history restart; the TCP state and sequence
		// tracking carry over to the continuation.
		s := &e.side[i]
		s.packets, s.bytes, s.payload, s.frameBytes, s.flags = 0, 0, 0, 0, 0
		s.once, s.seenSeq, s.retrans, s.zeroWin = 0, 0, 0, 0
	}
	e.hist = history{}
	e.fragments = 0
	if a := e.app; a != nil {
		a.stats.reset()
		a.dns, a.dnsFails = nil, 0 // the emitted record keeps its own
	}
	for i := range e.side {
		e.side[i].outOfOrder = 0
	}
}

// end emits a flow that ended at packet time at and frees its slot.
func (t *Table) end(idx int32, why EndReason, at int64) {
	e := t.entries.at(idx)
	t.emitRecord(e, why, at)
	if e.app != nil {
		t.freeApp(e.app)
		e.app = nil
	}
	t.unlink(idx)
	t.index.remove(e.hash, idx)
	t.free = append(t.free, idx)
}

// expire ends every flow whose timeout passed at packet time t.now.
func (t *Table) expire() {
	if t.now < t.nextExpire {
		return
	}
	t.nextExpire = math.MaxInt64
	for l := range t.lists {
		to := t.timeout[l]
		for h := t.lists[l].head; h != nilIdx; h = t.lists[l].head {
			e := t.entries.at(h)
			if t.now-e.touched < to {
				// min, not assignment: ending a flow may have pushed one.
				t.nextExpire = min(t.nextExpire, e.touched+to)
				break
			}
			why := EndIdle
			if l == listClosing {
				why = e.endReason
			}
			// It ended when its timeout ran out, whenever a packet
			// showed that: the order of records does not depend on
			// which later packet that was.
			t.end(h, why, e.touched+to)
		}
	}
}

// evictOldest ends the flow idle the longest to make room.
func (t *Table) evictOldest() {
	best := int32(nilIdx)
	for l := range t.lists {
		h := t.lists[l].head
		if h != nilIdx && (best == nilIdx || t.entries.at(h).touched < t.entries.at(best).touched) {
			best = h
		}
	}
	if best != nilIdx {
		t.end(best, EndEvicted, t.now)
	}
}

// Flush ends every open flow (end of input) in order of first packet.
func (t *Table) Flush() {
	open := make([]int32, 0, t.index.n)
	for _, s := range t.index.slots {
		if s.idx != 0 {
			open = append(open, s.idx-1)
		}
	}
	slices.SortFunc(open, func(a, b int32) int { return cmp.Compare(t.entries.at(a).id, t.entries.at(b).id) })
	for _, idx := range open {
		why := EndEOF
		if e := t.entries.at(idx); e.list == listClosing {
			why = e.endReason
		}
		t.end(idx, why, EndOfInput)
	}
}

// EndOfInput is Record.End of the flows still open at the end of input.
const EndOfInput = math.MaxInt64

// Advance moves packet time forward without a packet (live capture idle
// periods), expiring flows whose timeout passed.
func (t *Table) Advance(ts int64) {
	if ts > t.now {
		t.now = ts
		t.expire()
	}
}

func (t *Table) unlink(idx int32) {
	e := t.entries.at(idx)
	l := &t.lists[e.list]
	if e.prev != nilIdx {
		t.entries.at(e.prev).next = e.next
	} else if l.head == idx {
		l.head = e.next
	}
	if e.next != nilIdx {
		t.entries.at(e.next).prev = e.prev
	} else if l.tail == idx {
		l.tail = e.prev
	}
	e.prev, e.next = nilIdx, nilIdx
}

func (t *Table) pushBack(idx int32, which uint8) {
	e := t.entries.at(idx)
	e.list = which
	// touched+timeout may overflow to a negative bound: that only makes
	// expire walk the lists, never skip a flow.
	t.nextExpire = min(t.nextExpire, e.touched+t.timeout[which])
	l := &t.lists[which]
	e.prev, e.next = l.tail, nilIdx
	if l.tail != nilIdx {
		t.entries.at(l.tail).next = idx
	} else {
		l.head = idx
	}
	l.tail = idx
}
