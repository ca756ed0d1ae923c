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
}

// NewTableKeeper keeps the n largest flows; n <= 0 keeps every record.
func NewTableKeeper(n int) *TableKeeper { return &TableKeeper{n: n} }

// Add offers one record.
func (k *TableKeeper) Add(r *flow.Record) {
	k.seen++
	switch {
	case len(Findings(r)) > 0:
		k.findings = append(k.findings, *r)
	case k.n <= 0 || len(k.top) < k.n:
		heap.Push(&k.top, *r)
	case larger(r, &k.top[0]):
		k.top[0] = *r
		heap.Fix(&k.top, 0)
	}
}

// Records returns the kept records and how many were left out.
func (k *TableKeeper) Records() (recs []flow.Record, hidden int) {
	recs = append(append(make([]flow.Record, 0, len(k.findings)+len(k.top)), k.findings...), k.top...)
	return recs, k.seen - len(recs)
}

// larger orders as the table does: more bytes first, then lower ID.
func larger(a, b *flow.Record) bool {
	ab, bb := a.Client.Bytes+a.Server.Bytes, b.Client.Bytes+b.Server.Bytes
	if ab != bb {
		return ab > bb
	}
	return a.ID < b.ID
}

// topHeap has the smallest kept flow at its root.
type topHeap []flow.Record

func (h topHeap) Len() int           { return len(h) }
func (h topHeap) Less(i, j int) bool { return larger(&h[j], &h[i]) }
func (h topHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *topHeap) Push(x any)        { *h = append(*h, x.(flow.Record)) }
func (h *topHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
