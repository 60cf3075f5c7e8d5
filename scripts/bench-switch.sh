#!/usr/bin/env bash
# What one part of a node costs claims: one couponpop binary, rounds
# alternating the part off and on (the default), each on a fresh
# single-node server, with the claim scenarios healthz and throughput.
# Cores are shared by server and load.
#
#   limits      the rate limits (--rate-limits=false). The bench claims as a
#               new member each time, so every claim also makes a new
#               per-member bucket: the limiter's worst case.
#   dispatcher  the push dispatcher (COUPONPOP_PUSH_DISABLED=true), draining
#               every claim's outbox message.
#
# Usage: scripts/bench-switch.sh limits|dispatcher BINARY [rounds] [duration] [clients]
# Output: one line per run, "name round scenario ok/s p99", on stdout.
set -euo pipefail
part=$1 bin=$2 rounds=${3:-5} duration=${4:-10s} clients=${5:-1000}
case $part in
limits | dispatcher) ;;
*) echo "usage: $0 limits|dispatcher BINARY [rounds] [duration] [clients]" >&2; exit 2 ;;
esac
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
. "$(dirname "$0")/lib/bench.sh"

machine
echo "# $part: name round scenario ok/s p99"
port=18600
for round in $(seq "$rounds"); do
	for name in off on; do
		flags=()
		disabled=false
		if [ "$name" = off ]; then
			[ "$part" = limits ] && flags=(--rate-limits=false)
			[ "$part" = dispatcher ] && disabled=true
		fi
		port=$((port + 1))
		COUPONPOP_PUSH_DISABLED=$disabled serve "$bin" "$port" "$work/$name$round" "${flags[@]}"
		"$bin" bench claims --url "http://127.0.0.1:$port" --data "$work/$name$round" \
			--scenarios healthz,throughput --duration "$duration" --clients "$clients" 2>/dev/null | table "$name" "$round"
		kill %1; wait %1 2>/dev/null || true
	done
done
