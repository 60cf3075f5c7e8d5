package store_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/couponpop/couponpop/search"
	"github.com/couponpop/couponpop/store"
)

// Thresholds of TestSearch_Relevance2, over the second relevance set
// (testdata/relevance2.json, issue 18: typos, part-words, one-syllable
// words, intents, English words and areas). The set was written before any
// tuning for it and is never used for tuning; the figures are in
// BENCHMARKS.md ("Search"), and these sit a little below them.
const (
	minHybridNDCG2  = 0.87 // measured 0.892 with the dev set's tuning (0.886 before it; 0.783 before issue 18)
	minKeywordNDCG2 = 0.85 // measured 0.861 (0.863 before the dev set's tuning; 0.523 before issue 18)
	minKindNDCG2    = 0.75 // the lowest kind, hybrid or keyword: measured 0.765, keyword onesyllable (as before the dev set's tuning; before issue 18: typo keyword 0.000)
)

// TestSearch_Relevance2 measures nDCG@10 per kind over the second relevance
// set for hybrid and keyword search and the unicode61 and trigram floors,
// and fails under the thresholds above. Run with -v to see the table.
func TestSearch_Relevance2(t *testing.T) {
	testRelevanceByKind(t, "testdata/relevance2.json", relevanceFloor{minHybridNDCG2, minKeywordNDCG2, minKindNDCG2})
}

// relevanceFloor is the least nDCG@10 a set of queries by kind must reach:
// overall for hybrid and keyword search, and for every kind of either.
type relevanceFloor struct{ hybrid, keyword, kind float64 }

// testRelevanceByKind measures nDCG@10 per kind over the relevance set at
// path for hybrid and keyword search and the unicode61 and trigram floors,
// logs the table and fails under min.
func testRelevanceByKind(t *testing.T, path string, min relevanceFloor) {
	set := loadDemo(t, store.Options{})
	rs := loadRelevanceFile(t, set, path)
	searcher := &store.Searcher{Embedder: search.NewHashingEmbedder(0)}
	systems := []struct {
		name string
		rank ranker
	}{
		{"hybrid", searchRanker(set, searcher.Hybrid)},
		{"keyword", searchRanker(set, searcher.Keyword)},
		{"unicode61", newBaseline(t, set.byID, "unicode61 remove_diacritics 2").rank},
		{"trigram", newBaseline(t, set.byID, "trigram").rank},
	}
	results := make([]scores, len(systems))
	var table strings.Builder
	fmt.Fprintf(&table, "%d queries over %d demo stores\n| system | recall@10 | nDCG@10 |\n|---|---|---|\n", len(rs.Queries), len(set.byID))
	for i, sys := range systems {
		results[i] = evaluate(t, rs, sys.rank)
		fmt.Fprintf(&table, "| %s | %.3f | %.3f |\n", sys.name, results[i].recall, results[i].ndcg)
	}
	var kinds []string
	for k := range results[0].byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintf(&table, "\nnDCG@10 by kind\n| kind | hybrid | keyword | unicode61 | trigram |\n|---|---|---|---|---|\n")
	for _, k := range kinds {
		fmt.Fprintf(&table, "| %s |", k)
		for i := range systems {
			fmt.Fprintf(&table, " %.3f |", results[i].byKind[k][1])
		}
		table.WriteString("\n")
	}
	t.Log("\n" + table.String())

	hybrid, keyword := results[0], results[1]
	if hybrid.ndcg < min.hybrid {
		t.Errorf("hybrid nDCG@10 %.3f; want at least %.2f", hybrid.ndcg, min.hybrid)
	}
	if keyword.ndcg < min.keyword {
		t.Errorf("keyword nDCG@10 %.3f; want at least %.2f", keyword.ndcg, min.keyword)
	}
	for _, k := range kinds {
		for i, sys := range systems[:2] {
			if n := results[i].byKind[k][1]; n < min.kind {
				t.Errorf("%s nDCG@10 for %s queries %.3f; want at least %.2f", sys.name, k, n, min.kind)
			}
		}
	}
}

// searchRanker answers with the names of fn's hits, cutoff of them.
func searchRanker(set *demoSet, fn func(context.Context, []*store.DB, store.SearchQuery) (store.SearchResult, error)) ranker {
	return func(ctx context.Context, q string) ([]string, error) {
		res, err := fn(ctx, set.dbs, store.SearchQuery{Text: q, Limit: cutoff})
		return hitNames(res), err
	}
}
