package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

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
		args[i] = int64(-2)
		if p.Column != search.ColTags {
			args[i] = int64(-1)
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

// tieredRows answers a keyword query from its impact tier when it can:
// the rows matching fts that hold the impact tokens of some phrase (see
// search.ImpactPrefix) are ranked first, and when limit of them score at
// least the tier's bound, no row outside it can score as high, so they are
// the answer; ok is false when they are not. args are rankExpr's for fts.
//
// For 카페 in 41% of a 100k-store shard this ranks the 4k stores with 카페
// in the name instead of all 41k; for 편의점, in no store's name, the tier
// is empty and costs a lookup.
func (db *DB) tieredRows(ctx context.Context, fts string, args []any, limit int) (_ []search.Scored, ok bool, err error) {
	if !rankFunction || !tiers {
		return nil, false, nil
	}
	phrases := search.Phrases(fts)
	var scored []search.Phrase
	for _, p := range phrases {
		if p.Column != search.ColTags {
			scored = append(scored, p)
		}
	}
	tierExpr, ok := search.TierExpr(search.ColTags, scored)
	if !ok {
		return nil, false, nil
	}
	tier := "(" + fts + ") AND " + tierExpr
	// The tier's own phrases only filter.
	for range len(search.Phrases(tier)) - len(phrases) {
		args = append(args, int64(-2))
	}
	n := len(args)
	rows, err := db.read.QueryContext(ctx, `SELECT rowid, -`+search.RankCall("store_fts", n)+` AS score,
		-`+search.TierBoundCall("store_fts", n)+` FROM store_fts WHERE store_fts MATCH ?
		ORDER BY score DESC, rowid LIMIT ?`, slices.Concat(args, args, []any{tier, limit})...)
	if err != nil {
		return nil, false, fmt.Errorf("keyword search in shard %d: %w", db.shard, err)
	}
	defer rows.Close()
	var out []search.Scored
	var bound float64
	for rows.Next() {
		var s search.Scored
		if err := rows.Scan(&s.ID, &s.Score, &bound); err != nil {
			return nil, false, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("keyword search in shard %d: %w", db.shard, err)
	}
	if len(out) < limit || out[len(out)-1].Score < bound {
		return nil, false, nil
	}
	tierAnswers.Add(1)
	return out, true, nil
}

// tiers turns tieredRows on; a variable for tests, which also read
// tierAnswers, the queries it answered.
var (
	tiers       = true
	tierAnswers atomic.Int64
)

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
