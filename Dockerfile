# syntax=docker/dockerfile:1
#
# The production image of one shard app on Fly.io (see fly.toml, litefs.yml,
# deploy/): deploy/entrypoint.sh mounts the shard-0 replica on a district
# app, then LiteFS mounts /litefs, waits to be primary or connected, and runs
# `couponpop serve --config /etc/couponpop/node.yml`.
#
# Build stage and runtime share one Debian release (trixie): couponpop links
# SQLite with cgo against the build image's glibc.

FROM golang:1.26-trixie AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# couponpop: cgo for mattn/go-sqlite3, FTS5 for search.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
	CGO_ENABLED=1 go build -tags sqlite_fts5 -trimpath -ldflags "-s -w" -o /out/couponpop ./cmd/couponpop
# litefs: the version go.mod pins with its tool directive (v0.5.14).
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.Version=v0.5.14" \
	-o /out/litefs github.com/superfly/litefs/cmd/litefs

FROM debian:trixie-slim
# fuse3: LiteFS's FUSE mounts; wget: deploy/entrypoint.sh polls the shard-0
# replica's /info.
RUN apt-get update \
	&& apt-get install -y --no-install-recommends ca-certificates fuse3 wget \
	&& rm -rf /var/lib/apt/lists/* \
	&& mkdir -p /data /litefs /litefs-s0 /var/lib/litefs
COPY --from=build /out/couponpop /out/litefs /usr/local/bin/
COPY litefs.yml /etc/litefs.yml

# The node configs (deploy/): couponpop expands ${VAR} from the machine's
# environment: FLY_* come from Fly, COUPONPOP_SHARD from fly.toml [env]. The
# entrypoint picks s0.yml or district.yml, and on a district app first
# mounts the shard-0 replica. Set the token secret once for every shard app:
# fly secrets set COUPONPOP_JWT_SECRET=...
COPY deploy/litefs-s0.yml /etc/litefs-s0.yml
COPY deploy/s0.yml deploy/district.yml deploy/shardmap.yml /etc/couponpop/
COPY deploy/entrypoint.sh /usr/local/bin/couponpop-entrypoint

EXPOSE 8080
ENTRYPOINT ["couponpop-entrypoint"]
