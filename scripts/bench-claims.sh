#!/usr/bin/env bash
# Measures the claim engine over HTTP on this machine, as BENCHMARKS.md
# reports it: one single-node server with the batched writer (every
# scenario, with the bare /healthz baseline in the same run), then the same
# server with one claim per transaction. Server and load generator share the
# machine's cores. Usage: scripts/bench-claims.sh [duration]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
bin=$(mktemp -d)/couponpop
go build -tags sqlite_fts5 -o "$bin" ./cmd/couponpop
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

run() { # name port extra-serve-flags... -- bench flags...
	local name=$1 port=$2; shift 2
	local serve=() benchargs=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do serve+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	benchargs=("$@")
	"$bin" serve --addr "127.0.0.1:$port" --data "$work/$name" --log-level warn "${serve[@]}" &
	local pid=$!
	for _ in $(seq 100); do curl -fs "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
	echo "== $name: couponpop serve ${serve[*]}"
	"$bin" bench claims --url "http://127.0.0.1:$port" --data "$work/$name" --duration "$duration" "${benchargs[@]}" 2>/dev/null
	kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
run batched 18181 -- --scenarios lock,spike,ramp,healthz,throughput,open --rate 6000
run one-per-tx 18182 --claim-batch-max 1 -- --scenarios healthz,throughput
