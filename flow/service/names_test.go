package service

import (
	"slices"
	"testing"
)

func TestNames(t *testing.T) {
	names := Names()
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Fatalf("Names() not sorted and unique: %v", names)
	}
	// Every detector's name, and the port table's services without a
	// detector, are names a rule may use.
	for _, want := range []string{"tls", "http", "dns", "wireguard", "telnet", "vnc"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() lacks %q: %v", want, names)
		}
	}
	for i := range detectors {
		if !slices.Contains(names, detectors[i].Name) {
			t.Errorf("Names() lacks detector %q", detectors[i].Name)
		}
	}
}
