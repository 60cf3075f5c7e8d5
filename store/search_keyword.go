package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/search"
)

// searchFilter restricts both sides of a search alike.
type searchFilter struct {
	category         string
	near             bool
	lat, lng, radius float64 // radius in meters
	// cells keeps the keyword side's radius filter to the cells covering
	// the circle, without checking distances (an area's circle: its
	// stores are lifted by exact distance afterwards), so the ranking
	// reads only the top rows.
	cells bool
	// text is an FTS5 expression the rows must also match, whose phrases
	// only filter: they add nothing to the scores (the stores whose text
	// names an area, ranked by the other words).
	text string
}

func filterOf(q SearchQuery) searchFilter {
	return searchFilter{category: q.Category, near: q.RadiusMeters > 0,
		lat: q.Latitude, lng: q.Longitude, radius: q.RadiusMeters}
}

func (f searchFilter) active() bool { return f.category != "" || f.near || f.text != "" }

func (f searchFilter) allows(m storeMeta) bool {
	if f.category != "" && m.category != f.category {
		return false
	}
	return !f.near || geo.DistanceMeters(f.lat, f.lng, m.lat, m.lng) <= f.radius
}

// keywordMatch returns up to limit stores of this shard matching the FTS5
// expression fts and passing f, by BM25 (as a higher-is-better score).
//
// Answers are kept in the shard's keyword cache until the index changes:
// ranking a word that many stores hold (카페 in 40% of a large shard) costs
// a few milliseconds, and people search for the same few words.
func (db *DB) keywordMatch(ctx context.Context, fts string, f searchFilter, limit int) ([]search.Scored, error) {
	cache := db.search.keywords
	if cache == nil {
		return db.keywordQuery(ctx, fts, f, limit)
	}
	gen, err := db.keywordGeneration(ctx)
	if err != nil {
		return nil, fmt.Errorf("keyword search in shard %d: %w", db.shard, err)
	}
	key := fmt.Sprintf("%s\x00%s\x00%t\x00%g\x00%g\x00%g\x00%d\x00%t\x00%s", fts, f.category, f.near, f.lat, f.lng, f.radius, limit, f.cells, f.text)
	if hit, ok := cache.get(key, gen); ok {
		return slices.Clone(hit), nil
	}
	res, err := db.keywordQuery(ctx, fts, f, limit)
	if err == nil {
		cache.put(key, gen, slices.Clone(res))
	}
	return res, err
}

// keywordQuery runs keywordMatch's query, ranked by rankExpr (BM25 with
// b = 0 through search.RankFunction when it is registered, else FTS5's
// bm25()), ties by ID. Filters are tags in the index (see search_tags.go);
// a radius is then checked exactly on the rows the cells let through.
func (db *DB) keywordQuery(ctx context.Context, fts string, f searchFilter, limit int) ([]search.Scored, error) {
	query := fts
	if filter := filterExpr(f); filter != "" {
		fts = "(" + fts + ") AND " + filter
	}
	rank, args, err := db.rankExpr(ctx, fts, len(search.Phrases(query)))
	if err != nil {
		return nil, fmt.Errorf("keyword search in shard %d: %w", db.shard, err)
	}
	if !f.near || f.cells {
		// store_fts holds live stores only, so it answers alone.
		if rows, ok, err := db.tieredRows(ctx, query, fts, f, args, limit); ok || err != nil {
			return rows, err
		}
		return db.scoredRows(ctx, `SELECT rowid, `+rank+` AS score FROM store_fts WHERE store_fts MATCH ?
			ORDER BY score DESC, rowid LIMIT ?`, nil, append(args, fts, limit)...)
	}
	keep := func(lat, lng float64) bool { return geo.DistanceMeters(f.lat, f.lng, lat, lng) <= f.radius }
	return db.scoredRows(ctx, `SELECT f.rowid, `+strings.Replace(rank, "(store_fts", "(f.store_fts", 1)+` AS score,
		s.latitude, s.longitude FROM store_fts f JOIN stores s ON s.id = f.rowid WHERE f.store_fts MATCH ?
		ORDER BY score DESC, f.rowid`, keep, append(args, fts, limit)...)
}

// scoredRows reads (id, score[, lat, lng]) rows until limit pass keep. The
// last argument is the limit; it is bound only when the query ends in
// LIMIT ?.
func (db *DB) scoredRows(ctx context.Context, query string, keep func(lat, lng float64) bool, args ...any) ([]search.Scored, error) {
	limit := args[len(args)-1].(int)
	if keep != nil {
		args = args[:len(args)-1]
	}
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("keyword search in shard %d: %w", db.shard, err)
	}
	defer rows.Close()
	var out []search.Scored
	for rows.Next() && len(out) < limit {
		var s search.Scored
		var lat, lng float64
		dest := []any{&s.ID, &s.Score}
		if keep != nil {
			dest = append(dest, &lat, &lng)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if keep == nil || keep(lat, lng) {
			out = append(out, s)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("keyword search in shard %d: %w", db.shard, err)
	}
	return out, nil
}

// searchStores returns the live stores among ids, through the shard's row
// cache: every write to a store moves the keyword index generation (see
// indexStore), which empties the cache.
func (db *DB) searchStores(ctx context.Context, ids []int64) ([]*couponpop.Store, error) {
	cache := db.search.rows
	if cache == nil {
		return db.StoresByIDs(ctx, ids)
	}
	gen, err := db.keywordGeneration(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*couponpop.Store, 0, len(ids))
	var missing []int64
	for _, id := range ids {
		if st, ok := cache.get(id, gen); ok {
			out = append(out, &st)
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	found, err := db.StoresByIDs(ctx, missing)
	if err != nil {
		return nil, err
	}
	for _, st := range found {
		cache.put(st.ID, gen, *st)
	}
	return append(out, found...), nil
}
