package capture

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"
	"time"
)

// splitCapture deals the packets of a real capture alternately into n
// pcap files, so merging them must rebuild a time-ordered stream.
func splitCapture(t *testing.T, name string, n int) (parts [][]byte, all []Packet) {
	f, err := OpenFile(capture(t, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err = readAll(t, f)
	if err != nil {
		t.Fatal(err)
	}
	pkts := make([][]Packet, n)
	for i, p := range all {
		pkts[i%n] = append(pkts[i%n], p)
	}
	for i := range pkts {
		parts = append(parts, pcapFile(all[0].LinkType, 65535, pkts[i]...))
	}
	return parts, all
}

// wantMerged is the stable merge of the inputs: by time, ties in input order.
func wantMerged(inputs [][]Packet) []Packet {
	var all []Packet
	for i, in := range inputs {
		for _, p := range in {
			p.Input = i
			all = append(all, p)
		}
	}
	slices.SortStableFunc(all, func(a, b Packet) int { return a.Timestamp.Compare(b.Timestamp) })
	return all
}

func openAll(t *testing.T, parts [][]byte) ([]Source, [][]Packet) {
	var srcs []Source
	var inputs [][]Packet
	for _, data := range parts {
		f, err := Open(bytes.NewReader(data), "part")
		if err != nil {
			t.Fatal(err)
		}
		pkts, _ := readAll(t, f)
		inputs = append(inputs, pkts)
		f, _ = Open(bytes.NewReader(data), "part")
		srcs = append(srcs, f)
	}
	return srcs, inputs
}

func TestMerge(t *testing.T) {
	ts := time.Unix(1700000000, 0)
	at := func(sec int, seed int) Packet {
		return Packet{Timestamp: ts.Add(time.Duration(sec) * time.Second), Data: frame(seed, 40+seed), Len: 40 + seed, LinkType: 1}
	}
	netflix, _ := splitCapture(t, "ndpi__netflix.pcap", 2)
	dns, _ := splitCapture(t, "ndpi__dns_fragmented.pcap", 3)
	tests := []struct {
		name  string
		parts [][]byte
	}{
		{"netflix in two", netflix},
		{"dns in three", dns},
		{"one input", netflix[:1]},
		{"equal times keep input order", [][]byte{
			pcapFile(1, 65535, at(1, 1), at(2, 2), at(2, 3), at(3, 4)),
			pcapFile(1, 65535, at(0, 5), at(2, 6), at(2, 7)),
			pcapFile(1, 65535, at(2, 8), at(4, 9)),
		}},
		{"an empty input", [][]byte{pcapFile(1, 65535, at(1, 1), at(3, 2)), pcapFile(1, 65535), pcapFile(1, 65535, at(2, 3))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srcs, inputs := openAll(t, tt.parts)
			m := Merge(srcs...)
			defer m.Close()
			want := wantMerged(inputs)
			// readAll copies Data when it gets it, so a source read too
			// early (overwriting a returned packet) shows up here.
			got, err := readAll(t, m)
			if err != nil {
				t.Fatal(err)
			}
			comparePackets(t, got, want)
			if len(m.Errors()) != 0 {
				t.Errorf("errors: %v", m.Errors())
			}
			if err := m.Next(&Packet{}); err != io.EOF {
				t.Errorf("Next after the end = %v", err)
			}
		})
	}
	t.Run("rebuilds the original", func(t *testing.T) {
		parts, all := splitCapture(t, "ndpi__bittorrent.pcap", 4)
		srcs, _ := openAll(t, parts)
		m := Merge(srcs...)
		got, err := readAll(t, m)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(all) {
			t.Fatalf("%d packets, want %d", len(got), len(all))
		}
		for i := range got {
			if !bytes.Equal(got[i].Data, all[i].Data) || got[i].Input != i%4 {
				// Equal timestamps across inputs may legitimately reorder.
				if !got[i].Timestamp.Equal(all[i].Timestamp) {
					t.Fatalf("packet %d: input %d, time %s; want %s", i, got[i].Input, got[i].Timestamp, all[i].Timestamp)
				}
			}
		}
	})
	t.Run("no inputs", func(t *testing.T) {
		if err := Merge().Next(&Packet{}); err != io.EOF {
			t.Errorf("Next = %v", err)
		}
	})
}

// failing yields packets, then an error that is not an *Error.
type failing struct {
	pkts []Packet
	err  error
}

func (f *failing) Next(p *Packet) error {
	if len(f.pkts) == 0 {
		return f.err
	}
	*p, f.pkts = f.pkts[0], f.pkts[1:]
	return nil
}

func (f *failing) Close() error { return nil }

// TestMergeFailingSource: a source that fails is recorded and dropped, the
// others are read to the end.
func TestMergeFailingSource(t *testing.T) {
	good := readCapture(t, "tcpdump__dns_tcp.pcap")
	cut := readCapture(t, "ndpi__dns_fragmented.pcap")
	cut = cut[:len(cut)-10] // inside the last record
	for _, single := range []bool{false, true} {
		srcs, inputs := openAll(t, [][]byte{cut, good})
		ts := inputs[0][0].Timestamp
		other := &failing{
			pkts: []Packet{{Timestamp: ts, Data: []byte{1}, CapLen: 1, Len: 1}},
			err:  errors.New("device on fire"),
		}
		srcs = append(srcs, other)
		inputs = append(inputs, other.pkts)
		if single {
			srcs, inputs = srcs[:1], inputs[:1]
		}
		m := Merge(srcs...)
		got, err := readAll(t, m)
		if err != nil {
			t.Fatalf("Merge.Next returned %v; want io.EOF at the end", err)
		}
		comparePackets(t, got, wantMerged(inputs))
		errs := m.Errors()
		wantErrs := 2
		if single {
			wantErrs = 1
		}
		if len(errs) != wantErrs {
			t.Fatalf("errors %v, want %d", errs, wantErrs)
		}
		// The other source fails first: its only packet is the earliest.
		e := wantError(t, errs[len(errs)-1], Truncated)
		if e.Packets != uint64(len(inputs[0])) {
			t.Errorf("truncated input: error after %d packets, want %d", e.Packets, len(inputs[0]))
		}
		if !single {
			e = wantError(t, errs[0], IO)
			if e.Path != "input 2" || e.Err.Error() != "device on fire" {
				t.Errorf("wrapped error: %+v", e)
			}
		}
	}
}
