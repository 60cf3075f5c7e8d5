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

serve() { # binary port dir
	"$1" serve --addr "127.0.0.1:$2" --data "$3" --log-level warn &
	for _ in $(seq 150); do curl -fs "127.0.0.1:$2/healthz" >/dev/null && return; sleep 0.1; done
	echo "server on :$2 did not start" >&2
	exit 1
}

table() { # name round: keep the scenario rows of a bench table
	awk -v n="$1" -v r="$2" '
		/^scenario/ { t = 1; next }
		t && NF >= 9 && $0 !~ /^writer/ {
			name = $1; i = 2
			while ($i !~ /^[0-9]+$/) { name = name "_" $i; i++ }
			print n, r, name, $(i+3), $(i+7)
		}
		/^$/ { t = 0 }'
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
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
