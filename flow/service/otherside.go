package service

// OtherSide returns what the side that did not decide r speaks, when that
// side alone is surely another protocol, one that r's protocol does not
// accept from it: an HTTP request answered by an SSH banner, a TLS hello
// answered by an HTTP error. Only High verdicts count (a command shared by
// FTP and POP3 is no proof), and only over TCP, where each side's bytes
// are its own stream. It allocates only for a verdict it returns, beside
// what r's own detectors allocate on their way.
func OtherSide(in *Input, r Result) (Result, bool) {
	p := Lookup(r.Service)
	if in == nil || in.Transport != TCP || r.Confidence < Medium || p == nil {
		return Result{}, false
	}
	client, server, first := in.Client, in.Server, in.ClientFirst
	defer func() { in.Client, in.Server, in.ClientFirst = client, server, first }()
	other := FromClient
	if r.Dir == FromClient {
		other = FromServer
		in.Client, in.ClientFirst = nil, false
	} else {
		in.Server, in.ClientFirst = nil, true
	}
	if len(in.Client)+len(in.Server) == 0 {
		return Result{}, false
	}
	for _, d := range p.Detectors {
		if _, ok := d.Detect(in); ok {
			return Result{}, false // its own protocol, or what it may look like
		}
	}
	o, ok := identifyOne(in)
	if !ok || o.Confidence < High || o.Service == r.Service || o.Dir != other {
		return Result{}, false
	}
	return o, true
}
