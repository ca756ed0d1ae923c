package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/flowscope/flowscope/capture"
	"github.com/flowscope/flowscope/internal/buildinfo"
	"github.com/flowscope/flowscope/internal/clidoc"
)

// commands are the subcommands, as help, the man page and the completions
// list them.
var commands = []clidoc.Command{
	{Name: "check", Summary: "hold captures to a YAML rules file, for CI: one PASS/FAIL line per rule, JUnit, SARIF and HTML reports"},
	{Name: "baseline", Summary: "write a rules file from captures, that check passes on them and fails on anything new"},
	{Name: "help", Summary: "show this help, or a command's (flowscope help check)"},
	{Name: "version", Summary: "print the version, VCS revision and date, Go and libpcap versions, and the build (libpcap or pure Go)"},
}

var examples = []clidoc.Example{
	{Command: "flowscope -r capture.pcapng", Does: "the largest flows as a table, then the findings and a summary"},
	{Command: "flowscope -r capture.pcap -o json 'tcp or udp' | jq .", Does: "one JSON object per flow; the trailing arguments are a BPF filter"},
	{Command: "flowscope -r a.pcap -r b.pcap.zst -o csv > flows.csv", Does: "merge two captures in timestamp order, as CSV"},
	{Command: "sudo flowscope -i eth0 --interval 10s", Does: "capture live; a refreshed table every 10 s, the summary at Ctrl-C"},
	{Command: "flowscope -r capture.pcap --findings-only", Does: "only services on unexpected ports, with the bytes that prove it"},
	{Command: "sudo flowscope -i eth0 -q -o json --ipfix udp://collector:4739 > /dev/null", Does: "a sensor: every flow also goes as IPFIX to a collector (nfcapd, goflow2)"},
	{Command: "flowscope check --rules rules.yaml capture.pcap", Does: "CI: exit 1 when a rule fails"},
	{Command: "flowscope baseline capture.pcap > rules.yaml", Does: "pin what a capture holds, for check"},
}

// exitCodes are the exit codes' meanings (README.md, Exit codes).
var exitCodes = [][2]string{
	{"0", "every input was read to its end (live: stopped by -c, --duration or a signal)"},
	{"2", "usage error"},
	{"3", "an input file, or the -i interface, does not exist"},
	{"4", "permission denied: reading an input, capturing, dropping privileges or confining the process, or writing the -w file or --zeek-logs"},
	{"5", "an input is not a capture file"},
	{"6", "an input is truncated"},
	{"7", "an input has a corrupt record or compressed stream"},
	{"8", "the BPF filter does not compile"},
	{"9", "another read or write error (also: the --ipfix TCP collector cannot be reached, or lost flows)"},
}

// synopsis is the usage lines after the command's name.
var synopsis = []string{
	"-r FILE [-r FILE ...] [options] [BPF filter expression]",
	"-i IFACE [options] [BPF filter expression]",
	"-D",
	"COMMAND [arguments]",
}

// writeHelp prints flowscope's help on w (stdout: `flowscope --help |
// less` works) and returns the exit code of a help request.
func writeHelp(w io.Writer) int {
	var b strings.Builder
	b.WriteString("flowscope groups captured packets into bidirectional flows, identifies each flow's service\n")
	b.WriteString("from its payload and flags services on ports not registered for them.\n\nusage:\n")
	for _, s := range synopsis {
		fmt.Fprintf(&b, "  flowscope %s\n", s)
	}
	b.WriteString("\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-9s %s\n", c.Name, c.Summary)
	}
	b.WriteString("\noptions:\n")
	b.WriteString(newFlagSet(&options{}).FlagUsagesWrapped(120))
	b.WriteString("\nexamples:\n")
	for _, e := range examples {
		fmt.Fprintf(&b, "  %s\n      %s\n", e.Command, e.Does)
	}
	b.WriteString("\nMore: man flowscope, and README.md (output fields, findings, exit codes).\n")
	io.WriteString(w, b.String())
	return exitOK
}

// wantsHelp reports whether a subcommand's arguments ask for help.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "--help":
			return true
		}
	}
	return false
}

// runHelp is `flowscope help [COMMAND]`, and `flowscope COMMAND --help`:
// the help on stdout, exit 0.
func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		return writeHelp(stdout)
	}
	switch args[0] {
	case "check", "baseline":
		io.WriteString(stdout, commandUsage(args[0]))
		return exitOK
	}
	for _, c := range commands {
		if c.Name == args[0] {
			fmt.Fprintf(stdout, "usage: flowscope %s\n\n%s\n", c.Name, c.Summary)
			return exitOK
		}
	}
	fmt.Fprintf(stderr, "flowscope help: unknown command %q (commands: check, baseline, help, version)\n", args[0])
	return exitUsage
}

// commandUsage is the usage text check or baseline prints for --help
// (their flags are defined in check.go and baseline.go).
func commandUsage(name string) string {
	var out bytes.Buffer
	if name == "check" {
		runCheck([]string{"--help"}, &out, &out)
	} else {
		runBaseline([]string{"--help"}, &out, &out)
	}
	return out.String()
}

// printVersion is --version, -V and `flowscope version`.
func printVersion(stdout io.Writer) int {
	if err := buildinfo.Read(capture.LibraryVersion(), version).Write(stdout); err != nil {
		return exitReadError
	}
	return exitOK
}

// docPage is what the man page and completions are generated from.
func docPage() *clidoc.Page {
	cmds := make([]clidoc.Command, len(commands))
	copy(cmds, commands)
	for i := range cmds {
		if n := cmds[i].Name; n == "check" || n == "baseline" {
			cmds[i].Usage = commandUsage(n)
		}
	}
	return &clidoc.Page{
		Name:     "flowscope",
		Summary:  "group captured packets into flows, identify their services, flag services on unexpected ports",
		Synopsis: synopsis,
		Description: []string{
			"flowscope reads packet captures (pcap, pcapng, gzip- or zstd-compressed; -r) or captures live (-i) and groups the packets into bidirectional flows: client and server, protocol, packets and bytes per direction, timing, TCP flags, Zeek-compatible connection state and history, and a Community ID.",
			"It identifies each flow's service from its payload, never from its port, and reports a finding when a service runs on a port not registered for it, or a service port carries something else, with the bytes that prove it.",
			"The trailing arguments form a BPF filter in tcpdump syntax. With -o table (the default) the table, the findings and a summary go to standard output; with -o json or -o csv the flows go to standard output and the summary to standard error.",
		},
		Flags:     newFlagSet(&options{}),
		Commands:  cmds,
		Examples:  examples,
		ExitCodes: exitCodes,
		SeeAlso:   []string{"tcpdump(8)", "tshark(1)", "zeek(8)", "pcap-filter(7)"},
	}
}
