//go:build !unix

package capture

import "os"

func mapFile(*os.File, int64) ([]byte, error) { return nil, errNotMappable }
func unmapFile([]byte) error                  { return nil }
func releasePages([]byte)                     {}
