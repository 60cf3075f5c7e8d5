package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
)

// NearbyQuery asks for the stores within RadiusMeters of a point.
type NearbyQuery struct {
	Latitude, Longitude float64
	RadiusMeters        float64
	Category            string    // "" for any
	OpenAt              time.Time // zero for any time; else only stores open then
	Limit               int
}

// NearbyStore is a store's listing (its listingColumns) and its distance
// from the query point.
type NearbyStore struct {
	*couponpop.Store
	DistanceMeters float64
}

type candidate struct {
	id             int64
	distanceMeters float64
}

// firstRingMeters is the first radius Nearby tries: in a dense district it
// already holds the nearest hundred stores.
const firstRingMeters = 200

// nearbyStmts are Nearby's statements, prepared once per DB.
type nearbyStmts struct {
	once       sync.Once
	err        error
	cells      *sql.Stmt // candidates in one cell-key range
	cellPoints *sql.Stmt // map points in one cell-key range
	byIDs      *sql.Stmt // rows of a JSON list of ids
}

func (db *DB) nearbyStatements(ctx context.Context) (*nearbyStmts, error) {
	n := &db.nearby
	n.once.Do(func() {
		if n.cells, n.err = db.read.PrepareContext(ctx, `SELECT id, latitude, longitude FROM stores
			WHERE cell BETWEEN ?1 AND ?2 AND deleted_at IS NULL AND (?3 = '' OR category = ?3)`); n.err != nil {
			return
		}
		if n.cellPoints, n.err = db.read.PrepareContext(ctx, `SELECT id, latitude, longitude, category FROM stores
			WHERE cell BETWEEN ? AND ? AND deleted_at IS NULL`); n.err != nil {
			return
		}
		n.byIDs, n.err = db.read.PrepareContext(ctx, `SELECT `+listingColumns+` FROM stores
			WHERE deleted_at IS NULL AND id IN (SELECT value FROM json_each(?))`)
	})
	return n, n.err
}

// Nearby returns the stores within the radius, nearest first (ties by ID),
// at most Limit. It scans the cell index over an S2 covering of a circle,
// keeps the points whose exact distance is inside, then loads only the rows
// it returns. Without an opening-hours filter it widens the circle from
// 200 m, doubling, and stops as soon as a circle holds Limit stores: they
// are then the nearest of the whole radius.
func (db *DB) Nearby(ctx context.Context, q NearbyQuery) ([]NearbyStore, error) {
	stmts, err := db.nearbyStatements(ctx)
	if err != nil {
		return nil, err
	}
	var cands []candidate
	ring := q.RadiusMeters
	if q.OpenAt.IsZero() {
		ring = min(q.RadiusMeters, firstRingMeters)
	}
	for {
		if cands, err = db.candidatesWithin(ctx, stmts, q, ring); err != nil {
			return nil, err
		}
		if len(cands) >= q.Limit || ring >= q.RadiusMeters {
			break
		}
		ring = min(2*ring, q.RadiusMeters)
	}
	out := make([]NearbyStore, 0, min(len(cands), q.Limit))
	// Load rows a page at a time: the hours filter may drop some.
	for start := 0; start < len(cands) && len(out) < q.Limit; start += q.Limit {
		page := cands[start:min(start+q.Limit, len(cands))]
		byID, err := db.listingsByID(ctx, stmts, page)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			s := byID[c.id]
			if s == nil || (!q.OpenAt.IsZero() && !s.OpenAt(q.OpenAt)) {
				continue
			}
			out = append(out, NearbyStore{Store: s, DistanceMeters: c.distanceMeters})
			if len(out) == q.Limit {
				break
			}
		}
	}
	return out, nil
}

// candidatesWithin returns the stores within radiusMeters of the query
// point (and of its category), nearest first.
func (db *DB) candidatesWithin(ctx context.Context, stmts *nearbyStmts, q NearbyQuery, radiusMeters float64) ([]candidate, error) {
	var cands []candidate
	for _, r := range geo.CoverCircle(q.Latitude, q.Longitude, radiusMeters) {
		rows, err := stmts.cells.QueryContext(ctx, r.Min, r.Max, q.Category)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var lat, lng float64
			if err := rows.Scan(&id, &lat, &lng); err != nil {
				rows.Close()
				return nil, err
			}
			if d := geo.DistanceMeters(q.Latitude, q.Longitude, lat, lng); d <= radiusMeters {
				cands = append(cands, candidate{id, d})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.distanceMeters, b.distanceMeters), cmp.Compare(a.id, b.id))
	})
	return cands, nil
}

// maxCachedListings bounds the listing cache of one shard (~300 B each).
const maxCachedListings = 200_000

// listingCache keeps store listings between nearby queries. Every store
// write changes the keyword index's generation (here or on the node that
// wrote the file), which empties it.
type listingCache struct {
	mu   sync.Mutex
	gen  int64
	rows map[int64]*couponpop.Store
}

// listingsByID returns the candidates' listings, from the cache where it
// holds them and from one query for the rest. The stores are shared: callers
// must not change them.
func (db *DB) listingsByID(ctx context.Context, stmts *nearbyStmts, cands []candidate) (map[int64]*couponpop.Store, error) {
	gen, err := db.keywordGeneration(ctx)
	if err != nil {
		return nil, err
	}
	c := &db.listings
	out := make(map[int64]*couponpop.Store, len(cands))
	var missing []candidate
	c.mu.Lock()
	if c.rows == nil || c.gen != gen || len(c.rows) > maxCachedListings {
		c.gen, c.rows = gen, map[int64]*couponpop.Store{}
	}
	for _, cand := range cands {
		if s := c.rows[cand.id]; s != nil {
			out[cand.id] = s
		} else {
			missing = append(missing, cand)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	loaded, err := db.storesByID(ctx, stmts, missing)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	for id, s := range loaded {
		out[id] = s
		if c.gen == gen {
			c.rows[id] = s
		}
	}
	c.mu.Unlock()
	return out, nil
}

// storesByID loads the rows of the candidates in one query.
func (db *DB) storesByID(ctx context.Context, stmts *nearbyStmts, cands []candidate) (map[int64]*couponpop.Store, error) {
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.id
	}
	list, _ := json.Marshal(ids)
	rows, err := stmts.byIDs.QueryContext(ctx, string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := make(map[int64]*couponpop.Store, len(ids))
	for rows.Next() {
		var s couponpop.Store
		in := &s.StoreInput
		if err := rows.Scan(&s.ID, &s.MemberID, &in.Name, &in.Address, &in.Dong, &in.Latitude, &in.Longitude, &in.ImageURL,
			&in.StoreCategory, &in.WeekdayOpenTime, &in.WeekdayCloseTime, &in.WeekendOpenTime, &in.WeekendCloseTime); err != nil {
			return nil, err
		}
		byID[s.ID] = &s
	}
	return byID, rows.Err()
}

// listingColumns are the columns of a store in a nearby listing: where it
// is, what it is and when it opens (no description, phone or business
// number).
const listingColumns = `id, member_id, name, address, dong, latitude, longitude, image_url, category,
	weekday_open_time, weekday_close_time, weekend_open_time, weekend_close_time`
