package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/demo"
	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/search"
	"github.com/couponpop/couponpop/store"
)

// demoSet is the demo stores loaded into the shards the default shard map
// puts them in.
type demoSet struct {
	dbs    []*store.DB
	byName map[string]*couponpop.Store
	byID   map[int64]*couponpop.Store
}

// loadDemo opens a temp shard set with opts and loads demo.Stores() into
// it, waiting until the search index holds them all.
func loadDemo(tb testing.TB, opts store.Options) *demoSet {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	m := geo.DefaultShardMap()
	stores := map[int][]*couponpop.Store{}
	districts := map[int][]string{}
	set := &demoSet{byName: map[string]*couponpop.Store{}, byID: map[int64]*couponpop.Store{}}
	for _, in := range demo.Stores() {
		n, d, ok := m.ShardAt(in.Latitude, in.Longitude)
		if !ok {
			tb.Fatalf("demo store %s is outside the shard map", in.Name)
		}
		st := &couponpop.Store{MemberID: 1, MemberUsername: "demo", StoreInput: in}
		stores[n] = append(stores[n], st)
		districts[n] = append(districts[n], d.Name)
		set.byName[in.Name] = st
	}
	shards := make([]int, 0, len(stores))
	for n := range stores {
		shards = append(shards, n)
	}
	sort.Ints(shards)
	opened, err := store.OpenShards(ctx, dir, shards, func(int) store.Options { return opts })
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { opened.Close() })
	for _, n := range shards {
		db := opened.District[n]
		if _, err := db.CreateStores(ctx, stores[n], districts[n]); err != nil {
			tb.Fatal(err)
		}
		set.dbs = append(set.dbs, db)
	}
	for _, st := range set.byName {
		set.byID[st.ID] = st
	}
	waitIndexed(tb, set.dbs...)
	return set
}

// relevanceSet is testdata/relevance.json.
type relevanceSet struct {
	About   string `json:"about"`
	Queries []struct {
		Query     string         `json:"query"`
		Kind      string         `json:"kind"`
		Note      string         `json:"note"`
		Judgments map[string]int `json:"judgments"` // store name → grade 1..3
	} `json:"queries"`
}

func loadRelevance(tb testing.TB, set *demoSet) relevanceSet {
	return loadRelevanceFile(tb, set, "testdata/relevance.json")
}

// loadRelevanceFile reads a relevance set and checks that every judged
// store is a demo store.
func loadRelevanceFile(tb testing.TB, set *demoSet, path string) relevanceSet {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var rs relevanceSet
	if err := json.Unmarshal(data, &rs); err != nil {
		tb.Fatal(err)
	}
	for _, q := range rs.Queries {
		for name, g := range q.Judgments {
			if set.byName[name] == nil || g < 1 || g > 3 {
				tb.Fatalf("%s: query %q judges %q (grade %d), which is no demo store or no grade", path, q.Query, name, g)
			}
		}
	}
	return rs
}

// Relevance metrics at a cutoff of 10. A store is relevant for recall when
// its grade is 2 or 3; recall@10 is the share of relevant stores in the top
// 10, out of at most 10 (a query with 80 relevant stores scores 1 when its
// top 10 are all relevant). nDCG@10 uses gain 2^grade − 1 and a log2
// discount, normalised by the ideal ordering of all judged stores.
const cutoff = 10

func recallAt(ranked []string, judged map[string]int) float64 {
	relevant := 0
	for _, g := range judged {
		if g >= 2 {
			relevant++
		}
	}
	if relevant == 0 {
		return 1
	}
	found := 0
	for _, name := range ranked[:min(len(ranked), cutoff)] {
		if judged[name] >= 2 {
			found++
		}
	}
	return float64(found) / float64(min(relevant, cutoff))
}

func ndcgAt(ranked []string, judged map[string]int) float64 {
	dcg := func(grades []int) float64 {
		s := 0.0
		for i, g := range grades[:min(len(grades), cutoff)] {
			s += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
		}
		return s
	}
	var got, ideal []int
	for _, name := range ranked {
		got = append(got, judged[name])
	}
	for _, g := range judged {
		ideal = append(ideal, g)
	}
	slices.Sort(ideal)
	slices.Reverse(ideal)
	if best := dcg(ideal); best > 0 {
		return dcg(got) / best
	}
	return 1
}

// ranker answers a query with store names, best first.
type ranker func(ctx context.Context, query string) ([]string, error)

// scores are a system's mean metrics over the relevance set, overall and
// per query kind.
type scores struct {
	recall, ndcg float64
	byKind       map[string][2]float64
}

func evaluate(tb testing.TB, rs relevanceSet, rank ranker) scores {
	tb.Helper()
	ctx := context.Background()
	sums := map[string][3]float64{}
	var sc scores
	for _, q := range rs.Queries {
		names, err := rank(ctx, q.Query)
		if err != nil {
			tb.Fatalf("%q: %v", q.Query, err)
		}
		r, n := recallAt(names, q.Judgments), ndcgAt(names, q.Judgments)
		sc.recall += r
		sc.ndcg += n
		s := sums[q.Kind]
		sums[q.Kind] = [3]float64{s[0] + r, s[1] + n, s[2] + 1}
	}
	sc.recall /= float64(len(rs.Queries))
	sc.ndcg /= float64(len(rs.Queries))
	sc.byKind = map[string][2]float64{}
	for k, s := range sums {
		sc.byKind[k] = [2]float64{s[0] / s[2], s[1] / s[2]}
	}
	return sc
}

func hitNames(res store.SearchResult) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.Name
	}
	return out
}

// baselineIndex is a plain FTS5 table over the raw store text with a
// built-in tokenizer: what SQLite gives without our tokenisation.
type baselineIndex struct {
	db    *sql.DB
	names map[int64]string
}

func newBaseline(tb testing.TB, stores map[int64]*couponpop.Store, tokenizer string) *baselineIndex {
	tb.Helper()
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	tb.Cleanup(func() { db.Close() })
	for _, stmt := range []string{
		`CREATE VIRTUAL TABLE b USING fts5(name, category, description, address, tokenize = '` + tokenizer + `')`,
		`INSERT INTO b (b, rank) VALUES ('rank', 'bm25(10.0, 4.0, 2.0, 1.0)')`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			tb.Fatal(err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	b := &baselineIndex{db: db, names: map[int64]string{}}
	for id, st := range stores {
		_, err := tx.Exec(`INSERT INTO b (rowid, name, category, description, address) VALUES (?, ?, ?, ?, ?)`,
			id, st.Name, search.CategoryWords(st.StoreCategory), st.Description, st.Address+" "+st.Dong)
		if err != nil {
			tb.Fatal(err)
		}
		b.names[id] = st.Name
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return b
}

// rank quotes every whitespace-separated word as a phrase and ANDs them,
// the way an application without a Korean tokenizer would.
func (b *baselineIndex) rank(ctx context.Context, query string) ([]string, error) {
	var phrases []string
	for _, w := range strings.Fields(query) {
		phrases = append(phrases, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
	}
	if len(phrases) == 0 {
		return nil, nil
	}
	rows, err := b.db.QueryContext(ctx, `SELECT rowid FROM b WHERE b MATCH ? ORDER BY rank LIMIT ?`, strings.Join(phrases, " AND "), cutoff)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		names = append(names, b.names[id])
	}
	return names, rows.Err()
}

// Thresholds of TestSearch_Relevance, set from the measurements in
// docs/benchmarks-history.md ("Search") a little below what was measured, so a change
// that makes search worse fails.
const (
	minKeywordRecall, minKeywordNDCG = 0.90, 0.89 // measured 0.923, 0.903 after part-words (issue 18: 0.895, 0.879; before it: 0.803, 0.795)
	minHybridRecall, minHybridNDCG   = 0.94, 0.93 // measured 0.954, 0.943 after part-words (issue 18: 0.950, 0.941; before it: 0.930, 0.918)
)

// TestSearch_Relevance measures recall@10 and nDCG@10 over the relevance set
// for keyword, vector and hybrid search, the unicode61 and trigram
// baselines, and a min-max weighted fusion for comparison, and fails under
// the thresholds above. Run with -v to see the table.
func TestSearch_Relevance(t *testing.T) {
	set := loadDemo(t, store.Options{})
	rs := loadRelevance(t, set)
	searcher := &store.Searcher{Embedder: search.NewHashingEmbedder(0)}
	mode := func(fn func(context.Context, []*store.DB, store.SearchQuery) (store.SearchResult, error)) ranker {
		return func(ctx context.Context, q string) ([]string, error) {
			res, err := fn(ctx, set.dbs, store.SearchQuery{Text: q, Limit: cutoff})
			return hitNames(res), err
		}
	}
	candidates := func(ctx context.Context, q string) (kw, vec []search.Scored, err error) {
		k, err := searcher.Keyword(ctx, set.dbs, store.SearchQuery{Text: q, Limit: store.DefaultCandidates})
		if err != nil {
			return nil, nil, err
		}
		v, err := searcher.Semantic(ctx, set.dbs, store.SearchQuery{Text: q, Limit: store.DefaultCandidates})
		for _, h := range k.Hits {
			kw = append(kw, search.Scored{ID: h.ID, Score: h.Score})
		}
		for _, h := range v.Hits {
			vec = append(vec, search.Scored{ID: h.ID, Score: h.Score})
		}
		return kw, vec, err
	}
	fused := func(fuse func(kw, vec []search.Scored) []search.Scored) ranker {
		return func(ctx context.Context, q string) ([]string, error) {
			kw, vec, err := candidates(ctx, q)
			var names []string
			for _, s := range fuse(kw, vec) {
				names = append(names, set.byID[s.ID].Name)
			}
			return names, err
		}
	}
	systems := []struct {
		name string
		rank ranker
	}{
		{"hybrid (RRF k=60, hashing embedder)", mode(searcher.Hybrid)},
		{"keyword (bigram bm25)", mode(searcher.Keyword)},
		{"vector (hashing embedder)", mode(searcher.Semantic)},
		{"unicode61 baseline", newBaseline(t, set.byID, "unicode61 remove_diacritics 2").rank},
		{"trigram baseline", newBaseline(t, set.byID, "trigram").rank},
	}
	for _, w := range []float64{0.3, 0.5, 0.7} {
		systems = append(systems, struct {
			name string
			rank ranker
		}{fmt.Sprintf("min-max fusion, keyword weight %.1f", w), fused(func(kw, vec []search.Scored) []search.Scored {
			return search.WeightedMinMax([]float64{w, 1 - w}, kw, vec)
		})})
	}
	results := map[string]scores{}
	var table strings.Builder
	fmt.Fprintf(&table, "%d queries over %d demo stores\n", len(rs.Queries), len(set.byID))
	fmt.Fprintf(&table, "| system | recall@10 | nDCG@10 |\n|---|---|---|\n")
	for _, sys := range systems {
		sc := evaluate(t, rs, sys.rank)
		results[sys.name] = sc
		fmt.Fprintf(&table, "| %s | %.3f | %.3f |\n", sys.name, sc.recall, sc.ndcg)
	}
	kinds := make([]string, 0)
	for k := range results[systems[0].name].byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintf(&table, "\nnDCG@10 by query kind\n| kind | hybrid | keyword | vector | unicode61 | trigram |\n|---|---|---|---|---|---|\n")
	for _, k := range kinds {
		fmt.Fprintf(&table, "| %s |", k)
		for _, sys := range systems[:5] {
			fmt.Fprintf(&table, " %.3f |", results[sys.name].byKind[k][1])
		}
		table.WriteString("\n")
	}
	t.Log("\n" + table.String())

	hybrid, keyword := results[systems[0].name], results[systems[1].name]
	if hybrid.recall < minHybridRecall || hybrid.ndcg < minHybridNDCG {
		t.Errorf("hybrid recall@10 %.3f, nDCG@10 %.3f; want at least %.2f, %.2f", hybrid.recall, hybrid.ndcg, minHybridRecall, minHybridNDCG)
	}
	if keyword.recall < minKeywordRecall || keyword.ndcg < minKeywordNDCG {
		t.Errorf("keyword recall@10 %.3f, nDCG@10 %.3f; want at least %.2f, %.2f", keyword.recall, keyword.ndcg, minKeywordRecall, minKeywordNDCG)
	}
	for _, base := range systems[3:5] {
		if b := results[base.name]; keyword.ndcg <= b.ndcg || hybrid.ndcg <= b.ndcg {
			t.Errorf("%s nDCG@10 %.3f is not below keyword %.3f and hybrid %.3f", base.name, b.ndcg, keyword.ndcg, hybrid.ndcg)
		}
	}
}
