//go:build unix

package capture

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps the first size bytes of f read-only. Read-only shared
// mappings are not charged against memory overcommit limits, so files of
// any size map.
func mapFile(f *os.File, size int64) ([]byte, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, errNotMappable
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var data []byte
	var merr error
	if err := rc.Control(func(fd uintptr) {
		data, merr = unix.Mmap(int(fd), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	}); err != nil {
		return nil, err
	}
	if merr != nil {
		return nil, merr
	}
	// Advice only: a failure changes nothing that matters.
	unix.Madvise(data, unix.MADV_SEQUENTIAL)
	return data, nil
}

func unmapFile(data []byte) error { return unix.Munmap(data) }

// releasePages drops the pages of data from the process. They stay in the
// page cache, and touching them again reads them back in, so this bounds
// the resident size without making any slice of data invalid.
func releasePages(data []byte) { unix.Madvise(data, unix.MADV_DONTNEED) }
