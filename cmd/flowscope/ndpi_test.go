package main

import (
	"bufio"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// ndpiFlow is one flow line of nDPI's expected results.
type ndpiFlow struct {
	proto        string // "tcp" or "udp"
	a, b         netip.AddrPort
	names        []string // nDPI's master and app protocol names
	nonStdPort   bool
	dpi          bool // nDPI decided by payload (Confidence: DPI...), not by port or address
	line         string
	service      string // our name for nDPI's protocol, "" if we have no detector for it
	unknownByUs  bool   // nDPI names a protocol we do not detect
	unidentified bool   // nDPI says Unknown
}

var ndpiLine = regexp.MustCompile(`^\s*\d+\s+(TCP|UDP)\s+(\S+)\s+<?->\s+(\S+)\s+(?:\[VLAN: \d+\])?\[proto: [0-9.]+/([^\]]+)\]`)

// ndpiServices maps nDPI protocol names to our service names.
var ndpiServices = map[string]string{
	"TLS": "tls", "HTTP": "http", "SSH": "ssh", "DNS": "dns", "QUIC": "quic", "SMTP": "smtp", "IMAP": "imap",
	"POP3": "pop3", "FTP_CONTROL": "ftp", "RDP": "rdp", "SMBv23": "smb", "SMBv1": "smb", "MySQL": "mysql",
	"PostgreSQL": "postgresql", "RESP": "redis", "MQTT": "mqtt", "WireGuard": "wireguard", "OpenVPN": "openvpn",
	"BitTorrent": "bittorrent", "SIP": "sip", "NTP": "ntp", "DHCP": "dhcp", "SNMP": "snmp", "RTSP": "rtsp",
	"IMAPS": "tls", "POPS": "tls", "SMTPS": "tls",
	"IRC": "irc", "Jabber": "xmpp", "MongoDB": "mongodb", "Memcached": "memcached",
	"LDAP": "ldap", "CLDAP": "ldap", "MsSQL-TDS": "tds", "AMQP": "amqp", "NFS": "nfs",
	"CAPWAP": "capwap",
	"STUN":   "stun", "DTLS": "dtls", "MDNS": "mdns", "LLMNR": "llmnr", "NetBIOS": "nbns", "SSDP": "ssdp",
	"RTP": "rtp", "SRTP": "rtp", "RTCP": "rtcp",
	"IPSec": "ipsec", "DHCPV6": "dhcpv6", "Kerberos": "kerberos",
	"RADIUS": "radius", "TFTP": "tftp", "Syslog": "syslog",
}

func parseNDPI(t *testing.T, path string) []ndpiFlow {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []ndpiFlow
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := ndpiLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		a, err1 := netip.ParseAddrPort(m[2])
		b, err2 := netip.ParseAddrPort(m[3])
		if err1 != nil || err2 != nil {
			// nDPI prints what a fuzzed header holds ("[302e::3d00::8001]"):
			// no flow of ours can have that endpoint.
			t.Logf("%s: skipped, endpoints are no addresses: %q", filepath.Base(path), m[0])
			continue
		}
		f := ndpiFlow{proto: strings.ToLower(m[1]), a: a, b: b, names: strings.Split(m[4], "."), line: sc.Text(),
			nonStdPort: strings.Contains(sc.Text(), "Known Proto on Non Std Port"),
			dpi:        strings.Contains(sc.Text(), "[Confidence: DPI")}
		for _, n := range f.names {
			if s, ok := ndpiServices[n]; ok {
				f.service = s
			}
		}
		f.unidentified = f.names[0] == "Unknown"
		f.unknownByUs = f.service == "" && !f.unidentified
		out = append(out, f)
	}
	return out
}

// ndpiAccepted lists the disagreements we accept, by file and nDPI's
// endpoints as nDPI writes them, each with its reason; README.md lists them too.
var ndpiAccepted = map[string]string{}

// TestNDPIAgreement holds our service identification to nDPI's expected
// results: every flow nDPI identifies as a protocol we detect must get the
// same service, and every flow nDPI marks "Known Proto on Non Std Port"
// must get a nonstandard-port finding for that service. It logs precision
// and recall over all shared captures.
func TestNDPIAgreement(t *testing.T) {
	dir := capturesDir(t)
	outs, _ := filepath.Glob(filepath.Join(dir, "expected", "ndpi", "*.out"))
	if len(outs) == 0 {
		t.Fatal("no nDPI results")
	}
	var tp, fp, fn, nonStd, nonStdFound int
	var skipped []string
	for _, out := range outs {
		name := strings.TrimSuffix(filepath.Base(out), ".out")
		capture := filepath.Join(dir, name)
		if _, err := os.Stat(capture); err != nil {
			t.Errorf("nDPI result %s has no capture: %v", name, err)
			continue
		}
		want := parseNDPI(t, out)
		res := runFlowscope(t, nil, "-q", "-o", "json", "-r", capture)
		flows := parseJSONFlows(t, res.stdout)
		for _, nf := range want {
			f := matchNDPI(flows, nf)
			key := name + " " + nf.a.String() + " " + nf.b.String()
			if f == nil {
				if why, ok := ndpiAccepted[key]; ok {
					skipped = append(skipped, key+": "+why)
					continue
				}
				t.Errorf("%s: no flow for nDPI's %s %s <-> %s", name, nf.proto, nf.a, nf.b)
				continue
			}
			if nf.service == "" || !nf.dpi {
				continue // nDPI names nothing we detect (or Unknown), or guesses by port
			}
			switch {
			case f.Service == nf.service:
				tp++
			case f.Service == "":
				fn++
			default:
				fp++
			}
			if f.Service != nf.service {
				if why, ok := ndpiAccepted[key]; ok {
					skipped = append(skipped, key+": "+why)
				} else {
					t.Errorf("%s: %s: service %q, nDPI says %s (%s)", name, f, f.Service, nf.service, strings.Join(nf.names, "."))
				}
			}
			if nf.nonStdPort {
				nonStd++
				if hasFinding(f, "nonstandard-port", nf.service) {
					nonStdFound++
				} else if why, ok := ndpiAccepted[key+" nonstandard-port"]; ok {
					skipped = append(skipped, key+" nonstandard-port: "+why)
				} else {
					t.Errorf("%s: %s: nDPI marks %s on a non-standard port; findings %+v", name, f, nf.service, f.Findings)
				}
			}
		}
	}
	sort.Strings(skipped)
	for _, s := range skipped {
		t.Logf("accepted: %s", s)
	}
	precision := float64(tp) / float64(max(1, tp+fp))
	recall := float64(tp) / float64(max(1, tp+fn))
	t.Logf("services vs nDPI: %d agree, %d differ, %d unidentified: precision %.3f, recall %.3f; non-std-port %d/%d",
		tp, fp, fn, precision, recall, nonStdFound, nonStd)
}

// matchNDPI finds our flow with nDPI's endpoints, in either orientation.
func matchNDPI(flows []flowRec, nf ndpiFlow) *flowRec {
	for i := range flows {
		f := &flows[i]
		if f.Proto != nf.proto {
			continue
		}
		c, s := f.Client.ap(), f.Server.ap()
		if (c == nf.a && s == nf.b) || (c == nf.b && s == nf.a) {
			return f
		}
	}
	return nil
}

func hasFinding(f *flowRec, kind, service string) bool {
	for _, x := range f.Findings {
		if x.Kind == kind && x.Service == service {
			return true
		}
	}
	return false
}
