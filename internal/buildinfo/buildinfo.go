// Package buildinfo says which flowscope this is, for reports that name
// their tool (SARIF's tool.driver.version) and for --version.
package buildinfo

import "runtime/debug"

// Version is the main module's version from the build info: a tag
// ("v1.2.0"), or a pseudo-version when built from a commit; "(devel)"
// when the build has none (go run, tests, a dirty tree without VCS info).
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
