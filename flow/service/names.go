package service

import (
	"slices"

	"github.com/flowscope/flowscope/flow/ports"
)

// Names returns every service name a flow or a finding can carry, sorted:
// the detectors' names and the services the port table expects somewhere
// (telnet, vnc: named by port-mismatch findings without a detector). Rules
// and allowlists validate against it so a misspelt service is an error, not
// a rule that never matches.
func Names() []string {
	var out []string
	for i := range detectors {
		out = append(out, detectors[i].Name)
	}
	for _, sp := range ports.ServicePorts() {
		out = append(out, sp.Service)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
