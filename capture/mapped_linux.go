package capture

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mapping is a whole file mapped read-only. Pages more than a window
// behind the reader are unmapped again (they stay in the page cache), so
// that resident memory does not grow with the file; the window ahead is
// asked to be read in.
type mapping struct {
	data    []byte
	file    *os.File
	next    int // reader offset at which reached acts next
	dropped int // bytes before it are unmapped
}

const mapWindow = 8 << 20

func mapFile(f *os.File, size int64) (*mapping, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, os.ErrInvalid
	}
	b, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	m := &mapping{data: b, file: f, next: mapWindow}
	_ = unix.Madvise(b[:min(2*mapWindow, len(b))], unix.MADV_WILLNEED) // only advice
	return m, nil
}

// reached says the reader has got to off.
func (m *mapping) reached(off int) {
	if off < m.next {
		return
	}
	m.next += mapWindow
	if end := (off - mapWindow) &^ (os.Getpagesize() - 1); end > m.dropped {
		_ = unix.Madvise(m.data[m.dropped:end], unix.MADV_DONTNEED)
		m.dropped = end
	}
	if m.next < len(m.data) {
		_ = unix.Madvise(m.data[m.next:min(m.next+mapWindow, len(m.data))], unix.MADV_WILLNEED)
	}
}

// size is the file's size now (-1 if it cannot be told).
func (m *mapping) size() int64 {
	st, err := m.file.Stat()
	if err != nil {
		return -1
	}
	return st.Size()
}

// shrunk reports whether the file now ends before end.
func (m *mapping) shrunk(end int) bool {
	n := m.size()
	return n >= 0 && n < int64(end)
}

func (m *mapping) contains(addr uintptr) bool {
	if m == nil || len(m.data) == 0 {
		return false
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(m.data)))
	return addr >= base && addr-base < uintptr(len(m.data))
}

func (m *mapping) close() {
	if m.data != nil {
		_ = unix.Munmap(m.data)
		m.data = nil
	}
}
