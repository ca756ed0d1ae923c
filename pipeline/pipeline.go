// Package pipeline runs capture → decode → shard → flow tables → sink, for
// capture files, live capture and `check` alike.
//
// The caller's goroutine reads and decodes frames (fragments are attributed
// there, in frame order) and deals them out in rounds to N workers, each
// with its own flow table for the flows whose key hashes to it. A writer
// goroutine merges the workers' records into one order that depends only on
// the input: by the packet time at which each flow ended, then by ID (see
// flow.Record.End and flow.FlowID). After each round every worker has moved
// its table to the round's packet time, so no record that comes later can
// end before it: what ended before it is final and goes out.
package pipeline

import (
	"cmp"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/flowscope/flowscope/capture"
	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/flow/beacon"
	"github.com/flowscope/flowscope/flow/dnsmeta"
	"github.com/flowscope/flowscope/report"
)

// Round sizes: a round goes out after this many frames or arena bytes,
// whichever comes first. Big enough that the hand-offs cost little per
// frame, small enough that records leave soon after their flow ends.
const (
	roundFrames = 2048
	roundBytes  = 1 << 20
	queueDepth  = 4   // rounds in flight per worker
	flushChunk  = 512 // records per message when the tables are flushed

	// maxPooledBytes and maxPooledRecords bound what a recycled result or
	// the writer's pending list keeps of its capacity.
	maxPooledBytes   = 4 << 20
	maxPooledRecords = 16384
)

// shardSeed places flows on workers. It is fixed, unlike each table's index
// seed: when a bound is reached (--max-flows, the identification share),
// which flow is evicted or left unidentified depends on the placement, and
// the same input with the same -j must give the same output. Chosen keys
// can then load one worker more than the others, but not slow its table.
const shardSeed = 0x9e3779b97f4a7c15

// Config sets up a pipeline.
type Config struct {
	Flow flow.Config
	// Workers is the number of flow tables (and goroutines) flows are
	// sharded over; 0 means GOMAXPROCS.
	Workers int
	// Filter drops frames before they are decoded (nil: none).
	Filter *capture.Filter
	// Emit receives every record, in order, on the writer's goroutine; it
	// must not keep r. An error stops nothing but is kept for Err.
	Emit func(r *flow.Record) error
	// Sink, instead of Emit: its workers' share of the work (tallies and,
	// for streaming formats, encoding) runs on the workers, and only the
	// writing in order on the writer.
	Sink report.Parallel
	// Flush, if set, is called on the writer's goroutine at most every
	// FlushEvery of wall time while records come, so that a reader of the
	// output sees them soon after their flows end.
	Flush      func() error
	FlushEvery time.Duration
	// Beacon, if set, feeds every record to a beacon detector in the
	// writer's order (so that its results do not depend on -j);
	// ReportBeacons hands what scored to EmitBeacon as beacon records.
	Beacon     *beacon.Config
	EmitBeacon func(r *flow.Record) error
}

// Pipeline is one run. Add, Advance, Sync, Snapshot and Close are called
// from one goroutine; with FlushIdle, only Add and Close.
type Pipeline struct {
	cfg Config
	n   int

	dec      *flow.Decoder
	frame    flow.Frame
	count    flow.Counter
	now      int64
	frameNo  uint64
	filtered uint64

	cur     []*batch // the round being filled, one batch per worker
	nFrames int
	nBytes  int
	workers []*worker

	done chan struct{} // closed when the writer has finished
	wr   writer

	// With FlushIdle, a ticker may end a round while the reader waits for
	// input: mu guards the round, sent says a round went out since.
	locking     bool
	mu          sync.Mutex
	sent        bool
	idleFlushed bool // a tick flushed since the last frame
	flushNow    bool // the round being sent asks the writer to flush
	stopTick    chan struct{}
	failed      atomic.Bool // the sink failed: reading on is pointless
}

// batch is one worker's share of a round.
type batch struct {
	items []item
	pkts  []flow.Packet
	spans []span // each packet's payload in arena
	arena []byte // the frames' bytes, copied: the reader's buffer moves on

	now      int64 // packet time at the end of the round
	final    bool
	snapshot bool
	flush    bool // flush the output after the round (input stalled)
	sync     chan struct{}
}

// encoded is one record's place in its result's enc and its order.
type encoded struct {
	end    int64
	id     uint64
	off, n int
	obs    int32 // 1 + its index in the result's obs (what the beacon detector takes of it), 0 for none
}

// span is where a packet's captured payload lies in its batch's arena.
type span struct{ off, n int32 }

// item is a frame's packets, or a DNS answer every worker learns from.
type item struct {
	ts, now  int64
	frame    uint64
	origLen  int
	first, n int32 // pkts[first : first+n]
	dns      *dnsmeta.Message
}

// result is what a worker made of a batch: records, or with an encoder
// their bytes.
type result struct {
	recs     []flow.Record
	keys     []encoded
	enc      []byte
	obs      []beacon.Obs // the encoded records' (keys) for the beacon detector
	snap     []flow.Record
	open     int
	now      int64
	final    bool
	flushNow bool // the writer flushes after this round
	sync     chan struct{}
	// flush marks the chunks of the end-of-input flush, which follow the
	// final round; last is the final chunk, with the table's counts.
	flush, last bool
	stats       flow.TableStats
}

// obsOf returns k's beacon observation in r, or nil.
func (r *result) obsOf(k encoded) *beacon.Obs {
	if k.obs == 0 {
		return nil
	}
	return &r.obs[k.obs-1]
}

// New starts a pipeline's workers and writer.
func New(cfg Config) *Pipeline {
	n := cfg.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	p := &Pipeline{cfg: cfg, n: n, dec: flow.NewDecoder(), done: make(chan struct{})}
	p.cur = make([]*batch, n)
	p.workers = make([]*worker, n)
	fc := cfg.Flow
	if fc.MaxFlows > 0 {
		// The bound is shared out: which flow is evicted when a worker is
		// full depends on how flows were sharded (use one worker to
		// reproduce evictions exactly).
		fc.MaxFlows = (fc.MaxFlows + n - 1) / n
	}
	if fc.MaxIdentifying > 0 {
		fc.MaxIdentifying = (fc.MaxIdentifying + n - 1) / n
	}
	for i := range p.workers {
		w := newWorker(fc)
		w.beacons = cfg.Beacon != nil
		if cfg.Sink != nil {
			w.tally = cfg.Sink.WorkerTally()
			w.encode = cfg.Sink.Encoder()
		}
		p.workers[i] = w
		p.cur[i] = w.batch()
		go w.run()
	}
	p.wr = writer{cfg: cfg, workers: p.workers, lastFlush: time.Now(), failed: &p.failed}
	if cfg.Beacon != nil {
		p.wr.det = beacon.New(*cfg.Beacon)
	}
	go func() {
		defer close(p.done)
		p.wr.run()
	}()
	return p
}

// FlushIdle sends a partly filled round whenever every passes without
// one: when input from a pipe stalls, the flows that ended before its last
// packet are still written. Call it before the first Add.
func (p *Pipeline) FlushIdle(every time.Duration) {
	p.locking = true
	p.stopTick = make(chan struct{})
	go func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				p.mu.Lock()
				if !p.sent && (p.nFrames > 0 || !p.idleFlushed) {
					// Input stalled: what ended goes out and is flushed,
					// once per stall even when the last round was full.
					p.flushNow = true
					p.send(false, false, nil)
					p.idleFlushed = true
				}
				p.sent = false
				p.mu.Unlock()
			case <-p.stopTick:
				return
			}
		}
	}()
}

// Add decodes one captured frame and hands its packets to their worker.
func (p *Pipeline) Add(pkt *capture.Packet) {
	if p.locking {
		p.mu.Lock()
		defer p.mu.Unlock()
	}
	p.frameNo++
	p.idleFlushed = false
	if p.cfg.Filter != nil && !p.cfg.Filter.Match(pkt) {
		p.filtered++
		return
	}
	ts := pkt.Timestamp.UnixNano()
	f := &p.frame
	p.dec.DecodeFrame(pkt.Data, pkt.LinkType, pkt.Len, ts, p.frameNo, f)
	p.count.Count(f, pkt.LinkType, pkt.Len)
	if ts > p.now {
		p.now = ts
	}
	if f.N > 0 {
		w := 0
		if p.n > 1 {
			w = int(f.ShardHash(shardSeed) % uint32(p.n))
		}
		data := pkt.Data
		if p.cfg.Flow.FlowsOnly {
			data = nil // counters only: no payload to carry
		}
		p.cur[w].addFrame(f, data, ts, p.now, p.frameNo, pkt.Len)
		p.nBytes += len(data)
		if !p.cfg.Flow.FlowsOnly {
			for i := 0; i < f.N; i++ {
				if m := flow.DNSAnswers(&f.Packets[i]); m != nil {
					for _, b := range p.cur {
						b.items = append(b.items, item{dns: m})
					}
				}
			}
		}
	}
	p.nFrames++
	if p.nFrames >= roundFrames || p.nBytes >= roundBytes {
		p.send(false, false, nil)
	}
}

// addFrame copies a decoded frame's packets and bytes into the batch.
func (b *batch) addFrame(f *flow.Frame, data []byte, ts, now int64, frameNo uint64, origLen int) {
	base := len(b.arena)
	b.arena = append(b.arena, data...)
	first := int32(len(b.pkts))
	b.pkts = append(b.pkts, f.Packets[:f.N]...)
	for i := range f.N {
		pk := &b.pkts[int(first)+i]
		sp := span{n: int32(len(pk.Payload))}
		if data == nil {
			sp.n = 0
		}
		if sp.n > 0 {
			// Payloads alias the frame; one that does not (none today) is
			// copied after it.
			d := int(uintptr(unsafe.Pointer(unsafe.SliceData(pk.Payload))) - uintptr(unsafe.Pointer(unsafe.SliceData(data))))
			if d >= 0 && d+len(pk.Payload) <= len(data) {
				sp.off = int32(base + d)
			} else {
				sp.off = int32(len(b.arena))
				b.arena = append(b.arena, pk.Payload...)
			}
		}
		pk.Payload = nil // set again from the span by the worker
		b.spans = append(b.spans, sp)
	}
	b.items = append(b.items, item{ts: ts, now: now, frame: frameNo, origLen: origLen, first: first, n: int32(f.N)})
}

// send ends the round: every worker gets its batch (maybe empty) with the
// round's packet time.
func (p *Pipeline) send(final, snapshot bool, sync chan struct{}) {
	for i, w := range p.workers {
		b := p.cur[i]
		b.now, b.final, b.snapshot = p.now, final, snapshot
		if i == 0 {
			b.sync, b.flush = sync, p.flushNow
		}
		w.in <- b
		if !final {
			p.cur[i] = w.batch()
		}
	}
	p.nFrames, p.nBytes = 0, 0
	p.sent, p.flushNow = true, false
}

// Advance moves packet time forward with no packet (live capture's quiet
// periods), so that idle flows end on time.
func (p *Pipeline) Advance(ts int64) {
	if ts > p.now {
		p.now = ts
		p.send(false, false, nil)
	}
}

// Sync returns once every record of the frames added so far that can be
// written has been handed to Emit; the writer is idle until the next Add.
func (p *Pipeline) Sync() {
	s := make(chan struct{})
	p.send(false, false, s)
	<-s
}

// Snapshot calls fn with a record of every open flow as it stands (end
// reason "open"), in ID order, leaving them open.
func (p *Pipeline) Snapshot(fn func(*flow.Record)) {
	s := make(chan struct{})
	p.send(false, true, s)
	<-s
	for i := range p.wr.snap {
		fn(&p.wr.snap[i])
	}
	clear(p.wr.snap) // the open flows' metadata is not kept until the next one
	p.wr.snap = p.wr.snap[:0]
}

// Open returns the number of open flows at the last Sync or Snapshot.
func (p *Pipeline) Open() int { return p.wr.open }

// Filtered returns the number of frames the filter dropped.
func (p *Pipeline) Filtered() uint64 { return p.filtered }

// Close ends every open flow (end of input), waits until every record is
// written and returns the counts of the run.
func (p *Pipeline) Close() flow.Stats {
	if p.stopTick != nil {
		close(p.stopTick)
		p.mu.Lock() // a tick in progress finishes first
		defer p.mu.Unlock()
	}
	p.dec.Flush()
	p.send(true, false, nil)
	<-p.done
	st := p.count.Stats(p.dec.FragStats(), p.wr.stats...)
	st.MaxActive = p.wr.maxOpen
	return st
}

// ReportBeacons hands the groups that score as beacons now, and were not
// reported before, to EmitBeacon. Call it when the writer is idle: after
// Sync, Snapshot or Close.
func (p *Pipeline) ReportBeacons() {
	w := &p.wr
	if w.det == nil || w.cfg.EmitBeacon == nil {
		return
	}
	for _, res := range w.det.Report() {
		rec := report.BeaconRecord(&res)
		if err := w.cfg.EmitBeacon(&rec); err != nil && w.err == nil {
			w.err = err
			w.failed.Store(true)
		}
	}
}

// BeaconStats returns the beacon detector's counts for the summary (nil
// when it is off); call it when the writer is idle.
func (p *Pipeline) BeaconStats() *report.BeaconStats {
	if p.wr.det == nil {
		return nil
	}
	return &report.BeaconStats{Stats: p.wr.det.Stats(), MaxGroups: p.wr.det.MaxGroups()}
}

// Failed reports, from any goroutine, that writing the output failed:
// the caller may stop reading.
func (p *Pipeline) Failed() bool { return p.failed.Load() }

// Err returns the first error Emit or Flush returned.
func (p *Pipeline) Err() error { return p.wr.err }

// worker owns one flow table.
type worker struct {
	table *flow.Table
	in    chan *batch
	out   chan *result
	free  chan *batch  // batches back to the reader
	rfree chan *result // results back from the writer
	res   *result

	tally   *report.Tally
	encode  func(dst []byte, r *flow.Record) []byte
	beacons bool // take what the beacon detector needs of encoded records
}

func newWorker(cfg flow.Config) *worker {
	w := &worker{
		in:    make(chan *batch, queueDepth),
		out:   make(chan *result, queueDepth),
		free:  make(chan *batch, queueDepth+2),
		rfree: make(chan *result, queueDepth+2),
	}
	w.table = flow.NewTable(cfg, w.emit)
	return w
}

// batch returns an empty batch, reusing one the worker is done with.
func (w *worker) batch() *batch {
	select {
	case b := <-w.free:
		clear(b.items) // the DNS answers they point to
		b.items, b.pkts, b.spans, b.arena = b.items[:0], b.pkts[:0], b.spans[:0], b.arena[:0]
		b.sync = nil
		return b
	default:
		return &batch{}
	}
}

func (w *worker) result() *result {
	select {
	case r := <-w.rfree:
		clear(r.recs)
		clear(r.snap)
		clear(r.obs)
		r.recs, r.snap, r.keys, r.enc, r.obs = r.recs[:0], r.snap[:0], r.keys[:0], r.enc[:0], r.obs[:0]
		// A burst (many flows ending in one round) must not stay pooled.
		if cap(r.enc) > maxPooledBytes || cap(r.recs)+cap(r.keys)+cap(r.snap)+cap(r.obs) > maxPooledRecords {
			r.recs, r.snap, r.keys, r.enc, r.obs = nil, nil, nil, nil, nil
		}
		r.sync, r.final, r.flush, r.last, r.flushNow = nil, false, false, false, false
		return r
	default:
		return &result{}
	}
}

func (w *worker) emit(r *flow.Record) {
	if w.tally != nil {
		w.tally.Add(r)
	}
	res := w.res
	if w.encode != nil {
		off := len(res.enc)
		res.enc = w.encode(res.enc, r)
		e := encoded{end: r.End, id: r.ID, off: off, n: len(res.enc) - off}
		if w.beacons {
			if o, ok := report.BeaconObs(r); ok {
				res.obs = append(res.obs, o)
				e.obs = int32(len(res.obs))
			}
		}
		res.keys = append(res.keys, e)
	} else {
		if res.flush && res.recs == nil {
			res.recs = make([]flow.Record, 0, flushChunk) // no doubling past it
		}
		res.recs = append(res.recs, *r)
	}
	if res.flush && len(res.recs)+len(res.keys) >= flushChunk {
		w.out <- w.res
		w.res = w.result()
		w.res.flush = true
	}
}

func (w *worker) run() {
	for b := range w.in {
		w.res = w.result()
		for i := range b.items {
			it := &b.items[i]
			if it.dns != nil {
				w.table.NoteAnswers(it.dns)
				continue
			}
			w.table.Advance(it.now)
			pkts := b.pkts[it.first : it.first+it.n]
			for j := range pkts {
				if sp := b.spans[int(it.first)+j]; sp.n > 0 {
					pkts[j].Payload = b.arena[sp.off : sp.off+sp.n : sp.off+sp.n]
				}
			}
			w.table.Packets(pkts, it.ts, it.frame, it.origLen)
		}
		w.table.Advance(b.now)
		res := w.res
		res.open, res.now, res.final, res.sync, res.flushNow = w.table.Len(), b.now, b.final, b.sync, b.flush
		if b.snapshot {
			w.table.Snapshot(func(r *flow.Record) { res.snap = append(res.snap, *r) })
		}
		final := b.final
		select {
		case w.free <- b:
		default:
		}
		w.out <- res
		if final {
			w.res = w.result()
			w.res.flush = true
			w.table.Flush()
			w.res.last = true
			w.res.stats = w.table.Stats()
			w.out <- w.res
			return
		}
	}
}

// writer merges the workers' records into their final order.
type writer struct {
	cfg       Config
	workers   []*worker
	pending   []pend // records that may not go out yet
	held      []*result
	snap      []flow.Record
	open      int
	maxOpen   int
	stats     []flow.TableStats
	err       error
	lastFlush time.Time
	wrote     bool
	failed    *atomic.Bool // the pipeline's: set on the first error
	det       *beacon.Detector
}

// pend is a record, or its encoding, waiting for its turn.
type pend struct {
	end int64
	id  uint64
	rec *flow.Record
	b   []byte
	obs *beacon.Obs
}

func (w *writer) emit(p *pend) {
	if w.det != nil {
		if p.rec != nil {
			if o, ok := report.BeaconObs(p.rec); ok {
				w.det.Add(&o)
			}
		} else if p.obs != nil {
			w.det.Add(p.obs)
		}
	}
	var err error
	switch {
	case p.rec != nil && w.cfg.Emit != nil:
		err = w.cfg.Emit(p.rec)
	case p.rec != nil && w.cfg.Sink != nil:
		err = w.cfg.Sink.Write(p.rec)
	case p.b != nil:
		err = w.cfg.Sink.WriteEncoded(p.b)
	}
	if err != nil && w.err == nil {
		w.err = err
		w.failed.Store(true)
	}
	w.wrote = true
}

func (w *writer) flush(force bool) {
	if w.cfg.Flush == nil || !w.wrote || !force && time.Since(w.lastFlush) < w.cfg.FlushEvery {
		return
	}
	if err := w.cfg.Flush(); err != nil && w.err == nil {
		w.err = err
		w.failed.Store(true)
	}
	w.lastFlush, w.wrote = time.Now(), false
}

// collect files a result's records as pending.
func (w *writer) collect(r *result) {
	for i := range r.recs {
		w.pending = append(w.pending, pend{end: r.recs[i].End, id: r.recs[i].ID, rec: &r.recs[i]})
	}
	for _, k := range r.keys {
		w.pending = append(w.pending, pend{end: k.end, id: k.id, b: r.enc[k.off : k.off+k.n], obs: r.obsOf(k)})
	}
}

func (w *writer) run() {
	for {
		open, final, flushNow := 0, false, false
		var now int64
		var sync chan struct{}
		for _, wk := range w.workers {
			r := <-wk.out
			w.collect(r)
			w.snap = append(w.snap, r.snap...)
			open += r.open
			now, final = r.now, r.final
			if r.sync != nil {
				sync = r.sync
			}
			flushNow = flushNow || r.flushNow
			w.held = append(w.held, r)
		}
		w.open = open
		w.maxOpen = max(w.maxOpen, open)
		if final {
			w.release(func(*pend) bool { return true })
			w.recycle()
			w.flushTables()
			w.flush(true)
			return
		}
		// Later records end at now or after: what ended before is final.
		w.release(func(p *pend) bool { return p.end < now })
		w.recycle()
		if len(w.snap) > 1 {
			slices.SortFunc(w.snap, func(a, b flow.Record) int { return cmp.Compare(a.ID, b.ID) })
		}
		w.flush(flushNow)
		if sync != nil {
			close(sync)
		}
	}
}

// release writes, in (End, ID) order, the pending records that ready
// accepts; the rest it copies out of the workers' results, which go back.
func (w *writer) release(ready func(*pend) bool) {
	if len(w.pending) == 0 {
		return
	}
	slices.SortFunc(w.pending, func(a, b pend) int {
		if c := cmp.Compare(a.end, b.end); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	n := 0
	for i := range w.pending {
		if !ready(&w.pending[i]) {
			break
		}
		w.emit(&w.pending[i])
		n++
	}
	kept := w.pending[:0]
	for _, p := range w.pending[n:] {
		if p.rec != nil {
			r := *p.rec
			p.rec = &r
		} else {
			p.b = slices.Clone(p.b)
			if p.obs != nil {
				o := *p.obs // the result goes back to its worker
				p.obs = &o
			}
		}
		kept = append(kept, p)
	}
	clear(w.pending[len(kept):])
	w.pending = kept
	if cap(w.pending) > maxPooledRecords && len(w.pending) < maxPooledRecords/4 {
		w.pending = slices.Clone(w.pending)
	}
}

// recycle hands the round's results back to their workers.
func (w *writer) recycle() {
	for i, r := range w.held {
		select {
		case w.workers[i%len(w.workers)].rfree <- r:
		default:
		}
	}
	clear(w.held)
	w.held = w.held[:0]
}

// flushTables merges the workers' end-of-input flushes, each in ID order,
// chunk by chunk: the open flows are never all held at once.
func (w *writer) flushTables() {
	type head struct {
		r    *result
		i    int
		done bool
	}
	size := func(r *result) int { return len(r.recs) + len(r.keys) }
	id := func(h *head) uint64 {
		if len(h.r.keys) > 0 {
			return h.r.keys[h.i].id
		}
		return h.r.recs[h.i].ID
	}
	heads := make([]head, len(w.workers))
	w.stats = make([]flow.TableStats, len(w.workers))
	next := func(k int) {
		h := &heads[k]
		for !h.done && (h.r == nil || h.i >= size(h.r)) {
			if h.r != nil && h.r.last {
				w.stats[k] = h.r.stats
				h.r, h.done = nil, true
				return
			}
			if h.r != nil {
				select { // the chunk's memory serves the worker's next one
				case w.workers[k].rfree <- h.r:
				default:
				}
			}
			h.r, h.i = <-w.workers[k].out, 0
		}
	}
	for k := range heads {
		next(k)
	}
	for {
		best := -1
		for k := range heads {
			if h := &heads[k]; !h.done && (best < 0 || id(h) < id(&heads[best])) {
				best = k
			}
		}
		if best < 0 {
			return
		}
		h := &heads[best]
		if len(h.r.keys) > 0 {
			k := h.r.keys[h.i]
			w.emit(&pend{b: h.r.enc[k.off : k.off+k.n], obs: h.r.obsOf(k)})
		} else {
			w.emit(&pend{rec: &h.r.recs[h.i]})
		}
		h.i++
		next(best)
		w.flush(false)
	}
}
