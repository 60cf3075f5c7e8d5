package store_test

import (
	"context"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/demo"
	"github.com/couponpop/couponpop/search"
	"github.com/couponpop/couponpop/store"
)

// syntheticStores returns n stores made from the demo stores: a demo name
// with a word before it, two to five sentences of demo descriptions of the
// same category, and the demo location moved by a normal offset of 0.03°
// (about 3 km) each way, so 100k stores make two dense downtowns: some 3,000
// stores within 1 km of either centre.
func syntheticStores(n int) []*couponpop.Store {
	r := rand.New(rand.NewPCG(100, uint64(n)))
	templates := demo.Stores()
	sentences := map[string][]string{}
	var words []string
	for _, t := range templates {
		for _, s := range strings.SplitAfter(t.Description, ". ") {
			sentences[t.StoreCategory] = append(sentences[t.StoreCategory], strings.TrimSpace(s))
		}
		words = append(words, strings.Fields(t.Name)[0])
	}
	out := make([]*couponpop.Store, n)
	for i := range out {
		t := templates[r.IntN(len(templates))]
		pool := sentences[t.StoreCategory]
		var desc []string
		for range 2 + r.IntN(4) {
			desc = append(desc, pool[r.IntN(len(pool))])
		}
		t.Name = words[r.IntN(len(words))] + " " + t.Name
		t.Description = strings.Join(desc, " ")
		t.Latitude += r.NormFloat64() * 0.03
		t.Longitude += r.NormFloat64() * 0.03
		out[i] = &couponpop.Store{MemberID: 1, MemberUsername: "bench", StoreInput: t}
	}
	return out
}

// loadRelevanceQueries reads the first relevance set's queries.
func loadRelevanceQueries(tb testing.TB) []struct{ Query, Kind string } {
	data, err := os.ReadFile("testdata/relevance.json")
	if err != nil {
		tb.Fatal(err)
	}
	var rs struct {
		Queries []struct{ Query, Kind string }
	}
	if err := json.Unmarshal(data, &rs); err != nil {
		tb.Fatal(err)
	}
	return rs.Queries
}

// benchQueries are the old system's 17 load-test keywords and the
// relevance set's queries.
func benchQueries(tb testing.TB) []string {
	data, err := os.ReadFile("testdata/relevance.json")
	if err != nil {
		tb.Fatal(err)
	}
	var rs relevanceSet
	if err := json.Unmarshal(data, &rs); err != nil {
		tb.Fatal(err)
	}
	qs := []string{"커피", "카페", "음식", "식당", "편의점", "디저트", "베이커리", "브런치", "술집", "술", "김밥",
		"삼겹살", "치킨", "피자", "햄버거", "좋은 분위기", "맛있는 커피"}
	for _, q := range rs.Queries {
		qs = append(qs, q.Query)
	}
	return qs
}

// BenchmarkSearch measures one query's latency (p50, p99) over 100k
// synthetic stores in one shard with 384-dimension vectors (the offline
// embedder), per kind of search, cycling through benchQueries: without a
// keyword cache ("cold", every query ranked by FTS5) and with it ("warm":
// a second handle of the same file, as a replica would read it, that has
// answered every query once before the timing), with
// and without a 1 km radius; and two same-run baselines: a plain unicode61
// FTS5 table over the raw text (in memory) and StoreByID.
//
//	go test -tags sqlite_fts5 -run XXX -bench 'Search$' -benchtime 400x -v ./store
func BenchmarkSearch(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	start := time.Now()
	path := filepath.Join(b.TempDir(), store.FileName(1))
	db := searchShardAt(b, path, store.Options{Search: store.SearchOptions{Logger: quietLog, KeywordCache: -1}})
	stores := syntheticStores(n)
	for lo := 0; lo < n; lo += 5000 {
		batch := stores[lo:min(lo+5000, n)]
		if _, err := db.CreateStores(ctx, batch, make([]string, len(batch))); err != nil {
			b.Fatal(err)
		}
	}
	loaded := time.Since(start)
	waitIndexedFor(b, 10*time.Minute, db)
	embedded := time.Since(start) - loaded
	t0 := time.Now()
	warm := searchShardAt(b, path, store.Options{Replica: true, Search: store.SearchOptions{Logger: quietLog}})
	waitIndexedFor(b, 10*time.Minute, warm)
	b.Logf("%d stores: inserted and keyword-indexed in %v; embedded, stored and loaded in %v; %d vectors; a second handle loaded them in %v",
		n, loaded.Round(time.Millisecond), embedded.Round(time.Millisecond), db.SearchStats().Vectors, time.Since(t0).Round(time.Millisecond))
	byID := make(map[int64]*couponpop.Store, n)
	for _, st := range stores {
		byID[st.ID] = st
	}
	t0 = time.Now()
	baseline := newBaseline(b, byID, "unicode61 remove_diacritics 2")
	b.Logf("unicode61 baseline built in %v", time.Since(t0).Round(time.Millisecond))

	queries := benchQueries(b)
	s := &store.Searcher{Embedder: search.NewHashingEmbedder(0)}
	// Query points for the radius: the two demo areas.
	points := [][2]float64{{37.5563, 126.9236}, {37.4979, 127.0276}}
	run := func(fn func(i int, q string) error) func(b *testing.B) {
		return func(b *testing.B) {
			if strings.Contains(b.Name(), "warm") {
				for i, q := range queries { // fill the caches
					if err := fn(i, q); err != nil {
						b.Fatal(err)
					}
				}
			}
			var durations []time.Duration
			i := 0
			for b.Loop() {
				q := queries[i%len(queries)]
				t := time.Now()
				if err := fn(i, q); err != nil {
					b.Fatal(err)
				}
				durations = append(durations, time.Since(t))
				i++
			}
			slices.Sort(durations)
			pct := func(p float64) float64 {
				return float64(durations[int(p*float64(len(durations)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(0, "ns/op")
		}
	}
	mode := func(fn func(context.Context, []*store.DB, store.SearchQuery) (store.SearchResult, error), on *store.DB, radius float64) func(b *testing.B) {
		return run(func(i int, q string) error {
			p := points[i%len(points)]
			_, err := fn(ctx, []*store.DB{on}, store.SearchQuery{Text: q, Latitude: p[0], Longitude: p[1], RadiusMeters: radius})
			return err
		})
	}
	// The part-word dictionary is built on the first query that falls
	// back to expansions, and rebuilt in the background as the index
	// moves: build it before the timing, as after that first query.
	t0 = time.Now()
	known, err := store.PartWordsLen(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("part-word dictionary of %d compounds built in %v", known, time.Since(t0).Round(time.Millisecond))
	b.Run("keyword-cold", mode(s.Keyword, db, 0))
	b.Run("keyword-warm", mode(s.Keyword, warm, 0))
	b.Run("vector", mode(s.Semantic, db, 0))
	b.Run("hybrid-cold", mode(s.Hybrid, db, 0))
	b.Run("hybrid-warm", mode(s.Hybrid, warm, 0))
	b.Run("keyword-1km-cold", mode(s.Keyword, db, 1000))
	// Queries that name an area (the relevance set's area kind: 강남역
	// 파스타, 홍대 카페 …), which search the other words in the area.
	var areaQueries []string
	for _, q := range loadRelevanceQueries(b) {
		if q.Kind == "area" {
			areaQueries = append(areaQueries, q.Query)
		}
	}
	area := func(fn func(context.Context, []*store.DB, store.SearchQuery) (store.SearchResult, error)) func(b *testing.B) {
		return run(func(i int, _ string) error {
			_, err := fn(ctx, []*store.DB{db}, store.SearchQuery{Text: areaQueries[i%len(areaQueries)]})
			return err
		})
	}
	b.Run("keyword-area-cold", area(s.Keyword))
	b.Run("hybrid-area-cold", area(s.Hybrid))
	b.Run("vector-1km", mode(s.Semantic, db, 1000))
	b.Run("hybrid-1km-cold", mode(s.Hybrid, db, 1000))
	// Typos (a chain's name one jamo off, and nonsense): the exact query
	// finds nothing, so the fuzzy fallback runs (name dictionary built
	// before the timing, as after the first query).
	typos := []string{"스타벅쓰", "투섬플레이스", "맥도널드", "파리바게트", "까페", "교쵼치킨", "버거깅", "뚜레주르", "이디아커피", "뷁뚫", "qwzx 카페"}
	t0 = time.Now()
	if _, err := s.Keyword(ctx, []*store.DB{db}, store.SearchQuery{Text: typos[0]}); err != nil {
		b.Fatal(err)
	}
	b.Logf("first typo query (builds the name dictionary) in %v", time.Since(t0).Round(time.Millisecond))
	typo := func(fn func(context.Context, []*store.DB, store.SearchQuery) (store.SearchResult, error)) func(b *testing.B) {
		return run(func(i int, _ string) error {
			_, err := fn(ctx, []*store.DB{db}, store.SearchQuery{Text: typos[i%len(typos)]})
			return err
		})
	}
	b.Run("typo-correction", run(func(i int, _ string) error {
		_, _, err := store.Correct(ctx, s, []*store.DB{db}, typos[i%len(typos)])
		return err
	}))
	b.Run("keyword-typo-cold", typo(s.Keyword))
	b.Run("hybrid-typo-cold", typo(s.Hybrid))
	// Part-words: one-syllable nouns (issue 18's five) and compounds no
	// store name holds, whose known parts are searched when they find
	// too little.
	parts := []string{"술", "빵", "떡", "밥", "차", "평양냉면", "흑맥주", "치즈떡볶이", "소금빵집", "수제버거"}
	partQuery := func(fn func(context.Context, []*store.DB, store.SearchQuery) (store.SearchResult, error)) func(b *testing.B) {
		return run(func(i int, _ string) error {
			_, err := fn(ctx, []*store.DB{db}, store.SearchQuery{Text: parts[i%len(parts)]})
			return err
		})
	}
	b.Run("keyword-partword-cold", partQuery(s.Keyword))
	b.Run("hybrid-partword-cold", partQuery(s.Hybrid))
	b.Run("suggest", run(func(_ int, q string) error {
		_, err := s.Suggest(ctx, []*store.DB{db}, q, 10)
		return err
	}))
	b.Run("baseline-unicode61", run(func(_ int, q string) error {
		_, err := baseline.rank(ctx, q)
		return err
	}))
	ids := slices.Collect(maps.Keys(byID))
	b.Run("baseline-store-by-id", run(func(i int, _ string) error {
		_, err := db.StoreByID(ctx, ids[i%len(ids)])
		return err
	}))
}

// TestSearch_ImpactTiersAreExact checks that keyword answers taken from
// impact tiers are the full ranking's: over 3,000 synthetic stores, every
// benchmark query at several page sizes, with and without a category, gives
// the same stores and scores with tiers as without, and tiers answer some.
func TestSearch_ImpactTiersAreExact(t *testing.T) {
	ctx := context.Background()
	db := searchShard(t, store.Options{Search: store.SearchOptions{KeywordCache: -1, Logger: quietLog}})
	stores := syntheticStores(3000)
	if _, err := db.CreateStores(ctx, stores, make([]string, len(stores))); err != nil {
		t.Fatal(err)
	}
	// The reference: a second handle on the same file that ranks fully.
	reference := searchShardAt(t, db.Path(), store.Options{Replica: true,
		Search: store.SearchOptions{KeywordCache: -1, Logger: quietLog, FullRanking: true}})
	s := &store.Searcher{}
	for _, limit := range []int{1, 5, 20, 100} {
		for _, category := range []string{"", "CAFE"} {
			for _, q := range benchQueries(t) {
				query := store.SearchQuery{Text: q, Limit: limit, Category: category}
				tiered, err := s.Keyword(ctx, []*store.DB{db}, query)
				if err != nil {
					t.Fatal(err)
				}
				full, err := s.Keyword(ctx, []*store.DB{reference}, query)
				if err != nil {
					t.Fatal(err)
				}
				if len(tiered.Hits) != len(full.Hits) {
					t.Fatalf("%q (limit %d, category %q): %d hits with tiers, %d without", q, limit, category, len(tiered.Hits), len(full.Hits))
				}
				for i := range full.Hits {
					if a, b := tiered.Hits[i], full.Hits[i]; a.ID != b.ID || a.Score != b.Score {
						t.Fatalf("%q (limit %d, category %q) hit %d: %d (%g) with tiers, %d (%g) without",
							q, limit, category, i, a.ID, a.Score, b.ID, b.Score)
					}
				}
			}
		}
	}
	if n := store.TierAnswers(db); n < 50 {
		t.Errorf("impact tiers answered %d queries, want many", n)
	} else {
		t.Logf("impact tiers answered %d of %d queries", n, 4*2*len(benchQueries(t)))
	}
}
