package service

// Identify runs the catalogue's detectors for the input's transport and
// returns the most confident verdict. Over UDP with several datagrams per
// side it tries each side's k-th datagram in turn (a request and its
// answer; a keepalive before the first real message), keeping the first
// of the most confident verdicts.
func Identify(in *Input) (Result, bool) {
	nc, ns := len(in.ClientDatagrams), len(in.ServerDatagrams)
	if in.Transport != UDP || max(nc, ns) <= 1 {
		return identifyOne(in)
	}
	var best Result
	client, server := in.Client, in.Server
	for k := 0; k < max(nc, ns); k++ {
		in.Client, in.Server = nil, nil
		if nc > 0 {
			in.Client = in.ClientDatagrams[min(k, nc-1)]
		}
		if ns > 0 {
			in.Server = in.ServerDatagrams[min(k, ns-1)]
		}
		if r, ok := identifyOne(in); ok && r.Confidence > best.Confidence {
			best = r
			if best.Confidence == High {
				break
			}
		}
	}
	in.Client, in.Server = client, server
	return best, best.Confidence > None
}

// identifyOne runs the detectors on one view of the flow.
func identifyOne(in *Input) (Result, bool) {
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
