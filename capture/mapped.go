package capture

import (
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
// kernel send SIGBUS on the next touch beyond its new end. Next catches
// that; code that touches Packet.Data after Next (the decoder) runs under
// Guard, which turns the fault into the file's error instead of a crash.

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
			f.err = f.shrank()
			return true
		}
	}
	return false
}

// shrank is the error of a mapped file cut short under the reader.
func (f *File) shrank() error {
	off := f.pcap.off
	return &Error{Path: f.path, Kind: IO, Offset: off, Packets: f.packets,
		detail: fmt.Sprintf("the file shrank while it was read (at byte %d of the %d it had when opened)", off, f.size)}
}
