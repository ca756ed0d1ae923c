package service

// Identify runs the catalogue's detectors for the input's transport and
// returns the most confident verdict.
func Identify(in *Input) (Result, bool) {
	var best Result
	for _, d := range detectors {
		if !d.handles(in.Transport) {
			continue
		}
		if r, ok := d.Detect(in); ok && r.Confidence > best.Confidence {
			if r.Detector == "" {
				r.Detector = d.Name
			}
			best = r
			if best.Confidence == High {
				break
			}
		}
	}
	return best, best.Confidence > None
}

func (d *Detector) handles(t Transport) bool {
	for _, x := range d.Transports {
		if x == t {
			return true
		}
	}
	return false
}
