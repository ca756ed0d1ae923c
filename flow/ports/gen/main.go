// Command gen converts the IANA Service Name and Transport Protocol Port
// Number Registry into the compact text table that package ports embeds.
//
// It reads either a services(5) file such as Wireshark's copy of the
// registry (/usr/share/wireshark/services) or IANA's own
// service-names-port-numbers.csv, keeps tcp, udp and sctp, and writes one
// line per assignment:
//
//	port[-last] protocols name
//
// where protocols is a subset of "tus" (tcp, udp, sctp). Lines keep the
// source's order within a port, so the first name on a port is the primary.
//
// Usage:
//
//	go run ./flow/ports/gen -in /usr/share/wireshark/services -out flow/ports/registry.txt \
//		-source "IANA Service Name and Transport Protocol Port Number Registry as copied by Wireshark 4.0.17"
package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	portreg "github.com/flowscope/flowscope/flow/ports"
)

// Protocol bits, in the order their letters are written.
const (
	tcp uint8 = 1 << iota
	udp
	sctp
)

const protoLetters = "tus"

// entry is one assignment: a name on a port range over a set of protocols.
type entry struct {
	first, last uint16
	protos      uint8
	name        string
}

func main() {
	in := flag.String("in", "", "registry to read: a services(5) file or IANA's service-names-port-numbers.csv")
	out := flag.String("out", "-", "table to write, - for standard output")
	format := flag.String("format", "auto", "input format: auto, services or csv")
	source := flag.String("source", "", "where the registry came from (default depends on the format)")
	date := flag.String("date", "", "the registry's date, YYYY-MM-DD (default: the input file's modification date)")
	flag.Parse()
	if *in == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*in, *out, *format, *source, *date); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, out, format, source, date string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	if date == "" {
		fi, err := os.Stat(in)
		if err != nil {
			return err
		}
		date = fi.ModTime().UTC().Format(time.DateOnly)
	} else if _, err := time.Parse(time.DateOnly, date); err != nil {
		return fmt.Errorf("bad -date: %w", err)
	}
	if format == "auto" {
		format = "services"
		if strings.EqualFold(filepath.Ext(in), ".csv") {
			format = "csv"
		}
	}
	var es []entry
	switch format {
	case "services":
		es, err = parseServices(data)
		if source == "" {
			source = "IANA Service Name and Transport Protocol Port Number Registry, services(5) copy at " + in
		}
	case "csv":
		es, err = parseCSV(data)
		if source == "" {
			source = "IANA Service Name and Transport Protocol Port Number Registry (" + filepath.Base(in) + ")"
		}
	default:
		return fmt.Errorf("unknown -format %q", format)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if len(es) == 0 {
		return fmt.Errorf("%s: no tcp, udp or sctp assignments", in)
	}
	table := render(merge(es), source, date)
	if out == "-" {
		_, err = os.Stdout.Write(table)
		return err
	}
	return os.WriteFile(out, table, 0o644)
}

// parseServices reads services(5) lines such as "foo 64/tcp/udp # comment";
// Wireshark merges a name's protocols into one field that way.
func parseServices(data []byte) ([]entry, error) {
	var es []entry
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 2 {
			return nil, fmt.Errorf("line %d: want name and port/protocol", n)
		}
		ports, protos, _ := strings.Cut(f[1], "/")
		first, last, err := portreg.ParseRange(ports)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		var bits uint8
		for _, p := range strings.Split(protos, "/") {
			bits |= protoBit(p)
		}
		if bits != 0 {
			es = append(es, entry{first, last, bits, f[0]})
		}
	}
	return es, sc.Err()
}

// parseCSV reads IANA's registry CSV, finding its columns by header name.
// Rows without a name, a port or a kept protocol (reservations, names
// registered without a port, dccp) are skipped.
func parseCSV(data []byte) ([]entry, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	name, okN := col["service name"]
	port, okP := col["port number"]
	proto, okT := col["transport protocol"]
	if !okN || !okP || !okT {
		return nil, errors.New("header lacks Service Name, Port Number or Transport Protocol")
	}
	var es []entry
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return es, nil
		}
		if err != nil {
			return nil, err
		}
		if max(name, port, proto) >= len(rec) {
			continue
		}
		// IANA once allowed spaces in names; one space keeps the line parsable.
		n := strings.Join(strings.Fields(rec[name]), " ")
		p := strings.TrimSpace(rec[port])
		bits := protoBit(strings.TrimSpace(rec[proto]))
		if n == "" || p == "" || bits == 0 {
			continue
		}
		first, last, err := portreg.ParseRange(p)
		if err != nil {
			line, _ := r.FieldPos(port)
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		es = append(es, entry{first, last, bits, n})
	}
}

func protoBit(p string) uint8 {
	switch strings.ToLower(p) {
	case "tcp":
		return tcp
	case "udp":
		return udp
	case "sctp":
		return sctp
	}
	return 0
}

// merge orders entries by first port, keeping the source's order within a
// port (it decides the primary name), and joins adjacent rows that differ
// only in protocol, as the CSV lists one row per protocol.
func merge(es []entry) []entry {
	slices.SortStableFunc(es, func(a, b entry) int { return int(a.first) - int(b.first) })
	out := es[:0]
	for _, e := range es {
		if n := len(out); n > 0 {
			p := &out[n-1]
			if p.first == e.first && p.last == e.last && p.name == e.name {
				p.protos |= e.protos
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// render renders the table with a header saying where it came from.
func render(es []entry, source, date string) []byte {
	var b bytes.Buffer
	b.WriteString("# IANA Service Name and Transport Protocol Port Number Registry (CC0), tcp/udp/sctp only.\n")
	b.WriteString("# Generated by flow/ports/gen; do not edit.\n")
	fmt.Fprintf(&b, "# source: %s, file dated %s\n", source, date)
	b.WriteString("# format: port[-last] protocols(t=tcp u=udp s=sctp) name\n")
	for _, e := range es {
		b.WriteString(strconv.Itoa(int(e.first)))
		if e.last != e.first {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(int(e.last)))
		}
		b.WriteByte(' ')
		for i := range len(protoLetters) {
			if e.protos&(1<<i) != 0 {
				b.WriteByte(protoLetters[i])
			}
		}
		b.WriteByte(' ')
		b.WriteString(e.name)
		b.WriteByte('\n')
	}
	return b.Bytes()
}
