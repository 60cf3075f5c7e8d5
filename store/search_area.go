package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/search"
)

// areaRadiusMeters is the least radius of the circle an area named in a
// query lifts stores in: a station's circle in the gazetteer (400–700 m) is its centre, and
// people who say "강남역 카페" accept a walk.
const areaRadiusMeters = 1000

// areaQuery is what areaOf read of a query that names an area.
type areaQuery struct {
	near SearchQuery // the query without the area's word, at its circle
	name string      // the area's name in the gazetteer
	word string      // the word that named it, as typed
}

// areaOf reads a gazetteer area named in q.Text (강남역, 홍대에서, 성수)
// when the query has other words and no location of its own. The area is
// the query's place, not a word of it: its word is taken out of the text,
// and the search lifts the stores in the area (see areaBoosted). It returns
// the query with the area's word taken out and the area's circle (at least
// areaRadiusMeters; twice the area's own) as its location, the area's name
// and the word; ok is false when q names no area.
func (s *Searcher) areaOf(q SearchQuery) (areaQuery, bool) {
	words := strings.Fields(q.Text)
	if q.RadiusMeters > 0 || len(words) < 2 {
		return areaQuery{}, false
	}
	g := s.Gazetteer
	if g == nil {
		g = geo.SeoulGazetteer()
	}
	for i, w := range words {
		a, ok := g.Lookup(w)
		if !ok {
			a, ok = g.Lookup(search.StripParticles(w))
		}
		if !ok {
			continue
		}
		rest := append(words[:i:i], words[i+1:]...)
		if search.OnlyStopwords(strings.Join(rest, " ")) {
			return areaQuery{}, false // 강남역 근처: the area is all there is to search for
		}
		q.Text = strings.Join(rest, " ")
		q.Latitude, q.Longitude = a.Center.Lat, a.Center.Lng
		q.RadiusMeters = max(areaRadiusMeters, 2*a.RadiusMeters)
		return areaQuery{near: q, name: a.Name, word: w}, true
	}
	return areaQuery{}, false
}

// areaKeyword is the keyword side of a query that names an area, the
// area's word taken out: up to limit stores in the cells covering the
// area's circle matching the other words, and the stores whose text also
// names the area (a name, an address or a dong holding its word: 스타벅스
// 합정점, 역삼동), which the circle
// misses at its edge and beyond, ranked by the other words alone (the
// area's word only filters them: it would cost ranking every store that
// names 강남역), merged by score; when they are fewer than
// few, the stores outside the area below them. named is the set of the
// stores that name the area. The two rankings run side by side.
func (s *Searcher) areaKeyword(ctx context.Context, dbs []*DB, a areaQuery, limit, few int) (ranked []search.Scored, named map[int64]bool, suggestion string, err error) {
	var both []search.Scored
	var bothErr error
	var wg sync.WaitGroup
	rest, ok := search.KeywordQuery(a.near.Text, s.aliasSet())
	word, ok2 := search.KeywordQuery(a.word, s.aliasSet())
	if ok && ok2 {
		f := anywhere(a.near)
		f.text = word
		wg.Go(func() {
			both, bothErr = mergeShards(ctx, dbs, limit, func(ctx context.Context, db *DB) ([]search.Scored, error) {
				return db.keywordMatch(ctx, rest, f, limit)
			})
		})
	}
	f := filterOf(a.near)
	f.cells = true
	ranked, suggestion, err = s.keywordRankedIn(ctx, dbs, a.near, f, limit, few)
	wg.Wait()
	if err = cmp.Or(err, bothErr); err != nil {
		return nil, nil, "", err
	}
	if ok && ok2 {
		named = make(map[int64]bool, len(both))
		for _, b := range both {
			named[b.ID] = true
		}
		ranked = mergeScored(ranked, both, limit)
	}
	if len(ranked) < few {
		more, sug, err := s.keywordRankedIn(ctx, dbs, a.near, anywhere(a.near), limit, few)
		if err != nil {
			return nil, nil, "", err
		}
		ranked = appendFallback(ranked, more, limit)
		suggestion = cmp.Or(suggestion, sug)
	}
	return ranked, named, suggestion, nil
}

// anywhere is the filter of q without its location.
func anywhere(q SearchQuery) searchFilter {
	f := filterOf(q)
	f.near = false
	return f
}

// mergeScored merges two rankings of the same scale, best first (ties by
// ID), each store once at its higher score, keeping limit.
func mergeScored(a, b []search.Scored, limit int) []search.Scored {
	best := make(map[int64]float64, len(a)+len(b))
	for _, r := range slices.Concat(a, b) {
		if s, ok := best[r.ID]; !ok || r.Score > s {
			best[r.ID] = r.Score
		}
	}
	out := make([]search.Scored, 0, len(best))
	for id, sc := range best {
		out = append(out, search.Scored{ID: id, Score: sc})
	}
	slices.SortFunc(out, func(x, y search.Scored) int {
		return cmp.Or(cmp.Compare(y.Score, x.Score), cmp.Compare(x.ID, y.ID))
	})
	return out[:min(len(out), limit)]
}

// areaBoosted hydrates ranked (found by the query without the area's word)
// with the stores in the area first: those in its circle, lifted by
// DistanceBoost, nearer ones more, and those whose text names it, lifted by
// the whole of it; then the others, their scores scaled below (a filter
// that never empties the page). Distances are not reported: the query gave
// no location of its own.
func areaBoosted(ctx context.Context, dbs []*DB, a areaQuery, ranked []search.Scored, named map[int64]bool, limit int) ([]SearchHit, error) {
	hits, err := hydrateWith(ctx, dbs, ranked, SearchQuery{Latitude: a.near.Latitude, Longitude: a.near.Longitude,
		RadiusMeters: a.near.RadiusMeters, Limit: len(ranked)}, true, named)
	if err != nil {
		return nil, err
	}
	var in, out []SearchHit
	for _, h := range hits {
		if named[h.ID] || h.DistanceMeters <= a.near.RadiusMeters {
			in = append(in, h)
		} else {
			out = append(out, h)
		}
	}
	if len(in) > 0 && len(out) > 0 {
		floor, top := in[len(in)-1].Score, out[0].Score
		for i := range out {
			if top > 0 {
				out[i].Score = floor * 0.5 * out[i].Score / top
			}
		}
	}
	hits = append(in, out...)
	for i := range hits {
		hits[i].DistanceMeters = 0
	}
	return hits[:min(len(hits), limit)], nil
}
