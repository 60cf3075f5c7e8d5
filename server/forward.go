package server

import (
	"context"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

// Roles says which node writes each shard. A nil Roles means this node
// writes every shard it holds: the single-node default.
type Roles interface {
	// Writer reports whether this node writes shard and, if not, the base
	// URL of the node that does ("" while none is known). On Fly the
	// "URL" may be a machine id, or "fly:APP" for a primary in another
	// app, both answered with fly-replay.
	Writer(shard int) (local bool, primaryURL string)
}

// Forwarding headers.
const (
	// hopHeader counts how often a write was forwarded, so that two nodes
	// that each think the other is primary cannot bounce it forever.
	hopHeader = "Couponpop-Forwarded"
	maxHops   = 2
	// positionHeader carries a shard's commit position: "shard:position".
	positionHeader = "Couponpop-Position"
)

// writesHere reports whether this node may serve a write to shard. When it
// may not, it has already answered: forwarded to the primary (a reverse
// proxy, or fly-replay on Fly), or 503 with Retry-After while no primary is
// known or the write has hopped too often. Nothing is dropped silently.
func (s *Server) writesHere(w http.ResponseWriter, r *http.Request, shard int) bool {
	if s.roles == nil {
		return true
	}
	local, primary := s.roles.Writer(shard)
	if local {
		return true
	}
	hops, _ := strconv.Atoi(r.Header.Get(hopHeader))
	switch {
	case primary == "" || (s.self != "" && strings.TrimRight(primary, "/") == s.self):
		// No primary, or LiteFS names this node while it cannot write (a
		// lease in transition): forwarding would loop.
		s.writeError(w, r, couponpop.Errorf(couponpop.EUNAVAILABLE, "shard %d has no primary right now; retry shortly", shard))
	case hops >= maxHops:
		s.writeError(w, r, couponpop.Errorf(couponpop.EUNAVAILABLE, "write to shard %d forwarded %d times without reaching its primary; retry shortly", shard, hops))
	case strings.HasPrefix(primary, flyAppPrefix):
		// On Fly the shard's primary is in another app: Fly's proxy replays
		// the request to that app, whose node replays it to its primary.
		s.metrics.forwardedWrites.Inc()
		w.Header().Set("fly-replay", "app="+strings.TrimPrefix(primary, flyAppPrefix))
		w.WriteHeader(http.StatusConflict)
	case !strings.HasPrefix(primary, "http://") && !strings.HasPrefix(primary, "https://"):
		// On Fly the primary is a machine id: Fly's proxy replays the request there.
		s.metrics.forwardedWrites.Inc()
		w.Header().Set("fly-replay", "instance="+primary)
		w.WriteHeader(http.StatusConflict)
	default:
		s.metrics.forwardedWrites.Inc()
		s.proxyTo(w, r, primary, hops+1)
	}
	return false
}

// proxyTo forwards r, body and all, to the node at base and relays its answer.
func (s *Server) proxyTo(w http.ResponseWriter, r *http.Request, base string, hops int) {
	if !s.bodyLoaded(w, r) {
		return
	}
	target, err := url.Parse(base)
	if err != nil {
		s.writeError(w, r, couponpop.Errorf(couponpop.EUNAVAILABLE, "primary address %q is not a URL", base))
		return
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = target.Host
			pr.Out.Header.Set(hopHeader, strconv.Itoa(hops))
			s.vouch(pr.Out, r)
			if r.GetBody != nil {
				if body, err := r.GetBody(); err == nil {
					pr.Out.Body = body
				}
			}
		},
		Transport: s.forwardTransport,
		ErrorHandler: func(w http.ResponseWriter, req *http.Request, err error) {
			s.log.Warn("forward failed", "to", base, "path", r.URL.Path, "err", err)
			s.writeError(w, r, couponpop.Errorf(couponpop.EUNAVAILABLE, "the primary at %s did not answer; retry shortly", base))
		},
	}
	proxy.ServeHTTP(w, r)
}

// newForwardTransport is the HTTP transport of forwarded writes: many idle
// connections, since one replica may forward thousands of claims a second.
func newForwardTransport() *http.Transport {
	return &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute,
		ResponseHeaderTimeout: 30 * time.Second}
}

// readYourWrites makes a read that carries a commit position wait until
// this node has applied it (at most the configured bound), so a client
// reads its own write on any replica. When the node does not catch up in
// time, the read is served by the shard's primary.
func (s *Server) readYourWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get(positionHeader)
		if h == "" || r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		shard, pos, ok := parsePosition(h)
		db := s.shards.District[shard]
		if shard == 0 {
			db = s.shards.Global
		}
		if !ok || db == nil {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.readWaitMax)
		caughtUp := db.WaitPosition(ctx, pos)
		cancel()
		if !caughtUp && s.roles != nil {
			if local, primary := s.roles.Writer(shard); !local && strings.HasPrefix(primary, "http") {
				hops, _ := strconv.Atoi(r.Header.Get(hopHeader))
				if hops < maxHops {
					s.metrics.forwardedReads.Inc()
					s.proxyTo(w, r, primary, hops+1)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// parsePosition reads a "shard:position" header value.
func parsePosition(h string) (shard int, pos store.Position, ok bool) {
	a, b, found := strings.Cut(strings.TrimSpace(h), ":")
	n, err1 := strconv.Atoi(a)
	p, err2 := strconv.ParseUint(b, 10, 64)
	if !found || err1 != nil || err2 != nil || n < 0 {
		return 0, 0, false
	}
	return n, store.Position(p), true
}
