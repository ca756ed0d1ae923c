// Command udpsink receives UDP datagrams on loopback and discards them:
// the collector of `make bench-peers`' --ipfix runs, so that they measure
// flowscope's export and not a collector's work. It prints its address,
// then on SIGTERM or SIGINT what it received.
package main

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

func main() {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		fmt.Fprintf(os.Stderr, "udpsink: %v\n", err)
		os.Exit(1)
	}
	// A large buffer: the sink should not be what drops.
	_ = c.SetReadBuffer(16 << 20)
	fmt.Println(c.LocalAddr())
	var n, bytes atomic.Uint64
	go func() {
		buf := make([]byte, 65536)
		for {
			k, err := c.Read(buf)
			if err != nil {
				return
			}
			n.Add(1)
			bytes.Add(uint64(k))
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	fmt.Printf("udpsink: received %d datagrams, %d bytes\n", n.Load(), bytes.Load())
}
