package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/couponpop/couponpop/search"
	"github.com/couponpop/couponpop/server"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"
)

// node is one `couponpop serve` process. Like litefs's MountCommand it has a
// field for each part it starts and an init step for each; the parts that
// run for the node's life (LiteFS trackers, promotion watchers, the token
// revocation follower, the HTTP and debug servers) run in one errgroup on
// the node's context, so the first part that fails stops all of them.
// Close stops the parts in reverse order and waits for each, so no
// goroutine still uses a database when the shards close.
type node struct {
	cfg Config
	log *slog.Logger

	plan     shardPlan
	registry *prometheus.Registry // the node's own: its parts report to it
	metrics  *server.Metrics
	roles    trackerRoles // LiteFS shards only; nil on plain files
	shards   *server.Shards
	server   *server.Server
	listener net.Listener
	push     nodePush     // Web Push keys, sender, dispatchers (push.go)
	adminLn  net.Listener // admin-addr, if set

	ctx    context.Context // ends when Close is called or a part fails
	cancel context.CancelFunc
	group  *errgroup.Group
}

func newNode(cfg Config, log *slog.Logger) *node {
	return &node{cfg: cfg, log: log}
}

// Open runs the init steps in order and starts the node's parts. On an
// error, call Close to stop what did start.
func (n *node) Open(ctx context.Context) error {
	ctx, n.cancel = context.WithCancel(ctx)
	n.group, n.ctx = errgroup.WithContext(ctx)
	for _, step := range []func() error{n.initMetrics, n.initPlan, n.initAdminToken, n.initShards, n.initDemo, n.initPush, n.initServer, n.initListener} {
		if err := step(); err != nil {
			return err
		}
	}
	n.startDebugServer()
	n.group.Go(func() error { return n.server.FollowRevocations(n.ctx) })
	n.startDispatchers()
	n.startScheduler()
	n.group.Go(func() error { return n.server.Serve(n.ctx, n.listener) })
	if n.adminLn != nil {
		n.group.Go(func() error { return n.server.ServeAdmin(n.ctx, n.adminLn) })
	}
	return nil
}

// Addr is the address the API listens on.
func (n *node) Addr() net.Addr { return n.listener.Addr() }

// Wait blocks until the node's context ends (Close, the parent context, a
// signal) or a part fails, and every part has stopped; it returns the
// first part's error.
func (n *node) Wait() error {
	if n.group == nil {
		return nil
	}
	return n.group.Wait()
}

// Close stops the parts in reverse order of start: the servers finish the
// requests in flight, the followers stop, and then the shards close (their
// claim writers answer every claim already queued).
func (n *node) Close() error {
	if n.cancel != nil {
		n.cancel()
	}
	err := n.Wait()
	if n.shards != nil {
		err = errors.Join(err, n.shards.Close())
	}
	return err
}

// initMetrics makes the node's registry first: the claim writers report
// to it from the moment the shards open.
func (n *node) initMetrics() error {
	n.registry = server.NewRegistry()
	n.metrics = server.NewMetrics(n.registry)
	return nil
}

func (n *node) initPlan() error {
	plan, err := loadShardPlan(n.cfg.ShardMap)
	if err != nil {
		return err
	}
	unreachable, err := checkHeld(n.cfg, plan, n.cfg.ShardMap)
	if err != nil {
		return err
	}
	if len(unreachable) > 0 {
		n.log.Warn("shards held neither here (shards:) nor by a node of the shard map (nodes:): their requests answer 503",
			"shards", joinInts(unreachable))
	}
	n.plan = plan
	return nil
}

// initShards opens the shards: plain files under the data dir, or the
// shards the config places on LiteFS mounts (whose trackers and promotion
// watchers join the node's parts).
func (n *node) initShards() error {
	var err error
	if len(n.cfg.Shards) > 0 {
		err = n.openLiteFSShards()
	} else {
		n.shards, err = openShards(n.ctx, n.cfg, n.plan.Map, n.metrics)
	}
	if err != nil {
		return err
	}
	n.shards.Remote = remoteShards(n.plan, n.shards, n.cfg.AdvertiseURL)
	return nil
}

func (n *node) initDemo() error {
	switch {
	case !n.cfg.Demo:
		return nil
	case n.roles != nil:
		n.log.Warn("--demo is ignored on LiteFS shards: seed a single node, or the cluster's primary through the API")
		return nil
	}
	if err := seedDemo(n.ctx, n.shards, n.log); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	return nil
}

func (n *node) initServer() error {
	secret, err := jwtSecret(n.cfg)
	if err != nil {
		return err
	}
	limits, err := n.cfg.serverLimits()
	if err != nil {
		return err
	}
	synonyms, err := search.NewSynonymSource(n.cfg.SearchSynonyms)
	if err != nil {
		return fmt.Errorf("config: search-synonyms: %w", err)
	}
	cfg := server.Config{JWTSecret: secret, Logger: n.log, AdvertiseURL: n.cfg.AdvertiseURL, Embedder: n.cfg.searchEmbedder(),
		Synonyms: synonyms, Metrics: n.metrics, Gatherer: n.registry,
		AdminToken: n.cfg.AdminToken, Limits: limits, BodyReadTimeout: n.cfg.BodyReadTimeout, BcryptConcurrency: n.cfg.BcryptConcurrency,
		PushPublicKey: n.push.keys.Public, PushAllow: &n.push.allow, PushSender: n.push.sender}
	if n.roles != nil {
		cfg.Roles = n.roles
	}
	n.server, err = server.New(cfg, n.shards)
	return err
}

func (n *node) initListener() error {
	ln, err := net.Listen("tcp", n.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", n.cfg.Addr, err)
	}
	n.listener = ln
	if n.cfg.AdminAddr != "" {
		if n.adminLn, err = net.Listen("tcp", n.cfg.AdminAddr); err != nil {
			ln.Close()
			return fmt.Errorf("listen on admin-addr %s: %w", n.cfg.AdminAddr, err)
		}
	}
	return nil
}

// initAdminToken settles the admin token before the shards open: their
// replica confirmers send it.
func (n *node) initAdminToken() error {
	token, err := adminToken(n.cfg)
	if err != nil {
		return err
	}
	n.cfg.AdminToken = token
	return nil
}

// startDebugServer serves pprof on cfg.DebugAddr, if set. It is not worth
// stopping the node for: a failure to listen is logged.
func (n *node) startDebugServer() {
	if n.cfg.DebugAddr == "" {
		return
	}
	hs := &http.Server{Addr: n.cfg.DebugAddr, Handler: pprofMux(), ReadHeaderTimeout: 10 * time.Second}
	n.group.Go(func() error {
		<-n.ctx.Done()
		return hs.Close()
	})
	n.group.Go(func() error {
		if err := hs.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			n.log.Warn("debug server stopped", "addr", n.cfg.DebugAddr, "err", err)
		}
		return nil
	})
}
