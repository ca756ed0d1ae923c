package service

import "slices"

// Names returns the sorted names of every service flowscope can report:
// the catalogue's protocols, each of which has a detector.
func Names() []string {
	names := make([]string, 0, len(catalogue))
	for _, p := range catalogue {
		names = append(names, p.Name)
	}
	slices.Sort(names)
	return names
}
