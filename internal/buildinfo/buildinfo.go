// Package buildinfo says which flowscope a binary is: the module version,
// VCS revision and date the Go toolchain stamped into it, the Go version,
// and whether it links libpcap (cgo) or is the pure-Go build without BPF
// filters and live capture.
package buildinfo

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// Info is what `flowscope --version` prints.
type Info struct {
	Version   string // module version, e.g. v1.2.0 or a pseudo-version; "(devel)" when unknown
	Revision  string // VCS commit, "" when not built from a checkout
	Time      string // commit time, RFC 3339
	Modified  bool   // the checkout had uncommitted changes
	GoVersion string
	Platform  string // GOOS/GOARCH
	Libpcap   string // libpcap's version string; "" in the pure-Go build, which links no libpcap
}

// Read returns the running binary's Info; libpcap is the linked libpcap's
// version ("" in the pure-Go build) and override a version set at link
// time (-ldflags -X), used when not empty.
func Read(libpcap, override string) Info {
	bi, _ := debug.ReadBuildInfo()
	return FromBuildInfo(bi, libpcap, override)
}

// FromBuildInfo is Read for a given build info (nil when the binary has
// none).
func FromBuildInfo(bi *debug.BuildInfo, libpcap, override string) Info {
	in := Info{Version: "(devel)", GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
		Libpcap: libpcap}
	if bi != nil {
		if bi.Main.Version != "" {
			in.Version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			in.GoVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				in.Revision = s.Value
			case "vcs.time":
				in.Time = s.Value
			case "vcs.modified":
				in.Modified = s.Value == "true"
			}
		}
	}
	if override != "" {
		in.Version = override
	}
	return in
}

// Write prints the Info, one fact a line.
func (in Info) Write(w io.Writer) error {
	rev := in.Revision
	switch {
	case rev == "":
		rev = "unknown (not built from a git checkout)"
	case in.Modified:
		rev += " (with uncommitted changes)"
	}
	date := in.Time
	if date == "" {
		date = "unknown"
	}
	build := "libpcap (cgo): BPF filters and live capture"
	lib := in.Libpcap
	if in.Libpcap == "" {
		build = "pure Go (no libpcap): no BPF filters, no live capture; rebuild with a C compiler, without -tags purego"
		lib = "none"
	}
	_, err := fmt.Fprintf(w, "flowscope %s\n  revision: %s\n  date:     %s\n  go:       %s %s\n  libpcap:  %s\n  build:    %s\n",
		in.Version, rev, date, in.GoVersion, in.Platform, lib, build)
	return err
}

// Version is the running binary's module version alone (Info.Version), for
// reports that name their tool (SARIF's tool.driver.version).
func Version() string { return Read("", "").Version }
