#!/usr/bin/env bash
# Soak check: feeds flowscope -r - an endless generated stream (synthpcap
# --stream --pace: packet time runs with the wall clock) for $SECS seconds,
# and prints when its first output came, its RSS every $EVERY seconds and
# whether the RSS held flat (the second half grew by less than 10%). A run
# past $MEM_CAP_MB MiB is stopped there.
#
#   BIN=bin/flowscope SYNTH=bin/synthpcap bash internal/synth/soak.sh
#
#   SYNTH_ARGS      the stream (--shape flood --rate 50000: 50k new one-packet
#                   UDP flows a second; e.g. --flows 37000 --packets 1370000
#                   --rate 5000 for TLS and DNS flows of 37 packets that end)
#   FLOWSCOPE_ARGS  flowscope's flags (-o json)
#   SECS (30)  EVERY (5)  MEM_CAP_MB (4096)
set -uo pipefail
: "${BIN:=bin/flowscope}" "${SYNTH:=bin/synthpcap}" "${SECS:=30}" "${EVERY:=5}" "${MEM_CAP_MB:=4096}"
: "${SYNTH_ARGS=--shape flood --rate 50000}" "${FLOWSCOPE_ARGS=-o json}"
read -r -a sargs <<<"$SYNTH_ARGS"
read -r -a fargs <<<"$FLOWSCOPE_ARGS"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

start=$(date +%s%N)
exec 3< <(exec "$SYNTH" --stream --pace "${sargs[@]}")
spid=$!
exec 4> >({ [ "$(head -c 1 | wc -c)" -gt 0 ] && date +%s%N >"$tmp/first"; cat >/dev/null; })
"$BIN" -q "${fargs[@]}" -r - <&3 >&4 2>"$tmp/stderr" &
fpid=$!
exec 3<&- 4>&-

echo "flowscope -q $FLOWSCOPE_ARGS -r - < synthpcap --stream --pace $SYNTH_ARGS, ${SECS}s:"
declare -a rss
end=$((start + SECS * 1000000000))
next=1 why=""
while :; do
	sleep 0.1
	now=$(date +%s%N)
	if ! kill -0 "$fpid" 2>/dev/null; then
		why="flowscope exited: $(head -c 300 "$tmp/stderr")"
		break
	fi
	r=$(awk '/^VmRSS:/ {print $2}' "/proc/$fpid/status" 2>/dev/null)
	if [ "${r:-0}" -gt $((MEM_CAP_MB * 1024)) ]; then
		why="RSS passed ${MEM_CAP_MB} MiB after $(((now - start) / 1000000)) ms"
		break
	fi
	if [ $((now - start)) -ge $((next * 1000000000)) ]; then
		rss[next]=$((${r:-0} / 1024))
		[ $((next % EVERY)) -eq 0 ] && printf '  %3ds  %6d MiB\n' "$next" "${rss[next]}"
		next=$((next + 1))
	fi
	[ "$now" -ge "$end" ] && break
done
kill "$fpid" "$spid" 2>/dev/null
wait "$fpid" 2>/dev/null
if [ -s "$tmp/first" ]; then
	echo "  first output after $((($(cat "$tmp/first") - start) / 1000000)) ms"
else
	echo "  no output"
fi
if [ -n "$why" ]; then
	echo "  stopped: $why"
	exit 1
fi
half=${rss[$((SECS / 2))]:-0} last=${rss[$((next - 1))]:-0}
if [ "$half" -gt 0 ] && [ $((last * 10)) -lt $((half * 11)) ]; then
	echo "  RSS flat: ${half} MiB at $((SECS / 2))s, ${last} MiB at $((next - 1))s"
else
	echo "  RSS grew: ${half} MiB at $((SECS / 2))s, ${last} MiB at $((next - 1))s"
	exit 1
fi
