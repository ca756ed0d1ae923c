package report

import (
	"strconv"
	"strings"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/flow/ports"
	"github.com/flowscope/flowscope/flow/service"
)

// Finding kinds.
const (
	KindNonstandardPort  = "nonstandard-port"  // a known service off its registered ports
	KindPortMismatch     = "port-mismatch"     // a service port carrying something else
	KindProtocolMismatch = "protocol-mismatch" // client and server speak different protocols
	KindBeacon           = "beacon"            // connections repeated at a regular rhythm
)

// Kinds lists the finding kinds, for rules and allowlists to check against.
var Kinds = []string{KindNonstandardPort, KindPortMismatch, KindProtocolMismatch, KindBeacon}

// Finding is one thing about a flow that its ports do not explain.
type Finding struct {
	Kind     string `json:"kind"`
	Severity string `json:"severity"` // "high", "medium", "low" or "info"
	// Service is the detected protocol ("" when none was recognised).
	Service string `json:"service"`
	// Port is the server port as "tcp/2222".
	Port string `json:"port"`
	// ExpectedServices are the detectable services registered on Port.
	ExpectedServices []string `json:"expected_services"`
	// ExpectedPorts are the ports registered for Service ("tcp/22").
	ExpectedPorts []string `json:"expected_ports"`
	Detector      string   `json:"detector,omitempty"`
	Confidence    string   `json:"confidence,omitempty"`
	// Frame and Direction locate the deciding packet; Evidence is the
	// deciding bytes, escaped.
	Frame     uint64 `json:"frame,omitempty"`
	Direction string `json:"direction,omitempty"`
	Evidence  string `json:"evidence"`
	// Reason says it in one sentence.
	Reason string `json:"reason"`
	// Beacon is the group's rhythm, on beacon findings only.
	Beacon *BeaconFields `json:"beacon,omitempty"`
}

// severityOf is what the catalogue says a service off its ports is worth:
// remote access and file sharing most, web traffic least.
func severityOf(name string) string {
	if p := service.Lookup(name); p != nil {
		return p.OffPort.String()
	}
	return service.SeverityMedium.String()
}

// Findings returns the record's beacon finding, if it carries one (see
// beaconFinding; a beacon record has no other: its flows had theirs), then
// what the record's ports and its two sides do not explain: see
// portFindings, and a client and a server that speak different protocols
// (protocol-mismatch).
func Findings(r *flow.Record) []Finding {
	if isBeaconRecord(r) {
		return []Finding{beaconFinding(r)}
	}
	var out []Finding
	if r.Beacon != nil {
		out = append(out, beaconFinding(r))
	}
	out = append(out, portFindings(r)...)
	if r.OtherSide != nil && (r.Continues == 0 || !r.EarlierOtherSide) {
		out = append(out, protocolMismatch(r))
	}
	return out
}

// protocolMismatch is the finding for a flow whose sides speak different
// protocols (an HTTP request answered by an SSH banner): a multiplexer on
// the port, a scanner, or a tunnel. It is about the other side's service
// and bytes; its severity is the higher of the two services' own, at
// least medium.
func protocolMismatch(r *flow.Record) Finding {
	port := r.Proto + "/" + strconv.Itoa(int(r.Server.Port))
	pp, _ := ports.ProtoOf(r.IPProto)
	o := r.OtherSide
	client, server := r.Service, o.OtherService
	if o.OtherDir == "client" {
		client, server = server, client
	}
	return Finding{
		Kind: KindProtocolMismatch, Port: port, Service: o.OtherService,
		Severity:         maxSeverity(maxSeverity(severityOf(r.Service), severityOf(o.OtherService)), "medium"),
		ExpectedServices: nonNil(ports.ExpectedServices(pp, r.Server.Port)),
		ExpectedPorts:    portList(r.Proto, ports.ExpectedPorts(o.OtherService, pp)),
		Detector:         o.OtherDetector, Confidence: o.OtherConfidence, Direction: o.OtherDir,
		Evidence: Escape(o.OtherEvidence),
		Reason:   "the client speaks " + client + ", the server " + server,
	}
}

// portFindings returns what the record's ports do not explain: the detected
// service off its registered ports (nonstandard-port), and a port
// registered for a service we can detect carrying another or nothing
// recognisable (port-mismatch); HTTP on tcp/22 is both. Low-confidence
// verdicts raise nothing: a guess is not proof.
func portFindings(r *flow.Record) []Finding {
	pp, ok := ports.ProtoOf(r.IPProto)
	if !ok || r.Server.Port == 0 {
		return nil
	}
	if r.Continues != 0 && (r.Service == "" || r.EarlierVerdict) {
		// An earlier record of the flow carries its findings, unless the
		// service was decided in this part (after an active-timeout split).
		return nil
	}
	if r.Service == "" && (r.Proto != "tcp" || !r.ClientFromSYN || r.ClientPrefix == "" ||
		!ports.IsServicePort(pp, r.Server.Port)) {
		return nil // the common case, decided without allocating
	}
	if r.Service != "" {
		if r.ServiceConfidence == "low" {
			return nil
		}
		// Decide without allocating first: most flows raise nothing.
		// A flow on ports chosen at run time (a TFTP transfer) is not off them.
		offPort := !ports.IsExpectedPort(r.Service, pp, r.Server.Port) && !service.OnAnyPort(r.ServiceDetector)
		mismatch := ports.IsServicePort(pp, r.Server.Port) && !ports.ExpectsService(pp, r.Server.Port, r.Service)
		if !offPort && !mismatch {
			return nil
		}
		proto := r.Proto
		port := proto + "/" + strconv.Itoa(int(r.Server.Port))
		expSvc := ports.ExpectedServices(pp, r.Server.Port)
		base := Finding{
			Service: r.Service, Port: port, Detector: r.ServiceDetector, Confidence: r.ServiceConfidence,
			Frame: r.EvidenceFrame, Direction: r.EvidenceDir, Evidence: Escape(r.Evidence),
			ExpectedServices: nonNil(expSvc), ExpectedPorts: portList(proto, ports.ExpectedPorts(r.Service, pp)),
		}
		var out []Finding
		if offPort {
			f := base
			f.Kind = KindNonstandardPort
			f.Severity = severityOf(r.Service)
			f.Reason = r.Service + " on " + port
			switch {
			case ports.IsAlternatePort(r.Service, pp, r.Server.Port):
				// Off its ports, but where it conventionally runs: noted, no alarm.
				f.Severity = service.SeverityInfo.String()
				f.Reason += ", a conventional alternate of its registered " + strings.Join(f.ExpectedPorts, ", ")
			case len(f.ExpectedPorts) > 0:
				f.Reason += ", not on its registered " + strings.Join(f.ExpectedPorts, ", ")
			}
			out = append(out, f)
		}
		if mismatch {
			f := base
			f.Kind = KindPortMismatch
			f.Severity = maxSeverity(severityOf(r.Service), "medium")
			f.Reason = port + " is registered for " + strings.Join(expSvc, ", ") + " but carries " + r.Service
			out = append(out, f)
		}
		return out
	}
	proto := r.Proto
	port := proto + "/" + strconv.Itoa(int(r.Server.Port))
	expSvc := ports.ExpectedServices(pp, r.Server.Port)
	// Nothing recognised on a service port: only claimed (see the check
	// above) when the detectors saw the client's stream from its SYN.
	if len(expSvc) == 0 {
		return nil
	}
	return []Finding{{
		Kind: KindPortMismatch, Severity: "medium", Port: port,
		ExpectedServices: expSvc, ExpectedPorts: []string{},
		Direction: "client", Evidence: Escape(r.ClientPrefix),
		Reason: "first client payload is not " + article(expSvc[0]) + " (no detector recognised it)",
	}}
}

// article names what a service's first bytes would be, for reasons.
func article(name string) string {
	if p := service.Lookup(name); p != nil && p.FirstBytes != "" {
		return p.FirstBytes
	}
	return name
}

func maxSeverity(a, b string) string {
	if severityRank(a) <= severityRank(b) {
		return a
	}
	return b
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func portList(proto string, ps []uint16) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, proto+"/"+strconv.Itoa(int(p)))
	}
	return out
}

// Escape makes bytes from the wire safe for a terminal, a JSON string and
// a CSV cell: printable ASCII stays, a backslash becomes \\ and every other
// byte \xNN (so no terminal escape sequence survives).
func Escape(s string) string {
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		clean = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\'
	}
	if clean {
		return s // the common case: nothing to escape, nothing to allocate
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			const hex = "0123456789abcdef"
			b.WriteString(`\x`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
