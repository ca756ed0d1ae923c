package beacon

import (
	"cmp"
	"net/netip"
	"slices"
)

// Window is how many of a group's most recent connections are kept and
// scored (RITA scores up to a day of them; a fixed window bounds memory).
const Window = 256

// Defaults for Config's zero values.
const (
	DefaultMinScore  = 0.8
	DefaultMinCount  = 10
	DefaultMaxGroups = 16384
)

// Key is what makes connections one group: the client, the server port and
// protocol, and the server's name when known (SNI, HTTP Host, DNS), else its
// address, so that a beacon fronted by a CDN's many addresses is one group
// (RITA v5 groups by name the same way).
type Key struct {
	Client, Server netip.Addr // Server is left zero when Name is set
	Name           string
	Port           uint16
	Proto          uint8
}

// Obs is one connection as the detector sees it.
type Obs struct {
	Key
	Server    netip.Addr // the server's address, also when Key groups by name
	ProtoName string     // "tcp", "udp", ... (the record's proto)
	Service   string     // the service identified on it, if any
	Start     int64      // first packet, unix ns
	Bytes     uint64     // what the client sent (IP bytes)
	ID        uint64     // the flow's record id
}

// Config sets thresholds and bounds; zero values take the defaults.
type Config struct {
	MinScore  float64 // report a group from this score on
	MinCount  int     // ... once it has this many distinct start seconds
	MaxGroups int     // groups tracked at most; the least recently seen goes
}

// Result is a group that scored as a beacon, reported once per group.
type Result struct {
	Key
	Scores
	Server      netip.Addr // the last connection's server address
	ProtoName   string     // "tcp", "udp", ...
	Service     string     // the last connection's service
	First, Last int64      // start of the oldest and newest connection kept, unix s
	Count       int        // connections in the window
	FlowIDs     []uint64   // their record ids, in the order they came
	// Starts are the distinct start seconds scored, sorted: the intervals
	// a report draws (the HTML report's histogram).
	Starts []int64
}

// Stats counts what the detector did, for the summary.
type Stats struct {
	Groups  int    // tracked at the end
	Evicted uint64 // groups dropped to stay within MaxGroups
	Beacons uint64 // groups reported
}

type conn struct {
	sec   int64
	bytes float64
	id    uint64
}

// group is one key's recent connections (a ring once full) and its place in
// the LRU list.
type group struct {
	key        Key
	ring       []conn
	next       int // where the next connection goes once the ring is full
	server     netip.Addr
	protoName  string
	service    string
	dirty      bool // connections came since it was last scored
	reported   bool
	prev, newr *group
}

// Detector groups connections and scores each group as they come. It is
// not safe for concurrent use; feed it in a deterministic order (the
// pipeline's writer order) for deterministic results.
type Detector struct {
	cfg    Config
	groups map[Key]*group
	// LRU list: oldest is the least recently seen group.
	oldest, newest *group
	stats          Stats

	starts []int64
	sizes  []float64
	iv     []float64
}

// New returns a detector with c's thresholds.
func New(c Config) *Detector {
	if c.MinScore == 0 {
		c.MinScore = DefaultMinScore
	}
	if c.MinCount <= 0 {
		c.MinCount = DefaultMinCount
	}
	c.MinCount = max(c.MinCount, 4) // the score needs 3 intervals
	if c.MaxGroups <= 0 {
		c.MaxGroups = DefaultMaxGroups
	}
	return &Detector{cfg: c, groups: make(map[Key]*group)}
}

// Add records one connection.
func (d *Detector) Add(o *Obs) {
	g := d.groups[o.Key]
	if g == nil {
		if len(d.groups) >= d.cfg.MaxGroups {
			// The forgotten group's memory serves the new one: a flood
			// of new groups allocates nothing once the limit is reached.
			g = d.evict()
			*g = group{ring: g.ring[:0]}
		} else {
			g = &group{}
		}
		g.key = o.Key
		d.groups[o.Key] = g
	} else {
		d.unlink(g)
	}
	d.pushNewest(g)
	c := conn{sec: o.Start / 1e9, bytes: float64(o.Bytes), id: o.ID}
	if o.Start < 0 && o.Start%1e9 != 0 {
		c.sec-- // floor, for times before 1970
	}
	if len(g.ring) < Window {
		g.ring = append(g.ring, c)
	} else {
		g.ring[g.next] = c
		g.next = (g.next + 1) % Window
	}
	g.server, g.protoName, g.service, g.dirty = o.Server, o.ProtoName, o.Service, true
}

// Report scores the groups that got connections since the last Report and
// have not been reported yet, and returns those that score as beacons,
// ordered by their newest flow id. Each group is reported once (a group
// evicted and seen again starts afresh).
func (d *Detector) Report() []Result {
	var out []Result
	for g := d.oldest; g != nil; g = g.newr {
		if !g.dirty || g.reported || len(g.ring) < d.cfg.MinCount {
			continue
		}
		g.dirty = false
		s, n := d.score(g)
		if n < d.cfg.MinCount || s.Score < d.cfg.MinScore {
			continue
		}
		g.reported = true
		d.stats.Beacons++
		r := Result{Key: g.key, Scores: s, Server: g.server, ProtoName: g.protoName, Service: g.service, Count: len(g.ring),
			FlowIDs: make([]uint64, 0, len(g.ring)), First: d.starts[0], Last: d.starts[len(d.starts)-1],
			Starts: slices.Clone(d.starts)}
		g.each(func(c *conn) { r.FlowIDs = append(r.FlowIDs, c.id) })
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Result) int {
		return cmp.Compare(a.FlowIDs[len(a.FlowIDs)-1], b.FlowIDs[len(b.FlowIDs)-1])
	})
	return out
}

// score scores g's window; n is its number of distinct start seconds.
func (d *Detector) score(g *group) (Scores, int) {
	d.starts, d.sizes = d.starts[:0], d.sizes[:0]
	g.each(func(c *conn) {
		d.starts = append(d.starts, c.sec)
		d.sizes = append(d.sizes, c.bytes)
	})
	// Records come in the order flows end, not start; connections in the
	// same second are one check-in for timing (RITA's timestamps are whole
	// seconds), each still counts for sizes.
	slices.Sort(d.starts)
	d.starts = slices.Compact(d.starts)
	if len(d.starts) < d.cfg.MinCount {
		return Scores{}, len(d.starts)
	}
	var s Scores
	s, d.iv = Score(d.starts, d.sizes, d.iv)
	return s, len(d.starts)
}

// each calls fn on g's connections, oldest first.
func (g *group) each(fn func(*conn)) {
	for i := range g.ring {
		fn(&g.ring[(g.next+i)%len(g.ring)])
	}
}

// MaxGroups returns the limit on groups in force.
func (d *Detector) MaxGroups() int { return d.cfg.MaxGroups }

// Stats returns the counts so far.
func (d *Detector) Stats() Stats {
	s := d.stats
	s.Groups = len(d.groups)
	return s
}

// evict forgets the least recently seen group and returns it (MaxGroups
// is at least 1, so there is one).
func (d *Detector) evict() *group {
	g := d.oldest
	d.unlink(g)
	delete(d.groups, g.key)
	d.stats.Evicted++
	return g
}

func (d *Detector) pushNewest(g *group) {
	g.prev, g.newr = d.newest, nil
	if d.newest != nil {
		d.newest.newr = g
	} else {
		d.oldest = g
	}
	d.newest = g
}

func (d *Detector) unlink(g *group) {
	if g.prev != nil {
		g.prev.newr = g.newr
	} else {
		d.oldest = g.newr
	}
	if g.newr != nil {
		g.newr.prev = g.prev
	} else {
		d.newest = g.prev
	}
	g.prev, g.newr = nil, nil
}
