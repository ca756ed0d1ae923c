package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/flowscope/flowscope/capture"
	"github.com/flowscope/flowscope/internal/privdrop"
	"github.com/flowscope/flowscope/pipeline"
	"github.com/flowscope/flowscope/report"
)

// listInterfaces is -D: the interfaces libpcap can capture on.
func listInterfaces(stdout, stderr io.Writer) int {
	ifs, err := capture.Interfaces()
	if err != nil {
		printErr(stderr, err)
		return exitReadError
	}
	if len(ifs) == 0 {
		fmt.Fprintln(stderr, "flowscope: libpcap lists no interfaces (capturing usually needs root or CAP_NET_RAW)")
		return exitPermission
	}
	for n, i := range ifs {
		var flags []string
		if i.Up {
			flags = append(flags, "Up")
		}
		if i.Running {
			flags = append(flags, "Running")
		}
		if i.Loopback {
			flags = append(flags, "Loopback")
		}
		line := fmt.Sprintf("%d.%s", n+1, i.Name)
		if i.Description != "" {
			line += " (" + i.Description + ")"
		}
		if len(flags) > 0 {
			line += " [" + strings.Join(flags, ", ") + "]"
		}
		for _, a := range i.Addresses {
			if ones, bits := a.Mask.Size(); bits > 0 {
				line += fmt.Sprintf(" %s/%d", a.IP, ones)
			} else {
				line += " " + a.IP.String()
			}
		}
		fmt.Fprintln(stdout, line)
	}
	return exitOK
}

// liveSetup is what runLive prepares before the capture runs.
type liveSetup struct {
	o         *options
	stderr    io.Writer
	droppedTo string // the user root was given up for
}

// runLive captures on o.iface until -c, --duration, a signal or an error,
// and reports like the offline path.
func runLive(o *options, stdout, stderr io.Writer, allow *report.Allowlist) int {
	// Caught from the start: a stop asked for while the capture opens is
	// still a clean stop.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	// A reader that goes away (jq quit, head) makes writes fail with EPIPE
	// instead of killing the process: the capture then stops cleanly and
	// the -w file is completed.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)

	l, err := capture.OpenLive(capture.LiveOptions{
		Interface: o.iface, Snaplen: o.snaplen, Promisc: o.promisc, BufferSize: o.bufferMiB << 20,
		Immediate: o.immediate, Filter: o.filter, Poll: pipeline.LivePoll, Engine: o.engine,
	})
	if err != nil {
		printErr(stderr, err)
		var ce *capture.Error
		if errors.As(err, &ce) && ce.Kind == capture.Permission {
			exe := "flowscope"
			if p, perr := os.Executable(); perr == nil {
				exe = p
			}
			fmt.Fprintf(stderr, "flowscope: run it as root (sudo %s -i %s ...), or allow it once: sudo setcap cap_net_raw,cap_net_admin=eip %s\n", exe, o.iface, exe)
		}
		return exitCode(err)
	}
	defer l.Close()

	r := &pipeline.LiveRun{Live: l, Stdout: stdout, Stderr: stderr, Filter: o.filter, Count: o.count,
		Duration: o.duration, Interval: o.interval, Quiet: o.quiet, FindingsOnly: o.findingsOnly, Table: o.output == "table",
		Config: pipeline.Config{Flow: o.flowConfig(), Workers: o.workers, Beacon: o.beaconConfig()}}
	s := &liveSetup{o: o, stderr: stderr}
	r.Info = report.Capture{Interface: o.iface, LinkType: capture.LinkTypeName(l.LinkType()),
		Snaplen: l.Snaplen(), Filter: o.filter, Engine: o.engine, WriteFile: o.writeFile}
	if code := s.dropPrivileges(); code != exitOK {
		return code
	}
	// Created after the drop, as the user it is for (like tcpdump): root
	// never opens a path the user chose.
	if o.writeFile != "" {
		r.Writer, err = capture.CreateWriter(o.writeFile, capture.WriterInfo{
			LinkType: l.LinkType(), Snaplen: l.Snaplen(), Interface: o.iface, Filter: o.filter})
		if err != nil {
			printErr(stderr, err)
			if s.droppedTo != "" && errors.Is(err, fs.ErrPermission) {
				fmt.Fprintf(stderr, "flowscope: the file is created as %s, who flowscope runs as by now: write where %s may, or keep root with -Z root\n", s.droppedTo, s.droppedTo)
			}
			if errors.Is(err, fs.ErrPermission) {
				return exitPermission // as for any permission problem (README, Exit codes)
			}
			return exitReadError
		}
	}
	// The collector's socket and the Zeek logs too (reconnecting later
	// needs no file), as the user, like the -w file.
	export, err := o.openExports(stderr, allow)
	// Until the run owns them, a failure closes what is open: the -w file
	// flushed, the collector's socket closed, the Zeek logs ended.
	abandon := func() {
		if r.Writer != nil {
			r.Writer.Close()
		}
		if export != nil {
			export.Close()
		}
	}
	if err != nil {
		printErr(stderr, err)
		abandon()
		return exitCode(err)
	}
	// Everything the run opens is open now: give up the rest, so that an
	// exploited packet parser could neither gain privileges nor open a file.
	confined, err := privdrop.Confine(l.Reads()...)
	if err != nil {
		printErr(stderr, err)
		abandon()
		return exitPermission
	}
	if !o.quiet {
		fmt.Fprintf(stderr, "flowscope: confined: %s\n", confined)
	}

	sc := o.sinkConfig(stdout, stderr, allow)
	sc.Export = export
	if o.output != "table" {
		sc.Width = 0
	}
	r.Opt = sc.Options
	// On a terminal only (not by width: --wide and $COLUMNS set that too).
	r.Opt.Refresh = o.output == "table" && isTerminal(stdout)
	if r.Sink, err = report.NewSink(sc); err != nil {
		printErr(stderr, err)
		abandon()
		return exitUsage
	}
	filter := ""
	if o.filter != "" {
		filter = fmt.Sprintf(", filter %q", o.filter)
	}
	// Scripts and tests wait for this line (also with -q): the capture is running.
	fmt.Fprintf(stderr, "flowscope: capturing on %s (link type %s, snaplen %d%s); Ctrl-C stops\n",
		report.Escape(o.iface), r.Info.LinkType, r.Info.Snaplen, filter)
	if r.Run(sigs) != 0 {
		return exitReadError
	}
	return exitOK
}

// dropPrivileges gives up root once the handle is open: to -Z USER, or by
// default to the user who ran sudo.
func (s *liveSetup) dropPrivileges() int {
	var t *privdrop.Target
	switch {
	case s.o.dropUser == "root":
		return exitOK
	case s.o.dropUser != "":
		if os.Geteuid() != 0 {
			fmt.Fprintf(s.stderr, "flowscope: -Z %s: switching user needs root; flowscope already runs as uid %d\n", s.o.dropUser, os.Geteuid())
			return exitPermission
		}
		var err error
		if t, err = privdrop.Lookup(s.o.dropUser); err != nil {
			fmt.Fprintf(s.stderr, "flowscope: %v\n", err)
			return exitUsage
		}
	default:
		if t = privdrop.FromSudo(); t == nil {
			if os.Geteuid() == 0 && !s.o.quiet {
				fmt.Fprintln(s.stderr, "flowscope: warning: packets are parsed as root; -Z USER drops to USER once the capture is open")
			}
			return exitOK
		}
	}
	if err := privdrop.Drop(t); err != nil {
		fmt.Fprintf(s.stderr, "flowscope: %v\n", err)
		return exitPermission
	}
	s.droppedTo = t.Name
	return exitOK
}
