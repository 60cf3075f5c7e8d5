package store

// The hits of a search: the ranked ids loaded as stores.

import (
	"cmp"
	"context"
	"slices"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/search"
)

// hydrate loads the stores of ranked (best first), drops those deleted
// meanwhile, and with boost set lifts nearer ones by DistanceBoost, keeping
// q.Limit.
func hydrate(ctx context.Context, dbs []*DB, ranked []search.Scored, q SearchQuery, boost bool) ([]SearchHit, error) {
	return hydrateWith(ctx, dbs, ranked, q, boost, nil)
}

// hydrateWith is hydrate lifting the stores of near by the whole
// DistanceBoost wherever they are (with boost set).
func hydrateWith(ctx context.Context, dbs []*DB, ranked []search.Scored, q SearchQuery, boost bool, near map[int64]bool) ([]SearchHit, error) {
	if !boost && len(ranked) > q.Limit {
		ranked = ranked[:q.Limit]
	}
	byShard := map[int]*DB{}
	for _, db := range dbs {
		byShard[db.shard] = db
	}
	ids := map[*DB][]int64{}
	for _, r := range ranked {
		if db := byShard[couponpop.ShardOfID(r.ID)]; db != nil {
			ids[db] = append(ids[db], r.ID)
		}
	}
	stores := make(map[int64]*couponpop.Store, len(ranked))
	for db, list := range ids {
		found, err := db.searchStores(ctx, list)
		if err != nil {
			return nil, err
		}
		for _, st := range found {
			stores[st.ID] = st
		}
	}
	hits := make([]SearchHit, 0, len(ranked))
	for _, r := range ranked {
		st := stores[r.ID]
		if st == nil {
			continue
		}
		h := SearchHit{Store: st, Score: r.Score}
		if q.RadiusMeters > 0 {
			h.DistanceMeters = geo.DistanceMeters(q.Latitude, q.Longitude, st.Latitude, st.Longitude)
			if boost {
				closeness := max(0, 1-h.DistanceMeters/q.RadiusMeters)
				if near[st.ID] {
					closeness = 1
				}
				h.Score *= 1 + DistanceBoost*closeness
			}
		}
		hits = append(hits, h)
	}
	if boost {
		slices.SortStableFunc(hits, func(a, b SearchHit) int { return cmp.Compare(b.Score, a.Score) })
	}
	return hits[:min(len(hits), q.Limit)], nil
}
