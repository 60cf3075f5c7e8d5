#!/bin/bash
# Starts one shard app's node on Fly: on a district app, first the shard-0
# replica mount (deploy/litefs-s0.yml), then this app's own LiteFS, which
# runs couponpop serve once it is primary or connected.
#
# This script stays the machine's main process and supervises the LiteFS
# processes (one on couponpop-s0, two on a district app). Fly restarts a
# machine whose main process exits non-zero, not one that fails its checks:
# - a LiteFS process exits on its own (e.g. the shard-0 replica dies and
#   leaves /litefs-s0 a dead mount): SIGTERM the other, exit non-zero;
# - a stop signal (Fly's default kill_signal is SIGINT, docker stop sends
#   SIGTERM): SIGTERM both, app first, and exit 0.
set -eu
: "${COUPONPOP_SHARD:?set COUPONPOP_SHARD in fly.toml [env]}"
export COUPONPOP_S0_APP="${COUPONPOP_S0_APP:-couponpop-s0}"
mkdir -p /litefs /var/lib/litefs /data /etc/couponpop

main= s0= # pids of this app's LiteFS and of the shard-0 replica's
# Stops the LiteFS processes still running, this app's first: it stops
# couponpop serve, which reads /litefs-s0 until it exits (and a busy mount
# would not unmount).
stop_all() {
	local pid
	for pid in $main $s0; do
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}
trap 'echo "entrypoint: stop signal, stopping LiteFS" >&2; stop_all; exit 0' INT TERM

if [ "$COUPONPOP_SHARD" = "0" ]; then
	cp /etc/couponpop/s0.yml /etc/couponpop/node.yml
else
	: "${COUPONPOP_S0_CONSUL_URL:?fly secrets set COUPONPOP_S0_CONSUL_URL=<couponpop-s0 FLY_CONSUL_URL>}"
	cp /etc/couponpop/district.yml /etc/couponpop/node.yml
	mkdir -p /litefs-s0 /var/lib/litefs/s0
	litefs mount -config /etc/litefs-s0.yml &
	s0=$!
	# Wait until the shard-0 replica is connected (its /info names a primary).
	# LiteFS indents /info: "hostname": "<machine id>", with a space.
	# (bash reaps a dead child at once, so kill -0 fails once it has exited.)
	i=0
	until wget -qO- -T 2 http://127.0.0.1:20203/info 2>/dev/null | grep -q '"hostname": *"[^"]'; do
		kill -0 "$s0" 2>/dev/null || { echo "shard-0 replica's litefs exited" >&2; exit 1; }
		i=$((i + 1))
		[ "$i" -lt 120 ] || { echo "shard-0 replica did not connect" >&2; stop_all; exit 1; }
		sleep 1
	done
fi
litefs mount -config /etc/litefs.yml &
main=$!

# Wait for the first LiteFS to exit. A trapped signal interrupts wait and
# runs the trap above, which exits; past this line one exited on its own.
rc=0
wait -n -p who "$main" $s0 || rc=$?
if [ "${who:-}" = "$main" ]; then what=litefs main=; else what="shard-0 replica's litefs" s0=; fi
echo "entrypoint: $what exited (status $rc), stopping the machine" >&2
stop_all
exit $((rc == 0 ? 1 : rc))
