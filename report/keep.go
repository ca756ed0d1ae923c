package report

import (
	"container/heap"

	"github.com/flowscope/flowscope/flow"
)

// TableKeeper keeps, of an endless stream of records, what a final table
// of the top N flows needs: the N largest (by bytes, then ID, the table's
// order) and every record with findings, which the table lists whatever
// N. Memory stays bounded by N and the findings.
type TableKeeper struct {
	top      topHeap
	n        int
	findings []flow.Record
	seen     int
	kind     ByteKind      // the bytes the table orders by
	shown    findingFilter // which findings the table lists
}

// NewTableKeeper keeps the n largest flows by bytes of kind; n <= 0 keeps
// every record. Records whose findings allow suppresses or that are below
// minSeverity ("": none) compete for the top N like flows without
// findings: the table lists neither and counts no suppressed ones (the
// summary does, from the tally).
func NewTableKeeper(n int, kind ByteKind, allow *Allowlist, minSeverity string) *TableKeeper {
	return &TableKeeper{n: n, kind: kind, top: topHeap{kind: kind}, shown: newFindingFilter(allow, minSeverity)}
}

// Add offers one record.
func (k *TableKeeper) Add(r *flow.Record) {
	k.seen++
	switch {
	case k.shown.shows(r):
		k.findings = append(k.findings, *r)
	case k.n <= 0 || len(k.top.recs) < k.n:
		heap.Push(&k.top, *r)
	case larger(r, &k.top.recs[0], k.kind):
		k.top.recs[0] = *r
		heap.Fix(&k.top, 0)
	}
}

// Records returns the kept records and how many were left out.
func (k *TableKeeper) Records() (recs []flow.Record, hidden int) {
	recs = append(append(make([]flow.Record, 0, len(k.findings)+len(k.top.recs)), k.findings...), k.top.recs...)
	return recs, k.seen - len(recs)
}

// larger orders as the table does: more bytes first, then lower ID.
func larger(a, b *flow.Record, kind ByteKind) bool {
	ab, bb := kind.total(a), kind.total(b)
	if ab != bb {
		return ab > bb
	}
	return a.ID < b.ID
}

// topHeap has the smallest kept flow at its root.
type topHeap struct {
	recs []flow.Record
	kind ByteKind
}

func (h *topHeap) Len() int           { return len(h.recs) }
func (h *topHeap) Less(i, j int) bool { return larger(&h.recs[j], &h.recs[i], h.kind) }
func (h *topHeap) Swap(i, j int)      { h.recs[i], h.recs[j] = h.recs[j], h.recs[i] }
func (h *topHeap) Push(x any)         { h.recs = append(h.recs, x.(flow.Record)) }
func (h *topHeap) Pop() any {
	x := h.recs[len(h.recs)-1]
	h.recs = h.recs[:len(h.recs)-1]
	return x
}
