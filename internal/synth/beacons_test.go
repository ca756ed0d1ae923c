package synth

import (
	"bytes"
	"testing"
)

// TestBeaconScene: the same seed gives the same frames, in time order, with
// one planted beacon of each kind; another seed gives other frames.
func TestBeaconScene(t *testing.T) {
	a, planted := BeaconScene(BeaconSpec{Seed: 3, Duration: 1800, Browsers: 2})
	b, _ := BeaconScene(BeaconSpec{Seed: 3, Duration: 1800, Browsers: 2})
	c, _ := BeaconScene(BeaconSpec{Seed: 4, Duration: 1800, Browsers: 2})
	if len(planted) != int(numBeaconKinds) {
		t.Fatalf("%d beacons planted, want %d", len(planted), numBeaconKinds)
	}
	same := func(x, y []Frame) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i].TS != y[i].TS || !bytes.Equal(x[i].Data, y[i].Data) {
				return false
			}
		}
		return true
	}
	if !same(a, b) || same(a, c) {
		t.Error("scenes are not determined by their seed")
	}
	for i := 1; i < len(a); i++ {
		if a[i].TS < a[i-1].TS {
			t.Fatalf("frame %d goes back in time", i)
		}
	}
}
