#!/usr/bin/env bash
# Measures sharding on this machine, as BENCHMARKS.md ("Shards") reports it,
# on a local `cluster up --shards 2 --nodes-per-shard 2` (real LiteFS: needs
# fuse3, /dev/fuse and root; ports 18001..18124 on loopback):
#  - nearby queries/s on a 1 km circle inside shard 1 beside one across the
#    Han (shards 1 and 2), 3 rounds asked of node1 and one of node3;
#  - claims/s on shard 1's primary alone, shard 2's alone, and both at once,
#    3 rounds, batched (default) and then with one claim per transaction.
# Usage: scripts/bench-shards.sh [duration]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
B=$(mktemp -d)/couponpop
go build -tags sqlite_fts5 -o "$B" ./cmd/couponpop
D=$(mktemp -d)/cluster
N1=http://127.0.0.1:18001 N3=http://127.0.0.1:18003
S2="--lat 37.5264 --lng 126.8962" # a store in Yeongdeungpo-gu: shard 2
trap '"$B" cluster down --dir "$D" >/dev/null 2>&1 || true' EXIT

claims() { # clients url [flags...]
	local clients=$1; shift
	"$B" bench claims --data "$D" --scenarios throughput --clients "$clients" --duration "$duration" "$@" 2>/dev/null | tail -1
}
claim_rounds() { # clients
	for round in 1 2 3; do
		echo "== claims round $round: shard 1 alone (node1)"; claims "$1" --url $N1
		echo "== claims round $round: shard 2 alone (node3)"; claims "$1" --url $N3 $S2
		echo "== claims round $round: both at once"
		claims "$1" --url $N1 >"$D.both1" &
		claims "$1" --url $N3 $S2 >"$D.both2"
		wait
		cat "$D.both1" "$D.both2"
		uptime
	done
}

"$B" cluster up --shards 2 --nodes-per-shard 2 --dir "$D" --base-port 18000
uptime
echo "== nearby via node1 (holds shard 1), 200 stores seeded per circle"
"$B" bench nearby --url $N1 --data "$D" --seed 200 --clients 32 --duration "$duration" 2>/dev/null
for round in 2 3; do "$B" bench nearby --url $N1 --data "$D" --clients 32 --duration "$duration" 2>/dev/null | tail -2; done
echo "== nearby via node3 (holds shard 2 only)"
"$B" bench nearby --url $N3 --data "$D" --clients 32 --duration "$duration" 2>/dev/null | tail -2
uptime
claim_rounds 200
"$B" cluster down --dir "$D"

echo "== one claim per transaction"
rm -rf "$D"
COUPONPOP_CLAIM_BATCH_MAX=1 "$B" cluster up --shards 2 --nodes-per-shard 2 --dir "$D" --base-port 18000
claim_rounds 100
