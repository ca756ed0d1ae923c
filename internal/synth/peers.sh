#!/usr/bin/env bash
# Times flowscope and its peers on one capture, best of 3 runs each, in the
# same minute, and prints packets/second and ratios. Used by `make bench-peers`.
set -euo pipefail
: "${BIN:=bin/flowscope}" "${PCAP:?PCAP must name a capture}"
packets=$(capinfos -c -M "$PCAP" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
[ -n "$packets" ] || packets=$("$BIN" -o json -q -r "$PCAP" | awk -F'"packets":' '{split($2,a,","); split($3,b,","); n+=a[1]+b[1]} END {print n}')
best() { # best wall time of 3 runs, in seconds
	local b=""
	for _ in 1 2 3; do
		local s e
		s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
		b=$(echo "$s $e ${b:-999999}" | awk '{t=$2-$1; print (t<$3)?t:$3}')
	done
	echo "$b"
}

fs=$(best env GOMAXPROCS=1 "$BIN" -q -o json -r "$PCAP")
fo=$(best env GOMAXPROCS=1 "$BIN" -q -o json --flows-only -r "$PCAP")
sf=$(best softflowd -d -r "$PCAP" -n 127.0.0.1:9995 -6 -m 1000000 -c none)
nd=$(best ndpiReader -i "$PCAP" -q -n 1)
awk -v n="$packets" -v fs="$fs" -v fo="$fo" -v sf="$sf" -v nd="$nd" 'BEGIN {
	printf "packets: %d\n", n
	printf "flowscope (1 core, json): %.2fs  %.2f Mpps\n", fs, n/fs/1e6
	printf "flowscope --flows-only:   %.2fs  %.2f Mpps  (%.2fx softflowd)\n", fo, n/fo/1e6, sf/fo
	printf "softflowd -r:             %.2fs  %.2f Mpps  (flowscope is %.2fx)\n", sf, n/sf/1e6, sf/fs
	printf "ndpiReader -i:            %.2fs  %.2f Mpps  (flowscope is %.2fx)\n", nd, n/nd/1e6, nd/fs
}'
