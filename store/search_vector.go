package store

import (
	"context"
	"fmt"

	"github.com/couponpop/couponpop/search"
)

// vectorSearch returns the k nearest vectors to query that pass f, with
// their cosine similarity. query must come from an embedder of the same
// model as this shard's. With a radius, the candidates are the stores of the
// cells covering the circle (from the keyword index's tags), so only their
// vectors are scored; otherwise every vector is, past the filter.
func (s *searchState) vectorSearch(ctx context.Context, query []float32, model string, f searchFilter, k int) ([]search.Scored, error) {
	if model != s.emb.Model() {
		return nil, fmt.Errorf("shard %d holds vectors of %s, not %s", s.db.shard, s.emb.Model(), model)
	}
	if f.near {
		cands, err := s.db.taggedStores(ctx, f)
		if err != nil {
			return nil, err
		}
		if len(cands) > s.vectors.Len()/4 {
			return s.scanVectors(query, f, k) // most of the shard: scan it
		}
		s.metaMu.RLock()
		in := cands[:0]
		for _, id := range cands {
			if m, ok := s.meta[id]; ok && f.allows(m) {
				in = append(in, id)
			}
		}
		s.metaMu.RUnlock()
		return s.vectors.SearchAmong(query, in, k)
	}
	return s.scanVectors(query, f, k)
}

// scanVectors scores every vector that passes f.
func (s *searchState) scanVectors(query []float32, f searchFilter, k int) ([]search.Scored, error) {
	s.metaMu.RLock()
	defer s.metaMu.RUnlock()
	var filter func(int64) bool
	if f.active() {
		filter = func(id int64) bool {
			m, ok := s.meta[id]
			return ok && f.allows(m)
		}
	}
	return s.vectors.Search(query, k, filter)
}

// taggedStores returns the stores whose tags pass f's filter expression:
// for a radius, those in the cells covering the circle.
func (db *DB) taggedStores(ctx context.Context, f searchFilter) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT rowid FROM store_fts WHERE store_fts MATCH ?`, filterExpr(f))
	if err != nil {
		return nil, fmt.Errorf("vector search candidates in shard %d: %w", db.shard, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
