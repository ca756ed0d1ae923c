package service

import (
	"encoding/hex"
	"strings"
	"testing"
)

// expect is the verdict a sample's own detector must give.
type expect struct {
	service string
	conf    Confidence
	dir     Dir
}

type sample struct {
	name string
	in   Input
	want expect // zero for another protocol's bytes
	ev   string // the evidence the verdict must carry
	// detector is the one that must give the verdict, when it is not the
	// protocol's first (tls-midstream).
	detector string
}

// unhex decodes hex, ignoring white space, so samples can wrap.
func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

// zeroPad is b followed by zeros up to n bytes: the padding some
// protocols require, which a sample need not spell out.
func zeroPad(b []byte, n int) []byte { return append(b, make([]byte, max(0, n-len(b)))...) }

func smb1Negotiate() []byte {
	return unhex(`0000002f ff534d42 72 00000000 18 53c8 0000 0000000000000000 0000
		ffff feff 0000 0000 00 0c00 02 4e54204c4d20302e3132 00`)
}

// sampleIn is the input of the sample called name.
func sampleIn(name string) Input {
	for _, s := range samples {
		if s.name == name {
			return s.in
		}
	}
	panic("no sample " + name)
}

// with returns a copy of b with b[i] set to v.
func with(b []byte, i int, v byte) []byte {
	c := append([]byte(nil), b...)
	c[i] = v
	return c
}

// detectorNamed finds a catalogue detector.
func detectorNamed(t testing.TB, name string) *Detector {
	t.Helper()
	for _, d := range detectors {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no detector %q", name)
	return nil
}

// protocolOf is the protocol whose detector d is.
func protocolOf(d *Detector) string {
	for _, p := range catalogue {
		for _, x := range p.Detectors {
			if x == d {
				return p.Name
			}
		}
	}
	return ""
}

// checkedConf runs d, checking the invariants every verdict must keep, and
// returns the confidence (None when rejected).
func checkedConf(t testing.TB, d *Detector, in *Input) Confidence {
	t.Helper()
	r, ok := d.Detect(in)
	if !ok {
		if r != (Result{}) {
			t.Fatalf("%s: rejected with a non-zero result %+v", d.Name, r)
		}
		return None
	}
	if r.Service != protocolOf(d) || r.Detector != d.Name {
		t.Fatalf("%s: service %q detector %q", d.Name, r.Service, r.Detector)
	}
	if r.Confidence < Low || r.Confidence > High || r.Dir > FromServer {
		t.Fatalf("%s: confidence %v, dir %v", d.Name, r.Confidence, r.Dir)
	}
	if r.Evidence == "" || len(r.Evidence) > 256 {
		t.Fatalf("%s: evidence %q", d.Name, r.Evidence)
	}
	side := in.Client
	if r.Dir == FromServer {
		side = in.Server
	}
	if len(side) == 0 {
		t.Fatalf("%s: decided from the empty %v side", d.Name, r.Dir)
	}
	return r.Confidence
}

// TestCatalogue: every protocol is complete, names its own detector and
// standard ports, and has samples; every sample's protocol is in it.
func TestCatalogue(t *testing.T) {
	sampled := map[string]bool{}
	for _, s := range samples {
		if s.want.service == "" {
			continue
		}
		if Lookup(s.want.service) == nil {
			t.Errorf("sample %s: %q is not in the catalogue", s.name, s.want.service)
		}
		sampled[s.want.service] = true
	}
	owner := map[*Detector]string{}
	for _, p := range catalogue {
		if Lookup(p.Name) != p {
			t.Errorf("%s: listed twice or not found by name", p.Name)
		}
		if len(p.Transports) == 0 || p.OffPort < SeverityInfo || p.OffPort > SeverityHigh {
			t.Errorf("%s: transports %v, severity %v", p.Name, p.Transports, p.OffPort)
		}
		if len(p.Registry)+len(p.Defaults) == 0 {
			t.Errorf("%s: no standard port: neither a registry name nor a default", p.Name)
		}
		if p.Refines != "" {
			// Its messages are the refined protocol's, and so are its samples.
			if r := Lookup(p.Refines); r == nil || r.Refines != "" || len(r.Detectors) == 0 || len(p.Detectors) > 0 ||
				len(p.Ports)+len(p.Groups) == 0 {
				t.Errorf("%s: refines %q: no such protocol with detectors, or no ports or groups of its own", p.Name, p.Refines)
			}
			continue
		}
		if len(p.Detectors) == 0 || p.Detectors[0].Name != p.Name {
			t.Errorf("%s: its first detector must carry its name", p.Name)
		}
		for _, d := range p.Detectors {
			if o, ok := owner[d]; ok {
				t.Errorf("detector %s is in both %s and %s", d.Name, o, p.Name)
			}
			owner[d] = p.Name
		}
		if !sampled[p.Name] {
			t.Errorf("%s: no sample", p.Name)
		}
	}
}

// TestSamples checks each positive sample's verdict from its own detector,
// and that Identify, with every detector in priority order, agrees.
func TestSamples(t *testing.T) {
	for _, s := range samples {
		if s.want.service == "" {
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			name := s.want.service
			if s.detector != "" {
				name = s.detector
			}
			d := detectorNamed(t, name)
			in := s.in
			if c := checkedConf(t, d, &in); c == None {
				t.Fatalf("%s: not detected", d.Name)
			}
			r, _ := d.Detect(&in)
			if r.Confidence != s.want.conf || r.Dir != s.want.dir {
				t.Errorf("got %v from %v, want %v from %v", r.Confidence, r.Dir, s.want.conf, s.want.dir)
			}
			if s.ev != "" && r.Evidence != s.ev {
				t.Errorf("evidence %q, want %q", r.Evidence, s.ev)
			}
			if got, _ := Identify(&in); got.Service != s.want.service {
				t.Errorf("Identify says %q (%v)", got.Service, got.Confidence)
			}
		})
	}
}

// TestCrossCheck runs every detector on every sample, whatever its
// Transports say (so each also proves it checks the transport itself):
// only the sample's own protocol's detectors may claim it.
func TestCrossCheck(t *testing.T) {
	for _, s := range samples {
		for _, d := range detectors {
			if protocolOf(d) == s.want.service {
				continue
			}
			in := s.in
			if r, ok := d.Detect(&in); ok {
				t.Errorf("%s: %s claims it: %v from %v, evidence %q", s.name, d.Name, r.Confidence, r.Dir, r.Evidence)
			}
		}
	}
}

// prefixes calls f with the states a flow passes through on its way to
// in: both directions cut to the same length; in time order (the first
// speaker's bytes growing alone, then the other side's); and one direction
// cut while the other is whole or missing (a capture that lost a side).
func prefixes(in Input, f func(kind string, p Input)) {
	for n := 0; n < max(len(in.Client), len(in.Server)); n++ {
		p := in
		p.Client, p.Server = head(in.Client, n), head(in.Server, n)
		f("both", p)
	}
	first, second := in.Server, in.Client
	if in.ClientFirst {
		first, second = second, first
	}
	for n := 0; n <= len(first)+len(second); n++ {
		p := in
		a, b := head(first, n), head(second, max(0, n-len(first)))
		if in.ClientFirst {
			p.Client, p.Server = a, b
		} else {
			p.Server, p.Client = a, b
		}
		f("time", p)
	}
	for n := 0; n < len(in.Client); n++ {
		p := in
		p.Client = in.Client[:n]
		f("client", p)
		p.Server = nil
		f("client alone", p)
	}
	for n := 0; n < len(in.Server); n++ {
		p := in
		p.Server = in.Server[:n]
		f("server", p)
		p.Client = nil
		f("server alone", p)
	}
}

// TestPrefixes: no state on the way to a sample makes a detector surer
// than the whole sample does, except that another protocol's detector may
// guess Low (a bare "220 " is honestly ambiguous); none panics.
func TestPrefixes(t *testing.T) {
	for _, s := range samples {
		full := map[string]Confidence{}
		for _, d := range detectors {
			in := s.in
			full[d.Name] = checkedConf(t, d, &in)
		}
		prefixes(s.in, func(kind string, p Input) {
			for _, d := range detectors {
				limit := full[d.Name]
				if protocolOf(d) != s.want.service {
					limit = max(limit, Low)
				}
				if c := checkedConf(t, d, &p); c > limit {
					t.Errorf("%s %s prefix %d/%d: %s says %v, whole sample %v",
						s.name, kind, len(p.Client), len(p.Server), d.Name, c, full[d.Name])
				}
			}
		})
	}
}

// TestTransport: a detector ignores the transport it does not run on, and
// a nil input.
func TestTransport(t *testing.T) {
	for _, s := range samples {
		for _, d := range detectors {
			other := s.in
			other.Transport = UDP + TCP - s.in.Transport
			if _, got := d.Detect(&other); got && !d.handles(other.Transport) {
				t.Errorf("%s: %s answered over a transport it does not list", s.name, d.Name)
			}
		}
	}
	for _, d := range detectors {
		if _, ok := d.Detect(nil); ok {
			t.Errorf("%s: nil input detected", d.Name)
		}
	}
}

// TestAllocs: a rejection allocates nothing, a verdict at most its
// evidence string.
func TestAllocs(t *testing.T) {
	for _, s := range samples {
		in := s.in
		for _, d := range detectors {
			_, ok := d.Detect(&in)
			limit := 0.0
			if ok {
				limit = 1
			}
			if n := testing.AllocsPerRun(20, func() { d.Detect(&in) }); n > limit {
				t.Errorf("%s on %s: %v allocations", d.Name, s.name, n)
			}
		}
	}
}

// FuzzDetect runs every detector on arbitrary input: none may panic or
// return a malformed verdict. Run it with
// go test -fuzz FuzzDetect -fuzztime 30s ./flow/service/
func FuzzDetect(f *testing.F) {
	for _, s := range samples {
		tr := uint8(s.in.Transport)
		if s.in.MidStream {
			tr |= 2
		}
		f.Add(tr, s.in.ClientFirst, s.in.Client, s.in.Server)
	}
	// tr's low bit is the transport, the next one MidStream, the third
	// gives the sides datagrams (the client's bytes, then the server's,
	// as its later ones).
	f.Fuzz(func(t *testing.T, tr uint8, clientFirst bool, client, server []byte) {
		in := Input{Transport: Transport(tr % 2), MidStream: tr&2 != 0, ClientFirst: clientFirst, Client: client, Server: server}
		if tr&4 != 0 {
			in.ClientDatagrams = [][]byte{client, server, client}
			in.ServerDatagrams = [][]byte{server, client}
		}
		for _, d := range detectors {
			checkedConf(t, d, &in)
		}
	})
}
