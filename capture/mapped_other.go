//go:build !linux

package capture

import (
	"errors"
	"os"
)

// mapping: only Linux maps capture files; elsewhere they are read.
type mapping struct{ data []byte }

func mapFile(*os.File, int64) (*mapping, error) { return nil, errors.ErrUnsupported }

func (m *mapping) reached(int)           {}
func (m *mapping) size() int64           { return -1 }
func (m *mapping) shrunk(int) bool       { return false }
func (m *mapping) contains(uintptr) bool { return false }
func (m *mapping) close()                {}
