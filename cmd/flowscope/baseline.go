package main

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/report"
	"github.com/flowscope/flowscope/report/rules"
)

// runBaseline is `flowscope baseline capture...`: a rules file listing what
// the captures contain, so that `check` passes on them and fails on a new
// server, port, service or finding.
func runBaseline(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: flowscope baseline capture [capture ...] > rules.yaml")
		return checkUsage
	}
	selectors := map[string]bool{}
	allows := map[string]bool{}
	for _, path := range args {
		recs, stats, err := analyzeCapture(path)
		if err != nil {
			fmt.Fprintf(stderr, "flowscope baseline: %v\n", err)
			if stats.Frames == 0 {
				return checkBadInput
			}
		}
		for i := range recs {
			r := &recs[i]
			selectors[baselineSelector(r)] = true
			for _, f := range report.Findings(r) {
				svc := f.Service
				if svc == "" {
					svc = "*"
				}
				allows[fmt.Sprintf("%s %s %s", svc, hostPort(r), f.Kind)] = true
			}
		}
	}
	w := bufio.NewWriter(stdout)
	fmt.Fprintf(w, "# flowscope baseline of %s\n", strings.Join(args, ", "))
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
	for _, a := range sortedKeys(allows) {
		fmt.Fprintf(w, "  - allow: %q\n", a)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(stderr, "flowscope baseline: %v\n", err)
		return checkUsage
	}
	return checkPass
}

// baselineSelector writes the flow's server side as a rules selector. It
// always names the service, "none" when none was recognised: a selector
// without one would let any service through on that server and port.
func baselineSelector(r *flow.Record) string {
	// Quoted: an IPv6 address is not a plain YAML scalar in a flow mapping.
	parts := []string{"proto: " + r.Proto, "server: " + strconv.Quote(r.Server.IP.Unmap().WithZone("").String())}
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
