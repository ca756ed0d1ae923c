# flowscope — build, demo, tests and benchmarks. `make demo` and `make test`
# install what they need on Debian (a C compiler, libpcap-dev) when it is
# missing, or say exactly what to run (scripts/need-debs.sh).

SHELL   := /bin/bash
GO      ?= go
BIN     := bin/flowscope
DEMO    := testdata/zeek__gre-sample.pcap
# cgo is required: without a C compiler Go would quietly build a binary with
# no BPF filters and no live capture (cmd/flowscope/cgo_required.go refuses
# that build; the pure-Go one is `go build -tags purego`).
APT_PKGS := gcc libc6-dev libpcap-dev
export CGO_ENABLED := 1
# The tests also compare TLS metadata with tshark's, validate JUnit with xmllint,
# capture live between network namespaces (ip, from iproute2; as root), check
# the man page with groff, run the completions in zsh and fish, and export
# IPFIX to nfcapd, read back with nfdump (package nfdump), and open the HTML
# report in headless Chromium.
TEST_PKGS := $(APT_PKGS) tshark libxml2-utils iproute2 groff-base zsh fish nfdump chromium

.PHONY: all deps deps-test build demo test vet bench bench-peers bench-live bench-instr clean fuzz

all: build

# Installs the Debian packages the build (or, for deps-test, the tests)
# need, only when missing.
deps:
	@GO=$(GO) scripts/need-debs.sh $(APT_PKGS)
deps-test:
	@GO=$(GO) scripts/need-debs.sh $(TEST_PKGS)

build: deps
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/flowscope

demo: build
	./$(BIN) -r $(DEMO)

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || (gofmt -l . ; echo "gofmt needed"; exit 1)

# Every test, then the list of those that did not run and why
# (internal/testsummary); under CI=true a skipped test fails the run.
test: deps-test vet
	@$(GO) build -o bin/testsummary ./internal/testsummary
	set -o pipefail; $(GO) test -count=1 -json ./... | bin/testsummary

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Instructions flowscope executes on a generated 150k-packet mix, counted by
# callgrind: the same figure whatever else the machine runs, unlike seconds.
# One goroutine at a time, no GC and one worker, so that it repeats to 0.3 %;
# compare it before and after a change to the per-packet path (it counts
# instructions, not cache misses or stalls: confirm with a benchmark).
BENCH_INSTR ?= /tmp/flowscope-bench-instr.pcap
bench-instr: build
	@GO=$(GO) scripts/need-debs.sh valgrind
	$(GO) build -o bin/synthpcap ./internal/synth/synthpcap
	bin/synthpcap -o $(BENCH_INSTR) --flows 4000 --packets 150000
	@for args in "-o json" "-o json --flows-only"; do \
		GOGC=off GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
			--log-file=/tmp/flowscope-bench-instr.log $(BIN) -q -j 1 $$args -r $(BENCH_INSTR) >/dev/null || \
			{ echo "bench-instr: flowscope $$args failed under valgrind (see /tmp/flowscope-bench-instr.log)" >&2; exit 1; }; \
		n=$$(sed -n "s/.*refs: *//p" /tmp/flowscope-bench-instr.log); \
		[ -n "$$n" ] || { echo "bench-instr: no count from valgrind for flowscope $$args" >&2; exit 1; }; \
		echo "flowscope $$args: $$n instructions (150,000 packets)"; \
	done

clean:
	rm -rf bin

# Runs every fuzz target in the repository (each `func Fuzz...` in a test
# file) for FUZZTIME each, one after the other; stops at the first crasher,
# which go test saves under the package's testdata/fuzz/ (commit it there:
# `make test` replays it). go test's default of up to 60 s to minimize each
# new interesting input would eat a 60 s run of a slow target whole.
FUZZTIME ?= 60s
FUZZMINTIME ?= 10s
fuzz:
	@grep -rl --include='*_test.go' '^func Fuzz' . | sort | while read -r f; do \
		for t in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$$f"); do \
			echo "== $$t in $$(dirname $$f) for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINTIME) $$(dirname $$f) || exit 1; \
		done; \
	done

# Runs flowscope, softflowd and ndpiReader on two generated captures (in
# /tmp, never committed): a packet-heavy mix (1.37M packets, 37k TLS and DNS
# flows) and a flow flood (2M one-packet UDP flows with random 5-tuples over
# 40 s of packet time, so all are open at the end). Prints best-of-3 times,
# peak RSS and ratios; flowscope with all cores and with GOMAXPROCS=1, and
# on the flood its peak RSS per output mode; and flowscope (all cores) with
# --ipfix to a local UDP sink (bin/udpsink). Runs past MEM_CAP_MB (4096) of
# RSS are killed and shown as exceeded. FLOWSCOPE_ARGS adds flowscope flags.
# Installs the peers and GNU time from Debian when missing.
BENCH_MIX   ?= /tmp/flowscope-bench-mix.pcap
BENCH_FLOOD ?= /tmp/flowscope-bench-flood.pcap
bench-peers: build
	@GO=$(GO) scripts/need-debs.sh softflowd libndpi-bin time
	$(GO) build -o bin/synthpcap ./internal/synth/synthpcap
	$(GO) build -o bin/udpsink ./internal/synth/udpsink
	bin/synthpcap -o $(BENCH_MIX) --flows 37000 --packets 1370000
	bin/synthpcap -o $(BENCH_FLOOD) --shape flood --flows 2000000 --rate 50000
	@BIN=$(BIN) UDPSINK=bin/udpsink MIX=$(BENCH_MIX) MIX_PACKETS=1370000 FLOOD=$(BENCH_FLOOD) FLOOD_PACKETS=2000000 \
		bash internal/synth/peers.sh

# Replays a generated capture (1M packets; never committed) into a veth with
# tcpreplay and captures it on the peer end, in network namespaces: top-speed
# rate, drops, zero-drop rate and CPU per packet, for flowscope and tcpdump.
# Needs root; installs tcpreplay and tcpdump when missing.
bench-live: deps
	@GO=$(GO) scripts/need-debs.sh tcpreplay tcpdump iproute2
	$(GO) test -c -o bin/flowscope.test ./cmd/flowscope
	cd cmd/flowscope && SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO ../../bin/flowscope.test -test.run '^$$' -test.bench LiveReplay -test.benchtime 1x -test.v | grep -E 'Benchmark|pps'

# Installs the binary, the man page and the bash, zsh and fish completions
# (doc/, generated from the flag definitions: go test ./cmd/flowscope -run
# Docs -update) under PREFIX; DESTDIR stages a package.
PREFIX  ?= /usr/local
DESTDIR ?=
.PHONY: install
install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/flowscope
	install -m 644 doc/flowscope.1 $(DESTDIR)$(PREFIX)/share/man/man1/flowscope.1
	install -m 644 doc/completions/flowscope.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/flowscope
	install -m 644 doc/completions/_flowscope $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_flowscope
	install -m 644 doc/completions/flowscope.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/flowscope.fish
