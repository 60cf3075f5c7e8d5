#!/bin/sh
# Starts one shard app's node on Fly: on a district app, first the shard-0
# replica mount (deploy/litefs-s0.yml), then this app's own LiteFS, which
# runs couponpop serve once it is primary or connected.
set -eu
: "${COUPONPOP_SHARD:?set COUPONPOP_SHARD in fly.toml [env]}"
export COUPONPOP_S0_APP="${COUPONPOP_S0_APP:-couponpop-s0}"
mkdir -p /litefs /var/lib/litefs /data /etc/couponpop
if [ "$COUPONPOP_SHARD" = "0" ]; then
	cp /etc/couponpop/s0.yml /etc/couponpop/node.yml
else
	: "${COUPONPOP_S0_CONSUL_URL:?fly secrets set COUPONPOP_S0_CONSUL_URL=<couponpop-s0 FLY_CONSUL_URL>}"
	cp /etc/couponpop/district.yml /etc/couponpop/node.yml
	mkdir -p /litefs-s0 /var/lib/litefs/s0
	litefs mount -config /etc/litefs-s0.yml &
	# Wait until the shard-0 replica is connected (its /info names a primary).
	# LiteFS indents /info: "hostname": "<machine id>", with a space.
	i=0
	until wget -qO- http://127.0.0.1:20203/info 2>/dev/null | grep -q '"hostname": *"[^"]'; do
		i=$((i + 1))
		[ "$i" -lt 120 ] || { echo "shard-0 replica did not connect" >&2; exit 1; }
		sleep 1
	done
fi
exec litefs mount -config /etc/litefs.yml
