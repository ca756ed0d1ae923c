package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The corpus floors: the share of flows nDPI identifies by payload as a
// protocol we detect on which we name the same service, and the share of
// nDPI's "Known Proto on Non Std Port" flows (of a protocol we detect) on
// which we raise nonstandard-port for it. Issue 11 asks for 0.97 and 0.95;
// these are the figures reached so far and may only go up. (The first was
// lowered once, from 0.993 to 0.985, when IRC, XMPP, MongoDB, LDAP and others got
// detectors and nDPI's verdicts on them became comparable: five of those
// flows are nDPI's Jabber on bytes that hold no XML.) Every flow short of
// them is in corpusAccepted.
const (
	corpusAgreementFloor = 0.985
	corpusNonStdFloor    = 0.956
)

// corpusAccepted is every disagreement with nDPI on the corpus, by class
// and flow as the test prints them, with its cause and who is right (the
// payload decides); README.md lists them too. A disagreement not listed
// fails the test, and so does a listed one that no longer occurs.
var corpusAccepted = map[string]string{
	"bittorrent non-std-port -> no finding (bittorrent): lru_ipv6_caches.pcapng udp [2a2f:8509:1cb2:466d:ecbf:69d6:109c:608]:62229 <-> [3991:72d:336e:65ec:c5bf:a5fa:83ad:23de]:6881":  corpusBTDefault,
	"bittorrent non-std-port -> no finding (bittorrent): lru_ipv6_caches.pcapng udp [3991:72d:336e:65ec:c5bf:a5fa:83ad:23de]:6881 <-> [3024:e5ee:ac2f:cd76:5dd6:a7a1:f17f:5c27]:60506": corpusBTDefault,
	"bittorrent non-std-port -> no finding (bittorrent): lru_ipv6_caches.pcapng udp [3991:72d:336e:65ec:c5bf:a5fa:83ad:23de]:6881 <-> [2fda:1f8a:c107:88a4:e509:d2e1:445f:f34c]:6881":  corpusBTDefault,
	"ntp -> unidentified: NTPv3.pcap udp 175.144.140.29:123 <-> 78.46.76.2:80":                                                                                                         "one 48-byte NTPv3 server-mode datagram to port 80, no request: a guess, which names nothing for us (KCP, PTP and QUIC Initials fit the same header)",
	"tls -> pop3: pop3_stls.pcap tcp 192.168.20.18:50583 <-> 72.249.41.52:110":                                                                                                         corpusSTARTTLS,
	"tls -> smtp: smtp-starttls.pcap tcp 10.0.0.1:57406 <-> 173.194.68.26:25":                                                                                                          corpusSTARTTLS,
	"xmpp -> unidentified: jabber.pcap tcp 192.168.2.100:58388 <-> 160.44.201.102:5223":                                                                                                corpusNotXMPP,
	"xmpp -> unidentified: jabber.pcap tcp 192.168.2.100:34070 <-> 160.44.201.102:5223":                                                                                                corpusNotXMPP,
	"xmpp -> unidentified: jabber.pcap tcp 192.168.2.100:41420 <-> 160.44.201.102:5223":                                                                                                corpusNotXMPP,
	"xmpp -> unidentified: jabber.pcap tcp 192.168.2.100:34218 <-> 160.44.201.102:5223":                                                                                                corpusNotXMPP,
	"xmpp -> unidentified: jabber.pcap tcp 192.168.2.100:37614 <-> 160.44.201.102:5223":                                                                                                corpusNotXMPP,
	"tls -> smtp: smtp-starttls.pcap tcp [2003:de:2016:125:fc36:8317:4e86:cb72]:7562 <-> [2003:de:2016:120::a08:53]:25":                                                                corpusSTARTTLS,
	"tls non-std-port -> no finding (tls): dns_dot.pcap tcp 192.168.1.185:58290 <-> 8.8.8.8:853":                                                                                       "DNS over TLS on tcp/853, the IANA registry's domain-s: a standard port of TLS in our policy; nDPI flags TLS anywhere but its own list",
}

// corpusContradicted is every finding of ours on a flow that nDPI's payload
// verdict names as something else, by capture, finding and nDPI's name, with
// who is right (README.md lists them too). An unlisted one fails the test,
// and so does a listed one that no longer occurs.
var corpusContradicted = map[string]string{
	"avast_securedns.pcapng: nonstandard-port dns, nDPI says AVASTSecureDNS": corpusPlainDNS443,
	"avast_securedns.pcapng: port-mismatch dns, nDPI says AVASTSecureDNS":    corpusPlainDNS443,
	"http-proxy.pcapng: nonstandard-port http, nDPI says HTTP_Proxy":         "HTTP on tcp/8080 (info, a conventional alternate); nDPI's HTTP_Proxy is HTTP too: both hold",
	"KakaoTalk_talk.pcap: nonstandard-port rtcp, nDPI says KakaoTalk_Voice":  "compound RTCP (receiver reports and SDES) on the call's RTP ports + 1: the finding (info) stands, nDPI names the application",
}

const (
	corpusPlainDNS443 = "plain DNS (TXT queries answered with DNSCrypt certificates) on udp/443, registered for HTTPS/QUIC: the findings stand, nDPI names the application"
	corpusBTDefault   = "6881 is BitTorrent's documented default (6881-6889, unregistered with IANA): standard for bittorrent in our policy, nDPI flags it"
	corpusNotXMPP     = "tcp/5223 (hpvirtgrp; legacy XMPP-over-TLS by convention) carrying no XML at all: binary messages framed as a type byte and a 16-bit length that fills the segment (0x25 0x0045 in a 69-byte segment, then 0x26 0x0010, 0x30 0x00a7), no stream header, no TLS record; nDPI's Jabber verdict is not in these bytes"
	corpusSTARTTLS    = "STARTTLS: the connection opens in the clear protocol and upgrades; we name the protocol its first bytes speak (the port policy judges that one), nDPI the TLS after; both hold"
)

// TestNDPICorpus compares every flow of testdata/captures/ndpi-corpus with
// nDPI's payload verdicts (its "Confidence: DPI" lines: guesses by port or
// address decide nothing). It prints the figures and each disagreement by
// class, and holds the figures to the floors above.
func TestNDPICorpus(t *testing.T) {
	dir := filepath.Join(capturesDir(t), "ndpi-corpus")
	outs, _ := filepath.Glob(filepath.Join(dir, "result", "*.out"))
	if len(outs) == 0 {
		t.Fatal("no nDPI results in the corpus")
	}
	var compared, agree, nonStd, nonStdFound int
	classes := map[string][]string{}   // "nDPI -> ours" to the flows
	var contradicted []string          // our findings on flows nDPI's payload verdict names otherwise
	contradictedBy := map[string]int{} // by capture, finding and nDPI's name
	for _, out := range outs {
		name := strings.TrimSuffix(filepath.Base(out), ".out")
		capture := filepath.Join(dir, "pcap", name)
		if _, err := os.Stat(capture); err != nil {
			t.Errorf("nDPI result %s has no capture: %v", name, err)
			continue
		}
		res := runFlowscope(t, nil, "-q", "-o", "json", "-r", capture)
		flows := parseJSONFlows(t, res.stdout)
		for _, nf := range parseNDPI(t, out) {
			if !nf.dpi || nf.unidentified {
				continue
			}
			f := matchNDPI(flows, nf)
			where := fmt.Sprintf("%s %s %s <-> %s", name, nf.proto, nf.a, nf.b)
			if f != nil {
				for _, x := range f.Findings {
					if x.Service != "" && x.Service != nf.service {
						contradicted = append(contradicted, fmt.Sprintf("%s: %s %s, nDPI says %s", where, x.Kind, x.Service, strings.Join(nf.names, ".")))
						contradictedBy[fmt.Sprintf("%s: %s %s, nDPI says %s", name, x.Kind, x.Service, strings.Join(nf.names, "."))]++
					}
				}
			}
			if nf.service == "" {
				continue // a protocol we have no detector for
			}
			compared++
			ours := "no flow"
			if f != nil {
				ours = f.Service
				if ours == "" {
					ours = "unidentified"
				}
			}
			if f != nil && f.Service == nf.service {
				agree++
			} else {
				classes[nf.service+" -> "+ours] = append(classes[nf.service+" -> "+ours], where)
			}
			if nf.nonStdPort {
				nonStd++
				if f != nil && hasFinding(f, "nonstandard-port", nf.service) {
					nonStdFound++
				} else {
					class := nf.service + " non-std-port -> no finding (" + ours + ")"
					classes[class] = append(classes[class], where)
				}
			}
		}
	}
	keys := make([]string, 0, len(classes))
	for k := range classes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seen := map[string]bool{}
	for _, k := range keys {
		t.Logf("disagreement %s: %d", k, len(classes[k]))
		for _, w := range classes[k] {
			why, ok := corpusAccepted[k+": "+w]
			if !ok {
				t.Errorf("    %s: a disagreement not in corpusAccepted", w)
				continue
			}
			seen[k+": "+w] = true
			t.Logf("    %s: %s", w, why)
		}
	}
	for k := range corpusAccepted {
		if !seen[k] {
			t.Errorf("accepted disagreement no longer occurs (drop it here and in README.md): %s", k)
		}
	}
	for k, n := range contradictedBy {
		if _, ok := corpusContradicted[k]; !ok {
			t.Errorf("%d finding(s) nDPI's payload verdict contradicts, not in corpusContradicted (judge them by the payload, list them here and in README.md): %s", n, k)
		}
	}
	for k := range corpusContradicted {
		if contradictedBy[k] == 0 {
			t.Errorf("contradicted finding no longer occurs (drop it here and in README.md): %s", k)
		}
	}
	sort.Strings(contradicted)
	for _, c := range contradicted {
		t.Logf("finding nDPI's payload verdict contradicts: %s", c)
	}
	agreement := float64(agree) / float64(max(1, compared))
	nonStdShare := float64(nonStdFound) / float64(max(1, nonStd))
	t.Logf("ndpi-corpus: services agree on %d of %d flows nDPI identifies by payload (%.3f); nonstandard-port on %d of %d nDPI flags (%.3f)",
		agree, compared, agreement, nonStdFound, nonStd, nonStdShare)
	if agreement < corpusAgreementFloor {
		t.Errorf("agreement %.3f is below its floor %.3f", agreement, corpusAgreementFloor)
	}
	if nonStdShare < corpusNonStdFloor {
		t.Errorf("nonstandard-port share %.3f is below its floor %.3f", nonStdShare, corpusNonStdFloor)
	}
}
