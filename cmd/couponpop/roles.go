package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/couponpop/couponpop/litefs"
	"github.com/couponpop/couponpop/server"
	"github.com/couponpop/couponpop/store"
)

// trackerRoles answers server.Roles from one LiteFS tracker per shard, and
// server.LagReporter from the shard's mount.
type trackerRoles map[int]*shardTracker

// shardTracker follows one shard's LiteFS mount.
type shardTracker struct {
	*litefs.Tracker
	mountDir string
	flyApp   string // the Fly app whose machines hold this shard's lease, if not ours
	// prepared is set once this node has prepared (migrated) the shard as
	// its primary: until then a promoted node takes no writes, so nothing
	// is written on an old schema.
	prepared atomic.Bool
}

// Lag implements server.LagReporter: LiteFS's .lag on the shard's mount.
func (tr trackerRoles) Lag(shard int) (time.Duration, bool) {
	t := tr[shard]
	if t == nil {
		return 0, false
	}
	lag, err := litefs.ReadLag(t.mountDir)
	return lag, err == nil
}

// Writer implements server.Roles. A primary that has not prepared the
// shard yet reports no primary: its writes answer 503 and /readyz too.
func (tr trackerRoles) Writer(shard int) (bool, string) {
	t := tr[shard]
	if t == nil {
		return false, ""
	}
	role := t.Role()
	switch {
	case role.Writable() && t.prepared.Load():
		return true, ""
	case role.Writable():
		return false, ""
	case t.flyApp != "" && role.Known:
		// The primary is a machine of another Fly app: replay there first.
		return false, "fly:" + t.flyApp
	}
	return false, role.PrimaryURL
}

// replicaWait bounds how long a starting replica waits for its primary to
// create and migrate a shard file.
const replicaWait = 2 * time.Minute

// openLiteFSShards opens the shards the config places on LiteFS mounts. Each
// mount's role comes from its tracker, a part of the node; the primary
// prepares (migrates) the file, a replica waits until the primary has, and
// a replica promoted later prepares it then (watchPromotions, another part).
func (n *node) openLiteFSShards() error {
	n.shards = &server.Shards{Map: n.plan.Map, District: map[int]*store.DB{}}
	n.roles = trackerRoles{}
	for _, sc := range n.cfg.Shards {
		tracker := &shardTracker{Tracker: litefs.NewTracker(litefs.NewClient(sc.LiteFSURL)), mountDir: sc.Dir, flyApp: sc.FlyApp}
		tracker.Logger = n.log.With("shard", sc.ID)
		n.roles[sc.ID] = tracker
		n.group.Go(func() error {
			if err := tracker.Run(n.ctx); n.ctx.Err() == nil {
				return fmt.Errorf("shard %d: LiteFS tracker stopped: %w", sc.ID, err)
			}
			return nil
		})
		db, err := openOnMount(n.ctx, n.cfg, sc, tracker, n.metrics)
		if err != nil {
			return fmt.Errorf("shard %d: %w", sc.ID, err)
		}
		if sc.ID == store.GlobalShard {
			n.shards.Global = db
		} else {
			n.shards.District[sc.ID] = db
		}
		n.group.Go(func() error { return watchPromotions(n.ctx, db, tracker, n.log) })
	}
	if n.shards.Global == nil {
		return errors.New("config: shards must include shard 0 (members), held by every node")
	}
	return nil
}

func openOnMount(ctx context.Context, cfg Config, sc ShardConfig, tracker *shardTracker, metrics *server.Metrics) (*store.DB, error) {
	wait, cancel := context.WithTimeout(ctx, replicaWait)
	defer cancel()
	role, err := tracker.Wait(wait, func(r litefs.Role) bool { return r.Known })
	if err != nil {
		return nil, fmt.Errorf("no primary known from LiteFS at %s: %w", sc.LiteFSURL, err)
	}
	path := filepath.Join(sc.Dir, store.FileName(sc.ID))
	if !role.IsPrimary {
		if err := waitMigrated(wait, path, sc.ID); err != nil {
			return nil, fmt.Errorf("waiting for the primary to create %s: %w", path, err)
		}
	}
	claims := store.ClaimOptions{BatchMax: cfg.ClaimBatchMax, BatchWait: cfg.ClaimBatchWait, Observe: metrics.ClaimObserver(sc.ID)}
	if cfg.ClaimAck == "replica" {
		claims.Confirm = server.ReplicaConfirmer(sc.ID, sc.Peers, cfg.AdminToken)
	}
	db, err := store.Open(ctx, path, sc.ID, store.Options{Replica: !role.IsPrimary, Search: cfg.searchOptions(), Claims: claims})
	if err != nil {
		return nil, err
	}
	tracker.prepared.Store(role.IsPrimary)
	return db, nil
}

// waitMigrated polls until the shard file exists and holds the migrations
// the primary runs.
func waitMigrated(ctx context.Context, path string, shard int) error {
	for {
		if _, err := os.Stat(path); err == nil && store.Migrated(ctx, path, shard) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// prepareAttempts is how often a promoted node tries to prepare a shard
// (a busy file, say) before it gives up and stops.
const prepareAttempts = 3

// watchPromotions prepares (migrates) a shard each time this node becomes
// its primary, and only then lets it take writes. If preparing fails, the
// node stops with that error rather than write on an old schema.
func watchPromotions(ctx context.Context, db *store.DB, tracker *shardTracker, log *slog.Logger) error {
	for {
		changed := tracker.Changed()
		if tracker.Role().Writable() && !tracker.prepared.Load() {
			if err := prepareShard(ctx, db); err != nil {
				return err
			}
			tracker.prepared.Store(true)
			log.Info("prepared shard after promotion", "shard", db.Shard())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
	}
}

// prepareShard runs db.Prepare, retrying with a backoff.
func prepareShard(ctx context.Context, db *store.DB) error {
	var err error
	for attempt := 1; ; attempt++ {
		if err = db.Prepare(ctx); err == nil || ctx.Err() != nil {
			return nil
		}
		if attempt == prepareAttempts {
			break
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Duration(attempt) * time.Second):
		}
	}
	return fmt.Errorf("shard %d: prepare after promotion (%d attempts): %w", db.Shard(), prepareAttempts, err)
}
