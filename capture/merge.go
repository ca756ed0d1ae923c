package capture

import (
	"errors"
	"fmt"
	"io"
)

// Merged is a Source that interleaves several sources in timestamp order.
type Merged struct {
	srcs    []Source
	pending []Packet // next packet of each source, valid while heap holds it
	heap    []int    // sources with a pending packet, ordered by (Timestamp, index)
	refill  int      // source whose packet was returned last, read on the next Next; -1 none
	started bool     // one source: it has ended
	filled  int      // sources read for the first time; a read that panics (a mapped file cut short) is tried again
	errs    []error
}

// Merge merges sources into one stream in timestamp order (ties keep input order); failing sources are recorded and skipped.
func Merge(srcs ...Source) *Merged {
	// At most one packet per source is pending, and a source is read again
	// only on the Next call after its packet was returned, so every Data
	// stays valid until the next Next. Next returns only nil or io.EOF.
	return &Merged{
		srcs:    srcs,
		pending: make([]Packet, len(srcs)),
		heap:    make([]int, 0, len(srcs)),
		refill:  -1,
	}
}

// Next returns the earliest pending packet.
func (m *Merged) Next(p *Packet) error {
	if len(m.srcs) == 1 {
		// Nothing to order: hand through without the copy.
		if m.started {
			return io.EOF
		}
		err := m.srcs[0].Next(p)
		if err == nil {
			p.Input = 0
			return nil
		}
		m.started = true
		if err != io.EOF {
			m.record(0, err)
		}
		return io.EOF
	}
	if m.filled < len(m.srcs) {
		for ; m.filled < len(m.srcs); m.filled++ {
			m.read(m.filled)
		}
	} else if m.refill >= 0 {
		m.read(m.refill)
		m.refill = -1
	}
	if len(m.heap) == 0 {
		return io.EOF
	}
	i := m.pop()
	*p = m.pending[i]
	p.Input = i
	m.refill = i
	return nil
}

// read fetches the next packet of source i into the heap, or records its end.
func (m *Merged) read(i int) {
	if err := m.srcs[i].Next(&m.pending[i]); err != nil {
		if err != io.EOF {
			m.record(i, err)
		}
		return
	}
	m.push(i)
}

func (m *Merged) record(i int, err error) {
	var e *Error
	if !errors.As(err, &e) {
		name := fmt.Sprintf("input %d", i)
		if f, ok := m.srcs[i].(interface{ Path() string }); ok {
			name = f.Path()
		}
		err = &Error{Path: name, Kind: IO, Err: err}
	}
	m.errs = append(m.errs, err)
}

// Errors returns the errors of the sources that failed so far, each an *Error.
func (m *Merged) Errors() []error {
	return append([]error(nil), m.errs...)
}

// Close closes every source.
func (m *Merged) Close() error {
	var errs []error
	for _, s := range m.srcs {
		if err := s.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// less orders sources by their pending packet's time, then by index, which
// makes the merge stable.
func (m *Merged) less(a, b int) bool {
	if c := m.pending[a].Timestamp.Compare(m.pending[b].Timestamp); c != 0 {
		return c < 0
	}
	return a < b
}

func (m *Merged) push(i int) {
	h := append(m.heap, i)
	j := len(h) - 1
	for j > 0 {
		parent := (j - 1) / 2
		if !m.less(h[j], h[parent]) {
			break
		}
		h[j], h[parent] = h[parent], h[j]
		j = parent
	}
	m.heap = h
}

func (m *Merged) pop() int {
	h := m.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	j := 0
	for {
		l := 2*j + 1
		if l >= len(h) {
			break
		}
		c := l
		if r := l + 1; r < len(h) && m.less(h[r], h[l]) {
			c = r
		}
		if !m.less(h[c], h[j]) {
			break
		}
		h[j], h[c] = h[c], h[j]
		j = c
	}
	m.heap = h
	return top
}
