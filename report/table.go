package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flowscope/flowscope/flow"
)

type column uint8

// The columns, in the order they are shown.
const (
	colID column = iota
	colStart
	colClient
	colServer
	colName
	colProto
	colService
	colPortName
	colState
	colCPkts
	colCBytes
	colSPkts
	colSBytes
	colDur
	numCols
)

var colHeads = [numCols]string{"#", "START", "CLIENT", "SERVER", "NAME", "PROTO", "SERVICE", "PORT (CLASS)", "STATE",
	"C→S PKTS", "C→S BYTES", "S→C PKTS", "S→C BYTES", "DURATION"}

var colRight = [numCols]bool{colID: true, colCPkts: true, colCBytes: true,
	colSPkts: true, colSBytes: true, colDur: true}

// ByteKind is what the table's byte columns count.
type ByteKind uint8

const (
	// FrameBytes counts the link-layer frames, outer headers included:
	// what tshark -z conv, capinfos and Wireshark's statistics count.
	FrameBytes ByteKind = iota
	// IPBytes counts the IP packets, per their length field: Zeek's
	// ip_bytes, and the JSON's "bytes".
	IPBytes
)

// of is the side's bytes of this kind.
func (k ByteKind) of(s *flow.Side) uint64 {
	if k == IPBytes {
		return s.Bytes
	}
	return s.FrameBytes
}

// name says which bytes, for the summary's titles.
func (k ByteKind) name() string {
	if k == IPBytes {
		return "IP bytes"
	}
	return "frame bytes"
}

// total is both sides' bytes of this kind: the table's order.
func (k ByteKind) total(r *flow.Record) uint64 { return k.of(&r.Client) + k.of(&r.Server) }

const (
	colGap = 2
	// addrSoft is how narrow an address column may get before columns are
	// dropped instead: any IPv4 address with a port fits, so only IPv6
	// addresses are shortened while there is something left to drop.
	addrSoft = len("255.255.255.255:65535")
	ellipsis = "…"
)

// dropOrder is which columns go, in turn, when the table is too wide:
// the least telling first. CLIENT, SERVER, PROTO, SERVICE and the byte
// columns always stay (addresses are shortened instead), and the findings
// are listed below the table whatever the width.
var dropOrder = [][]column{{colDur}, {colCPkts, colSPkts}, {colStart}, {colPortName}, {colState}, {colID}, {colName}}

// colFields names the table's columns for --fields, with the CSV's names;
// the client and server columns are always shown.
var colFields = map[string]column{
	"id": colID, "server_name": colName, "proto": colProto, "service": colService, "port_service": colPortName,
	"port_class": colPortName, "conn_state": colState, "client_packets": colCPkts, "client_bytes": colCBytes,
	"server_packets": colSPkts, "server_bytes": colSBytes, "duration": colDur, "first_seen": colStart,
	"client_ip": colClient, "client_port": colClient, "server_ip": colServer, "server_port": colServer,
}

// TableFields lists the names --fields accepts for the table.
func TableFields() []string {
	names := make([]string, 0, len(colFields))
	for n := range colFields {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// WriteTable writes recs as an aligned table, sorted by total bytes of
// opt.Bytes (both directions) descending, then ID, then a legend (which
// bytes, which columns were hidden to fit opt.Width), followed by every
// finding that opt.Allow does not suppress (whatever opt.Top). It leaves
// recs in its order.
func WriteTable(w io.Writer, recs []flow.Record, opt Options) error {
	bw := bufio.NewWriter(w)
	if len(recs) == 0 {
		bw.WriteString("no flows\n")
		return flushTable(bw)
	}
	order := make([]int, len(recs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		a, b := &recs[i], &recs[j]
		if c := cmp.Compare(opt.Bytes.total(b), opt.Bytes.total(a)); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	shown := order
	if opt.Top > 0 && len(shown) > opt.Top {
		shown = shown[:opt.Top]
	}

	t := &table{recs: recs, rows: shown, maxWidth: opt.Width, bytes: opt.Bytes}
	if len(opt.Fields) > 0 {
		t.only = map[column]bool{colClient: true, colServer: true}
		for _, f := range opt.Fields {
			c, ok := colFields[f]
			if !ok {
				return fmt.Errorf("unknown table field %q (fields: %s)", f, strings.Join(TableFields(), ", "))
			}
			t.only[c] = true
		}
	}
	t.measure()
	t.fit()
	t.writeHeader(bw)
	for _, i := range shown {
		t.line = t.line[:0]
		for c := range numCols {
			if t.show[c] {
				t.cell = t.appendCell(t.cell[:0], &recs[i], c, t.width[c])
				t.addCell(c)
			}
		}
		t.flushLine(bw)
	}
	if more := len(recs) - len(shown) + opt.Hidden; more > 0 {
		t.line = fmt.Appendf(t.line[:0], "%s %d more flows (use --top 0 for all)", ellipsis, more)
		t.flushLine(bw)
	}
	t.writeLegend(bw)
	if ffs, _ := collectFindings(slices.Concat(recs, opt.Beacons), opt); len(ffs) > 0 {
		bw.WriteByte('\n')
		writeFindingsSection(bw, ffs, opt.Width)
	}
	return flushTable(bw)
}

func flushTable(bw *bufio.Writer) error {
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: write table: %w", err)
	}
	return nil
}

// table holds the layout and scratch buffers; widths are in runes.
type table struct {
	recs     []flow.Record
	rows     []int
	maxWidth int
	bytes    ByteKind

	natural [numCols]int // widest cell or header
	hardMin [numCols]int // address columns: narrowest that still shows every port
	width   [numCols]int
	show    [numCols]bool
	nShown  int
	only    map[column]bool // --fields: the columns asked for (nil: all)
	anyName bool            // some row has a server name; else NAME is left out
	anyICMP bool            // some row shows ICMP type/code
	hidden  []column        // dropped to fit maxWidth

	cell, line, host []byte
}

// measure finds each column's natural width over the rows shown.
func (t *table) measure() {
	for c := range numCols {
		t.natural[c] = utf8.RuneCountInString(colHeads[c])
		t.hardMin[c] = t.natural[c]
	}
	for _, i := range t.rows {
		r := &t.recs[i]
		t.anyName = t.anyName || r.ServerName != ""
		t.anyICMP = t.anyICMP || isICMP(r)
		for c := range numCols {
			t.cell = t.appendCell(t.cell[:0], r, c, 0)
			t.natural[c] = max(t.natural[c], utf8.RuneCount(t.cell))
		}
		t.hardMin[colClient] = max(t.hardMin[colClient], addrFixed(r, &r.Client)+1)
		t.hardMin[colServer] = max(t.hardMin[colServer], addrFixed(r, &r.Server)+1)
	}
}

// fit chooses the columns and widths that fit t.maxWidth: shorten
// addresses (IPv6 first, see addrSoft), then drop DURATION, SERVICE and
// the PKTS columns in turn, then shorten addresses down to "…:port". Lines that still do not
// fit are cut by flushLine.
func (t *table) fit() {
	for c := range numCols {
		t.show[c] = t.only == nil || t.only[c]
	}
	t.show[colName] = t.show[colName] && t.anyName
	t.width = t.natural
	if t.maxWidth > 0 {
		for step := 0; ; step++ {
			others, n := 0, 2 // the two address columns
			for c := range numCols {
				if t.show[c] && c != colClient && c != colServer {
					others += t.width[c]
					n++
				}
			}
			budget := t.maxWidth - others - colGap*(n-1)
			cw, sw := splitBudget(budget, t.natural[colClient], t.natural[colServer])
			softC := min(t.natural[colClient], max(t.hardMin[colClient], addrSoft))
			softS := min(t.natural[colServer], max(t.hardMin[colServer], addrSoft))
			if (cw >= softC && sw >= softS) || step == len(dropOrder) {
				t.width[colClient] = min(t.natural[colClient], max(t.hardMin[colClient], cw))
				t.width[colServer] = min(t.natural[colServer], max(t.hardMin[colServer], sw))
				break
			}
			for _, c := range dropOrder[step] {
				if t.show[c] {
					t.show[c] = false
					t.hidden = append(t.hidden, c)
				}
			}
		}
	}
	t.nShown = 0
	for c := range numCols {
		if t.show[c] {
			t.nShown++
		}
	}
}

// splitBudget shares budget runes between two columns that want a and b:
// the narrower keeps what it needs up to half, the wider gets the rest.
func splitBudget(budget, a, b int) (int, int) {
	if a+b <= budget {
		return a, b
	}
	if a <= b {
		x := min(a, budget/2)
		return x, budget - x
	}
	y := min(b, budget/2)
	return budget - y, y
}

func (t *table) writeHeader(bw *bufio.Writer) {
	t.line = t.line[:0]
	for c := range numCols {
		if t.show[c] {
			t.cell = append(t.cell[:0], colHeads[c]...)
			t.addCell(c)
		}
	}
	t.flushLine(bw)
}

// addCell appends t.cell to t.line, padded to its column's width.
func (t *table) addCell(c column) {
	if len(t.line) > 0 {
		t.line = appendSpaces(t.line, colGap)
	}
	pad := t.width[c] - utf8.RuneCount(t.cell)
	if colRight[c] {
		t.line = appendSpaces(t.line, pad)
	}
	t.line = append(t.line, t.cell...)
	if !colRight[c] {
		t.line = appendSpaces(t.line, pad)
	}
}

// flushLine writes t.line without trailing spaces, cut to maxWidth runes.
func (t *table) flushLine(bw *bufio.Writer) {
	line := t.line
	for len(line) > 0 && line[len(line)-1] == ' ' {
		line = line[:len(line)-1]
	}
	if t.maxWidth > 0 {
		line = cutRunes(line, t.maxWidth)
	}
	bw.Write(line)
	bw.WriteByte('\n')
}

// cutRunes shortens b to at most n runes, the last being "…" when cut.
// It may append to b's spare capacity.
func cutRunes(b []byte, n int) []byte {
	if utf8.RuneCount(b) <= n {
		return b
	}
	off := 0
	for range n - 1 {
		_, size := utf8.DecodeRune(b[off:])
		off += size
	}
	return append(b[:off], ellipsis...)
}

func appendSpaces(b []byte, n int) []byte {
	for range n {
		b = append(b, ' ')
	}
	return b
}

// appendCell appends column c of r; address cells are shortened to at
// most maxRunes when maxRunes > 0.
func (t *table) appendCell(b []byte, r *flow.Record, c column, maxRunes int) []byte {
	switch c {
	case colID:
		return strconv.AppendUint(b, r.ID, 10)
	case colStart:
		// UTC, as in JSON and CSV; the date is in first_seen there.
		return r.FirstSeen.UTC().AppendFormat(b, "15:04:05.000")
	case colClient:
		return t.appendAddr(b, r, &r.Client, maxRunes)
	case colServer:
		return t.appendAddr(b, r, &r.Server, maxRunes)
	case colName:
		// The SNI or DNS name came off the wire: escaped, like evidence.
		return append(b, Escape(r.ServerName)...)
	case colProto:
		b = appendOrDash(b, r.Proto)
		if isICMP(r) {
			// Type and code sit in the ports, as in Zeek's conn.log.
			b = append(b, ' ')
			b = strconv.AppendUint(b, uint64(r.Client.Port), 10)
			b = append(b, '/')
			b = strconv.AppendUint(b, uint64(r.Server.Port), 10)
		}
		return b
	case colService:
		// Empty, not "-": the record cannot tell a flow without payload
		// from one no detector recognised.
		return append(b, r.Service...)
	case colPortName:
		// The registry's name for the server port and its class, so that
		// SERVICE can be read against what the port suggests.
		if r.PortClass == "" {
			return b
		}
		b = appendOrDash(b, r.PortService)
		return append(append(append(b, " ("...), portClassShort(r.PortClass)...), ')')
	case colState:
		return appendOrDash(b, r.ConnState)
	case colCPkts:
		return strconv.AppendUint(b, r.Client.Packets, 10)
	case colCBytes:
		return appendByteSize(b, t.bytes.of(&r.Client))
	case colSPkts:
		return strconv.AppendUint(b, r.Server.Packets, 10)
	case colSBytes:
		return appendByteSize(b, t.bytes.of(&r.Server))
	case colDur:
		return appendHumanDuration(b, r.Duration())
	}
	return b
}

func appendOrDash(b []byte, s string) []byte {
	if s == "" {
		return append(b, '-')
	}
	return append(b, s...)
}

// addrFixed is the runes of an address cell that are never shortened:
// IPv6 brackets and ":port".
func addrFixed(r *flow.Record, s *flow.Side) int {
	if !hasPorts(r, s.Port) {
		return 0
	}
	n := 2 // ':' and the first digit
	for p := s.Port; p >= 10; p /= 10 {
		n++
	}
	if s.IP.Is6() {
		n += 2
	}
	return n
}

// appendAddr appends "ip:port" ("[ip]:port" for IPv6, just "ip" without a
// port), shortening the address in the middle to fit maxRunes.
func (t *table) appendAddr(b []byte, r *flow.Record, s *flow.Side, maxRunes int) []byte {
	t.host = t.host[:0]
	if s.IP.IsValid() {
		t.host = s.IP.AppendTo(t.host)
	} else {
		t.host = append(t.host, '-')
	}
	port := hasPorts(r, s.Port)
	bracket := port && s.IP.Is6()
	if bracket {
		b = append(b, '[')
	}
	host := t.host
	if keep := maxRunes - addrFixed(r, s); maxRunes > 0 && utf8.RuneCount(host) > keep {
		keep = max(keep, 1) - 1 // runes besides the ellipsis
		head := (keep + 1) / 2
		b = appendRunes(b, host, head)
		b = append(b, ellipsis...)
		host = lastRunes(host, keep-head)
	}
	b = append(b, host...)
	if bracket {
		b = append(b, ']')
	}
	if port {
		b = append(b, ':')
		b = strconv.AppendUint(b, uint64(s.Port), 10)
	}
	return b
}

// appendRunes appends the first n runes of s.
func appendRunes(b, s []byte, n int) []byte {
	off := 0
	for ; n > 0 && off < len(s); n-- {
		_, size := utf8.DecodeRune(s[off:])
		off += size
	}
	return append(b, s[:off]...)
}

// lastRunes returns the last n runes of s.
func lastRunes(s []byte, n int) []byte {
	off := len(s)
	for ; n > 0 && off > 0; n-- {
		_, size := utf8.DecodeLastRune(s[:off])
		off -= size
	}
	return s[off:]
}

// portClassShort abbreviates a port class for the table.
func portClassShort(c string) string {
	switch c {
	case "well-known":
		return "wk"
	case "registered":
		return "reg"
	case "dynamic":
		return "dyn"
	}
	return c
}

// isICMP reports whether the record's ports are ICMP type and code.
func isICMP(r *flow.Record) bool { return r.Proto == "icmp" || r.Proto == "icmp6" }

// appendByteSize appends n with its unit: "980 B", "4.3 kB", "12.1 MB"
// (decimal, as tshark and capinfos).
func appendByteSize(b []byte, n uint64) []byte {
	b = appendHumanBytes(b, n)
	if n < 1000 {
		return append(b, " B"...)
	}
	prefix := b[len(b)-1]
	return append(b[:len(b)-1], ' ', prefix, 'B')
}

// hiddenNames names hidden columns briefly (both PKTS columns as one).
var hiddenNames = [numCols]string{colID: "#", colStart: "START", colName: "NAME", colPortName: "PORT",
	colState: "STATE", colCPkts: "PKTS", colDur: "DURATION"}

// writeLegend says what the byte columns count and how to read the
// others, then which columns were hidden to fit the width and how to see
// them. Notes share a line while it fits.
func (t *table) writeLegend(bw *bufio.Writer) {
	var notes []string
	if t.show[colCBytes] || t.show[colSBytes] {
		if t.bytes == IPBytes {
			notes = append(notes, "BYTES: IP packets, as Zeek (--bytes frame: frames, as tshark)")
		} else {
			notes = append(notes, "BYTES: frames, as tshark -z conv (--bytes ip: IP packets)")
		}
	}
	if t.show[colStart] {
		notes = append(notes, "START: UTC")
	}
	if t.anyICMP && t.show[colProto] {
		notes = append(notes, "icmp T/C: type/code, or request/reply type (echo: 8/0), as Zeek")
	}
	if len(t.hidden) > 0 {
		slices.Sort(t.hidden) // in the order they would show
		var names []string
		for _, c := range t.hidden {
			if n := hiddenNames[c]; n != "" {
				names = append(names, n)
			}
		}
		notes = append(notes, ellipsis+" hidden (--wide): "+strings.Join(names, ", "))
	}
	t.line = t.line[:0]
	for _, n := range notes {
		if len(t.line) > 0 && t.maxWidth > 0 && utf8.RuneCount(t.line)+2+utf8.RuneCountInString(n) > t.maxWidth {
			t.flushLine(bw)
			t.line = t.line[:0]
		}
		t.line = appendSep(t.line)
		t.line = append(t.line, n...)
	}
	if len(t.line) > 0 {
		t.flushLine(bw)
	}
}

func appendSep(b []byte) []byte {
	if len(b) > 0 {
		return append(b, "; "...)
	}
	return b
}
