#!/bin/sh
# need-debs.sh PKG...: installs the Debian packages among PKG that are
# missing (apt-get, through sudo when not root), or says exactly what to
# run when it cannot. Also checks that the Go on PATH is new enough, since
# Debian 12's own golang package (1.19) is not.
set -eu
GO=${GO:-go}
want_go=1.26
if ! command -v "$GO" >/dev/null 2>&1; then
	echo "no Go on PATH: flowscope needs Go >= $want_go. Install it from go.dev (as root):" >&2
	echo "  curl -fsSL https://go.dev/dl/go1.26.8.linux-amd64.tar.gz | tar -C /usr/local -xz && export PATH=\$PATH:/usr/local/go/bin" >&2
	exit 1
fi
have=$("$GO" env GOVERSION | sed 's/^go//')
if [ "$(printf '%s\n%s\n' "$want_go" "$have" | sort -V | head -1)" != "$want_go" ]; then
	echo "Go $have is too old: flowscope needs Go >= $want_go (Debian 12's golang package is 1.19). Install it from go.dev:" >&2
	echo "  curl -fsSL https://go.dev/dl/go1.26.8.linux-amd64.tar.gz | tar -C /usr/local -xz && export PATH=/usr/local/go/bin:\$PATH" >&2
	exit 1
fi
missing=""
for p in "$@"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	echo "missing Debian packages:$missing; there is no sudo here, so run as root:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
