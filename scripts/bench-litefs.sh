#!/usr/bin/env bash
# Measures claims on a local LiteFS cluster, as BENCHMARKS.md ("LiteFS")
# reports it: a 2-node cluster (shard 0 and one district shard holding all of
# Seoul, primary on node1), loaded through the primary and through the
# replica; then fresh clusters with one claim per transaction and with
# claim-ack=replica. The bare /healthz run is the same-run baseline. Apps,
# LiteFS and the load generator share the machine's cores; loopback only.
# Needs fuse3, /dev/fuse and root. Usage: scripts/bench-litefs.sh [duration]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
base=${BENCH_BASE_PORT:-18300}
bin=$(mktemp -d)/couponpop
go build -tags sqlite_fts5 -o "$bin" ./cmd/couponpop
work=$(mktemp -d)
trap '"$bin" cluster down --dir "$work/c" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

primary="http://127.0.0.1:$((base + 1))"
replica="http://127.0.0.1:$((base + 2))"

up() { # env assignments for every app...
	rm -rf "$work/c"
	env "$@" "$bin" cluster up --nodes 2 --shards 1 --dir "$work/c" --base-port "$base" --timeout 60s
}
down() { "$bin" cluster down --dir "$work/c" >/dev/null; }
bench() { # name url scenarios
	echo "== $1: couponpop bench claims --url $2 --scenarios $3 --clients 1000 --duration $duration --rate 3000"
	"$bin" bench claims --url "$2" --jwt-secret "$(cat "$work/c/jwt-secret")" --scenarios "$3" \
		--clients 1000 --duration "$duration" --rate 3000 2>/dev/null
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
up
bench "batched, via the primary" "$primary" healthz,throughput,open
bench "batched, via the replica (forwarded)" "$replica" throughput,open
down

up COUPONPOP_CLAIM_BATCH_MAX=1
bench "one claim per transaction, via the primary" "$primary" healthz,throughput
down

up COUPONPOP_CLAIM_ACK=replica
bench "claim-ack=replica, via the primary" "$primary" healthz,throughput,open
down
