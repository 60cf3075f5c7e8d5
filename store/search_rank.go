package store

import (
	"context"
	"fmt"
	"sync"

	"github.com/couponpop/couponpop/search"
)

// rankFunction says whether connections offer search.RankFunction; without
// it keyword search ranks by FTS5's bm25().
var rankFunction = search.RegisterRankFunction()

// phraseStats keeps the document frequency of query phrases across keyword
// index generations: a write moves a phrase's count by at most one, so a
// count is used while the generations since it was taken are at most a
// 32nd of it (it is off by at most 3%, its IDF by less). Counting a phrase
// in 40% of a 100k-store shard takes a millisecond or more.
type phraseStats struct {
	mu sync.Mutex
	m  map[string]phraseCount
}

type phraseCount struct{ df, gen int64 }

// maxPhraseStats bounds the phrases a shard keeps counts of.
const maxPhraseStats = 16384

func (p *phraseStats) get(expr string, gen int64) (int64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.m[expr]
	if !ok || gen < c.gen || gen-c.gen > c.df/32 {
		return 0, false
	}
	return c.df, true
}

func (p *phraseStats) put(expr string, gen, df int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil || len(p.m) >= maxPhraseStats {
		p.m = map[string]phraseCount{}
	}
	p.m[expr] = phraseCount{df, gen}
}

// rankExpr returns the SQL expression that ranks the rows matching fts
// (higher is better) and its arguments, which come before fts's.
//
// FTS5's bm25() looks up each matching row's length in the docsize table
// and counts every row of every phrase once per query: for 카페 in 41% of a
// 100k-store shard that was 23 ms of a 25 ms query (ORDER BY bm25 LIMIT).
// search.RankFunction reads only the matched phrases' positions (4 ms),
// scores without length normalisation (b = 0: on the relevance set keyword
// recall@10 0.807 → 0.803, nDCG@10 0.794 → 0.795, hybrid unchanged) and
// takes the phrases' document frequencies from here: none for a single
// scored phrase, whose IDF scales every score alike; else from
// phraseStats.
func (db *DB) rankExpr(ctx context.Context, fts string) (string, []any, error) {
	if !rankFunction {
		return "-bm25(store_fts, " + search.BM25Weights + ")", nil, nil
	}
	phrases := search.Phrases(fts)
	args := make([]any, len(phrases))
	var scored []int
	for i, p := range phrases {
		args[i] = int64(-1)
		if p.Column != search.ColTags {
			scored = append(scored, i)
		}
	}
	if len(scored) > 1 {
		// With one scored phrase its IDF only scales every score alike.
		gen, err := db.keywordGeneration(ctx)
		if err != nil {
			return "", nil, err
		}
		for _, i := range scored {
			df, err := db.phraseCount(ctx, phrases[i].Expr, gen)
			if err != nil {
				return "", nil, err
			}
			args[i] = df
		}
	}
	return "-" + search.RankCall("store_fts", len(phrases)), args, nil
}

// phraseCount returns how many rows of store_fts match the phrase
// expression expr.
func (db *DB) phraseCount(ctx context.Context, expr string, gen int64) (int64, error) {
	st := &db.search.phrases
	if df, ok := st.get(expr, gen); ok {
		return df, nil
	}
	var df int64
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM store_fts WHERE store_fts MATCH ?`, expr).Scan(&df); err != nil {
		return 0, fmt.Errorf("count %s: %w", expr, err)
	}
	st.put(expr, gen, df)
	return df, nil
}
