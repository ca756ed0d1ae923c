package capture

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
)

// An uncompressed pcap file on disk is mapped into memory and its records
// are handed out where they lie: read(2) copied every byte of the file
// into the read buffer on the reading goroutine, which bounds the pipeline
// (--flows-only on the 1.37 M-packet mix: 0.30–0.32 s mapped against
// 0.37–0.39 s read). pcapng, compressed files and pipes are still read.
//
// A mapped file that another process cuts short while it is read makes the
// kernel send SIGBUS on the next touch of a page past its new end. Next
// catches that, unless its caller said (CallerGuards) that it runs Next and
// everything that touches Packet.Data under debug.SetPanicOnFault and hands
// what it recovers to Recover, as pipeline.RunFiles does. Code outside Go
// (libpcap's BPF filter) is not covered: a caller that filters with it
// reads the file instead (ReadNotMapped). Within the page where the file
// now ends, bytes past the end read as zeros: a zero record header makes
// the reader look at the file's size again.

// mappedFiles are the files whose mappings are live, for Recover.
var mappedFiles struct {
	sync.Mutex
	list []*File
}

func registerMapped(f *File) {
	mappedFiles.Lock()
	mappedFiles.list = append(mappedFiles.list, f)
	mappedFiles.Unlock()
}

func unregisterMapped(f *File) {
	mappedFiles.Lock()
	defer mappedFiles.Unlock()
	for i, g := range mappedFiles.list {
		if g == f {
			mappedFiles.list = append(mappedFiles.list[:i], mappedFiles.list[i+1:]...)
			return
		}
	}
}

// faultAddr returns the address of a memory fault that a goroutine with
// debug.SetPanicOnFault set recovered, or false for any other panic.
func faultAddr(r any) (uintptr, bool) {
	re, ok := r.(runtime.Error)
	if !ok {
		return 0, false
	}
	a, ok := re.(interface{ Addr() uintptr })
	if !ok {
		return 0, false
	}
	return a.Addr(), true
}

// Recover takes the value a recover() returned on a goroutine that ran
// with debug.SetPanicOnFault(true). When it is a fault inside a mapped
// capture (the file was cut short while being read), the file fails with
// an IO error that its Next returns from then on, and Recover returns
// true; for anything else it returns false and the caller should panic on.
func Recover(r any) bool {
	addr, ok := faultAddr(r)
	if !ok {
		return false
	}
	mappedFiles.Lock()
	defer mappedFiles.Unlock()
	for _, f := range mappedFiles.list {
		if f.pcap != nil && f.pcap.mem.contains(addr) {
			f.err = f.shrank(false)
			return true
		}
	}
	return false
}

// errShrank is what the pcap reader returns for a file found cut short.
var errShrank = errors.New("the file shrank while it was read")

// shrank is the error of a mapped file cut short under the reader;
// zeros says it was found by the zeros past the cut in its page, where the
// record read last may have been cut too (its tail read as zeros).
func (f *File) shrank(zeros bool) error {
	off := f.pcap.off
	now := ""
	if n := f.pcap.mem.size(); n >= 0 {
		now = fmt.Sprintf(", %d now", n)
	}
	tail := ""
	if zeros && f.packets > 0 {
		tail = "; the last packet read may end in zeros where it was cut"
	}
	return &Error{Path: f.path, Kind: IO, Offset: off, Packets: f.packets,
		detail: fmt.Sprintf("the file shrank while it was read (at byte %d of the %d it had when opened%s)%s", off, f.size, now, tail)}
}
