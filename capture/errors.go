package capture

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
)

// Kind classifies a capture error so callers can map it to an exit status.
type Kind int

// Error kinds.
const (
	IO         Kind = iota // any other read or open failure
	NotFound               // the file does not exist
	Permission             // the file cannot be opened for reading
	NotCapture             // unknown magic, empty file, or unsupported format version
	Truncated              // the data ends in the middle of a header, record or block
	Corrupt                // a header that cannot be right: impossible length, unknown interface, ...
	Decompress             // the gzip or zstd stream is damaged
)

// String returns the kind as a short lower-case phrase.
func (k Kind) String() string {
	switch k {
	case IO:
		return "read error"
	case NotFound:
		return "no such file"
	case Permission:
		return "permission denied"
	case NotCapture:
		return "not a capture file"
	case Truncated:
		return "truncated"
	case Corrupt:
		return "corrupt"
	case Decompress:
		return "decompression failed"
	}
	return "kind-" + strconv.Itoa(int(k))
}

// Error is the error type of everything in this package that reads captures.
type Error struct {
	Path    string // file name as given ("-" for standard input)
	Kind    Kind   // what went wrong
	Offset  int64  // byte offset in the uncompressed stream where the bad header, record or block starts
	Packets uint64 // complete packets delivered from this file before the error
	Err     error  // underlying cause, if any

	detail string // what and where, already phrased for Error
	iface  bool   // Path names a live capture interface; detail says it all
}

// Error returns one line naming the file and the problem.
func (e *Error) Error() string {
	if e.iface {
		return "interface " + e.Path + ": " + e.detail
	}
	name := e.Path
	if name == "-" {
		name = "standard input"
	}
	switch e.Kind {
	case NotFound, Permission:
		if e.detail == "" {
			return name + ": " + e.Kind.String()
		}
	}
	msg := name + ": " + e.Kind.String()
	if e.detail != "" {
		msg += ": " + e.detail
	} else if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	// An open that failed has no packets to speak of.
	if e.Kind == Truncated || e.Kind == Corrupt || e.Kind == Decompress || e.Kind == IO && (e.Packets > 0 || e.Offset > 0) {
		msg += fmt.Sprintf(" (after %d complete packets)", e.Packets)
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// openError maps the error of opening or statting path to an *Error.
func openError(path string, err error) *Error {
	kind := IO
	switch {
	case errors.Is(err, fs.ErrNotExist):
		kind = NotFound
	case errors.Is(err, fs.ErrPermission):
		kind = Permission
	}
	e := &Error{Path: path, Kind: kind, Err: err}
	if kind == IO {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			// The path is already in front; don't repeat it.
			e.detail = pe.Op + ": " + pe.Err.Error()
		}
	}
	return e
}

// ioError marks a failure of the underlying file (not of the data in it),
// so it stays recognisable after passing through a decompressor.
type ioError struct{ err error }

func (e *ioError) Error() string { return e.err.Error() }
func (e *ioError) Unwrap() error { return e.err }

// FilterError reports a filter expression libpcap cannot compile.
type FilterError struct {
	Expr     string // the expression as given
	LinkType uint32 // link type it was compiled for
	Err      error  // libpcap's message

	invalid bool // rejected outright by NewFilter rather than for one link type
}

// Error returns libpcap's message with the expression and, if it matters, the link type.
func (e *FilterError) Error() string {
	if e.invalid {
		return fmt.Sprintf("invalid filter %q: %v", e.Expr, e.Err)
	}
	return fmt.Sprintf("filter %q cannot be used on %s packets: %v", e.Expr, LinkTypeName(e.LinkType), e.Err)
}

// Unwrap returns libpcap's error.
func (e *FilterError) Unwrap() error { return e.Err }
