#!/usr/bin/env bash
# Times flowscope and its peers (softflowd, ndpiReader) on generated
# captures, in one run on one machine: best wall time of $RUNS runs each, and
# the peak RSS of each (GNU time's %M, the largest over the runs). flowscope
# runs with every core (GOMAXPROCS unset) and with GOMAXPROCS=1, in full
# analysis and with --flows-only; on the flood, also once per output mode,
# for its peak RSS. Ratios are the peer's time over flowscope's (above 1:
# flowscope is faster). Used by `make bench-peers`.
#
# Every run is watched: one whose RSS passes $MEM_CAP_MB MiB is killed and
# reported as "exceeded", so the benchmark never takes the machine down.
#
#   MIX=FILE    the packet-heavy capture (TLS/DNS flows, many packets each);
#               MIX_PACKETS its packet count (else capinfos counts them)
#   FLOOD=FILE  the flow flood (one-packet UDP flows, random 5-tuples);
#               FLOOD_PACKETS its packet count
#   BIN  flowscope binary (bin/flowscope)   FLOWSCOPE_ARGS  more flowscope flags
#   RUNS runs per figure (3)                MEM_CAP_MB      RSS cap per run (4096)
#   UDPSINK  bin/udpsink: adds flowscope runs with --ipfix udp:// to it
set -uo pipefail
: "${BIN:=bin/flowscope}" "${RUNS:=3}" "${MEM_CAP_MB:=4096}" "${FLOWSCOPE_ARGS:=}"
[ -n "${MIX:-}${FLOOD:-}" ] || { echo "peers.sh: set MIX and/or FLOOD to captures" >&2; exit 2; }
read -r -a fsargs <<<"$FLOWSCOPE_ARGS"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure CMD...: runs CMD once under GNU time with its output discarded,
# killing it if its RSS passes the cap. Prints "SECONDS KIB STATUS", STATUS
# being ok, exceeded or failed:CODE.
measure() {
	rm -f "$tmp/exceeded"
	local s e rc cpid rss
	s=$(date +%s%N)
	/usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/stderr" &
	local tpid=$!
	(
		while sleep 0.1; do
			cpid=$(cat "/proc/$tpid/task/$tpid/children" 2>/dev/null) || exit 0
			for c in $cpid; do
				rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$c/status" 2>/dev/null)
				if [ "${rss:-0}" -gt $((MEM_CAP_MB * 1024)) ]; then
					: >"$tmp/exceeded"
					kill -9 "$c" 2>/dev/null
				fi
			done
		done
	) &
	local wpid=$!
	wait "$tpid"
	rc=$?
	e=$(date +%s%N)
	kill "$wpid" 2>/dev/null
	wait "$wpid" 2>/dev/null
	local status=ok
	if [ -e "$tmp/exceeded" ]; then
		status=exceeded
	elif [ "$rc" -ne 0 ]; then
		status=failed:$rc
	fi
	local ms=$(((e - s) / 1000000))
	printf '%d.%03d %s %s\n' $((ms / 1000)) $((ms % 1000)) "$(tail -n 1 "$tmp/rss" | tr -dc 0-9)" "$status"
}

# best CMD...: best time of $RUNS runs, the largest peak RSS, and the first
# status that is not ok (a run that exceeded or failed stops the series).
best() {
	local t=999999 m=0 st=ok a b c
	for _ in $(seq "$RUNS"); do
		read -r a b c < <(measure "$@")
		t=$(awk -v a="$a" -v t="$t" 'BEGIN {print (a < t) ? a : t}')
		[ "${b:-0}" -gt "$m" ] && m=$b
		if [ "$c" != ok ]; then
			st=$c
			break
		fi
	done
	echo "$t $m $st"
}

# packets CAP [COUNT]: COUNT when given, else capinfos's count.
packets() {
	[ -n "${2:-}" ] && { echo "$2"; return; }
	capinfos -c -M "$1" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}'
}

# row NAME TIME KIB STATUS SOFTFLOWD_TIME NDPI_TIME PACKETS: one table line.
row() {
	awk -v name="$1" -v t="$2" -v k="$3" -v st="$4" -v sf="$5" -v nd="$6" -v n="$7" 'BEGIN {
		rss = sprintf("%.0f MiB", k / 1024)
		if (st != "ok") {
			printf "  %-34s %8s %9s %10s  %s\n", name, "-", "-", (st == "exceeded") ? ">" rss : rss, st
			exit
		}
		vsf = (sf > 0 && name !~ /^softflowd/) ? sprintf("%.2fx", sf / t) : ""
		vnd = (nd > 0 && name !~ /^ndpiReader/) ? sprintf("%.2fx", nd / t) : ""
		printf "  %-34s %7.2fs %9.2f %10s %10s %10s\n", name, t, n / t / 1e6, rss, vsf, vnd
	}'
}

header() {
	printf '  %-34s %8s %9s %10s %10s %10s\n' tool time Mpps "peak RSS" "vs sf" "vs ndpi"
}
echo "(vs sf, vs ndpi: softflowd's or ndpiReader's time over this one's; above 1: faster than it)"

softflowd_cmd=(softflowd -d -r CAP -n 127.0.0.1:9995 -6 -m 1000000 -c none)
ndpi_cmd=(ndpiReader -i CAP -q -n 1)

# bench NAME CAP [PACKETS]: the timing table of one capture. Sets fs_full,
# fs_fo, sf and nd (times, or empty or 0 when a run did not finish) for the
# targets.
bench() {
	local name=$1 cap=$2 n
	n=$(packets "$cap" "${3:-}")
	echo "$name: $cap, $n packets; best of $RUNS; FLOWSCOPE_ARGS='${FLOWSCOPE_ARGS}'"
	header
	local -A T K S
	local k
	local -a cmd
	for k in softflowd ndpiReader; do
		if [ $k = softflowd ]; then cmd=("${softflowd_cmd[@]/CAP/$cap}"); else cmd=("${ndpi_cmd[@]/CAP/$cap}"); fi
		read -r "T[$k]" "K[$k]" "S[$k]" < <(best "${cmd[@]}")
	done
	local sft=0 ndt=0
	[ "${S[softflowd]}" = ok ] && sft=${T[softflowd]}
	[ "${S[ndpiReader]}" = ok ] && ndt=${T[ndpiReader]}
	fs_full="" fs_fo="" sf=$sft nd=$ndt
	local procs mode label
	for mode in full flows-only; do
		for procs in all 1; do
			cmd=(env -u GOMAXPROCS)
			[ $procs = 1 ] && cmd=(env GOMAXPROCS=1)
			cmd+=("$BIN" -q -o json)
			[ $mode = flows-only ] && cmd+=(--flows-only)
			cmd+=("${fsargs[@]}" -r "$cap")
			label="flowscope $mode, GOMAXPROCS=$procs"
			[ $procs = all ] && label="flowscope $mode, all cores"
			read -r "T[x]" "K[x]" "S[x]" < <(best "${cmd[@]}")
			row "$label" "${T[x]}" "${K[x]}" "${S[x]}" "$sft" "$ndt" "$n"
			if [ $procs = all ] && [ "${S[x]}" = ok ]; then
				if [ $mode = full ]; then fs_full=${T[x]}; else fs_fo=${T[x]}; fi
			fi
		done
	done
	if [ -n "$sink_addr" ]; then
		# The same runs, all cores, also exporting every flow as IPFIX over
		# UDP to udpsink. --active-timeout is the default's, which --ipfix
		# would lower to 60 s, so that both runs make the same records.
		for mode in full flows-only; do
			cmd=(env -u GOMAXPROCS "$BIN" -q -o json)
			[ $mode = flows-only ] && cmd+=(--flows-only)
			cmd+=(--ipfix "udp://$sink_addr" --active-timeout 30m "${fsargs[@]}" -r "$cap")
			read -r "T[x]" "K[x]" "S[x]" < <(best "${cmd[@]}")
			label="flowscope full, all cores, --ipfix"
			[ $mode = flows-only ] && label="flowscope flows-only, all, --ipfix"
			row "$label" "${T[x]}" "${K[x]}" "${S[x]}" "$sft" "$ndt" "$n"
		done
	fi
	row "softflowd -m 1000000" "${T[softflowd]}" "${K[softflowd]}" "${S[softflowd]}" "$sft" "$ndt" "$n"
	row "ndpiReader" "${T[ndpiReader]}" "${K[ndpiReader]}" "${S[ndpiReader]}" "$sft" "$ndt" "$n"
}

# With UDPSINK (bin/udpsink), flowscope also runs with --ipfix to it.
sink_addr=""
if [ -n "${UDPSINK:-}" ]; then
	coproc SINK { exec "$UDPSINK"; }
	read -r sink_addr <&"${SINK[0]}"
	sink_out=${SINK[0]}
	trap 'kill "$SINK_PID" 2>/dev/null; rm -rf "$tmp"' EXIT
fi

# target TEXT MINIMUM NUMERATOR DENOMINATOR: "met" when NUMERATOR/DENOMINATOR
# reaches MINIMUM.
target() {
	awk -v what="$1" -v min="$2" -v a="$3" -v b="$4" 'BEGIN {
		if (a == "" || b == "" || a == 0 || b == 0) { printf "    %-42s n/a\n", what; exit }
		printf "    %-42s %.2fx  %s\n", what, a / b, (a / b >= min) ? "met" : "MISSED"
	}'
}

if [ -n "${MIX:-}" ]; then
	bench "packet-heavy mix" "$MIX" "${MIX_PACKETS:-}"
	echo "  targets (all cores):"
	target "full analysis >= 2x softflowd" 2 "$sf" "$fs_full"
	target "full analysis >= 10x ndpiReader" 10 "$nd" "$fs_full"
	target "--flows-only >= 3x softflowd" 3 "$sf" "$fs_fo"
	echo
fi

if [ -n "${FLOOD:-}" ]; then
	bench "flow flood" "$FLOOD" "${FLOOD_PACKETS:-}"
	echo "  targets (all cores):"
	target "full analysis >= 1x softflowd" 1 "$sf" "$fs_full"
	flows=$(packets "$FLOOD" "${FLOOD_PACKETS:-}")
	if [ "${flows:-0}" -gt 1000000 ]; then
		echo "  note: its $flows one-packet flows all stay open to the end (they span less than any UDP idle"
		echo "  timeout), more than softflowd's -m 1000000: softflowd force-expires the oldest beyond that"
		echo "  (about $((flows - 1000000)) here), as flowscope evicts the longest idle beyond --max-flows."
	fi
	echo "  flowscope peak RSS per output mode (all cores, default flags; target <= 1024 MiB):"
	for m in "-o json" "-o csv" "table" "--findings-only"; do
		cmd=(env -u GOMAXPROCS "$BIN" -q)
		[ "$m" = table ] || read -r -a extra <<<"$m"
		[ "$m" = table ] && extra=()
		cmd+=("${extra[@]}" "${fsargs[@]}" -r "$FLOOD")
		read -r t k st < <(measure "${cmd[@]}")
		awk -v m="$m" -v t="$t" -v k="$k" -v st="$st" 'BEGIN {
			r = k / 1024
			if (st == "exceeded") printf "    %-16s %7s  >%5.0f MiB  exceeded (killed)\n", m, "-", r
			else if (st != "ok") printf "    %-16s %7s  %6.0f MiB  %s\n", m, "-", r, st
			else printf "    %-16s %6.2fs  %6.0f MiB  %s\n", m, t, r, (r <= 1024) ? "met" : "MISSED"
		}'
	done
fi

if [ -n "$sink_addr" ]; then
	kill -TERM "$SINK_PID"
	read -r line <&"$sink_out" && echo "$line (the --ipfix runs' messages)"
fi
