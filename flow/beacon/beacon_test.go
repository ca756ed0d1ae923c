package beacon

import (
	"math"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"testing"
	"unsafe"
)

func TestScore(t *testing.T) {
	for _, tc := range []struct {
		name          string
		starts        []int64
		sizes         []float64
		want          Scores
		minScore, max float64
	}{
		{name: "too few", starts: []int64{0, 60, 120}, sizes: []float64{1, 1, 1}, want: Scores{Events: 3}},
		{
			name: "exact", starts: []int64{0, 60, 120, 180, 240}, sizes: []float64{300, 300, 300, 300, 300},
			want: Scores{Score: 1, TS: 1, DS: 1, Count: 1, Period: 60, SizeMedian: 300, Events: 5},
		},
		{
			// Intervals 10 20 30 40 50 60: median 35, MAD 15 → MAD score
			// 20/35; quartiles 20, 35, 50 → no skew. Sizes: one outlier,
			// median 100, MAD 0. Count: 4 intervals on the beat (20 to
			// 50), 35×4/210.
			name: "spread", starts: []int64{0, 10, 30, 60, 100, 150, 210}, sizes: []float64{100, 100, 100, 100, 100, 100, 5000},
			want: Scores{Score: round3(0.25*(1+20.0/35)/2 + 0.25 + 0.5*140/210), TS: round3((1 + 20.0/35) / 2), DS: 1, Count: round3(140.0 / 210),
				Period: 35, Jitter: 15, SizeMedian: 100, Events: 7},
		},
		{
			// Intervals 10 10 10 100 100 100 1000: median 100, three on
			// the beat → count 100×3/1330; quartiles 10, 100, 100: median
			// on Q3, no skew; MAD 90 → 0.1.
			name: "bursts", starts: []int64{0, 10, 20, 30, 130, 230, 330, 1330}, sizes: []float64{1, 1, 1, 1, 1, 1, 1, 1},
			want: Scores{Score: round3(0.25*0.55 + 0.25 + 0.5*300.0/1330), TS: 0.55, DS: 1, Count: round3(300.0 / 1330),
				Period: 100, Jitter: 90, SizeMedian: 1, Events: 8},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := Score(tc.starts, append([]float64(nil), tc.sizes...), nil)
			if got != tc.want {
				t.Errorf("Score = %+v\nwant    %+v", got, tc.want)
			}
		})
	}
}

// TestScoreSeparates checks the scenarios the README's table reports on:
// regular timing scores above 0.8 with 10 % and 30 % jitter and random
// sizes; browsing-like timing (log-normal gaps, sizes over decades) stays
// well below, over many seeds.
func TestScoreSeparates(t *testing.T) {
	type gen func(r *rand.Rand) (gap, size float64)
	for _, tc := range []struct {
		name     string
		g        gen
		min, max float64
	}{
		{"jitter 10%", func(r *rand.Rand) (float64, float64) { return 60 * (0.9 + 0.2*r.Float64()), 300 + float64(r.IntN(20)) }, 0.9, 1},
		{"jitter 30%", func(r *rand.Rand) (float64, float64) { return 60 * (0.7 + 0.6*r.Float64()), 300 + float64(r.IntN(20)) }, 0.85, 1},
		{"random sizes", func(r *rand.Rand) (float64, float64) {
			return 60 * (0.9 + 0.2*r.Float64()), 200 + float64(r.IntN(1000))
		}, 0.85, 1},
		{"browsing", func(r *rand.Rand) (float64, float64) {
			return math.Exp(r.NormFloat64()*1.5 + 3), math.Exp(r.NormFloat64() + 6.5)
		}, 0, 0.7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := range uint64(100) {
				r := rand.New(rand.NewPCG(seed, 1))
				var starts []int64
				var sizes []float64
				at := 1e9
				for range 60 {
					gap, size := tc.g(r)
					at += gap
					if s := int64(at); len(starts) == 0 || s != starts[len(starts)-1] {
						starts = append(starts, s)
					}
					sizes = append(sizes, size)
				}
				s, _ := Score(starts, sizes, nil)
				if s.Score < tc.min || s.Score > tc.max {
					t.Fatalf("seed %d: score %v outside [%v, %v]: %+v", seed, s.Score, tc.min, tc.max, s)
				}
			}
		})
	}
}

func obs(client, server string, port uint16, start int64, id uint64) *Obs {
	k := Key{Client: netip.MustParseAddr(client), Server: netip.MustParseAddr(server), Port: port, Proto: 6}
	return &Obs{Key: k, Server: k.Server, Start: start * 1e9, Bytes: 300, ID: id}
}

func TestDetectorReportsOnce(t *testing.T) {
	d := New(Config{})
	id := uint64(0)
	rng := rand.New(rand.NewPCG(1, 1))
	other := int64(1000)
	for i := range 30 {
		id++
		d.Add(obs("10.0.0.1", "192.0.2.1", 443, int64(1000+60*i), id*10))
		if i%2 == 0 { // an irregular neighbour on another port
			id++
			other += int64(math.Exp(rng.NormFloat64()*1.5 + 3))
			d.Add(obs("10.0.0.1", "192.0.2.1", 80, other, id*10))
		}
		if i == 5 {
			if rs := d.Report(); len(rs) != 0 {
				t.Fatalf("reported with 6 connections: %+v", rs)
			}
		}
	}
	rs := d.Report()
	if len(rs) != 1 {
		t.Fatalf("got %d results, want 1: %+v", len(rs), rs)
	}
	r := rs[0]
	if r.Port != 443 || r.Count != 30 || r.Period != 60 || r.Score != 1 || len(r.FlowIDs) != 30 || r.Last-r.First != 29*60 {
		t.Errorf("result %+v", r)
	}
	d.Add(obs("10.0.0.1", "192.0.2.1", 443, 1000+60*30, 99990))
	if rs := d.Report(); len(rs) != 0 {
		t.Errorf("reported again: %+v", rs)
	}
	if st := d.Stats(); st.Groups != 2 || st.Beacons != 1 || st.Evicted != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestDetectorWindowAndSameSecond(t *testing.T) {
	d := New(Config{MinCount: 10})
	// Three connections a second, every 30 s: one check-in each for timing.
	for i := range 400 {
		d.Add(obs("10.0.0.1", "192.0.2.1", 443, int64(30*(i/3)), uint64(i)))
	}
	rs := d.Report()
	if len(rs) != 1 || rs[0].Count != Window || rs[0].Period != 30 || rs[0].FlowIDs[0] != 400-Window || rs[0].Events != (Window+2)/3 {
		t.Fatalf("results %+v", rs)
	}
}

// TestDetectorBounded fills the detector with far more groups than its
// limit: it keeps MaxGroups, counts the evictions, and the least recently
// seen group is the one that goes.
func TestDetectorBounded(t *testing.T) {
	const limit = 100
	d := New(Config{MaxGroups: limit})
	keep := obs("10.0.0.1", "192.0.2.1", 443, 0, 1)
	for i := range 10000 {
		o := obs("10.0.0.2", "192.0.2.1", uint16(1+i), int64(i), uint64(i))
		d.Add(o)
		if i%50 == 0 {
			keep.Start, keep.ID = int64(i)*1e9, uint64(i)
			d.Add(keep) // seen recently: never the oldest
		}
	}
	st := d.Stats()
	if st.Groups != limit || st.Evicted != 10000+1-limit {
		t.Errorf("stats %+v, want %d groups and %d evicted", st, limit, 10000+1-limit)
	}
	if d.groups[keep.Key] == nil {
		t.Error("the recently seen group was evicted")
	}
	n := 0
	for g := d.oldest; g != nil; g = g.newr {
		n++
	}
	if n != limit {
		t.Errorf("LRU list holds %d groups, want %d", n, limit)
	}
}

// TestDetectorHeapBounded: groups past the limit are forgotten, so the heap
// holds MaxGroups full windows however many groups come (10 times as many
// here, each with a full window).
func TestDetectorHeapBounded(t *testing.T) {
	const limit, groups = 200, 2000
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	d := New(Config{MaxGroups: limit})
	for g := range groups {
		o := obs("10.0.0.1", "192.0.2.1", uint16(1+g), 0, 0)
		for i := range Window + 10 {
			o.Start, o.ID = int64(i)*60e9, uint64(i)
			d.Add(o)
		}
	}
	grew := heap() - before
	perGroup := uint64(Window*unsafe.Sizeof(conn{}) + 512) // the window, the group and its map entry
	if grew > limit*perGroup {
		t.Errorf("heap grew by %d bytes for %d groups kept, want at most %d", grew, limit, limit*perGroup)
	}
	if st := d.Stats(); st.Groups != limit || st.Evicted != groups-limit {
		t.Errorf("stats %+v", st)
	}
	runtime.KeepAlive(d)
}
