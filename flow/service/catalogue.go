package service

import (
	"net/netip"
	"slices"
)

// Protocol is everything flowscope knows about one application protocol:
// how to recognise it and where it belongs. The port policy (flow/ports),
// findings' severity and wording (report) and metadata parsing (flow) all
// read it, so a protocol's facts live in its own file and nowhere else.
type Protocol struct {
	Name string // the service name flows report ("tls", "ssh", ...)
	// Transports are those its ports are expected on.
	Transports []Transport
	// Registry lists the IANA registry service names whose ports are its
	// standard ports: its own, or forms it takes on the wire (a payload
	// detector sees TLS on imaps, not IMAP).
	Registry []string
	// Defaults are documented default ports the registry does not give it.
	Defaults []uint16
	// Alternates are ports it conventionally runs on that the registry
	// gives to no form of it (http on 8080): seen there, it still gets a
	// nonstandard-port finding, at SeverityInfo.
	Alternates []uint16
	// OffPort is the severity of seeing it off its standard ports.
	OffPort Severity
	// FirstBytes names what its first bytes are, for findings' reasons
	// ("a TLS record"); empty: its name.
	FirstBytes string
	// Meta is the handshake metadata flowscope reads from its first bytes.
	Meta Meta
	// Detectors recognise it, in priority order among the catalogue's.
	Detectors []*Detector
	// Refines names the protocol whose detectors recognise this one, when
	// the two share a wire format and only where a flow goes tells them
	// apart (mDNS and LLMNR are DNS messages): a flow that protocol's
	// detectors name is this one when, on one of its Transports, either
	// port is one of Ports or either address one of Groups (see Refine).
	// Such a protocol has no detectors of its own.
	Refines string
	Ports   []uint16
	Groups  []netip.Addr
}

// Severity ranks what a finding about a protocol is worth to an analyst.
type Severity uint8

// Severities, lowest first. SeverityInfo is for a protocol on one of its
// conventional alternate ports: worth knowing, not worth an alarm.
const (
	SeverityInfo Severity = iota + 1
	SeverityLow
	SeverityMedium
	SeverityHigh
)

func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityLow:
		return "low"
	case SeverityMedium:
		return "medium"
	case SeverityHigh:
		return "high"
	}
	return "none"
}

// Meta says which handshake metadata a protocol's first bytes carry.
type Meta uint8

// Metadata kinds flowscope parses while a flow is identified.
const (
	MetaNone Meta = iota
	MetaTLS       // ClientHello, ServerHello, certificate
	MetaSSH       // identification strings and KEXINITs
	MetaHTTP      // request and response heads
)

// catalogue lists every protocol, in detector priority order: when two
// detectors are equally sure, the earlier wins. Protocols with a magic or
// a version string come first; those recognised by plausible structure
// alone (NTP, DNS) last. A new protocol is a file declaring its Protocol
// and one line here.
var catalogue = []*Protocol{
	&tlsProtocol,
	&quicProtocol,
	&sshProtocol,
	&vncProtocol,
	&httpProtocol,
	&http2Protocol,
	&rtspProtocol,
	&sipProtocol,
	&rdpProtocol,
	&smbProtocol,
	&mysqlProtocol,
	&postgresqlProtocol,
	&redisProtocol,
	&mqttProtocol,
	&bittorrentProtocol,
	&wireguardProtocol,
	&openvpnProtocol,
	&vxlanProtocol,
	&geneveProtocol,
	&gtpProtocol,
	&gtpcProtocol,
	&capwapProtocol,
	&dhcpProtocol,
	&stunProtocol,
	&dtlsProtocol,
	&mdnsProtocol,
	&llmnrProtocol,
	&nbnsProtocol,
	&ssdpProtocol,
	&rtcpProtocol,
	&rtpProtocol,
	&ipsecProtocol,
	&dhcpv6Protocol,
	&kerberosProtocol,
	&radiusProtocol,
	&tftpProtocol,
	&syslogProtocol,
	&snmpProtocol,
	&smtpProtocol,
	&imapProtocol,
	&pop3Protocol,
	&ftpProtocol,
	&socksProtocol,
	&telnetProtocol,
	&ircProtocol,
	&xmppProtocol,
	&mongodbProtocol,
	&memcachedProtocol,
	&ldapProtocol,
	&tdsProtocol,
	&amqpProtocol,
	&nfsProtocol,
	&oncrpcProtocol,
	&dnsProtocol,
	&ntpProtocol,
}

// Transport sets protocols declare.
var (
	onTCP  = []Transport{TCP}
	onUDP  = []Transport{UDP}
	onBoth = []Transport{TCP, UDP}
)

// Catalogue returns every protocol, in detector priority order. The
// protocols are shared: callers must not modify them.
func Catalogue() []*Protocol { return slices.Clone(catalogue) }

// byName finds a protocol by the service name it reports.
var byName = func() map[string]*Protocol {
	m := make(map[string]*Protocol, len(catalogue))
	for _, p := range catalogue {
		m[p.Name] = p
	}
	return m
}()

// Lookup returns the protocol a service name reports, or nil. It does not
// allocate.
func Lookup(name string) *Protocol { return byName[name] }

// MetaOf returns the metadata kind of a service name (MetaNone if unknown).
func MetaOf(name string) Meta {
	if p := Lookup(name); p != nil {
		return p.Meta
	}
	return MetaNone
}

// detectors is every protocol's detectors, in the catalogue's priority order.
var detectors = func() []*Detector {
	var ds []*Detector
	for _, p := range catalogue {
		ds = append(ds, p.Detectors...)
	}
	return ds
}()

// anywhere are the names of the detectors whose verdicts belong on no
// port in particular (Detector.Anywhere).
var anywhere = func() map[string]bool {
	m := map[string]bool{}
	for _, d := range detectors {
		if d.Anywhere {
			m[d.Name] = true
		}
	}
	return m
}()

// OnAnyPort reports, without allocating, whether a verdict of the named
// detector (Result.Detector) names a flow between ports its ends chose at
// run time, such as a TFTP transfer's: off its protocol's ports, such a
// flow is where it belongs.
func OnAnyPort(detector string) bool { return anywhere[detector] }

// refinements maps a protocol's name to those that refine it.
var refinements = func() map[string][]*Protocol {
	m := map[string][]*Protocol{}
	for _, p := range catalogue {
		if p.Refines != "" {
			m[p.Refines] = append(m[p.Refines], p)
		}
	}
	return m
}()

// Refine returns the service a flow is whose detectors named it name,
// given where it goes: name itself, or the protocol that refines name
// whose ports or groups the flow uses (dns to or from udp/5353 is mdns).
// Detectors never see ports; this is the one place where a port or an
// address decides a name, and only between protocols of one wire format.
// It does not allocate.
func Refine(name string, t Transport, a, b netip.Addr, pa, pb uint16) string {
	for _, p := range refinements[name] {
		if !slices.Contains(p.Transports, t) {
			continue
		}
		if slices.Contains(p.Ports, pa) || slices.Contains(p.Ports, pb) ||
			slices.Contains(p.Groups, a.Unmap()) || slices.Contains(p.Groups, b.Unmap()) {
			return p.Name
		}
	}
	return name
}
