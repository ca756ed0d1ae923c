package main

// Readers for the peer tools' views of the shared captures: tshark's
// conversation tables and per-packet fields, Zeek's conn.log and the
// captures' MANIFEST.md.

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// conv is one row of a tshark "-z conv,tcp" or "-z conv,udp" table.
type conv struct {
	proto            string // "tcp" or "udp"
	a, b             netip.AddrPort
	framesAB         uint64 // "->" columns: A to B
	framesBA         uint64 // "<-" columns: B to A
	bytesAB, bytesBA byteCount
	text             string // "A <-> B" as tshark printed it; keys the exception table
}

// byteCount is a tshark byte cell: the range the true count lies in.
type byteCount struct{ lo, hi uint64 }

func (c byteCount) exact() bool            { return c.lo == c.hi }
func (c byteCount) contains(n uint64) bool { return c.lo <= n && n <= c.hi }

func (c byteCount) String() string {
	if c.exact() {
		return strconv.FormatUint(c.lo, 10)
	}
	return fmt.Sprintf("%d..%d", c.lo, c.hi)
}

// parseByteCell reads "4938 bytes" or "71 kB". Wireshark 4.0's format_size
// prints 10000 bytes and more with integer division (checked against the
// fields.tsv sums: 19931 bytes prints as "19 kB"), so "71 kB" is 71000..71999.
func parseByteCell(num, unit string) (byteCount, error) {
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return byteCount{}, err
	}
	var mult uint64
	switch unit {
	case "bytes":
		return byteCount{n, n}, nil
	case "kB":
		mult = 1e3
	case "MB":
		mult = 1e6
	case "GB":
		mult = 1e9
	default:
		return byteCount{}, fmt.Errorf("unknown byte unit %q", unit)
	}
	return byteCount{n * mult, n*mult + mult - 1}, nil
}

// splitAddrPort splits "2001:db8::1:80" at its last colon: tshark prints
// IPv6 addresses without brackets.
func splitAddrPort(s string) (netip.AddrPort, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return netip.AddrPort{}, fmt.Errorf("no port in %q", s)
	}
	ip, err := netip.ParseAddr(s[:i])
	if err != nil {
		return netip.AddrPort{}, err
	}
	port, err := strconv.ParseUint(s[i+1:], 10, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("port in %q: %w", s, err)
	}
	return netip.AddrPortFrom(ip, uint16(port)), nil
}

// parseTsharkConvs reads the TCP and UDP conversation tables of a
// expected/tshark/<file>.txt. A row is
// "A:port <-> B:port  <-frames <-bytes unit  ->frames ->bytes unit  total... start duration".
func parseTsharkConvs(path string) ([]conv, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var convs []conv
	proto := ""
	for n, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "UDP Conversations"):
			proto = "udp"
		case strings.HasPrefix(line, "TCP Conversations"):
			proto = "tcp"
		case strings.HasPrefix(line, "====="):
			proto = ""
		}
		if proto == "" || !strings.Contains(line, "<->") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 14 || f[1] != "<->" {
			return nil, fmt.Errorf("%s:%d: unexpected conversation row %q", path, n+1, line)
		}
		c := conv{proto: proto, text: f[0] + " <-> " + f[2]}
		if c.a, err = splitAddrPort(f[0]); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n+1, err)
		}
		if c.b, err = splitAddrPort(f[2]); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n+1, err)
		}
		if c.framesBA, err = strconv.ParseUint(f[3], 10, 64); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n+1, err)
		}
		if c.bytesBA, err = parseByteCell(f[4], f[5]); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n+1, err)
		}
		if c.framesAB, err = strconv.ParseUint(f[6], 10, 64); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n+1, err)
		}
		if c.bytesAB, err = parseByteCell(f[7], f[8]); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n+1, err)
		}
		convs = append(convs, c)
	}
	return convs, nil
}

// layer is one IP header of a frame as tshark decoded it, outermost first.
type layer struct {
	v6       bool
	src, dst netip.Addr
	proto    string // "tcp" or "udp" when tshark decoded ports, else ""
	sport    uint16
	dport    uint16
	fragment bool // an IPv4 fragment (MF or offset) or an IPv6 Fragment header
}

func (l *layer) srcAP() netip.AddrPort { return netip.AddrPortFrom(l.src, l.sport) }
func (l *layer) dstAP() netip.AddrPort { return netip.AddrPortFrom(l.dst, l.dport) }

// frameInfo is one row of expected/tshark/<file>.fields.tsv.
type frameInfo struct {
	number uint64
	len    uint64 // frame.len, the wire length
	capLen uint64
	layers []layer
}

// parseFieldsTSV reads tshark's per-packet fields. Repeated fields (outer and
// inner IP of a tunnel) are comma-joined, so the layers are rebuilt by
// walking frame.protocols and taking the next value of ip.* or ipv6.* for
// each "ip" or "ipv6" in it, and of tcp/udp ports for each "tcp"/"udp".
func parseFieldsTSV(path string) ([]frameInfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var col map[string]int
	var frames []frameInfo
	for n, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cells := strings.Split(line, "\t")
		if col == nil {
			col = map[string]int{}
			for i, name := range cells {
				col[name] = i
			}
			continue
		}
		get := func(name string) string {
			i, ok := col[name]
			if !ok || i >= len(cells) {
				return ""
			}
			return cells[i]
		}
		list := func(name string) []string {
			if v := get(name); v != "" {
				return strings.Split(v, ",")
			}
			return nil
		}
		at := func(l []string, i int) string {
			if i < len(l) {
				return l[i]
			}
			return ""
		}
		var fi frameInfo
		if fi.number, err = strconv.ParseUint(get("frame.number"), 10, 64); err != nil {
			return nil, fmt.Errorf("%s:%d: frame.number: %w", path, n+1, err)
		}
		if fi.len, err = strconv.ParseUint(get("frame.len"), 10, 64); err != nil {
			return nil, fmt.Errorf("%s:%d: frame.len: %w", path, n+1, err)
		}
		fi.capLen, _ = strconv.ParseUint(get("frame.cap_len"), 10, 64)
		v4src, v4dst, v6src, v6dst := list("ip.src"), list("ip.dst"), list("ipv6.src"), list("ipv6.dst")
		mf, off := list("ip.flags.mf"), list("ip.frag_offset")
		ports := map[string][2][]string{
			"tcp": {list("tcp.srcport"), list("tcp.dstport")},
			"udp": {list("udp.srcport"), list("udp.dstport")},
		}
		next := map[string]int{}
		toks := strings.Split(get("frame.protocols"), ":")
	walk:
		for i, tok := range toks {
			switch tok {
			case "ip", "ipv6":
				k := next[tok]
				next[tok]++
				l := layer{v6: tok == "ipv6"}
				var s, d string
				if l.v6 {
					s, d = at(v6src, k), at(v6dst, k)
					for _, t := range toks[i+1:] {
						if !strings.HasPrefix(t, "ipv6.") {
							break
						}
						l.fragment = l.fragment || t == "ipv6.fraghdr"
					}
				} else {
					s, d = at(v4src, k), at(v4dst, k)
					l.fragment = at(mf, k) == "1" || (at(off, k) != "" && at(off, k) != "0")
				}
				if l.src, err = netip.ParseAddr(s); err != nil {
					return nil, fmt.Errorf("%s:%d: %s layer %d: %w", path, n+1, tok, k, err)
				}
				if l.dst, err = netip.ParseAddr(d); err != nil {
					return nil, fmt.Errorf("%s:%d: %s layer %d: %w", path, n+1, tok, k, err)
				}
				fi.layers = append(fi.layers, l)
			case "tcp", "udp":
				k := next[tok]
				next[tok]++
				if len(fi.layers) == 0 {
					continue
				}
				l := &fi.layers[len(fi.layers)-1]
				sp, err1 := strconv.ParseUint(at(ports[tok][0], k), 10, 16)
				dp, err2 := strconv.ParseUint(at(ports[tok][1], k), 10, 16)
				if l.proto == "" && err1 == nil && err2 == nil {
					l.proto, l.sport, l.dport = tok, uint16(sp), uint16(dp)
				}
			case "icmp", "icmpv6":
				// What follows is the packet an ICMP error quotes; tshark
				// keeps it out of its conversations, and so do we.
				break walk
			}
		}
		frames = append(frames, fi)
	}
	return frames, nil
}

// dirKey is one direction of a TCP/UDP conversation.
type dirKey struct {
	proto    string
	src, dst netip.AddrPort
}

// dirStats is what one direction of a conversation carried.
type dirStats struct{ packets, frameBytes, fragments uint64 }

// fieldsDirStats counts frames and frame bytes per conversation direction
// from the per-packet fields, counting every IP fragment as a packet of its
// flow as flowscope does. tshark decodes the ports of a fragmented datagram
// only on the frame that completes it (the last fragment, for in-order
// fragments), so a fragment without ports (and fields.tsv has no IP ID) joins
// the next fragment with ports and the same addresses, or failing that the
// nearest one before it.
func fieldsDirStats(frames []frameInfo) map[dirKey]dirStats {
	stats := map[dirKey]dirStats{}
	type pair struct{ src, dst netip.Addr }
	type ported struct {
		idx int
		key dirKey
	}
	withPorts := map[pair][]ported{}
	type pending struct {
		idx int
		p   pair
	}
	var portless []pending
	for i := range frames {
		for _, l := range frames[i].layers {
			switch {
			case l.proto != "":
				k := dirKey{l.proto, l.srcAP(), l.dstAP()}
				s := stats[k]
				s.packets++
				s.frameBytes += frames[i].len
				if l.fragment {
					s.fragments++
				}
				stats[k] = s
				if l.fragment {
					p := pair{l.src, l.dst}
					withPorts[p] = append(withPorts[p], ported{i, k})
				}
			case l.fragment:
				portless = append(portless, pending{i, pair{l.src, l.dst}})
			}
		}
	}
	for _, f := range portless {
		cands := withPorts[f.p]
		if len(cands) == 0 {
			continue
		}
		best := cands[len(cands)-1] // nearest before, if none follows
		for _, c := range cands {
			if c.idx > f.idx {
				best = c
				break
			}
		}
		s := stats[best.key]
		s.packets++
		s.frameBytes += frames[f.idx].len
		s.fragments++
		stats[best.key] = s
	}
	return stats
}

// zeekConn is one line of a Zeek conn.log.
type zeekConn map[string]string

// parseZeekLog reads a Zeek ASCII log: "#fields" names the tab-separated columns.
func parseZeekLog(path string) ([]zeekConn, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var fields []string
	var rows []zeekConn
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "#fields\t"); ok {
			fields = strings.Split(rest, "\t")
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if fields == nil {
			return nil, fmt.Errorf("%s: data before #fields", path)
		}
		cells := strings.Split(line, "\t")
		if len(cells) != len(fields) {
			return nil, fmt.Errorf("%s: %d cells for %d fields in %q", path, len(cells), len(fields), line)
		}
		row := zeekConn{}
		for i, f := range fields {
			row[f] = cells[i]
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// manifestEntry is one capture of MANIFEST.md's file table.
type manifestEntry struct {
	file    string
	packets int // capinfos packet count
}

// parseManifest reads the "| # | File | Bytes | Format | Link type | Pkts | ..." table.
func parseManifest(path string) ([]manifestEntry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []manifestEntry
	for _, line := range strings.Split(string(data), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 8 {
			continue
		}
		if _, err := strconv.Atoi(strings.TrimSpace(cells[1])); err != nil {
			continue
		}
		name := strings.Trim(strings.TrimSpace(cells[2]), "`")
		pkts, err := strconv.Atoi(strings.TrimSpace(cells[6]))
		if err != nil {
			return nil, fmt.Errorf("%s: packets of %s: %w", path, name, err)
		}
		out = append(out, manifestEntry{name, pkts})
	}
	return out, nil
}
