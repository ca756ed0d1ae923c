package report

import (
	"net/netip"

	"github.com/flowscope/flowscope/flow"
)

// Tally accumulates, one record at a time, everything the summary shows of
// the records, so that a long live capture need not keep them.
type Tally struct {
	keep findingFilter
	kind ByteKind // the bytes top talkers and ports count, as the table

	records  uint64
	protos   map[string]uint64
	ends     map[string]uint64
	talkers  topTalkers
	ports    map[portKey]*portCount
	services map[string]uint64
	unknown  uint64 // TCP/UDP flows with payload that no detector recognised

	findings   uint64
	kinds      map[string]uint64
	severities map[string]uint64
	suppressed uint64
}

type portKey struct {
	proto string
	port  uint16
}

type portCount struct {
	portKey
	flows, bytes uint64
}

// NewTally returns an empty tally whose findings count leaves out what
// allow suppresses and those below minSeverity ("": none), counting
// frame bytes.
func NewTally(allow *Allowlist, minSeverity string) *Tally {
	return newTally(newFindingFilter(allow, minSeverity), FrameBytes)
}

func newTally(keep findingFilter, kind ByteKind) *Tally {
	return &Tally{
		keep: keep, kind: kind, protos: map[string]uint64{}, ends: map[string]uint64{},
		talkers: newTopTalkers(talkerSlots), ports: map[portKey]*portCount{},
		services: map[string]uint64{}, kinds: map[string]uint64{}, severities: map[string]uint64{},
	}
}

// tallyOf tallies recs.
func tallyOf(recs []flow.Record, opt Options) *Tally {
	t := newTally(newFindingFilter(opt.Allow, opt.MinSeverity), opt.Bytes)
	for i := range recs {
		t.Add(&recs[i])
	}
	return t
}

// Add counts one record.
func (t *Tally) Add(r *flow.Record) {
	t.records++
	t.protos[r.Proto]++
	t.ends[r.EndReason]++

	total := t.kind.total(r)
	for i, ip := range [2]netip.Addr{r.Client.IP, r.Server.IP} {
		if !ip.IsValid() || i == 1 && ip == r.Client.IP {
			continue // one flow, whatever both ends are
		}
		t.talkers.add(ip, total)
	}

	if hasPorts(r, r.Server.Port) {
		k := portKey{r.Proto, r.Server.Port}
		p := t.ports[k]
		if p == nil {
			p = &portCount{portKey: k}
			t.ports[k] = p
		}
		p.flows++
		p.bytes += total
	}

	switch {
	case r.Service != "":
		t.services[r.Service]++
	case (r.Proto == "tcp" || r.Proto == "udp") && r.Client.PayloadBytes+r.Server.PayloadBytes > 0:
		t.unknown++
	}

	t.addFindings(r)
}

// Merge adds o's counts to t (the pipeline's workers tally their own
// records). Beyond talkerSlots addresses the merged talkers are
// approximate, as each tally's are.
func (t *Tally) Merge(o *Tally) {
	t.records += o.records
	addCounts(t.protos, o.protos)
	addCounts(t.ends, o.ends)
	addCounts(t.services, o.services)
	addCounts(t.kinds, o.kinds)
	addCounts(t.severities, o.severities)
	t.unknown += o.unknown
	t.findings += o.findings
	t.suppressed += o.suppressed
	for k, p := range o.ports {
		q := t.ports[k]
		if q == nil {
			q = &portCount{portKey: k}
			t.ports[k] = q
		}
		q.flows += p.flows
		q.bytes += p.bytes
	}
	for _, tk := range o.talkers.items {
		t.talkers.addN(tk)
	}
	t.talkers.replaced += o.talkers.replaced
}

func addCounts(dst, src map[string]uint64) {
	for k, n := range src {
		dst[k] += n
	}
}
