#!/usr/bin/env bash
# Issue 19's same-run table: two couponpop binaries over HTTP, rounds
# alternating A, B, A, B…, each on a fresh single-node server, with the
# load generator of BENCH (default NEW) so both sides get the same load:
# /healthz first (the baseline), then nearby 300 m at Hongik Univ. (31
# stores), 1 km at Gangnam station (100 stores), and a dense street (1,800
# stores in 285 m: ~7,000 stores/km²), each plain and with withEvents=true;
# every seeded store has a running event. The machine's cores are shared by
# server and load.
#
# Usage: scripts/bench-nearby.sh OLD_BINARY NEW_BINARY [rounds] [duration] [clients]
# Output: one line per run, "name round scenario ok/s p99", on stdout.
set -euo pipefail
old=$1 new=$2 rounds=${3:-5} duration=${4:-5s} clients=${5:-64}
bench=${BENCH:-$new}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
. "$(dirname "$0")/lib/bench.sh"

machine
echo "# name round scenario ok/s p99"
port=18600
for round in $(seq "$rounds"); do
	for name in A B; do
		bin=$old
		[ "$name" = B ] && bin=$new
		port=$((port + 1))
		serve "$bin" "$port" "$work/$name$round"
		"$bench" bench nearby --url "http://127.0.0.1:$port" --data "$work/$name$round" \
			--healthz --with-events --seed-events --clients "$clients" --duration "$duration" \
			--circle "hongdae-300m:37.5572,126.9245,0.3,31" \
			--circle "gangnam-1km:37.4979,127.0276,1,100" \
			--circle "dense-300m:37.5704,126.9921,0.3,1800" 2>/dev/null | table "$name" "$round"
		kill %1; wait %1 2>/dev/null || true
	done
done
