// Command flowscope groups captured packets into bidirectional flows and
// reports them. See README.md for flags, output fields and exit codes.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowscope/flowscope/capture"
	"github.com/flowscope/flowscope/export/ipfix"
	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/flow/beacon"
	"github.com/flowscope/flowscope/internal/clidoc"
	"github.com/flowscope/flowscope/pipeline"
	"github.com/flowscope/flowscope/report"
	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// Exit codes, documented in README.md.
const (
	exitOK         = 0
	exitUsage      = 2
	exitNotFound   = 3
	exitPermission = 4
	exitNotCapture = 5
	exitTruncated  = 6
	exitCorrupt    = 7
	exitBadFilter  = 8
	exitReadError  = 9
)

// version may be set at link time (-ldflags "-X main.version=v1.2.3");
// otherwise --version says what the Go toolchain stamped in.
var version string

// input is one -r argument and what became of it.
type input struct {
	path    string
	file    *capture.File
	problem string
}

type options struct {
	reads          []string
	output         string
	top            int
	maxFlows       int
	maxMemory      string
	tcpIdle        time.Duration
	udpIdle        time.Duration
	icmpIdle       time.Duration
	otherIdle      time.Duration
	active         time.Duration
	quiet          bool
	showVersion    bool
	wide           bool
	bytes          string
	filter         string
	allowFile      string
	minSeverity    string
	zeekJSON       bool
	zeekLogs       string
	findingsOnly   bool
	splt           int
	fields         []string
	flowsOnly      bool
	workers        int
	memBudget      int64
	maxIdentifying int
	beaconMin      float64
	beaconMinCount int
	beaconGroups   int

	// live capture
	iface      string
	listIfaces bool
	snaplen    int
	promisc    bool
	noPromisc  bool
	bufferMiB  int
	immediate  bool
	writeFile  string
	count      uint64
	duration   time.Duration
	interval   time.Duration
	dropUser   string
	engine     string

	ipfix       string
	ipfixDomain uint32
	ipfixTarget *ipfix.Target
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// newFlagSet defines flowscope's flags on o. The man page and the shell
// completions are generated from it too (docs.go), so that they list
// exactly what is parsed.
func newFlagSet(o *options) *pflag.FlagSet {
	d := flow.DefaultConfig()
	fs := pflag.NewFlagSet("flowscope", pflag.ContinueOnError)
	fs.SetInterspersed(false)
	fs.SortFlags = false
	fs.StringArrayVarP(&o.reads, "read", "r", nil, "read packets from `FILE` (pcap, pcapng, gzip/zstd; - for stdin); repeat to merge files")
	fs.StringVarP(&o.output, "output", "o", "table", "output `FORMAT`: "+strings.Join(report.FormatNames(), ", "))
	fs.IntVar(&o.top, "top", 20, "table: show at most `N` flows (0 for all)")
	fs.BoolVar(&o.wide, "wide", false, "table: show every column, whatever the terminal's width")
	fs.StringVar(&o.bytes, "bytes", "frame", "the table's byte columns and the summary count `KIND`: frame (link-layer frames, as tshark -z conv and capinfos) or ip (IP packets, as Zeek)")
	fs.IntVar(&o.maxFlows, "max-flows", 0, "open flows kept at most; the longest idle is evicted beyond (default: what --max-memory allows)")
	fs.StringVar(&o.maxMemory, "max-memory", defaultMaxMemory, "memory for open flows (`SIZE`: e.g. 512MiB, 2GiB): sets --max-flows, and the Go heap's soft limit")
	fs.DurationVar(&o.tcpIdle, "tcp-timeout", d.TCPIdle, "end a TCP flow after this long without packets (packet time)")
	fs.DurationVar(&o.udpIdle, "udp-timeout", d.UDPIdle, "end a UDP flow after this long without packets")
	fs.DurationVar(&o.icmpIdle, "icmp-timeout", d.ICMPIdle, "end an ICMP flow after this long without packets")
	fs.DurationVar(&o.otherIdle, "other-timeout", d.OtherIdle, "end a flow of another protocol after this long without packets")
	fs.DurationVar(&o.active, "active-timeout", d.Active, "split flows open longer than this into several records (0: never)")
	fs.StringSliceVar(&o.fields, "fields", nil, "CSV or table columns to show, comma-separated (`LIST`; see the README)")
	fs.BoolVar(&o.flowsOnly, "flows-only", false, "only flows: no service identification, metadata or features (fastest)")
	fs.IntVarP(&o.workers, "workers", "j", 0, "flow tables to shard flows over, one goroutine each (0: one per CPU, GOMAXPROCS)")
	fs.IntVar(&o.splt, "splt", d.SPLT, "record the first `N` packets' lengths, directions and gaps per flow (0: off)")
	fs.StringVar(&o.allowFile, "allow", "", "suppress the findings a `FILE` allows (lines: SERVICE TARGET [KIND], see the README)")
	fs.BoolVar(&o.findingsOnly, "findings-only", false, "print only the findings (in the -o format)")
	fs.StringVar(&o.zeekLogs, "zeek-logs", "", "also write Zeek's conn, dns, ssl, http, ssh and notice logs into `DIR`")
	fs.BoolVar(&o.zeekJSON, "zeek-json", false, "-o zeek, --zeek-logs: write Zeek's JSON logs (LogAscii::use_json) instead of its TSV")
	fs.StringVar(&o.minSeverity, "min-severity", "", "show only findings of at least this `LEVEL`: info, low, medium or high (default: all)")
	fs.Float64Var(&o.beaconMin, "beacon-min", beacon.DefaultMinScore, "report a group of connections as a beacon from this `SCORE` on (0 to 1; see the README's Beacons)")
	fs.IntVar(&o.beaconMinCount, "beacon-min-count", beacon.DefaultMinCount, "report a beacon only once its group has `N` distinct connection times (4 to 256; 0: no beacon detection)")
	fs.IntVar(&o.beaconGroups, "beacon-groups", beacon.DefaultMaxGroups, "connection groups the beacon detector tracks at most (`N`); the least recently seen is forgotten beyond")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no summary and no progress on stderr (json, csv)")
	fs.BoolVarP(&o.showVersion, "version", "V", false, "print the version, build, Go and libpcap versions and exit")
	fs.StringVar(&o.ipfix, "ipfix", "", "also export every flow as IPFIX to `URL`: udp://HOST:PORT or tcp://HOST:PORT (see the README)")
	fs.Uint32Var(&o.ipfixDomain, "ipfix-domain", ipfix.DefaultDomain, "IPFIX observation domain `ID` of the export")
	fs.StringVarP(&o.iface, "interface", "i", "", "capture live on `IFACE` (\"any\" for all; needs CAP_NET_RAW)")
	fs.BoolVarP(&o.listIfaces, "list-interfaces", "D", false, "list the interfaces that can be captured on, with their addresses")
	fs.IntVarP(&o.snaplen, "snaplen", "s", 262144, "live: bytes kept of each packet")
	fs.BoolVar(&o.promisc, "promisc", true, "live: put the interface in promiscuous mode")
	fs.BoolVarP(&o.noPromisc, "no-promisc", "p", false, "live: do not put the interface in promiscuous mode")
	fs.IntVarP(&o.bufferMiB, "buffer-size", "B", 32, "live: kernel capture buffer in `MiB`")
	fs.BoolVar(&o.immediate, "immediate", false, "live: hand each packet over as it arrives (lower latency, more CPU)")
	fs.StringVarP(&o.writeFile, "write", "w", "", "live: also save the captured packets to `FILE` (.pcapng: pcapng, else pcap)")
	fs.Uint64VarP(&o.count, "count", "c", 0, "live: stop after `N` packets")
	fs.DurationVar(&o.duration, "duration", 0, "live: stop after this long (e.g. 30s, 5m)")
	fs.DurationVar(&o.interval, "interval", 0, "live: report every `D` (e.g. 10s): ended flows, a refreshed table, libpcap's counters")
	fs.StringVarP(&o.dropUser, "user", "Z", "", "live: become `USER` once the capture is open (default: the sudo user; \"root\" keeps root)")
	fs.StringVar(&o.engine, "engine", "libpcap", "live: capture `ENGINE`: libpcap, or afpacket (Linux: the TPACKET_V3 ring read in Go)")
	// How the shells complete each value (internal/clidoc).
	for name, how := range map[string][]string{
		"read": {"file"}, "write": {"file"}, "allow": {"file"}, "interface": {"interface"}, "user": {"user"},
		"output": append([]string{"words"}, report.FormatNames()...), "bytes": {"words", "frame", "ip"},
		"engine": {"words", "libpcap", "afpacket"},
	} {
		if err := fs.SetAnnotation(name, clidoc.Complete, how); err != nil {
			panic(err) // a flag renamed without its completion: caught by every test
		}
	}
	// Help is printed by run, on stdout; pflag would print it on errors too.
	fs.Usage = func() {}
	return fs
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := newFlagSet(o)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	o.filter = strings.TrimSpace(strings.Join(fs.Args(), " "))
	if o.showVersion {
		return o, nil
	}
	if !slices.Contains(report.FormatNames(), o.output) {
		return nil, fmt.Errorf("unknown output format %q (want %s)", o.output, strings.Join(report.FormatNames(), ", "))
	}
	if o.listIfaces {
		return o, nil
	}
	if o.noPromisc {
		o.promisc = false
	}
	if o.bytes != "frame" && o.bytes != "ip" {
		return nil, fmt.Errorf("--bytes %q: want frame or ip", o.bytes)
	}
	switch {
	case len(o.reads) == 0 && o.iface == "":
		if f := firstFile(fs.Args()); f != "" {
			return nil, fmt.Errorf("no input: %q is a file, but trailing arguments are a BPF filter; read it with -r %s", f, report.Escape(f))
		}
		return nil, errors.New("no input: give a capture file with -r FILE (or -r - for standard input), or an interface with -i IFACE (flowscope -D lists them)")
	case len(o.reads) > 0 && o.iface != "":
		return nil, errors.New("-r and -i cannot be combined: read files or capture live, not both")
	case o.iface == "" && (o.writeFile != "" || o.count > 0 || o.duration > 0 || o.interval > 0 || o.dropUser != ""):
		return nil, errors.New("-w, -c, --duration, --interval and -Z apply to live capture (-i IFACE)")
	}
	if o.iface != "" {
		if o.writeFile == "-" {
			return nil, errors.New("-w - is not supported: standard output carries the flows; give a file name")
		}
		if o.snaplen < 64 || o.snaplen > 262144 {
			return nil, errors.New("--snaplen must be between 64 and 262144")
		}
		if o.bufferMiB < 1 || o.bufferMiB > 4096 {
			return nil, errors.New("--buffer-size must be between 1 and 4096 MiB")
		}
		if o.duration < 0 || o.interval < 0 {
			return nil, errors.New("--duration and --interval must be positive")
		}
		if o.interval > 0 && o.interval < 100*time.Millisecond {
			return nil, errors.New("--interval must be at least 100ms")
		}
		if o.engine != "libpcap" && o.engine != "afpacket" {
			return nil, fmt.Errorf("unknown capture engine %q (want libpcap or afpacket)", o.engine)
		}
	}
	if err := report.CheckFields(o.output, o.fields); err != nil && !o.findingsOnly {
		return nil, err
	}
	if o.findingsOnly && o.output == "html" {
		return nil, errors.New("--findings-only does not apply to -o html: the page lists the findings with the rest")
	}
	if o.zeekJSON && o.output != "zeek" && o.zeekLogs == "" {
		return nil, errors.New("--zeek-json applies to -o zeek and --zeek-logs")
	}
	if err := report.CheckSeverity(o.minSeverity); err != nil {
		return nil, fmt.Errorf("--min-severity: %w", err)
	}
	if !(o.beaconMin > 0 && o.beaconMin <= 1) {
		return nil, errors.New("--beacon-min must be above 0 and at most 1")
	}
	if o.beaconMinCount != 0 && (o.beaconMinCount < 4 || o.beaconMinCount > beacon.Window) {
		return nil, fmt.Errorf("--beacon-min-count must be between 4 and %d (0: no beacon detection)", beacon.Window)
	}
	if o.beaconGroups < 1 || o.beaconGroups > 1<<24 {
		return nil, errors.New("--beacon-groups must be between 1 and 16777216")
	}
	if o.workers < 0 || o.workers > 256 {
		return nil, errors.New("--workers must be between 0 (one per CPU) and 256")
	}
	if o.splt < 0 || o.splt > 1000 {
		return nil, errors.New("--splt must be between 0 and 1000")
	}
	if o.top < 0 {
		return nil, errors.New("--top must be >= 0")
	}
	if o.maxFlows < 0 || o.maxFlows > 1<<30 {
		return nil, errors.New("--max-flows must be between 1 and 1073741824 (0: what --max-memory allows)")
	}
	budget, err := parseSize(o.maxMemory)
	if err != nil || budget < 16<<20 {
		return nil, fmt.Errorf("--max-memory %q: want a size of at least 16MiB, e.g. 512MiB or 2GiB", o.maxMemory)
	}
	o.memBudget = budget
	flows, identifying := flow.Budget(budget, o.flowsOnly)
	if o.maxFlows == 0 {
		o.maxFlows = flows
	}
	o.maxIdentifying = identifying
	if o.ipfix != "" {
		if o.ipfixTarget, err = ipfix.ParseURL(o.ipfix); err != nil {
			return nil, fmt.Errorf("--ipfix %w", err)
		}
		if !fs.Changed("active-timeout") {
			o.active = ipfixActive
		}
	}
	if o.tcpIdle <= 0 || o.udpIdle <= 0 || o.icmpIdle <= 0 || o.otherIdle <= 0 || o.active < 0 {
		return nil, errors.New("idle timeouts must be > 0 and --active-timeout >= 0")
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "check" || args[0] == "baseline") {
		if wantsHelp(args[1:]) {
			return runHelp(args[:1], stdout, stderr)
		}
		if args[0] == "check" {
			return runCheck(args[1:], stdout, stderr)
		}
		return runBaseline(args[1:], stdout, stderr)
	}
	if len(args) > 0 {
		switch args[0] {
		case "help":
			return runHelp(args[1:], stdout, stderr)
		case "version":
			return printVersion(stdout)
		}
	}
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return writeHelp(stdout)
		}
		printErr(stderr, err)
		fmt.Fprintln(stderr, "flowscope: see flowscope --help")
		return exitUsage
	}
	if o.showVersion {
		return printVersion(stdout)
	}
	if o.listIfaces {
		return listInterfaces(stdout, stderr)
	}
	limitHeap(o.memBudget)

	var allow *report.Allowlist
	if o.allowFile != "" {
		f, err := os.Open(o.allowFile)
		if err == nil {
			allow, err = report.ParseAllowlist(f, o.allowFile)
			f.Close()
		}
		if err != nil {
			fmt.Fprintf(stderr, "flowscope: allowlist: %v\n", err)
			return exitUsage
		}
	}

	if o.iface != "" {
		return runLive(o, stdout, stderr, allow)
	}

	var filter *capture.Filter
	if o.filter != "" {
		if filter, err = capture.NewFilter(o.filter); err != nil {
			printErr(stderr, err)
			if f := firstFile(strings.Fields(o.filter)); f != "" {
				fmt.Fprintf(stderr, "flowscope: %q is a file, not a filter: give each capture its own -r (-r %s -r %s)\n", f, report.Escape(o.reads[len(o.reads)-1]), report.Escape(f))
			}
			return exitBadFilter
		}
	}
	sc := o.sinkConfig(stdout, stderr, allow)
	if sc.Export, err = o.openExports(stderr, allow); err != nil {
		printErr(stderr, err)
		return exitCode(err)
	}
	sink, err := report.NewSink(sc)
	if err != nil {
		printErr(stderr, err)
		return exitUsage
	}
	cfg := pipeline.Config{Flow: o.flowConfig(), Workers: o.workers, Filter: filter, Beacon: o.beaconConfig()}
	progressOn := !o.quiet && isTerminal(stderr)
	res := pipeline.RunFiles(o.reads, cfg, sink, func(files []*capture.File) pipeline.Progress {
		return newProgress(stderr, files, progressOn)
	})
	code := exitOK
	for _, err := range res.Errors {
		printErr(stderr, err)
		if c := exitCode(err); code == exitOK {
			code = c
		}
	}
	if filter != nil {
		for lt, ferr := range filter.FilterErrors() {
			fmt.Fprintf(stderr, "flowscope: warning: the filter does not apply to link type %s (its frames were skipped): %v\n", capture.LinkTypeName(lt), ferr)
		}
	}
	if res.Opened == 0 {
		// Nothing could be opened: the messages above say why, and an
		// empty report would only hide them. The exports still end (the
		// socket closed, the Zeek logs' #close written).
		if sc.Export != nil {
			sc.Export.Close()
		}
		return code
	}
	err = res.OutputErr
	if cerr := sink.Close(res.Summary(o.filter)); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "flowscope: writing output: %v\n", err)
		if code == exitOK {
			code = exitReadError
		}
	}
	return code
}

// sinkConfig is the output's configuration from the flags.
func (o *options) sinkConfig(stdout, stderr io.Writer, allow *report.Allowlist) report.SinkConfig {
	return report.SinkConfig{
		Stdout: stdout, Stderr: stderr, FindingsOnly: o.findingsOnly, Quiet: o.quiet,
		Options: report.Options{Top: o.top, Allow: allow, Format: o.output, Fields: o.fields, Width: o.tableWidth(stdout), Bytes: o.byteKind(),
			MinSeverity: o.minSeverity, ZeekJSON: o.zeekJSON},
	}
}

// tableWidth is the width the table fits: none with --wide, else $COLUMNS
// when set (as ls does: `COLUMNS=100 flowscope ... | less`), else the
// terminal's, else none.
func (o *options) tableWidth(stdout io.Writer) int {
	if o.wide {
		return 0
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return terminalWidth(stdout)
}

func (o *options) byteKind() report.ByteKind {
	if o.bytes == "ip" {
		return report.IPBytes
	}
	return report.FrameBytes
}

// beaconConfig is the beacon detector's configuration, nil when off
// (--flows-only has no findings).
func (o *options) beaconConfig() *beacon.Config {
	if o.flowsOnly || o.beaconMinCount == 0 {
		return nil
	}
	return &beacon.Config{MinScore: o.beaconMin, MinCount: o.beaconMinCount, MaxGroups: o.beaconGroups}
}

// flowConfig is the flow table's configuration from the flags.
func (o *options) flowConfig() flow.Config {
	cfg := flow.Config{
		TCPIdle: o.tcpIdle, UDPIdle: o.udpIdle, ICMPIdle: o.icmpIdle, OtherIdle: o.otherIdle,
		Active: o.active, CloseDelay: flow.DefaultConfig().CloseDelay, MaxFlows: o.maxFlows, SPLT: o.splt,
		MaxIdentifying: o.maxIdentifying,
		FlowsOnly:      o.flowsOnly,
	}
	if o.flowsOnly {
		cfg.SPLT = 0
	}
	return cfg
}

// exitCode maps an input error to its documented exit code.
func exitCode(err error) int {
	var ce *capture.Error
	if errors.As(err, &ce) {
		switch ce.Kind {
		case capture.NotFound:
			return exitNotFound
		case capture.Permission:
			return exitPermission
		case capture.NotCapture:
			return exitNotCapture
		case capture.Truncated:
			return exitTruncated
		case capture.Corrupt, capture.Decompress:
			return exitCorrupt
		}
	}
	var fe *capture.FilterError
	if errors.As(err, &fe) {
		return exitBadFilter
	}
	if errors.Is(err, fs.ErrPermission) {
		return exitPermission // an output flowscope may not create (--zeek-logs)
	}
	return exitReadError
}

// terminalWidth is the width of the terminal w writes to, 0 if it is none.
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil {
			return width
		}
	}
	return 0
}

// firstFile returns the first of args that names an existing regular
// file, for the hint that a capture was given without -r.
func firstFile(args []string) string {
	for _, a := range args {
		if st, err := os.Stat(a); err == nil && st.Mode().IsRegular() {
			return a
		}
	}
	return ""
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// printErr writes an error to stderr, each line escaped as strings from the
// wire are (report.Escape): error messages name the user's paths and
// interfaces, which may hold terminal control bytes.
func printErr(stderr io.Writer, err error) {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = report.Escape(l)
	}
	fmt.Fprintf(stderr, "flowscope: %s\n", strings.Join(lines, "\n"))
}
