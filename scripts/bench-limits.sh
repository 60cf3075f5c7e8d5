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

serve() { # port dir flags...
	local port=$1 dir=$2
	shift 2
	"$bin" serve --addr "127.0.0.1:$port" --data "$dir" --log-level warn "$@" &
	for _ in $(seq 150); do curl -fs "127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
	echo "server on :$port did not start" >&2
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
port=18600
for round in $(seq "$rounds"); do
	for name in off on; do
		flags=()
		[ "$name" = off ] && flags=(--rate-limits=false)
		port=$((port + 1))
		serve "$port" "$work/$name$round" "${flags[@]}"
		"$bin" bench claims --url "http://127.0.0.1:$port" --data "$work/$name$round" \
			--scenarios healthz,throughput --duration "$duration" --clients "$clients" 2>/dev/null | table "$name" "$round"
		kill %1; wait %1 2>/dev/null || true
	done
done
