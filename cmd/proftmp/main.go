package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/flowscope/flowscope/capture"
	"github.com/flowscope/flowscope/flow"
)

func main() {
	f, _ := os.Create("/tmp/cpu.prof")
	pprof.StartCPUProfile(f)
	defer pprof.StopCPUProfile()
	src, err := capture.OpenFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	n := 0
	recs := 0
	mode := os.Args[2]
	an := flow.NewAnalyzer(flow.DefaultConfig(), func(*flow.Record) { recs++ })
	start := time.Now()
	var p capture.Packet
	for src.Next(&p) == nil {
		n++
		if mode == "full" {
			an.Add(p.Data, p.LinkType, p.Len, p.Timestamp.UnixNano(), uint64(n))
		}
	}
	an.Flush()
	el := time.Since(start)
	fmt.Println(n, recs, el, float64(n)/el.Seconds())
}
