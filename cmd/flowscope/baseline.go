package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/report"
	"github.com/flowscope/flowscope/report/rules"
	"github.com/spf13/pflag"
)

// Ways baseline pins a server (--by).
const (
	baselineByName    = "name"    // the name the client used, else the address
	baselineByAddress = "address" // the literal address
	baselineByCIDR    = "cidr"    // the address's /24 (IPv4) or /64 (IPv6)
)

// runBaseline is `flowscope baseline [--by name|address|cidr] capture...`: a
// rules file listing what the captures contain, so that `check` passes on
// them and fails on a new server, port, service or finding.
func runBaseline(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("flowscope baseline", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	by := fs.String("by", baselineByName, "pin servers by `HOW`: name (SNI, HTTP Host or DNS name where the flow has one, else address), address, or cidr (/24 for IPv4, /64 for IPv6)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: flowscope baseline [--by name|address|cidr] capture [capture ...] > rules.yaml\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return checkPass
		}
		fmt.Fprintf(stderr, "flowscope baseline: %v\n", err)
		return checkUsage
	}
	switch *by {
	case baselineByName, baselineByAddress, baselineByCIDR:
	default:
		fmt.Fprintf(stderr, "flowscope baseline: --by %s: want name, address or cidr\n", report.Quote(*by))
		return checkUsage
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return checkUsage
	}
	captures := fs.Args()
	pins := &baselinePins{by: *by, selectors: map[string]bool{}, allows: map[string]bool{}}
	for _, path := range captures {
		stats, err := analyzeCapture(path, pins)
		if err != nil {
			fmt.Fprintf(stderr, "flowscope baseline: %s\n", report.Escape(err.Error()))
			if stats.Frames == 0 {
				return checkBadInput
			}
		}
	}
	selectors, allows := pins.selectors, pins.allows
	w := bufio.NewWriter(stdout)
	names := make([]string, len(captures))
	for i, c := range captures {
		names[i] = report.Escape(c) // a comment line: no raw newline may end it
	}
	fmt.Fprintf(w, "# flowscope baseline --by %s of %s\n", *by, strings.Join(names, ", "))
	fmt.Fprintln(w, "# Used as it is, `flowscope check --rules` passes on these captures and fails on a capture with")
	fmt.Fprintln(w, "# a server, port, service or finding they did not have (\"service: none\" pins a server and")
	fmt.Fprintln(w, "# port where no service was recognised). Edit it to taste.")
	fmt.Fprintln(w, "rules:")
	if len(selectors) > 0 {
		fmt.Fprintln(w, "  - name: only the servers, ports and services of the baseline")
		fmt.Fprintln(w, "    only:")
		for _, s := range sortedKeys(selectors) {
			fmt.Fprintf(w, "      - %s\n", s)
		}
	}
	fmt.Fprintln(w, "  - forbid: {finding: nonstandard-port}")
	fmt.Fprintln(w, "  - forbid: {finding: port-mismatch}")
	fmt.Fprintln(w, "  - forbid: {finding: protocol-mismatch}")
	fmt.Fprintln(w, "  - forbid: {finding: beacon}")
	for _, a := range sortedKeys(allows) {
		fmt.Fprintf(w, "  - allow: %q\n", a)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(stderr, "flowscope baseline: %v\n", err)
		return checkUsage
	}
	return checkPass
}

// baselinePins collects, as records stream past, the selectors and allow
// lines a baseline pins: sets as large as the distinct servers, never the
// records.
type baselinePins struct {
	by                string
	selectors, allows map[string]bool
}

func (p *baselinePins) Write(r *flow.Record) error {
	p.selectors[baselineSelector(r, p.by)] = true
	p.allow(r)
	return nil
}

// AddBeacon allows the beacons the baseline saw (report.BeaconReceiver):
// a group's finding, no flow to pin.
func (p *baselinePins) AddBeacon(r *flow.Record) { p.allow(r) }

// allow pins r's findings as allow lines.
func (p *baselinePins) allow(r *flow.Record) {
	for _, f := range report.Findings(r) {
		svc := f.Service
		if svc == "" {
			svc = "*"
		}
		p.allows[fmt.Sprintf("%s %s %s", svc, baselineAllowTarget(r, p.by), f.Kind)] = true
	}
}

func (p *baselinePins) Flush() error                { return nil }
func (p *baselinePins) Close(*report.Summary) error { return nil }

// baselineSelector writes the flow's server side as a rules selector,
// pinned as --by says. It always names the service, "none" when none was
// recognised: a selector without one would let any service through on
// that server and port.
func baselineSelector(r *flow.Record, by string) string {
	// Quoted: an IPv6 address is not a plain YAML scalar in a flow mapping,
	// and a name from the wire may hold anything.
	var server string
	switch {
	case by == baselineByName && baselineHasName(r):
		server = "server_name: " + strconv.Quote(r.ServerName)
	case by == baselineByCIDR:
		server = "server: " + strconv.Quote(baselineCIDR(r.Server.IP).String())
	default:
		server = "server: " + strconv.Quote(r.Server.IP.Unmap().WithZone("").String())
	}
	parts := []string{"proto: " + r.Proto, server}
	if r.Proto == "tcp" || r.Proto == "udp" || r.Proto == "sctp" {
		parts = append(parts, "port: "+r.Proto+"/"+strconv.Itoa(int(r.Server.Port)))
	}
	svc := r.Service
	if svc == "" {
		svc = rules.ServiceNone
	}
	parts = append(parts, "service: "+svc)
	return "{" + strings.Join(parts, ", ") + "}"
}

// baselineHasName reports whether --by name pins the flow by its name: it
// has one, and it is not an address literal (a Host "10.0.0.1" is pinned as
// the address it is) nor holds a "*" (which a selector would take as a glob).
func baselineHasName(r *flow.Record) bool {
	if r.ServerName == "" || strings.Contains(r.ServerName, "*") {
		return false
	}
	_, err := netip.ParseAddr(strings.Trim(r.ServerName, "[]"))
	return err != nil
}

// baselineCIDR is the network a server's address is pinned by with --by
// cidr: the /24 of an IPv4 address, the /64 of an IPv6 one (a CDN or a
// cloud provider hands out addresses from such blocks).
func baselineCIDR(ip netip.Addr) netip.Prefix {
	ip = ip.Unmap().WithZone("")
	bits := 24
	if ip.Is6() {
		bits = 64
	}
	p, _ := ip.Prefix(bits)
	return p
}

// baselineAllowTarget is where an allow line accepts a finding: the server
// and port by address; the /24 or /64 with --by cidr; with --by name the
// port alone when the flow has a name (an allowlist cannot name servers,
// and the name's address may change), else the address and port.
func baselineAllowTarget(r *flow.Record, by string) string {
	switch {
	case by == baselineByCIDR:
		return baselineCIDR(r.Server.IP).String()
	case by == baselineByName && baselineHasName(r) && (r.Proto == "tcp" || r.Proto == "udp" || r.Proto == "sctp"):
		return r.Proto + "/" + strconv.Itoa(int(r.Server.Port))
	}
	return hostPort(r)
}

// hostPort writes the server as an allowlist target.
func hostPort(r *flow.Record) string {
	ip := r.Server.IP.Unmap().WithZone("")
	if ip.Is6() {
		return "[" + ip.String() + "]:" + strconv.Itoa(int(r.Server.Port))
	}
	return ip.String() + ":" + strconv.Itoa(int(r.Server.Port))
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
