package main

import (
	"fmt"
	"io"
	"time"

	"github.com/flowscope/flowscope/capture"
)

// progress prints a one-line read status on a terminal for long reads.
type progress struct {
	w       io.Writer
	files   []*capture.File
	on      bool
	start   time.Time
	last    time.Time
	printed bool
}

func newProgress(w io.Writer, files []*capture.File, on bool) *progress {
	now := time.Now()
	return &progress{w: w, files: files, on: on, start: now, last: now}
}

// update is called every few thousand packets; it prints at most 5 times a
// second and only once the read has taken a second.
func (p *progress) Update(packets uint64) {
	if !p.on {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond || now.Sub(p.start) < time.Second {
		return
	}
	p.last = now
	var off, size int64
	known := true
	for _, f := range p.files {
		off += f.Offset()
		if s := f.Size(); s > 0 {
			size += s
		} else {
			known = false
		}
	}
	line := fmt.Sprintf("\r%d packets, %.1f MB read", packets, float64(off)/1e6)
	if known && size > 0 {
		line += fmt.Sprintf(", %.0f%%", 100*float64(off)/float64(size))
	}
	fmt.Fprint(p.w, line+"\x1b[K")
	p.printed = true
}

func (p *progress) Done() {
	if p.printed {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
