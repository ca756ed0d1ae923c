//go:build !cgo && !purego

package main

// Without cgo, flowscope would build without libpcap: no BPF filters and no
// live capture, with nothing to say so until a run fails. So a build
// without a C compiler (or with CGO_ENABLED=0) stops here, with the fix in
// the name of the missing symbol. The pure-Go build exists, but only when
// asked for by name: go build -tags purego ./cmd/flowscope.
var _ = cgo_is_off__install_a_C_compiler__apt_get_install_gcc__or_build_with_tags_purego
