package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/search"
	"github.com/couponpop/couponpop/store"
)

func waitIndexed(tb testing.TB, dbs ...*store.DB) {
	tb.Helper()
	waitIndexedFor(tb, 30*time.Second, dbs...)
}

func waitIndexedFor(tb testing.TB, d time.Duration, dbs ...*store.DB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for _, db := range dbs {
		if err := db.WaitSearchIndexed(ctx); err != nil {
			tb.Fatalf("shard %d: wait for search index: %v", db.Shard(), err)
		}
	}
}

// hongdae is Hongik Univ. station, in shard 1 (Mapo-gu) of the default map.
const hongdaeLat, hongdaeLng = 37.5572, 126.9245

// searchShard opens shard 1 in a temp dir with opts and closes it when the
// test ends.
func searchShard(tb testing.TB, opts store.Options) *store.DB {
	tb.Helper()
	return searchShardAt(tb, filepath.Join(tb.TempDir(), store.FileName(1)), opts)
}

func searchShardAt(tb testing.TB, path string, opts store.Options) *store.DB {
	tb.Helper()
	return openShardAt(tb, path, 1, opts)
}

// cafe is a valid cafe at (lat, lng).
func cafe(name, description string, lat, lng float64) *couponpop.Store {
	return &couponpop.Store{MemberID: 7, MemberUsername: "owner7", StoreInput: couponpop.StoreInput{
		Name: name, Phone: "01012345678", Description: description, BusinessNumber: "1234567890",
		Address: "서울특별시 마포구 양화로 160", Dong: "서교동", Latitude: lat, Longitude: lng,
		StoreCategory: couponpop.CategoryCafe, WeekdayOpenTime: "08:00", WeekdayCloseTime: "22:00",
		WeekendOpenTime: "10:00", WeekendCloseTime: "22:00",
	}}
}

func createStores(tb testing.TB, db *store.DB, stores ...*couponpop.Store) {
	tb.Helper()
	for _, st := range stores {
		if _, err := db.CreateStore(context.Background(), st, "마포구"); err != nil {
			tb.Fatal(err)
		}
	}
}

func ids(hits []store.SearchHit) []int64 {
	out := make([]int64, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

// TestSearch_MigrationMatchesSearchPackage checks that 0002_search.sql
// creates store_fts the way search.FTSTableSQL and FTSRankSQL say.
func TestSearch_MigrationMatchesSearchPackage(t *testing.T) {
	db := searchShard(t, store.Options{})
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var ddl, rank string
	if err := raw.QueryRow(`SELECT sql FROM sqlite_master WHERE name = 'store_fts'`).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	norm := func(s string) string {
		s = strings.Replace(s, "IF NOT EXISTS ", "", 1)
		s = strings.ReplaceAll(s, `"store_fts"`, "store_fts")
		return strings.Join(strings.Fields(s), " ")
	}
	if got, want := norm(ddl), norm(search.FTSTableSQL("store_fts")); got != want {
		t.Errorf("store_fts is\n%s\nsearch.FTSTableSQL says\n%s", got, want)
	}
	if err := raw.QueryRow(`SELECT v FROM store_fts_config WHERE k = 'rank'`).Scan(&rank); err != nil {
		t.Fatal(err)
	}
	if want := "bm25(" + search.BM25Weights + ")"; rank != want {
		t.Errorf("rank = %q, want %q", rank, want)
	}
}

// TestSearch_WritePath checks that a created store is found by keyword at
// once and by vector once indexed, an update replaces both, and a delete
// removes it from every kind of search.
func TestSearch_WritePath(t *testing.T) {
	ctx := context.Background()
	db := searchShard(t, store.Options{})
	s := &store.Searcher{Embedder: search.NewHashingEmbedder(0)}
	dbs := []*store.DB{db}
	st := cafe("모카 하우스", "조용한 분위기의 핸드드립 커피 전문점", hongdaeLat, hongdaeLng)
	createStores(t, db, st, cafe("치킨 공방", "바삭한 후라이드 치킨", hongdaeLat, hongdaeLng))

	res, err := s.Keyword(ctx, dbs, store.SearchQuery{Text: "핸드드립"})
	if err != nil || !slices.Equal(ids(res.Hits), []int64{st.ID}) {
		t.Fatalf("keyword right after create = %v, %v; want [%d]", ids(res.Hits), err, st.ID)
	}
	waitIndexed(t, db)
	if stats := db.SearchStats(); stats.Vectors != 2 || !stats.Indexing {
		t.Fatalf("stats after indexing = %+v", stats)
	}
	res, err = s.Semantic(ctx, dbs, store.SearchQuery{Text: "조용한 카페"})
	if err != nil || len(res.Hits) == 0 || res.Hits[0].ID != st.ID {
		t.Fatalf("semantic = %v, %v; want %d first", ids(res.Hits), err, st.ID)
	}

	st.Description = "달콤한 마카롱과 케이크"
	if _, err := db.UpdateStore(ctx, st, "마포구"); err != nil {
		t.Fatal(err)
	}
	if res, _ := s.Keyword(ctx, dbs, store.SearchQuery{Text: "핸드드립"}); len(res.Hits) != 0 {
		t.Errorf("keyword finds the old description: %v", ids(res.Hits))
	}
	if res, _ := s.Keyword(ctx, dbs, store.SearchQuery{Text: "마카롱"}); !slices.Equal(ids(res.Hits), []int64{st.ID}) {
		t.Errorf("keyword for the new description = %v", ids(res.Hits))
	}
	waitIndexed(t, db)
	if res, _ := s.Semantic(ctx, dbs, store.SearchQuery{Text: "디저트", Limit: 1}); !slices.Equal(ids(res.Hits), []int64{st.ID}) {
		t.Errorf("semantic after the update = %v, want [%d]", ids(res.Hits), st.ID)
	}

	if _, err := db.DeleteStore(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"마카롱", "모카", "디저트 케이크"} {
		res, err := s.Hybrid(ctx, dbs, store.SearchQuery{Text: q})
		if err != nil || slices.Contains(ids(res.Hits), st.ID) {
			t.Errorf("hybrid %q after delete = %v, %v", q, ids(res.Hits), err)
		}
	}
	if sug, _ := s.Suggest(ctx, dbs, "모카", 10); len(sug) != 0 {
		t.Errorf("suggest after delete = %v", sug)
	}
	waitIndexed(t, db)
	if n := db.SearchStats().Vectors; n != 1 {
		t.Errorf("%d vectors in memory after delete, want 1", n)
	}
}

// TestSearch_Filters checks that category and radius restrict both sides
// alike and that a radius lifts nearer stores in the hybrid ranking.
func TestSearch_Filters(t *testing.T) {
	ctx := context.Background()
	db := searchShard(t, store.Options{})
	s := &store.Searcher{Embedder: search.NewHashingEmbedder(0)}
	dbs := []*store.DB{db}
	// Three coffee shops 0, ~550 m and ~1.1 km north of the station, and a
	// restaurant that also mentions coffee.
	near := cafe("커피 하나", "커피 전문점", hongdaeLat, hongdaeLng)
	mid := cafe("커피 둘", "커피 전문점", hongdaeLat+0.005, hongdaeLng)
	far := cafe("커피 셋", "커피 전문점", hongdaeLat+0.010, hongdaeLng)
	food := cafe("커피 식당", "커피도 파는 밥집", hongdaeLat, hongdaeLng)
	food.StoreCategory = couponpop.CategoryFood
	createStores(t, db, far, mid, near, food)
	waitIndexed(t, db)

	for name, fn := range map[string]func(context.Context, []*store.DB, store.SearchQuery) (store.SearchResult, error){
		"keyword": s.Keyword, "semantic": s.Semantic, "hybrid": s.Hybrid,
	} {
		res, err := fn(ctx, dbs, store.SearchQuery{Text: "커피", Category: couponpop.CategoryFood})
		if err != nil || !slices.Equal(ids(res.Hits), []int64{food.ID}) {
			t.Errorf("%s with category FOOD = %v, %v; want [%d]", name, ids(res.Hits), err, food.ID)
		}
		res, err = fn(ctx, dbs, store.SearchQuery{Text: "커피", Category: couponpop.CategoryCafe,
			Latitude: hongdaeLat, Longitude: hongdaeLng, RadiusMeters: 800})
		got := ids(res.Hits)
		slices.Sort(got)
		if err != nil || !slices.Equal(got, []int64{mid.ID, near.ID}) {
			t.Errorf("%s within 800 m = %v, %v; want %d and %d", name, got, err, mid.ID, near.ID)
		}
		for _, h := range res.Hits {
			if want := geo.DistanceMeters(hongdaeLat, hongdaeLng, h.Latitude, h.Longitude); math.Abs(h.DistanceMeters-want) > 0.01 {
				t.Errorf("%s: distance of %d = %.1f, want %.1f", name, h.ID, h.DistanceMeters, want)
			}
		}
	}
	res, err := s.Hybrid(ctx, dbs, store.SearchQuery{Text: "커피 전문점", Category: couponpop.CategoryCafe,
		Latitude: hongdaeLat, Longitude: hongdaeLng, RadiusMeters: 2000})
	if err != nil || !slices.Equal(ids(res.Hits), []int64{near.ID, mid.ID, far.ID}) {
		t.Errorf("hybrid with a radius = %v, %v; want nearest first: %d %d %d", ids(res.Hits), err, near.ID, mid.ID, far.ID)
	}
}

// TestSearch_Suggest checks autocomplete: prefixes, initials, aliases, and
// names starting with the prefix first.
func TestSearch_Suggest(t *testing.T) {
	ctx := context.Background()
	db := searchShard(t, store.Options{})
	s := &store.Searcher{}
	a := cafe("스타벅스 홍대점", "", hongdaeLat, hongdaeLng)
	b := cafe("홍대 스타일 카페", "", hongdaeLat, hongdaeLng)
	c := cafe("교촌치킨 홍대점", "", hongdaeLat, hongdaeLng)
	createStores(t, db, b, a, c)
	tests := []struct {
		prefix string
		want   []int64
	}{
		{"스타", []int64{a.ID, b.ID}}, // the name that starts with it first
		{"스타벅", []int64{a.ID}},
		{"스타벅ㅅ", []int64{a.ID}},     // a syllable still being typed
		{"ㅅㅌ", []int64{a.ID, b.ID}}, // 스타벅스 first, then the word 스타일
		{"스벅", []int64{a.ID}},
		{"홍대", []int64{b.ID, a.ID, c.ID}},
		{"!!!", nil},
	}
	for _, tt := range tests {
		got, err := s.Suggest(ctx, []*store.DB{db}, tt.prefix, 10)
		var gotIDs []int64
		for _, g := range got {
			gotIDs = append(gotIDs, g.ID)
		}
		if err != nil || !slices.Equal(gotIDs, tt.want) {
			t.Errorf("Suggest(%q) = %v, %v; want %v", tt.prefix, got, err, tt.want)
		}
	}
}

// randomQuery mixes Hangul, jamo, Latin, digits, FTS5 syntax, symbols,
// emoji and invalid UTF-8.
func randomQuery(r *rand.Rand) string {
	pieces := []string{"카페", "스타벅스", "강남역에서", "ㅅㅌ", "ㄱ", "ㅏ", "조용한", "술", "치킨집", "AND", "OR", "NOT", "NEAR",
		"NEAR(", "\"", "\"\"", "*", "^", ":", "(", ")", "{", "}", "-", "+", "'", ";", "--", "/*", "\\", "name:",
		"choseong:", "store_fts", "rank", "a", "GS25", "1=1", "🍕", "\x00", "\xff\xfe", "\u200b", "ＣＡＦＥ",
		"\u1100\u1161", "가\u0301", "%", "_", " ", "\t", "\n", "　", "、"}
	var b strings.Builder
	for range 1 + r.IntN(12) {
		if r.IntN(5) == 0 {
			b.WriteRune(rune(r.IntN(0x10FFFF)))
		} else {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
	}
	return b.String()
}

// checkNoError runs q through every kind of search on db and fails on any
// error: whatever a person types becomes a valid query or no result.
func checkNoError(t testing.TB, s *store.Searcher, dbs []*store.DB, q string) {
	ctx := context.Background()
	for name, fn := range map[string]func(context.Context, []*store.DB, store.SearchQuery) (store.SearchResult, error){
		"keyword": s.Keyword, "semantic": s.Semantic, "hybrid": s.Hybrid,
	} {
		res, err := fn(ctx, dbs, store.SearchQuery{Text: q})
		if err != nil || res.VectorErr != nil {
			t.Fatalf("%s(%q): %v (vector side: %v)", name, q, err, res.VectorErr)
		}
	}
	if _, err := s.Suggest(ctx, dbs, q, 10); err != nil {
		t.Fatalf("suggest(%q): %v", q, err)
	}
}

func TestSearch_RandomQueriesNeverFail(t *testing.T) {
	set := loadDemo(t, store.Options{})
	s := &store.Searcher{Embedder: search.NewHashingEmbedder(0)}
	r := rand.New(rand.NewPCG(6, 6))
	n := 1000
	if testing.Short() {
		n = 200
	}
	for range n {
		checkNoError(t, s, set.dbs, randomQuery(r))
	}
}

// FuzzSearch feeds arbitrary strings to keyword, vector, hybrid and
// suggest search: go test -tags sqlite_fts5 -fuzz FuzzSearch ./store
func FuzzSearch(f *testing.F) {
	for _, seed := range []string{"카페", `"`, `" OR "`, "NEAR(a b, 2)", "a*", "ㅅㅌㅂㅅ", "name:x", "^a", "-", "\xff", "",
		`스타벅스" * AND (`, "{name choseong}: x", "col:", "NOT NOT", "1=1; DROP TABLE stores; --"} {
		f.Add(seed)
	}
	db := searchShard(f, store.Options{})
	createStores(f, db, cafe("스타벅스 홍대점", "조용한 카페", hongdaeLat, hongdaeLng),
		cafe("NEAR AND OR NOT", `"quoted" * ^ : ( )`, hongdaeLat, hongdaeLng))
	s := &store.Searcher{Embedder: search.NewHashingEmbedder(0)}
	f.Fuzz(func(t *testing.T, q string) { checkNoError(t, s, []*store.DB{db}, q) })
}

// TestSearch_RebuildsKeywordIndex checks that a primary rebuilds the keyword
// index at start when its tokenisation version differs, and on Reindex.
func TestSearch_RebuildsKeywordIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), store.FileName(1))
	db := openShardAt(t, path, 1, withEmbedder(nil))
	st := cafe("모카 하우스", "핸드드립 커피", hongdaeLat, hongdaeLng)
	createStores(t, db, st)
	s := &store.Searcher{}
	found := func(db *store.DB) bool {
		res, err := s.Keyword(ctx, []*store.DB{db}, store.SearchQuery{Text: "핸드드립"})
		if err != nil {
			t.Fatal(err)
		}
		return slices.Equal(ids(res.Hits), []int64{st.ID})
	}
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	wipe := func(version string) {
		if _, err := raw.Exec(`INSERT INTO store_fts (store_fts) VALUES ('delete-all')`); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`UPDATE search_index_state SET fts_version = ?`, version); err != nil {
			t.Fatal(err)
		}
	}
	wipe("bigram-0")
	if found(db) {
		t.Fatal("found after wiping the index")
	}
	db.Close()
	db = openShardAt(t, path, 1, withEmbedder(nil))
	if !found(db) {
		t.Error("not found after a start with an old index version")
	}
	var version string
	raw.QueryRow(`SELECT fts_version FROM search_index_state`).Scan(&version)
	wipe(version)
	if err := db.Reindex(); err != nil {
		t.Fatal(err)
	}
	waitIndexed(t, db)
	if !found(db) {
		t.Error("not found after Reindex")
	}
}

// TestSearch_RadiusFilterMatchesDistance checks the cell tags against the
// exact distance: over random points and radii, keyword and vector search
// with a radius return exactly the matching stores within it.
func TestSearch_RadiusFilterMatchesDistance(t *testing.T) {
	ctx := context.Background()
	db := searchShard(t, store.Options{Search: store.SearchOptions{KeywordCache: -1, Logger: quietLog}})
	r := rand.New(rand.NewPCG(3, 4))
	var stores []*couponpop.Store
	for i := range 400 {
		// Within about 25 km of the station, denser near it.
		d := math.Pow(r.Float64(), 2) * 0.25
		a := r.Float64() * 2 * math.Pi
		st := cafe(fmt.Sprintf("커피 %d", i), "", hongdaeLat+d*math.Cos(a), hongdaeLng+d*math.Sin(a))
		stores = append(stores, st)
	}
	for lo := 0; lo < len(stores); lo += 100 {
		if _, err := db.CreateStores(ctx, stores[lo:lo+100], make([]string, 100)); err != nil {
			t.Fatal(err)
		}
	}
	waitIndexed(t, db)
	s := &store.Searcher{Embedder: search.NewHashingEmbedder(0)}
	for range 60 {
		lat, lng := hongdaeLat+r.NormFloat64()*0.03, hongdaeLng+r.NormFloat64()*0.03
		radius := []float64{100, 300, 1000, 2500, 5000, 20000}[r.IntN(6)]
		var want []int64
		for _, st := range stores {
			if geo.DistanceMeters(lat, lng, st.Latitude, st.Longitude) <= radius {
				want = append(want, st.ID)
			}
		}
		for name, fn := range map[string]func(context.Context, []*store.DB, store.SearchQuery) (store.SearchResult, error){
			"keyword": s.Keyword, "semantic": s.Semantic,
		} {
			res, err := fn(ctx, []*store.DB{db}, store.SearchQuery{Text: "커피", Latitude: lat, Longitude: lng,
				RadiusMeters: radius, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			got := ids(res.Hits)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("%s within %g m of (%f, %f): %d stores, want %d", name, radius, lat, lng, len(got), len(want))
			}
		}
	}
}

// TestSearch_AreaIsAPlace: a named area is the query's place, on both
// endpoints, with the category filter kept; an area with only filler words
// beside it stays a word.
func TestSearch_AreaIsAPlace(t *testing.T) {
	set := loadDemo(t, store.Options{})
	ctx := context.Background()
	s := &store.Searcher{Embedder: search.NewHashingEmbedder(0)}
	for name, fn := range map[string]func(context.Context, []*store.DB, store.SearchQuery) (store.SearchResult, error){
		"hybrid": s.Hybrid, "keyword": s.Keyword,
	} {
		res, err := fn(ctx, set.dbs, store.SearchQuery{Text: "홍대 카페", Category: couponpop.CategoryCafe, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if res.Area != "홍익대입구" || len(res.Hits) < 5 {
			t.Fatalf("%s: area %q, %d hits", name, res.Area, len(res.Hits))
		}
		for _, h := range res.Hits {
			if h.StoreCategory != couponpop.CategoryCafe {
				t.Errorf("%s: %s is no cafe", name, h.Name)
			}
			if h.DistanceMeters != 0 {
				t.Errorf("%s: %s has a distance without a query location", name, h.Name)
			}
		}
		for _, h := range res.Hits[:5] {
			if d := geo.DistanceMeters(37.5572, 126.9245, h.Latitude, h.Longitude); d > 1500 {
				t.Errorf("%s: %s is %.0f m from 홍대", name, h.Name, d)
			}
		}
		res, err = fn(ctx, set.dbs, store.SearchQuery{Text: "강남역 근처", Limit: 10})
		if err != nil || res.Area != "" || len(res.Hits) == 0 {
			t.Errorf("%s: 강남역 근처: area %q, %d hits, %v", name, res.Area, len(res.Hits), err)
		}
	}
}
