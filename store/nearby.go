package store

import (
	"context"
	"slices"
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

// NearbyStore is a store and its distance from the query point.
type NearbyStore struct {
	*couponpop.Store
	DistanceMeters float64
}

type candidate struct {
	id             int64
	distanceMeters float64
}

// Nearby returns the stores within the radius, nearest first (ties by ID).
// It scans the cell index over the circle's S2 covering, keeps the points
// whose exact distance is within the radius, then loads only those rows.
func (db *DB) Nearby(ctx context.Context, q NearbyQuery) ([]NearbyStore, error) {
	cands, err := db.nearbyCandidates(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]NearbyStore, 0, min(len(cands), q.Limit))
	// Load rows a page at a time: filters may drop some of the nearest.
	for start := 0; start < len(cands) && len(out) < q.Limit; start += q.Limit {
		page := cands[start:min(start+q.Limit, len(cands))]
		ids := make([]int64, len(page))
		for i, c := range page {
			ids[i] = c.id
		}
		stores, err := db.StoresByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		byID := make(map[int64]*couponpop.Store, len(stores))
		for _, s := range stores {
			byID[s.ID] = s
		}
		for _, c := range page {
			s := byID[c.id]
			if s == nil || (q.Category != "" && s.StoreCategory != q.Category) || (!q.OpenAt.IsZero() && !s.OpenAt(q.OpenAt)) {
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

func (db *DB) nearbyCandidates(ctx context.Context, q NearbyQuery) ([]candidate, error) {
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stmt, err := conn.PrepareContext(ctx, `SELECT id, latitude, longitude FROM stores
		WHERE cell BETWEEN ? AND ? AND deleted_at IS NULL`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	var cands []candidate
	for _, r := range geo.CoverCircle(q.Latitude, q.Longitude, q.RadiusMeters) {
		rows, err := stmt.QueryContext(ctx, r.Min, r.Max)
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
			if d := geo.DistanceMeters(q.Latitude, q.Longitude, lat, lng); d <= q.RadiusMeters {
				cands = append(cands, candidate{id, d})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		if a.distanceMeters != b.distanceMeters {
			if a.distanceMeters < b.distanceMeters {
				return -1
			}
			return 1
		}
		return int(a.id - b.id)
	})
	return cands, nil
}
