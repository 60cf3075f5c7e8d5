package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// RRFK is the rank constant of reciprocal rank fusion: 60, from Cormack,
// Clarke and Büttcher (SIGIR 2009) and Elasticsearch's rrf retriever.
const RRFK = 60

// RRF fuses ranked lists of IDs, best first, by reciprocal rank fusion: an
// ID scores the sum over the lists holding it of 1/(k + rank), rank counting
// from 1. k <= 0 means RRFK. An ID repeated within one list counts at its
// first place only. The result is best first; ties go to the ID with the
// better best rank, then to the lower ID.
func RRF(k int, lists ...[]int64) []Scored {
	if k <= 0 {
		k = RRFK
	}
	type acc struct {
		score float64
		best  int
	}
	accs := map[int64]*acc{}
	var order []int64
	for _, list := range lists {
		seen := make(map[int64]bool, len(list))
		for i, id := range list {
			if seen[id] {
				continue
			}
			seen[id] = true
			rank := i + 1
			a, ok := accs[id]
			if !ok {
				a = &acc{best: rank}
				accs[id] = a
				order = append(order, id)
			}
			a.score += 1 / float64(k+rank)
			a.best = min(a.best, rank)
		}
	}
	out := make([]Scored, len(order))
	for i, id := range order {
		out[i] = Scored{ID: id, Score: accs[id].score}
	}
	slices.SortFunc(out, func(a, b Scored) int {
		switch {
		case a.Score != b.Score:
			if a.Score > b.Score {
				return -1
			}
			return 1
		case accs[a.ID].best != accs[b.ID].best:
			return accs[a.ID].best - accs[b.ID].best
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}

// WeightedMinMax fuses scored lists by a weighted sum of min-max normalised
// scores (the convex combination of Bruch et al., TOIS 2023): each list's
// scores are mapped to [0, 1], multiplied by the list's weight, and summed;
// an ID missing from a list gets 0 there. Scores must be higher-is-better,
// so pass -bm25 for FTS5 ranks. A list whose scores are all equal maps them
// to 1. Missing weights count as 1. The result is best first, ties by ID.
// Keep it to compare against RRF on labelled queries.
func WeightedMinMax(weights []float64, lists ...[]Scored) []Scored {
	sum := map[int64]float64{}
	for li, list := range lists {
		if len(list) == 0 {
			continue
		}
		w := 1.0
		if li < len(weights) {
			w = weights[li]
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, s := range list {
			lo, hi = min(lo, s.Score), max(hi, s.Score)
		}
		seen := make(map[int64]bool, len(list))
		for _, s := range list {
			if seen[s.ID] {
				continue
			}
			seen[s.ID] = true
			norm := 1.0
			if hi > lo {
				norm = (s.Score - lo) / (hi - lo)
			}
			sum[s.ID] += w * norm
		}
	}
	out := make([]Scored, 0, len(sum))
	for id, s := range sum {
		out = append(out, Scored{ID: id, Score: s})
	}
	slices.SortFunc(out, func(a, b Scored) int {
		if worse(a, b) {
			return 1
		}
		if worse(b, a) {
			return -1
		}
		return 0
	})
	return out
}

// Hybrid is the outcome of HybridRank.
type Hybrid struct {
	Results []Scored // fused, best first
	// KeywordOnly is set when the vector side failed and Results are the
	// keyword ranking alone; VectorErr says why.
	KeywordOnly bool
	VectorErr   error
}

// HybridRank runs the keyword and vector searches concurrently and fuses
// their candidate IDs (best first; 50–100 per side, under the same filters)
// with RRF. The vector side gets its own deadline of vectorTimeout (none when
// 0), since it usually waits on an embedder over the network. When it fails
// (no embedder configured, the embedder down or slower than vectorTimeout)
// the keyword ranking is returned alone with KeywordOnly set; a failing
// keyword side, or ctx ending, is an error. A nil vector means no vector
// side; a nil keyword means no keyword candidates.
func HybridRank(ctx context.Context, vectorTimeout time.Duration, keyword, vector func(context.Context) ([]int64, error)) (Hybrid, error) {
	type result struct {
		ids []int64
		err error
	}
	vecc := make(chan result, 1)
	if vector != nil {
		vctx, cancel := ctx, context.CancelFunc(func() {})
		if vectorTimeout > 0 {
			vctx, cancel = context.WithTimeout(ctx, vectorTimeout)
		}
		defer cancel()
		go func() {
			ids, err := vector(vctx)
			vecc <- result{ids, err}
		}()
	} else {
		vecc <- result{err: errNoVectorSide}
	}
	var kw []int64
	if keyword != nil {
		ids, err := keyword(ctx)
		if err != nil {
			return Hybrid{}, fmt.Errorf("hybrid search: keyword side: %w", err)
		}
		kw = ids
	}
	var vr result
	select {
	case vr = <-vecc:
	case <-ctx.Done():
		return Hybrid{}, fmt.Errorf("hybrid search: %w", ctx.Err())
	}
	if vr.err != nil {
		if ctx.Err() != nil {
			return Hybrid{}, fmt.Errorf("hybrid search: %w", ctx.Err())
		}
		return Hybrid{Results: RRF(RRFK, kw), KeywordOnly: true, VectorErr: vr.err}, nil
	}
	return Hybrid{Results: RRF(RRFK, kw, vr.ids)}, nil
}

var errNoVectorSide = errors.New("no vector search configured")
