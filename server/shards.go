package server

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/store"
)

// Shards are the databases this node holds and the map that says which
// shard owns a point or an ID.
type Shards struct {
	Map      *geo.ShardMap
	Global   *store.DB
	District map[int]*store.DB
	// Remote lists, for district shards this node does not hold, the app
	// URLs of the nodes that do.
	Remote map[int][]string

	nodePick atomic.Uint64 // round-robin over a shard's Remote nodes
}

// ByID returns the shard that owns id. When another node holds it, the
// error is a heldElsewhere that forwardOrFail answers by forwarding; when no
// node does, it is notFound.
func (sh *Shards) ByID(id int64, notFound *couponpop.Error) (*store.DB, error) {
	if !couponpop.ValidID(id) {
		return nil, notFound
	}
	shard := couponpop.ShardOfID(id)
	if db := sh.District[shard]; db != nil {
		return db, nil
	}
	return nil, sh.notHeld(shard, notFound)
}

// At returns the shard and district of a point, or OUT_OF_SERVICE_AREA, or
// heldElsewhere when another node holds the point's shard.
func (sh *Shards) At(lat, lng float64) (*store.DB, geo.District, error) {
	shard, district, ok := sh.Map.ShardAt(lat, lng)
	if !ok {
		return nil, geo.District{}, couponpop.Errorf(couponpop.EOUTOFAREA, "(%.6f, %.6f) is outside the service area", lat, lng)
	}
	if db := sh.District[shard]; db != nil {
		return db, district, nil
	}
	return nil, district, sh.notHeld(shard, couponpop.Errorf(couponpop.EUNAVAILABLE, "no node holds shard %d of %s", shard, district.Name))
}

// districtShards returns the held district shards in shard order.
func (sh *Shards) districtShards() []*store.DB {
	out := make([]*store.DB, 0, len(sh.District))
	for _, db := range sh.District {
		out = append(out, db)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Shard() < out[j].Shard() })
	return out
}

// fanOut runs fn on each shard in parallel and returns the results in shard
// order, or the first error.
func fanOut[T any](ctx context.Context, dbs []*store.DB, fn func(ctx context.Context, db *store.DB) (T, error)) ([]T, error) {
	out := make([]T, len(dbs))
	errs := make([]error, len(dbs))
	if len(dbs) == 1 {
		out[0], errs[0] = fn(ctx, dbs[0])
		return out, errs[0]
	}
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = fn(ctx, db)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Close closes every database.
func (sh *Shards) Close() error {
	var first error
	for _, db := range append(sh.districtShards(), sh.Global) {
		if db == nil {
			continue
		}
		if err := db.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
