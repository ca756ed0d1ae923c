// Package beacon finds connections repeated at a regular rhythm (command and
// control "beacons") among finished flow records, in one streaming pass with
// memory bounded by the number of groups it tracks.
//
// Scoring follows RITA (Active Countermeasures, github.com/activecm/rita):
// the timestamp and data-size scores are RITA v5's (analysis/beacons.go:
// Bowley skew and median absolute deviation, each averaged into a subscore),
// and the connection-count score is RITA v4's ts.conns_score
// (rita-legacy pkg/beacon) measured against the group's own period instead
// of a fixed 10 s; see Score and the README's "Beacons".
package beacon

import (
	"math"
	"slices"
)

// Weights of the subscores in the beacon score. RITA v5 gives timing and
// sizes a quarter each and the rest (its duration and histogram scores,
// which need hours of data in hourly bins) to how steadily the pair
// connects over its span; the count score plays that part here.
const (
	weightTS    = 0.25
	weightDS    = 0.25
	weightCount = 0.5
)

// minSkewSpread is RITA's floor for Bowley skew: with quartiles closer than
// this (seconds, or bytes) the spread is noise and the skew counts as 0.
const minSkewSpread = 10

// Scores is a group's beacon score and what it is made of.
type Scores struct {
	Score      float64 // weighted mean of the three subscores, 0..1
	TS         float64 // timestamp regularity: (1-|Bowley skew| + MAD score)/2 of the intervals
	DS         float64 // data-size regularity: the same over the client's bytes
	Count      float64 // connections on the beat over those the span holds at the period
	Period     float64 // median interval between connections, seconds
	Jitter     float64 // median absolute deviation of the intervals, seconds
	SizeMedian float64 // median client bytes per connection
	Events     int     // distinct start seconds scored
}

// Score scores start times (unix seconds, sorted, distinct) and the client
// bytes of each connection. It needs at least 4 start times (3 intervals,
// as RITA); with fewer it returns zero scores. It overwrites sizes and uses
// scratch (which it may grow and returns) for the intervals.
func Score(starts []int64, sizes []float64, scratch []float64) (Scores, []float64) {
	var s Scores
	s.Events = len(starts)
	if len(starts) < 4 || len(sizes) == 0 {
		return s, scratch
	}
	iv := scratch[:0]
	for i := 1; i < len(starts); i++ {
		iv = append(iv, float64(starts[i]-starts[i-1]))
	}
	span := float64(starts[len(starts)-1] - starts[0])
	slices.Sort(iv)
	tsSkew := skewScore(iv)
	med := median(iv)
	onBeat := 0 // intervals within half a period of the period
	for _, v := range iv {
		if math.Abs(v-med) <= med/2 {
			onBeat++
		}
	}
	mad := medianAbsDev(iv, med)
	s.Period, s.Jitter = med, mad
	s.TS = (tsSkew + madScore(med, mad, 1)) / 2

	slices.Sort(sizes)
	dsSkew := skewScore(sizes)
	smed := median(sizes)
	smad := medianAbsDev(sizes, smed)
	s.SizeMedian = smed
	s.DS = (dsSkew + madScore(smed, smad, 0)) / 2

	// RITA v4 divides the connections by the 10 s slots of the dataset;
	// here the connections on the beat (an interval within half a period
	// of the period) by the periods the group's span holds, so that a
	// steady beacon scores 1 at any period, and neither missed beats, nor
	// bursts with long silences between them (whose median interval may
	// fall among the silences), nor random arrivals do.
	if span > 0 {
		s.Count = min(1, med*float64(onBeat)/span)
	}
	s.Score = round3(weightTS*s.TS + weightDS*s.DS + weightCount*s.Count)
	s.TS, s.DS, s.Count = round3(s.TS), round3(s.DS), round3(s.Count)
	return s, iv
}

// skewScore is 1 - |Bowley skew| of sorted x, the skew taken as 0 when the
// quartiles are closer than minSkewSpread or the median sits on one of them
// (RITA's rule: Bowley skew is unreliable there).
func skewScore(x []float64) float64 {
	q1, q2, q3 := quartiles(x)
	den := q3 - q1
	if den < minSkewSpread || q2 == q1 || q2 == q3 {
		return 1
	}
	return 1 - math.Abs((q1+q3-2*q2)/den)
}

// madScore is (median - MAD) / median, at least 0: dispersion relative to
// the typical value, so that 10 % jitter costs the same at any period. A
// median below 1 (second, byte) gives def, as in RITA.
func madScore(med, mad, def float64) float64 {
	s := def
	if med >= 1 {
		s = (med - mad) / med
	}
	if s < 0 || math.IsNaN(s) {
		return 0
	}
	return s
}

// quartiles of sorted x by the medians of its halves (the median itself
// left out of both when len(x) is odd), as RITA's statistics library does.
func quartiles(x []float64) (q1, q2, q3 float64) {
	n := len(x)
	h := n / 2
	q2 = median(x)
	if n < 2 {
		return q2, q2, q2
	}
	return median(x[:h]), q2, median(x[n-h:])
}

// median of sorted x.
func median(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}

// medianAbsDev is the median of |x - med|; it overwrites x with the
// deviations.
func medianAbsDev(x []float64, med float64) float64 {
	for i, v := range x {
		x[i] = math.Abs(v - med)
	}
	slices.Sort(x)
	return median(x)
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
