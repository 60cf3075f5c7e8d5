package store

import (
	"context"
	"slices"

	"github.com/couponpop/couponpop/geo"
)

// MapPoint is a store as a map marker: where it is and what it is.
type MapPoint struct {
	ID                  int64
	Latitude, Longitude float64
	Category            string
}

// StoresInRect returns the live stores inside the box, at most limit, from
// the in-memory index. truncated says more were there.
func (db *DB) StoresInRect(ctx context.Context, r geo.Rect, limit int) (points []MapPoint, truncated bool, err error) {
	x, err := db.storeIndex(ctx)
	if err != nil {
		return nil, false, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	for _, kr := range geo.CoverRect(r) {
		i, _ := slices.BinarySearchFunc(x.entries, kr.Min, entryCellCmp)
		for ; i < len(x.entries) && x.entries[i].cell <= kr.Max; i++ {
			e := &x.entries[i]
			if !r.Contains(e.lat, e.lng) {
				continue
			}
			if len(points) == limit {
				return points, true, nil
			}
			points = append(points, MapPoint{ID: e.id, Latitude: e.lat, Longitude: e.lng, Category: e.listing.Category()})
		}
	}
	return points, false, nil
}
