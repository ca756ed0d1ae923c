// Command synthpcap writes a synthetic benchmark capture (see package synth).
package main

import (
	"fmt"
	"os"

	"github.com/flowscope/flowscope/internal/synth"
	"github.com/spf13/pflag"
)

func main() {
	out := pflag.StringP("output", "o", "", "pcap `FILE` to write")
	s := synth.Spec{}
	pflag.IntVar(&s.Flows, "flows", 200_000, "distinct flows")
	pflag.IntVar(&s.Packets, "packets", 4_000_000, "packets in all")
	pflag.IntVar(&s.Concurrency, "concurrency", 20_000, "flows open at once")
	pflag.Int64Var(&s.Seed, "seed", 1, "random seed")
	pflag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "synthpcap: -o FILE is required")
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err == nil {
		err = synth.WritePcap(f, s)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "synthpcap: writing %s: %v\n", *out, err)
		os.Exit(1)
	}
}
