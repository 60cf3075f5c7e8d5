#!/usr/bin/env bash
# Compares two couponpop binaries over HTTP in one run, as BENCHMARKS.md
# reports it: rounds alternate A, B, A, B…, each on a fresh single-node
# server, with the claim scenarios (the /healthz baseline first) and the
# nearby circles. The machine's cores are shared by server and load.
#
# Usage: scripts/bench-ab.sh OLD_BINARY NEW_BINARY [rounds] [duration]
# Output: one line per run, "name round scenario ok/s p99", on stdout.
set -euo pipefail
old=$1 new=$2 rounds=${3:-3} duration=${4:-10s}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
. "$(dirname "$0")/lib/bench.sh"



machine
echo "# name round scenario ok/s p99"
port=18400
for round in $(seq "$rounds"); do
	for name in A B; do
		bin=$old
		[ "$name" = B ] && bin=$new
		port=$((port + 1))
		serve "$bin" "$port" "$work/$name$round-claims"
		"$bin" bench claims --url "http://127.0.0.1:$port" --data "$work/$name$round-claims" \
			--scenarios healthz,throughput,open --rate 6000 --duration "$duration" 2>/dev/null | table "$name" "$round"
		kill %1; wait %1 2>/dev/null || true
		port=$((port + 1))
		serve "$bin" "$port" "$work/$name$round-nearby"
		"$bin" bench nearby --url "http://127.0.0.1:$port" --data "$work/$name$round-nearby" \
			--seed 200 --duration "$duration" 2>/dev/null | table "$name" "$round"
		kill %1; wait %1 2>/dev/null || true
	done
done
