package store

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"
	"sync"

	"github.com/couponpop/couponpop/search"
)

// The ranked candidates of each side of a search, across shards: keyword
// (with its fallbacks) and vector.

func idsOf(ranked []search.Scored) []int64 {
	out := make([]int64, len(ranked))
	for i, r := range ranked {
		out[i] = r.ID
	}
	return out
}

// keywordRanked returns up to limit store IDs by bm25 across dbs: matches of
// every word; when they are fewer than few, matches of every word with the
// misspelt ones corrected (the corrected text is returned as the
// suggestion); when still fewer, matches of every word or its synonyms or
// part-words (the known compounds of the shards it is part of or holds);
// then matches of some words; each scaled below the ones before. (A hybrid
// search asks for many candidates but falls back only when the page would
// not fill: the vector side covers recall, and a fallback with a common
// word ranks a large part of the shard.)
func (s *Searcher) keywordRanked(ctx context.Context, dbs []*DB, q SearchQuery, limit, few int) ([]search.Scored, string, error) {
	return s.keywordRankedIn(ctx, dbs, q, filterOf(q), limit, few)
}

// keywordRankedIn is keywordRanked under the filter f.
func (s *Searcher) keywordRankedIn(ctx context.Context, dbs []*DB, q SearchQuery, f searchFilter, limit, few int) ([]search.Scored, string, error) {
	all, ok := search.KeywordQuery(q.Text, s.aliasSet())
	if !ok {
		return nil, "", nil
	}
	match := func(fts string) ([]search.Scored, error) {
		return mergeShards(ctx, dbs, limit, func(ctx context.Context, db *DB) ([]search.Scored, error) {
			return db.keywordMatch(ctx, fts, f, limit)
		})
	}
	ranked, err := match(all)
	if err != nil || len(ranked) >= few {
		return ranked, "", err
	}
	text, suggestion := q.Text, ""
	if fixed, ok, err := s.correct(ctx, dbs, q.Text); err != nil {
		return nil, "", err
	} else if ok {
		if fts, ok := search.KeywordQuery(fixed, s.aliasSet()); ok {
			more, err := match(fts)
			if err != nil {
				return nil, "", err
			}
			if len(more) > 0 {
				ranked = appendFallback(ranked, more, limit)
				text, suggestion = fixed, fixed
			}
		}
		if len(ranked) >= few {
			return ranked, suggestion, nil
		}
	}
	parts, err := partWordsOf(ctx, dbs)
	if err != nil {
		return nil, "", err
	}
	if fts, ok := search.ExpandedQueryWith(text, s.aliasSet(), s.synonyms(), parts); ok {
		more, err := match(fts)
		if err != nil {
			return nil, "", err
		}
		ranked = appendFallback(ranked, more, limit)
		if len(ranked) >= few {
			return ranked, suggestion, nil
		}
	}
	some, _ := search.KeywordQueryAny(text, s.aliasSet())
	if some == all {
		return ranked, suggestion, nil
	}
	more, err := match(some)
	if err != nil {
		return nil, "", err
	}
	return appendFallback(ranked, more, limit), suggestion, nil
}

// appendFallback appends the rows of more that ranked lacks, their scores
// scaled to stay below the lowest of ranked, up to limit rows.
func appendFallback(ranked, more []search.Scored, limit int) []search.Scored {
	seen := make(map[int64]bool, len(ranked))
	floor := math.Inf(1)
	for _, r := range ranked {
		seen[r.ID] = true
		floor = min(floor, r.Score)
	}
	top := 0.0
	for _, m := range more {
		top = max(top, m.Score)
	}
	for _, m := range more {
		if len(ranked) >= limit {
			break
		}
		if seen[m.ID] {
			continue
		}
		if !math.IsInf(floor, 1) && top > 0 {
			m.Score = floor * 0.5 * m.Score / top
		}
		ranked = append(ranked, m)
	}
	return ranked
}

// vectorRanked returns up to limit store IDs by cosine similarity to the
// embedded query across dbs.
func (s *Searcher) vectorRanked(ctx context.Context, dbs []*DB, q SearchQuery, limit int) ([]search.Scored, error) {
	if s.Embedder == nil {
		return nil, ErrNoEmbedder
	}
	vec, err := s.embedQuery(ctx, s.vectorText(q.Text))
	if err != nil {
		return nil, err
	}
	f := filterOf(q)
	model := s.Embedder.Model()
	ranked, err := mergeShards(ctx, dbs, limit, func(ctx context.Context, db *DB) ([]search.Scored, error) {
		return db.search.vectorSearch(ctx, vec, model, f, limit)
	})
	floor := s.similarityFloor()
	for i, r := range ranked {
		if r.Score < floor {
			return ranked[:i], err
		}
	}
	return ranked, err
}

// similarityFloor is MinSimilarity with its default filled in.
func (s *Searcher) similarityFloor() float64 {
	switch {
	case s.MinSimilarity < 0:
		return math.Inf(-1)
	case s.MinSimilarity > 0:
		return s.MinSimilarity
	}
	if _, ok := s.Embedder.(*search.HashingEmbedder); ok {
		return DefaultMinSimilarity
	}
	return math.Inf(-1)
}

// mergeShards runs fn on every shard in parallel and merges the rankings,
// best first (ties by ID), keeping limit.
func mergeShards(ctx context.Context, dbs []*DB, limit int, fn func(ctx context.Context, db *DB) ([]search.Scored, error)) ([]search.Scored, error) {
	parts := make([][]search.Scored, len(dbs))
	errs := make([]error, len(dbs))
	if len(dbs) == 1 {
		parts[0], errs[0] = fn(ctx, dbs[0])
	} else {
		var wg sync.WaitGroup
		for i, db := range dbs {
			wg.Go(func() { parts[i], errs[i] = fn(ctx, db) })
		}
		wg.Wait()
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	merged := slices.Concat(parts...)
	slices.SortFunc(merged, func(a, b search.Scored) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.ID, b.ID))
	})
	return merged[:min(len(merged), limit)], nil
}
