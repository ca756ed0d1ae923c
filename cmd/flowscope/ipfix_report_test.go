package main

import (
	"errors"
	"slices"
	"testing"

	"github.com/flowscope/flowscope/export/ipfix"
)

// TestIPFIXRows: the summary's export rows say what went, how often a TCP
// session was opened again, what waited for the collector and what was lost.
func TestIPFIXRows(t *testing.T) {
	head := [][2]string{{"ipfix", "tcp://127.0.0.1:4739, observation domain 1"}, {"sent", "10 flow records in 3 messages (900 bytes)"}}
	cases := []struct {
		name string
		s    ipfix.Stats
		more [][2]string
	}{
		{"all went", ipfix.Stats{Records: 10, Messages: 3, Octets: 900}, nil},
		{"a collector that restarted", ipfix.Stats{Records: 10, Messages: 3, Octets: 900, Reconnects: 1, Delayed: 2},
			[][2]string{{"reconnects", "1"}, {"delayed", "2 messages held while the collector was away"}}},
		{"lost", ipfix.Stats{Records: 10, Messages: 3, Octets: 900, SendErrors: 2, NotSent: 4},
			[][2]string{{"send errors", "2, 4 flow records lost (first: refused)"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ipfixRows("tcp://127.0.0.1:4739", 1, c.s, errors.New("refused"))
			if want := append(slices.Clone(head), c.more...); !slices.Equal(got, want) {
				t.Errorf("rows %q, want %q", got, want)
			}
		})
	}
}
