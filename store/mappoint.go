package store

import (
	"context"

	"github.com/couponpop/couponpop/geo"
)

// MapPoint is a store as a map marker: where it is and what it is.
type MapPoint struct {
	ID                  int64
	Latitude, Longitude float64
	Category            string
}

// StoresInRect returns the live stores inside the box, at most limit, from
// the cell index alone (no row is read). truncated says more were there.
func (db *DB) StoresInRect(ctx context.Context, r geo.Rect, limit int) (points []MapPoint, truncated bool, err error) {
	stmts, err := db.nearbyStatements(ctx)
	if err != nil {
		return nil, false, err
	}
	for _, kr := range geo.CoverRect(r) {
		rows, err := stmts.cellPoints.QueryContext(ctx, kr.Min, kr.Max)
		if err != nil {
			return nil, false, err
		}
		for rows.Next() {
			var p MapPoint
			if err := rows.Scan(&p.ID, &p.Latitude, &p.Longitude, &p.Category); err != nil {
				rows.Close()
				return nil, false, err
			}
			if !r.Contains(p.Latitude, p.Longitude) {
				continue
			}
			if len(points) == limit {
				rows.Close()
				return points, true, nil
			}
			points = append(points, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, false, err
		}
	}
	return points, false, nil
}
