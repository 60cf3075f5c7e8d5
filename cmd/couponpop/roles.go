package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/couponpop/couponpop/geo"
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

// Writer implements server.Roles.
func (tr trackerRoles) Writer(shard int) (bool, string) {
	t := tr[shard]
	if t == nil {
		return false, ""
	}
	role := t.Role()
	switch {
	case role.Writable():
		return true, ""
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
// mount's role comes from LiteFS; the primary prepares (migrates) the file,
// a replica waits until the primary has, and a replica that is promoted
// later prepares it then.
func openLiteFSShards(ctx context.Context, cfg Config, m *geo.ShardMap, log *slog.Logger, metrics *server.Metrics) (*server.Shards, trackerRoles, error) {
	shards := &server.Shards{Map: m, District: map[int]*store.DB{}}
	roles := trackerRoles{}
	fail := func(err error) (*server.Shards, trackerRoles, error) {
		for _, db := range shards.District {
			db.Close()
		}
		if shards.Global != nil {
			shards.Global.Close()
		}
		return nil, nil, err
	}
	for _, sc := range cfg.Shards {
		tracker := litefs.NewTracker(litefs.NewClient(sc.LiteFSURL))
		tracker.Logger = log.With("shard", sc.ID)
		go tracker.Run(ctx)
		roles[sc.ID] = &shardTracker{Tracker: tracker, mountDir: sc.Dir, flyApp: sc.FlyApp}
		db, err := openOnMount(ctx, cfg, sc, tracker, metrics)
		if err != nil {
			return fail(fmt.Errorf("shard %d: %w", sc.ID, err))
		}
		go prepareOnPromotion(ctx, db, tracker, log)
		if sc.ID == store.GlobalShard {
			shards.Global = db
		} else {
			shards.District[sc.ID] = db
		}
	}
	if shards.Global == nil {
		return fail(errors.New("config: shards must include shard 0 (members), held by every node"))
	}
	return shards, roles, nil
}

func openOnMount(ctx context.Context, cfg Config, sc ShardConfig, tracker *litefs.Tracker, metrics *server.Metrics) (*store.DB, error) {
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
	db, err := store.Open(ctx, path, sc.ID, store.Options{Replica: !role.IsPrimary, Search: cfg.searchOptions()})
	if err != nil {
		return nil, err
	}
	opts := store.ClaimOptions{BatchMax: cfg.ClaimBatchMax, BatchWait: cfg.ClaimBatchWait, Observe: metrics.ClaimObserver(sc.ID)}
	if cfg.ClaimAck == "replica" {
		opts.Confirm = server.ReplicaConfirmer(sc.ID, sc.Peers)
	}
	db.SetClaimOptions(opts)
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

// prepareOnPromotion migrates a shard when this node becomes its primary.
func prepareOnPromotion(ctx context.Context, db *store.DB, tracker *litefs.Tracker, log *slog.Logger) {
	wasPrimary := tracker.Role().Writable()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tracker.Changed():
		}
		isPrimary := tracker.Role().Writable()
		if isPrimary && !wasPrimary {
			if err := db.Prepare(ctx); err != nil {
				log.Error("prepare shard after promotion", "shard", db.Shard(), "err", err)
			}
		}
		wasPrimary = isPrimary
	}
}
