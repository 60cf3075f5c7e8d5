#!/usr/bin/env bash
# Builds the production image (Dockerfile) and runs it as Fly.io would, on a
# machine with no Docker Hub: only Debian's apt mirror and the Go module proxy.
#
#   sudo scripts/docker-smoke.sh            # everything, then cleans up
#   CPSMOKE_KEEP=1 scripts/docker-smoke.sh  # leave the containers (and dockerd) up
#
# 1. dockerd from Debian's docker.io (started here if none answers, stopped at
#    the end if this script started it).
# 2. Local stand-ins for the images the Dockerfile names, under their real tags:
#    debian:trixie-slim   debootstrap --variant=minbase trixie, imported
#    golang:1.26-trixie   that rootfs + gcc/libc6-dev/git + this machine's Go
#                         toolchain (go env GOROOT) and extra CA certificates
#    docker/dockerfile:1  the Dockerfile frontend (its `# syntax=` line), built
#                         from the Go module github.com/moby/buildkit
#    They are built once and kept; CPSMOKE_REBUILD_BASE=1 builds them again.
# 3. docker build of the repository, unchanged (BuildKit: RUN --mount=cache).
# 4. On an internal Docker network (standing in for Fly's private network, with
#    <machine>.vm.<app>.internal and <app>.internal names in /etc/hosts):
#    the Consul stand-in of the failover test (cmd/couponpop/consul_standin_test.go)
#    as LiteFS's Consul; app couponpop-s0 (COUPONPOP_SHARD=0) and the district
#    app couponpop-s1 (COUPONPOP_SHARD=1, with its shard-0 replica mount), each
#    with a volume on /var/lib/litefs as fly.toml's [mounts]. Then health,
#    roles, sign-up and login, fly-replay answers, a store, an event, a claim,
#    a redemption, fan-out reads from the other app, a restart of both
#    machines (the lease comes back, the data stays), a kill -9 of the
#    district app's shard-0 replica litefs (the container must exit non-zero
#    and come back under --restart on-failure), and stops by SIGINT (Fly's
#    default kill_signal) and docker stop (exit 0, every LiteFS shut down
#    without errors).
#
# Needs root, /dev/fuse, and apt (installs docker.io, debootstrap, jq, curl).
# Fly machines are VMs where the entrypoint runs as root with every
# capability; here the containers get SYS_ADMIN and /dev/fuse (what a FUSE
# mount needs) rather than --privileged, which fails on a kernel whose
# bounding set lacks a capability (as in some VMs: "unable to apply caps").
set -euo pipefail
trap 'echo "FAIL line $LINENO: $BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${CPSMOKE_DIR:-/tmp/couponpop-docker-smoke}
TAG=${CPSMOKE_TAG:-couponpop:smoke}
SUITE=${CPSMOKE_SUITE:-trixie}
BUILDKIT_VERSION=${CPSMOKE_BUILDKIT_VERSION:-v0.34.2}
NET=cpsmoke
SUBNET_PREFIX=${CPSMOKE_SUBNET_PREFIX:-172.29.231} # a /24 on an internal bridge: never routed off this machine
KEEP=${CPSMOKE_KEEP:-0}
REBUILD_BASE=${CPSMOKE_REBUILD_BASE:-0}
SECRET=smoke-jwt-secret-0123456789abcdef-0123456789
M0=3d8d000000a001 # Fly machine ids: the LiteFS lease hostname and fly-replay instance=
M1=3d8d000000b001
IP_CONSUL=$SUBNET_PREFIX.2 IP_S0=$SUBNET_PREFIX.10 IP_S1=$SUBNET_PREFIX.11

log() { printf '== %s\n' "$*"; }
ok() { printf 'ok   %s\n' "$*"; }
die() {
	printf 'FAIL %s\n' "$*" >&2
	for c in cpsmoke-s0 cpsmoke-s1; do
		docker inspect "$c" >/dev/null 2>&1 && { echo "--- docker logs $c (last 40 lines)" >&2; docker logs --tail 40 "$c" >&2 2>&1 || true; }
	done
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (dockerd, debootstrap, FUSE)"
[ -e /dev/fuse ] || die "no /dev/fuse"
mkdir -p "$WORK"

# ---- 1. packages and dockerd ------------------------------------------------
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v jq >/dev/null || need+=(jq)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
	log "apt-get install ${need[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v docker >/dev/null || die "no docker CLI"

STARTED_DOCKERD=
if ! docker info >/dev/null 2>&1; then
	for driver in "" vfs; do
		log "starting dockerd ${driver:+(storage driver $driver)}"
		# No default bridge and no iptables: builds and containers use host
		# networking or the internal network below, nothing is NATed out.
		dockerd --bridge=none --iptables=false --ip6tables=false ${driver:+--storage-driver "$driver"} \
			>"$WORK/dockerd.log" 2>&1 &
		STARTED_DOCKERD=$!
		for _ in $(seq 30); do docker info >/dev/null 2>&1 && break; sleep 1; done
		docker info >/dev/null 2>&1 && break
		kill "$STARTED_DOCKERD" 2>/dev/null || true
		wait "$STARTED_DOCKERD" 2>/dev/null || true
		STARTED_DOCKERD=
	done
	[ -n "$STARTED_DOCKERD" ] || die "dockerd did not start, see $WORK/dockerd.log"
fi
ok "dockerd $(docker version --format '{{.Server.Version}}') ($(docker info --format '{{.Driver}}'))"

cleanup() {
	if [ "$KEEP" = 1 ]; then
		echo "kept: containers cpsmoke-consul cpsmoke-s0 cpsmoke-s1 on network $NET${STARTED_DOCKERD:+, dockerd pid $STARTED_DOCKERD}"
		return
	fi
	docker rm -f cpsmoke-consul cpsmoke-s0 cpsmoke-s1 >/dev/null 2>&1 || true
	docker volume rm cpsmoke-s0-litefs cpsmoke-s1-litefs >/dev/null 2>&1 || true
	docker network rm "$NET" >/dev/null 2>&1 || true
	if [ -n "$STARTED_DOCKERD" ]; then
		kill "$STARTED_DOCKERD" 2>/dev/null || true
		for _ in $(seq 30); do kill -0 "$STARTED_DOCKERD" 2>/dev/null || break; sleep 1; done
	fi
}
trap cleanup EXIT

# BuildKit builds (the Dockerfile uses RUN --mount=type=cache): buildx if the
# CLI has it, else the docker.io CLI (20.10) with its built-in BuildKit client.
build() {
	if docker buildx version >/dev/null 2>&1; then
		docker buildx build --load "$@"
	elif [ -x /usr/bin/docker ] && /usr/bin/docker version --format '{{.Client.Version}}' 2>/dev/null | grep -q '^20\.'; then
		DOCKER_BUILDKIT=1 /usr/bin/docker build "$@"
	else
		die "no BuildKit client: install docker-buildx, or use Debian's docker.io CLI (/usr/bin/docker)"
	fi
}

# ---- 2. base images -----------------------------------------------------------
have_image() { [ "$REBUILD_BASE" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; }

if have_image debian:trixie-slim; then
	ok "debian:trixie-slim present (CPSMOKE_REBUILD_BASE=1 rebuilds)"
else
	# The Debian mirror this machine's apt uses.
	mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -oE '^(URIs:|deb( \[[^]]*\])?) +https?://[^ ]+/debian/?( |$)' | grep -oE 'https?://[^ ]+' | head -1 || true)
	mirror=${mirror:-http://deb.debian.org/debian}
	[ "$SUITE" = trixie ] || echo "warning: debootstrapping $SUITE, tagged as the trixie images" >&2
	log "debootstrap --variant=minbase $SUITE from $mirror"
	rm -rf "$WORK/rootfs"
	debootstrap --variant=minbase "$SUITE" "$WORK/rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
		die "debootstrap failed, see $WORK/debootstrap.log"
	rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
	tar -C "$WORK/rootfs" -c . | docker import -c 'CMD ["bash"]' - debian:trixie-slim >/dev/null
	rm -rf "$WORK/rootfs"
	ok "debian:trixie-slim imported ($SUITE minbase)"
fi

if have_image golang:1.26-trixie; then
	ok "golang:1.26-trixie present"
else
	command -v go >/dev/null || die "no host Go toolchain for the golang stand-in"
	goroot=$(go env GOROOT)
	gover=$(go env GOVERSION)
	case $gover in go1.26*) ;; *) die "host Go is $gover, the Dockerfile wants golang:1.26" ;; esac
	log "golang:1.26-trixie from debian:trixie-slim + $gover ($goroot)"
	ctx=$WORK/golang
	rm -rf "$ctx" && mkdir -p "$ctx/certs"
	# This machine's extra CA certificates (a TLS-intercepting egress proxy).
	cp /usr/local/share/ca-certificates/*.crt "$ctx/certs/" 2>/dev/null || true
	cat >"$ctx/Dockerfile" <<EOF
FROM debian:trixie-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates gcc g++ libc6-dev git make pkg-config \\
	&& rm -rf /var/lib/apt/lists/*
COPY certs/ /usr/local/share/ca-certificates/
RUN update-ca-certificates
COPY go /usr/local/go
ENV GOLANG_VERSION=${gover#go} GOTOOLCHAIN=local GOPATH=/go \\
	PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
	GOPROXY=$(go env GOPROXY) GOSUMDB=$(go env GOSUMDB)
RUN mkdir -p /go/src /go/bin && chmod -R 1777 /go && go version
WORKDIR /go
EOF
	tar -c -C "$ctx" Dockerfile certs -C "$(dirname "$goroot")" --transform "s,^$(basename "$goroot"),go," "$(basename "$goroot")" |
		build --network host -t golang:1.26-trixie - >"$WORK/golang-build.log" 2>&1 ||
		die "golang stand-in build failed, see $WORK/golang-build.log"
	rm -rf "$ctx"
	ok "golang:1.26-trixie built"
fi

if have_image docker/dockerfile:1; then
	ok "docker/dockerfile:1 present"
else
	log "docker/dockerfile:1 from github.com/moby/buildkit@$BUILDKIT_VERSION"
	src=$(go mod download -json "github.com/moby/buildkit@$BUILDKIT_VERSION" | jq -r .Dir)
	ctx=$WORK/frontend
	rm -rf "$ctx" && mkdir -p "$ctx/img" && cp -r "$src" "$ctx/src" && chmod -R u+w "$ctx/src"
	# Built inside a copy: buildkit's go.mod has exclude directives, so
	# `go install pkg@version` refuses it.
	(cd "$ctx/src" && CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" go build -ldflags "-s -w" \
		-o "$ctx/img/dockerfile-frontend" ./frontend/dockerfile/cmd/dockerfile-frontend) >"$WORK/frontend-build.log" 2>&1 ||
		die "frontend build failed, see $WORK/frontend-build.log"
	cat >"$ctx/img/Dockerfile" <<'EOF'
FROM scratch
LABEL moby.buildkit.frontend.network.none="true"
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts,moby.buildkit.frontend.gitquerystring,moby.buildkit.frontend.contexts.zstd"
COPY dockerfile-frontend /bin/dockerfile-frontend
ENTRYPOINT ["/bin/dockerfile-frontend"]
EOF
	build -t docker/dockerfile:1 "$ctx/img" >"$WORK/frontend-image.log" 2>&1 || die "frontend image failed, see $WORK/frontend-image.log"
	rm -rf "$ctx"
	ok "docker/dockerfile:1 built"
fi

# ---- 3. the image -------------------------------------------------------------
log "docker build -t $TAG $ROOT (log: $WORK/build.log)"
start=$(date +%s)
build --network host -t "$TAG" "$ROOT" >"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log" >&2; die "docker build failed"; }
ok "built $TAG in $(($(date +%s) - start)) s, $(docker image inspect "$TAG" --format '{{.Size}}' | awk '{printf "%d MB", $1/1e6}')"
docker run --rm --entrypoint litefs "$TAG" version | grep -q 'v0.5.14' || die "image: litefs version is not v0.5.14"
ok "image: $(docker run --rm --entrypoint litefs "$TAG" version | head -1), couponpop $(docker run --rm --entrypoint sh "$TAG" -c 'test -x /usr/local/bin/couponpop && echo present')"

# ---- 4. run it as Fly would ---------------------------------------------------
docker rm -f cpsmoke-consul cpsmoke-s0 cpsmoke-s1 >/dev/null 2>&1 || true
docker volume rm cpsmoke-s0-litefs cpsmoke-s1-litefs >/dev/null 2>&1 || true
docker network rm "$NET" >/dev/null 2>&1 || true
docker network create --internal --subnet "$SUBNET_PREFIX.0/24" "$NET" >/dev/null

log "Consul stand-in (cmd/couponpop/consul_standin_test.go) on $IP_CONSUL:8500"
cdir=$WORK/consul
rm -rf "$cdir" && mkdir -p "$cdir"
sed '/^\/\/go:build integration$/d' "$ROOT/cmd/couponpop/consul_standin_test.go" >"$cdir/standin.go"
cat >"$cdir/main.go" <<'EOF'
// Serves the Consul stand-in of cmd/couponpop/consul_standin_test.go.
package main

import (
	"flag"
	"log"
	"net/http"
	"time"
)

func main() {
	addr := flag.String("addr", ":8500", "listen address")
	flag.Parse()
	c := &consulStandIn{sessions: map[string]*consulSession{}, kv: map[string]*consulKV{},
		blocked: map[string]time.Time{}, calls: map[string]int{}}
	log.Printf("Consul stand-in on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(c.serve)))
}
EOF
printf 'module consulstandin\n\ngo 1.26\n' >"$cdir/go.mod"
(cd "$cdir" && CGO_ENABLED=0 go build -o consul-standin .) || die "Consul stand-in build failed"
docker run -d --name cpsmoke-consul --network "$NET" --ip "$IP_CONSUL" \
	-v "$cdir/consul-standin:/usr/local/bin/consul-standin:ro" debian:trixie-slim consul-standin -addr :8500 >/dev/null

# Fly's private network: <machine>.vm.<app>.internal (LiteFS advertise-url),
# <app>.internal (fan-out reads, deploy/shardmap.yml's fly:APP nodes).
hosts=(--add-host "$M0.vm.couponpop-s0.internal:$IP_S0" --add-host "couponpop-s0.internal:$IP_S0"
	--add-host "$M1.vm.couponpop-s1.internal:$IP_S1" --add-host "couponpop-s1.internal:$IP_S1")
run_app() { # name ip machine app shard [extra docker args]
	local name=$1 ip=$2 machine=$3 app=$4 shard=$5
	shift 5
	docker run -d --name "$name" --hostname "$machine" --network "$NET" --ip "$ip" "${hosts[@]}" \
		--init --cap-add SYS_ADMIN --device /dev/fuse --security-opt apparmor=unconfined \
		-v "$name-litefs:/var/lib/litefs" \
		-e FLY_APP_NAME="$app" -e FLY_MACHINE_ID="$machine" -e FLY_ALLOC_ID="$machine" \
		-e FLY_REGION=icn -e PRIMARY_REGION=icn -e FLY_CONSUL_URL="http://$IP_CONSUL:8500/" \
		-e COUPONPOP_SHARD="$shard" -e COUPONPOP_JWT_SECRET="$SECRET" "$@" "$TAG" >/dev/null
}
S0=http://$IP_S0:8080 S1=http://$IP_S1:8080
wait_healthy() { # url name
	for _ in $(seq 90); do
		[ "$(docker inspect -f '{{.State.Running}}' "$2")" = true ] || die "$2 exited"
		curl -sf -m 2 "$1/healthz" >/dev/null 2>&1 && return 0
		sleep 1
	done
	die "$2: /healthz did not answer in 90 s"
}
role() { curl -sf -m 2 "$1/readyz" | jq -r --argjson s "$2" '.shards[] | select(.shard == $s) | .role'; }
expect_role() { # url shard role name
	local r=
	for _ in $(seq 30); do
		r=$(role "$1" "$2" || true)
		[ "$r" = "$3" ] && { ok "$4 /readyz: shard $2 $3"; return 0; }
		sleep 1
	done
	die "$4 /readyz: shard $2 is '$r', want $3"
}

log "app couponpop-s0 (shard 0) on $IP_S0"
run_app cpsmoke-s0 "$IP_S0" "$M0" couponpop-s0 0
wait_healthy "$S0" cpsmoke-s0
ok "couponpop-s0 /healthz"
expect_role "$S0" 0 primary couponpop-s0

log "app couponpop-s1 (shard 1, shard-0 replica) on $IP_S1"
run_app cpsmoke-s1 "$IP_S1" "$M1" couponpop-s1 1 -e COUPONPOP_S0_CONSUL_URL="http://$IP_CONSUL:8500/"
wait_healthy "$S1" cpsmoke-s1
ok "couponpop-s1 /healthz"
expect_role "$S1" 0 replica couponpop-s1
expect_role "$S1" 1 primary couponpop-s1

# api METHOD URL [TOKEN [JSON]]: prints the body, then "HTTP <status>" and
# "REPLAY <fly-replay>" lines.
api() {
	local args=(-s -m 10 -X "$1" -D "$WORK/headers" -o "$WORK/body")
	[ -n "${3:-}" ] && args+=(-H "Authorization: Bearer $3")
	[ -n "${4:-}" ] && args+=(-H 'Content-Type: application/json' -d "$4")
	local code
	code=$(curl "${args[@]}" -w '%{http_code}' "$2") || code=000
	cat "$WORK/body"
	echo
	echo "HTTP $code"
	echo "REPLAY $(tr -d '\r' <"$WORK/headers" | sed -n 's/^[Ff]ly-[Rr]eplay: //p')"
}
status() { sed -n 's/^HTTP //p' <<<"$1"; }
replay() { sed -n 's/^REPLAY //p' <<<"$1"; }
body() { sed -n '1p' <<<"$1"; }
want() { # answer status what
	[ "$(status "$1")" = "$2" ] || die "$3: HTTP $(status "$1"), want $2: $(body "$1")"
}

log "API checks"
signup() { # email username password type
	printf '{"email":"%s","username":"%s","password":"%s","confirmPassword":"%s","phoneNumber":"01012345678","memberType":"%s"}' "$1" "$2" "$3" "$3" "$4"
}
a=$(api POST "$S0/api/v1/auth/signup" "" "$(signup owner@smoke.test smokeowner 'Owner123!' OWNER)")
want "$a" 201 "sign-up of an owner on couponpop-s0"
a=$(api POST "$S0/api/v1/auth/signup" "" "$(signup customer@smoke.test smokecustomer 'Customer1!' CUSTOMER)")
want "$a" 201 "sign-up of a customer on couponpop-s0"
ok "couponpop-s0: sign-up of an owner and a customer (201)"
a=$(api POST "$S1/api/v1/auth/signup" "" "$(signup third@smoke.test smokethird 'Third123!' CUSTOMER)")
[ "$(status "$a")" = 409 ] && [ "$(replay "$a")" = app=couponpop-s0 ] ||
	die "sign-up on couponpop-s1: want 409 fly-replay app=couponpop-s0, got $(status "$a") '$(replay "$a")'"
ok "couponpop-s1: sign-up (a shard-0 write) answers fly-replay: app=couponpop-s0"

login() { # email password: on couponpop-s0 (a login writes a refresh token to shard 0)
	local a
	a=$(api POST "$S0/api/v1/auth/login" "" "{\"email\":\"$1\",\"password\":\"$2\"}")
	want "$a" 200 "login $1 on couponpop-s0"
	body "$a" | jq -r .data.accessToken
}
OWNER=$(login owner@smoke.test 'Owner123!')
CUSTOMER=$(login customer@smoke.test 'Customer1!')
ok "couponpop-s0: owner and customer log in"
a=$(api POST "$S1/api/v1/auth/login" "" '{"email":"customer@smoke.test","password":"Customer1!"}')
[ "$(status "$a")" = 409 ] && [ "$(replay "$a")" = app=couponpop-s0 ] ||
	die "login on couponpop-s1: want 409 fly-replay app=couponpop-s0, got $(status "$a") '$(replay "$a")'"
ok "couponpop-s1: login (writes a refresh token) answers fly-replay: app=couponpop-s0"
for _ in $(seq 20); do # the shard-0 replica may not have the member yet
	a=$(api GET "$S1/api/v1/members/me" "$CUSTOMER")
	[ "$(status "$a")" = 200 ] && break
	sleep 0.5
done
want "$a" 200 "couponpop-s0's token on couponpop-s1"
ok "couponpop-s1 accepts couponpop-s0's token and reads the member from its shard-0 replica: $(body "$a" | jq -r .data.email)"

store='{"name":"스모크 카페 홍대점","phone":"01012345678","description":"docker smoke","businessNumber":"1234567890","address":"서울 마포구 양화로 160","dong":"서교동","latitude":37.5572,"longitude":126.9245,"storeCategory":"CAFE","weekdayOpenTime":"00:00","weekdayCloseTime":"23:59","weekendOpenTime":"00:00","weekendCloseTime":"23:59"}'
a=$(api POST "$S0/api/v1/owner/stores" "$OWNER" "$store")
[ "$(status "$a")" = 409 ] && [ "$(replay "$a")" = app=couponpop-s1 ] ||
	die "store in 마포구 on couponpop-s0: want 409 fly-replay app=couponpop-s1, got $(status "$a") '$(replay "$a")'"
ok "couponpop-s0: a store in 마포구 answers fly-replay: app=couponpop-s1"
a=$(api POST "$S1/api/v1/owner/stores" "$OWNER" "$store")
want "$a" 201 "store on couponpop-s1"
STORE=$(body "$a" | jq -r .data.id)
[ $((STORE >> 40)) = 1 ] || die "store id $STORE is not in shard 1"
ok "couponpop-s1: store $STORE created (shard $((STORE >> 40)))"

kst() { date -u -d "$1 9 hours" +%Y-%m-%dT%H:%M:%S; } # Asia/Seoul, as the API takes it
a=$(api POST "$S1/api/v1/owner/coupons/events" "$OWNER" \
	"{\"storeId\":$STORE,\"name\":\"스모크 아메리카노\",\"eventStartAt\":\"$(kst '-1 minute')\",\"eventEndAt\":\"$(kst '+2 hours')\",\"totalCount\":5}")
want "$a" 201 "event on couponpop-s1"
EVENT=$(body "$a" | jq -r .data.eventId)
ok "couponpop-s1: event $EVENT created (5 coupons)"

a=$(api POST "$S1/api/v1/coupons/issue" "$CUSTOMER" "{\"eventId\":$EVENT}")
want "$a" 204 "claim on couponpop-s1"
COUPON=$(tr -d '\r' <"$WORK/headers" | sed -n 's,^[Ll]ocation: /api/v1/coupons/,,p')
[ -n "$COUPON" ] || die "claim: no Location header"
ok "couponpop-s1: customer claimed coupon $COUPON"
a=$(api POST "$S1/api/v1/coupons/issue" "$CUSTOMER" "{\"eventId\":$EVENT}")
[ "$(body "$a" | jq -r .error.code)" = COUPON_ALREADY_ISSUED ] || die "second claim: $(body "$a")"
ok "couponpop-s1: a second claim is COUPON_ALREADY_ISSUED"

a=$(api GET "$S1/api/v1/coupons/$COUPON" "$CUSTOMER")
want "$a" 200 "coupon on couponpop-s1"
[ "$(body "$a" | jq -r .data.status)" = ISSUED ] || die "coupon: $(body "$a")"
CODE=$(body "$a" | jq -r .data.qrCode.code)
a=$(api POST "$S1/api/v1/owner/stores/$STORE/redemptions" "$OWNER" "{\"qrCode\":\"$CODE\"}")
want "$a" 200 "redemption on couponpop-s1"
ok "couponpop-s1: the owner redeemed the coupon's code"
a=$(api GET "$S1/api/v1/owner/coupons/events/$EVENT" "$OWNER")
want "$a" 200 "event summary"
ok "couponpop-s1: event summary $(body "$a" | jq -c .data.summary)"

a=$(api GET "$S0/api/v1/stores?lat=37.5572&lng=126.9245&radius=0.3&withEvents=true" "$CUSTOMER")
want "$a" 200 "nearby on couponpop-s0"
[ "$(body "$a" | jq -r '.partial // false')" = false ] && body "$a" | jq -e --argjson id "$STORE" '.data | any(.id == $id)' >/dev/null ||
	die "nearby on couponpop-s0 (fan-out to couponpop-s1.internal): $(body "$a")"
ok "couponpop-s0: nearby fans out to couponpop-s1 and finds store $STORE"
a=$(api GET "$S0/api/v1/coupons?type=USED" "$CUSTOMER")
want "$a" 200 "my coupons on couponpop-s0"
body "$a" | jq -e --argjson id "$COUPON" '.data.coupons | any(.id == $id)' >/dev/null || die "my coupons on couponpop-s0: $(body "$a")"
ok "couponpop-s0: my coupons (USED) fans out and lists coupon $COUPON"

log "restart both machines (volumes kept)"
docker restart cpsmoke-s0 cpsmoke-s1 >/dev/null
wait_healthy "$S0" cpsmoke-s0
wait_healthy "$S1" cpsmoke-s1
expect_role "$S0" 0 primary couponpop-s0
expect_role "$S1" 1 primary couponpop-s1
expect_role "$S1" 0 replica couponpop-s1
a=$(api GET "$S1/api/v1/coupons/$COUPON" "$CUSTOMER")
want "$a" 200 "coupon after restart"
[ "$(body "$a" | jq -r .data.status)" = USED ] || die "coupon after restart: $(body "$a")"
OWNER=$(login owner@smoke.test 'Owner123!')
ok "after restart: coupon $COUPON is USED, the owner logs in"

# deploy/entrypoint.sh supervises the LiteFS processes: a dead shard-0
# replica mount must take the machine down (Fly restarts it), and a stop
# must shut both mounts down cleanly.
log "kill the shard-0 replica's litefs in couponpop-s1 (restart policy on-failure, as Fly)"
docker update --restart on-failure:3 cpsmoke-s1 >/dev/null
t0=$(date +%s)
pid=$(docker exec cpsmoke-s1 bash -c 'for p in /proc/[0-9]*; do
	[ "$(tr "\0" " " <"$p/cmdline" 2>/dev/null)" = "litefs mount -config /etc/litefs-s0.yml " ] && kill -KILL "${p#/proc/}" && echo "${p#/proc/}"
done; true')
[ -n "$pid" ] || die "no shard-0 replica litefs process in couponpop-s1"
died=
for _ in $(seq 30); do # the container's exit: docker's "die" event (a restart resets State.ExitCode)
	died=$(docker events --since "$t0" --until "$(date +%s)" --filter container=cpsmoke-s1 --filter event=die \
		--format '{{.Time}} {{index .Actor.Attributes "exitCode"}}')
	died=${died%%$'\n'*}
	[ -n "$died" ] && break
	sleep 0.5
done
[ -n "$died" ] || die "couponpop-s1 kept running 15 s after its shard-0 replica's litefs (pid $pid) was killed"
read -r dt code <<<"$died"
[ "$code" != 0 ] || die "couponpop-s1 exited 0 after its shard-0 replica died; Fly would not restart it"
[ $((dt - t0)) -le 10 ] || die "couponpop-s1 took $((dt - t0)) s to exit"
logs=$(docker logs --since "$t0" cpsmoke-s1 2>&1) # not piped into grep -q: SIGPIPE + pipefail
grep -q "entrypoint: shard-0 replica's litefs exited" <<<"$logs" ||
	die "couponpop-s1: no entrypoint line naming the shard-0 replica"
ok "couponpop-s1 exited with status $code within $((dt - t0)) s of the kill (litefs pid $pid)"
for _ in $(seq 30); do
	read -r running restarts < <(docker inspect -f '{{.State.Running}} {{.RestartCount}}' cpsmoke-s1)
	[ "$running" = true ] && [ "$restarts" -ge 1 ] && break
	sleep 0.5
done
[ "$running" = true ] && [ "$restarts" -ge 1 ] || die "docker did not restart couponpop-s1"
wait_healthy "$S1" cpsmoke-s1
ok "couponpop-s1 restarted by docker (restarts: $(docker inspect -f '{{.RestartCount}}' cpsmoke-s1)), /healthz ok"
expect_role "$S1" 0 replica couponpop-s1
expect_role "$S1" 1 primary couponpop-s1
a=$(api GET "$S1/api/v1/members/me" "$CUSTOMER")
want "$a" 200 "members/me on couponpop-s1 after its restart"
ok "couponpop-s1 reads the member from its shard-0 replica again"

log "stop signals: exit 0, every LiteFS shut down cleanly"
stop_check() { # name mounts how: stop the container, check its exit and log
	local c=$1 want_n=$2 how=$3 t code logs n
	t=$(date +%s.%N)
	case $how in
	stop) docker stop "$c" >/dev/null ;; # SIGTERM
	INT) docker kill -s INT "$c" >/dev/null && docker wait "$c" >/dev/null ;; # Fly's default kill_signal
	esac
	code=$(docker inspect -f '{{.State.ExitCode}}' "$c")
	logs=$(docker logs --since "$t" "$c" 2>&1)
	[ "$code" = 0 ] || die "$c: exit status $code after $how"
	# LiteFS's complaints ("ERROR: cannot wait for exec process: exit status 1",
	# an unmount error); not "cannot set environment metadata", outside Fly.
	! grep -E 'exit status|^ERROR' <<<"$logs" || die "$c: shutdown complaints in its log after $how"
	n=$(grep -c 'litefs shut down complete' <<<"$logs" || true)
	[ "$n" = "$want_n" ] || die "$c: $n of $want_n LiteFS mounts logged 'litefs shut down complete' after $how"
	ok "$c: $how: exit 0, $n LiteFS shut down complete, no errors"
}
stop_check cpsmoke-s1 2 INT
docker start cpsmoke-s1 >/dev/null
wait_healthy "$S1" cpsmoke-s1
expect_role "$S1" 0 replica couponpop-s1
stop_check cpsmoke-s1 2 stop
stop_check cpsmoke-s0 1 stop

echo
echo "docker-smoke: all checks passed (image $TAG)"
