package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/couponpop/couponpop/search"
)

// rankRegistered says whether connections opened from now on offer
// search.RankFunction (registered before any connection opens).
var rankRegistered = search.RegisterRankFunction()

var rankCheck struct {
	once sync.Once
	ok   bool
}

// rankFunction says whether keyword search can rank with
// search.RankFunction, checked once on an in-memory database; without it,
// it ranks by FTS5's bm25().
func rankFunction() bool {
	rankCheck.once.Do(func() { rankCheck.ok = rankRegistered && checkRankFunction() })
	return rankCheck.ok
}

func checkRankFunction() bool {
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		return false
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, stmt := range []string{search.FTSTableSQL("t"), `INSERT INTO t (rowid, name) VALUES (1, 'a')`} {
		if _, err := db.Exec(stmt); err != nil {
			return false
		}
	}
	var score float64
	err = db.QueryRow(`SELECT `+search.RankCall("t", 1)+` FROM t WHERE t MATCH '"a"'`, -1).Scan(&score)
	return err == nil && score < 0
}

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
// (higher is better) and its arguments, which come before fts's. Only the
// first scoring phrases of fts score (all when scoring < 0): the rest, and
// those of the tags column, are filters (see searchFilter).
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
func (db *DB) rankExpr(ctx context.Context, fts string, scoring int) (string, []any, error) {
	if !rankFunction() {
		return "-bm25(store_fts, " + search.BM25Weights + ")", nil, nil
	}
	phrases := search.Phrases(fts)
	args := make([]any, len(phrases))
	var scored []int
	for i, p := range phrases {
		args[i] = int64(-2)
		if p.Column != search.ColTags && (scoring < 0 || i < scoring) {
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

// tieredRows answers a keyword query from its impact tiers when it can
// (see search.ImpactLevels), highest level first: the rows matching fts
// that hold the level's impact tokens of some phrase are ranked, and when
// limit of them score at least the level's bound, no row outside can score
// as high, so they are the answer. When no row holds even the lowest
// level's tokens of a one-phrase query, every row scores at most the bound
// one below that level, so the first limit rows (in ID order) that reach
// it are the answer. ok is false when neither happened. args are
// rankExpr's for fts; query is fts before filters: tiers are tried only
// when it joins no words by AND, since a row must then hold every word at
// a level to reach its bound.
//
// For 카페 in 41% of a 100k-store shard this ranks the few hundred stores
// with 카페 in the name and the description; for 편의점, in no name and
// every convenience store's category words, it reads the first 20 rows.
func (db *DB) tieredRows(ctx context.Context, query, fts string, f searchFilter, args []any, limit int) (_ []search.Scored, ok bool, err error) {
	if !rankFunction() || db.search.fullRanking || strings.Contains(query, " AND ") {
		return nil, false, nil
	}
	phrases := search.Phrases(fts)
	var scored []search.Phrase
	for _, p := range phrases[:len(search.Phrases(query))] {
		if p.Column != search.ColTags {
			scored = append(scored, p)
		}
	}
	gen, err := db.keywordGeneration(ctx)
	if err != nil {
		return nil, false, err
	}
	filtered := fts != query
	share, err := db.filterShare(ctx, f, gen)
	if err != nil {
		return nil, false, err
	}
	for level, weight := range search.ImpactLevels {
		tokens, ok := search.TierTokens(level, scored)
		if !ok {
			return nil, false, nil
		}
		last := level == len(search.ImpactLevels)-1
		most, err := db.tierRowsAtMost(ctx, tokens, gen, limit)
		if err != nil {
			return nil, false, err
		}
		expect := float64(most) * share
		var rows []search.Scored
		switch {
		case most == 0:
			// Nobody holds the tier's tokens: no query needed.
		case expect < float64(limit) && (!last || !filtered || expect >= 1):
			// The tier cannot fill the page, or is not expected to
			// under the filter: skip its query. (At the last level, a
			// filtered tier expected empty is queried: when it is,
			// the first rows at the bound below answer.)
			continue
		default:
			tier := "(" + fts + ") AND " + search.TierExpr(search.ColTags, tokens)
			tierArgs := slices.Clone(args)
			for range len(search.Phrases(tier)) - len(phrases) {
				tierArgs = append(tierArgs, int64(-2)) // the tier's phrases only filter
			}
			n := len(tierArgs)
			var bound float64
			rows, bound, err = db.boundedRows(ctx, `SELECT rowid, -`+search.RankCall("store_fts", n)+` AS score,
			-`+search.TierBoundCall("store_fts", weight, n)+` FROM store_fts WHERE store_fts MATCH ?
			ORDER BY score DESC, rowid LIMIT ?`, slices.Concat(tierArgs, tierArgs, []any{tier, limit}))
			if err != nil {
				return nil, false, err
			}
			if len(rows) == limit && rows[limit-1].Score >= bound {
				db.search.tierAnswers.Add(1)
				return rows, true, nil
			}
		}
		if len(rows) > 0 || !last {
			continue
		}
		if len(scored) != 1 {
			return nil, false, nil
		}
		// No row holds the phrase at the lowest level: none scores above
		// the bound one below it, so the first rows at that bound lead.
		n := len(args)
		rows, _, err = db.boundedRows(ctx, `SELECT rowid, score, 0 FROM (SELECT rowid,
			-`+search.RankCall("store_fts", n)+` AS score, -`+search.TierBoundCall("store_fts", weight-1, n)+` AS bound
			FROM store_fts WHERE store_fts MATCH ?) WHERE score >= bound LIMIT ?`, slices.Concat(args, args, []any{fts, limit}))
		if err != nil || len(rows) < limit {
			return nil, false, err
		}
		db.search.tierAnswers.Add(1)
		return rows, true, nil
	}
	return nil, false, nil
}

// tierRowsAtMost returns an upper bound of the rows in the tier of tokens
// (see search.TierTokens), counted up to enough: each phrase's rows are at
// most those holding its first impact token, whose counts phraseStats
// keeps (one count a phrase and level, on a query's first run). A tier
// that cannot fill a page of enough rows is skipped without ranking it,
// and one with no rows without querying it.
func (db *DB) tierRowsAtMost(ctx context.Context, tokens [][]string, gen int64, enough int) (int, error) {
	total := 0
	for _, toks := range tokens {
		df, err := db.phraseCount(ctx, search.TokenExpr(search.ColTags, toks[0]), gen)
		if err != nil {
			return 0, err
		}
		total += int(df)
		if total >= enough {
			break
		}
	}
	return total, nil
}

// filterShare estimates the share of the shard's rows that pass the
// category and radius of f, as the share of each, taken as independent of
// each other and of the words: the tiers a filtered query is expected not
// to fill are skipped (only the cost depends on it, never the answer). The
// radius's share is that of the stores in the cells covering its circle,
// read from the nearby index as it stands when it is built, else from the
// counts of the circle's cell tags, which phraseStats keeps.
func (db *DB) filterShare(ctx context.Context, f searchFilter, gen int64) (float64, error) {
	share := 1.0
	if f.near {
		if in, all, ok := db.index.storesInCircle(f.lat, f.lng, f.radius); ok && all > 0 {
			share = min(1, float64(in)/float64(all))
			f.near = false
		}
	}
	if f.category == "" && !f.near {
		return share, nil
	}
	total, err := db.phraseCountOf(ctx, rowsKey, `SELECT count(*) FROM store_fts_docsize`, gen)
	if err != nil || total == 0 {
		return share, err
	}
	if f.category != "" {
		n, err := db.phraseCount(ctx, search.TokenExpr(search.ColTags, categoryTag(f.category)), gen)
		if err != nil {
			return 0, err
		}
		share *= float64(n) / float64(total)
	}
	if f.near {
		var n int64
		for _, c := range circleCells(f.lat, f.lng, f.radius) {
			df, err := db.phraseCount(ctx, search.TokenExpr(search.ColTags, cellTag(c)), gen)
			if err != nil {
				return 0, err
			}
			n += df
		}
		share *= min(1, float64(n)/float64(total))
	}
	return share, nil
}

// rowsKey is phraseStats' key of the count of all rows.
const rowsKey = "\x00rows"

// boundedRows runs a query of (id, score, bound) rows and returns them and
// the bound.
func (db *DB) boundedRows(ctx context.Context, query string, args []any) ([]search.Scored, float64, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("keyword search in shard %d: %w", db.shard, err)
	}
	defer rows.Close()
	var out []search.Scored
	var bound float64
	for rows.Next() {
		var s search.Scored
		if err := rows.Scan(&s.ID, &s.Score, &bound); err != nil {
			return nil, 0, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("keyword search in shard %d: %w", db.shard, err)
	}
	return out, bound, nil
}

// phraseCount returns how many rows of store_fts match the phrase
// expression expr.
func (db *DB) phraseCount(ctx context.Context, expr string, gen int64) (int64, error) {
	return db.phraseCountOf(ctx, expr, `SELECT count(*) FROM store_fts WHERE store_fts MATCH ?`, gen, expr)
}

// phraseCountOf returns the count query answers, kept in phraseStats under
// key.
func (db *DB) phraseCountOf(ctx context.Context, key, query string, gen int64, args ...any) (int64, error) {
	st := &db.search.phrases
	if df, ok := st.get(key, gen); ok {
		return df, nil
	}
	var df int64
	if err := db.read.QueryRowContext(ctx, query, args...).Scan(&df); err != nil {
		return 0, fmt.Errorf("count %s: %w", key, err)
	}
	st.put(key, gen, df)
	return df, nil
}
