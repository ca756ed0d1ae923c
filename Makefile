# flowscope — build, demo, tests and benchmarks. `make demo` and `make test`
# install what they need on Debian (libpcap-dev) when it is missing.

GO      ?= go
BIN     := bin/flowscope
DEMO    := testdata/zeek__gre-sample.pcap
APT_PKGS := libpcap-dev

.PHONY: all deps build demo test vet bench clean

all: build

# Installs the Debian packages the build needs, only when missing.
deps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(GO) build -o $(BIN) ./cmd/flowscope

demo: build
	./$(BIN) -r $(DEMO)

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || (gofmt -l . ; echo "gofmt needed"; exit 1)

test: deps vet
	$(GO) test -count=1 ./...

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
