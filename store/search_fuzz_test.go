package store_test

import (
	"context"
	"testing"

	"github.com/couponpop/couponpop/search"
	"github.com/couponpop/couponpop/store"
)

// FuzzSearch_QueryPaths sends any text through keyword, hybrid and vector
// search and suggest over the demo stores, which takes every new query path
// (typo correction, synonym expansion, areas, the similarity floor): each
// answers without an error, with at most the asked-for stores, and a
// suggestion only beside stores.
//
//	go test -tags sqlite_fts5 -run '^$' -fuzz FuzzSearch_QueryPaths -fuzztime 60s ./store
func FuzzSearch_QueryPaths(f *testing.F) {
	for _, s := range []string{"스타벅쓰", "까페", "공부하기 좋은 카페", "강남역 카페", "홍대에서 술집", "술", "coffee",
		"뷁뚫", "ㅅㅌㅂㅅ", `"(*{}:^`, "강남역", "\xff\xfe", "a b c d e f g h i j k l", "투섬 플레이스 강아지랑"} {
		f.Add(s)
	}
	set := loadDemo(f, store.Options{})
	searcher := &store.Searcher{Embedder: search.NewHashingEmbedder(0)}
	f.Fuzz(func(t *testing.T, text string) {
		ctx := context.Background()
		for name, fn := range map[string]func(context.Context, []*store.DB, store.SearchQuery) (store.SearchResult, error){
			"keyword": searcher.Keyword, "hybrid": searcher.Hybrid, "vector": searcher.Semantic,
		} {
			res, err := fn(ctx, set.dbs, store.SearchQuery{Text: text, Limit: 10})
			if err != nil {
				t.Fatalf("%s %q: %v", name, text, err)
			}
			if len(res.Hits) > 10 || (res.Suggestion != "" && len(res.Hits) == 0) {
				t.Fatalf("%s %q: %d hits, suggestion %q", name, text, len(res.Hits), res.Suggestion)
			}
		}
		if _, err := searcher.Suggest(ctx, set.dbs, text, 10); err != nil {
			t.Fatalf("suggest %q: %v", text, err)
		}
	})
}
