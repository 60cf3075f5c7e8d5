#!/usr/bin/env bash
# What the rate limits cost claims: one couponpop binary, rounds alternating
# limits off (--rate-limits=false) and on (the defaults), each on a fresh
# single-node server, with the claim scenarios healthz and throughput. The
# bench claims as a new member each time, so every claim also makes a new
# per-member bucket: the limiter's worst case. Cores are shared by server
# and load.
#
# Usage: scripts/bench-limits.sh BINARY [rounds] [duration] [clients]
# Output: one line per run, "name round scenario ok/s p99", on stdout.
set -euo pipefail
bin=$1 rounds=${2:-5} duration=${3:-10s} clients=${4:-1000}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
. "$(dirname "$0")/lib/bench.sh"



machine
echo "# name round scenario ok/s p99"
port=18600
for round in $(seq "$rounds"); do
	for name in off on; do
		flags=()
		[ "$name" = off ] && flags=(--rate-limits=false)
		port=$((port + 1))
		serve "$bin" "$port" "$work/$name$round" "${flags[@]}"
		"$bin" bench claims --url "http://127.0.0.1:$port" --data "$work/$name$round" \
			--scenarios healthz,throughput --duration "$duration" --clients "$clients" 2>/dev/null | table "$name" "$round"
		kill %1; wait %1 2>/dev/null || true
	done
done
