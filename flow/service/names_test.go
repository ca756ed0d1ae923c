package service

import (
	"slices"
	"testing"
)

// TestNames: every service a flow or finding can carry, sorted and unique,
// each with a detector (the port table has no service without one).
func TestNames(t *testing.T) {
	names := Names()
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Fatalf("Names() not sorted and unique: %v", names)
	}
	for _, want := range []string{"tls", "http", "dns", "wireguard", "telnet", "vnc"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() lacks %q: %v", want, names)
		}
	}
	for i := range detectors {
		if !slices.Contains(names, protocolOf(detectors[i])) {
			t.Errorf("Names() lacks detector %q's protocol", detectors[i].Name)
		}
	}
	if len(names) != len(catalogue) {
		t.Errorf("Names() has %d names, the catalogue %d protocols", len(names), len(catalogue))
	}
}
