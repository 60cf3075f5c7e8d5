package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/search"
)

// SearchQuery asks for stores matching Text.
type SearchQuery struct {
	Text     string
	Category string // "" for any
	// When RadiusMeters > 0, only stores within RadiusMeters of (Latitude,
	// Longitude) are returned, and the hybrid ranking lifts nearer ones.
	Latitude, Longitude float64
	RadiusMeters        float64
	Limit               int // results; 0 means 20
}

// SearchHit is a store found by a search.
type SearchHit struct {
	*couponpop.Store
	// Score orders the hits, higher first: the fused RRF score (with the
	// distance boost) for hybrid search, BM25 for keyword search (see
	// keywordQuery), cosine similarity for vector search.
	Score          float64
	DistanceMeters float64 // from the query point; 0 without one
}

// SearchResult is the answer of a search.
type SearchResult struct {
	Hits []SearchHit
	// KeywordOnly is set when a hybrid search's vector side failed (no
	// embedder, the embedder down or slower than the timeout) and Hits are
	// the keyword ranking alone; VectorErr says why.
	KeywordOnly bool
	VectorErr   error
	// Suggestion is the query with its misspelt words corrected ("did you
	// mean") when the words as typed found too few stores and the
	// corrected ones were searched too, ranked below them; else "".
	Suggestion string
	// Area is the name of the gazetteer area a hybrid or keyword query
	// named, whose nearer stores were lifted instead of its word being
	// searched for (see areaOf); "" when none.
	Area string
}

// Suggestion is an autocomplete answer.
type Suggestion struct {
	ID   int64
	Name string
}

// Searcher defaults.
const (
	DefaultSearchLimit   = 20
	DefaultCandidates    = 100
	DefaultVectorTimeout = 1200 * time.Millisecond
	// DistanceBoost is how much a hybrid search with a radius lifts a store
	// at the query point over one at the edge: its fused score is
	// multiplied by 1 + DistanceBoost·(1 − distance/radius).
	DistanceBoost = 0.5
	// DefaultMinSimilarity is the hashing embedder's similarity floor:
	// measured on the demo stores, nonsense words (뷁뚫, qwzx, 우주선,
	// 자동차 수리) reach cosines of 0.09–0.17 with their nearest store, and
	// words that mean something to it (카공, 혼밥, 강아지, 맛집) 0.25 and more.
	DefaultMinSimilarity = 0.2
	// maxQueryRunes bounds the text a query reads; the rest is ignored.
	maxQueryRunes = 200
)

// ErrNoEmbedder is the vector side's error when a Searcher has no embedder.
var ErrNoEmbedder = errors.New("no embedder configured")

// Searcher answers store searches over a set of shards: keyword (bm25 over
// the bigram index), vector (cosine over each shard's in-memory vectors) and
// hybrid (both fused by reciprocal rank fusion). It is safe for concurrent
// use; set its fields before the first search.
type Searcher struct {
	// Embedder embeds queries. It must be of the model the shards were
	// opened with (SearchOptions.Embedder). nil means no vector side:
	// hybrid search is keyword-only and vector search fails.
	Embedder search.Embedder
	// Aliases are the nicknames a query word may stand for (스벅 →
	// 스타벅스); nil means search.DefaultAliases().
	Aliases search.Aliases
	// VectorTimeout bounds the vector side of a hybrid search (embedding
	// the query, mostly); past it the keyword side answers alone. 0 means
	// DefaultVectorTimeout.
	VectorTimeout time.Duration
	// Candidates is how many stores each side of a hybrid search brings to
	// the fusion; 0 means DefaultCandidates.
	Candidates int
	// Synonyms expand query words that find too few stores (술집 →
	// 주점, 포차; 공부 → 콘센트, 와이파이); stores found only so rank below
	// the literal matches. nil means search.DefaultSynonyms().
	Synonyms *search.SynonymSource
	// Gazetteer names the areas a query may name (강남역 카페): the area
	// becomes the query's location instead of a word. nil means
	// geo.SeoulGazetteer().
	Gazetteer *geo.Gazetteer
	// MinSimilarity is the similarity floor of the vector side: stores
	// whose cosine to the query is below it are not found by it, so a word
	// that means nothing finds nothing. 0 means the embedder's default
	// (DefaultMinSimilarity for the offline hashing embedder, none for
	// others, whose scale differs by model); negative means no floor.
	MinSimilarity float64

	aliasOnce  sync.Once
	synOnce    sync.Once
	defaultSyn *search.Synonyms
	aliases    search.Aliases
	aliasDict  *search.NameDict // the words of the aliases, for typo correction
	vecOnce    sync.Once
	queryVecs  *genCache[string, []float32] // embedded queries, by text
}

// queryVectorCache is how many embedded queries a Searcher keeps: people
// search for the same words, and an embedding service takes milliseconds
// to answer.
const queryVectorCache = 4096

// embedQuery embeds text for the vector side, through the cache.
func (s *Searcher) embedQuery(ctx context.Context, text string) ([]float32, error) {
	s.vecOnce.Do(func() { s.queryVecs = newGenCache[string, []float32](queryVectorCache) })
	if v, ok := s.queryVecs.get(text, 0); ok {
		return v, nil
	}
	v, err := search.EmbedQuery(ctx, s.Embedder, text)
	if err == nil {
		s.queryVecs.put(text, 0, v)
	}
	return v, err
}

func (s *Searcher) aliasSet() search.Aliases {
	s.aliasOnce.Do(func() {
		s.aliases = s.Aliases
		if s.aliases == nil {
			s.aliases = search.DefaultAliases()
		}
		s.aliasDict = search.NewNameDict(nil, s.aliases)
	})
	return s.aliases
}

func (s *Searcher) candidates(limit int) int {
	return max(cmp.Or(s.Candidates, DefaultCandidates), limit)
}

// normQuery fills in the defaults of q and cuts its text.
func normQuery(q SearchQuery) SearchQuery {
	if q.Limit <= 0 {
		q.Limit = DefaultSearchLimit
	}
	if utf8.RuneCountInString(q.Text) > maxQueryRunes {
		q.Text = string([]rune(q.Text)[:maxQueryRunes])
	}
	q.Text = strings.ToValidUTF8(q.Text, " ")
	return q
}

// Keyword ranks the stores of dbs by bm25 of the words of q.Text, all
// words first (KeywordQuery), then, when that finds fewer than q.Limit, the
// stores matching some of them (KeywordQueryAny) below those.
//
// When q names an area (see areaOf), the area's word is not searched for:
// up to Candidates stores matching the other words are ranked, and those
// near the area lifted, as Hybrid does.
func (s *Searcher) Keyword(ctx context.Context, dbs []*DB, q SearchQuery) (SearchResult, error) {
	q = normQuery(q)
	if a, ok := s.areaOf(q); ok {
		ranked, named, suggestion, err := s.areaKeyword(ctx, dbs, a, s.candidates(q.Limit), q.Limit)
		if err != nil {
			return SearchResult{}, err
		}
		hits, err := areaBoosted(ctx, dbs, a, ranked, named, q.Limit)
		return SearchResult{Hits: hits, Suggestion: suggestion, Area: a.name}, err
	}
	ranked, suggestion, err := s.keywordRanked(ctx, dbs, q, q.Limit, q.Limit)
	if err != nil {
		return SearchResult{}, err
	}
	hits, err := hydrate(ctx, dbs, ranked, q, false)
	return SearchResult{Hits: hits, Suggestion: suggestion}, err
}

// textOf is q with the text of near: the query without its area's word.
func textOf(q, near SearchQuery) SearchQuery {
	q.Text = near.Text
	return q
}

// Semantic ranks the stores of dbs by the cosine similarity of their
// vectors to the embedded q.Text. It fails when the embedder does.
func (s *Searcher) Semantic(ctx context.Context, dbs []*DB, q SearchQuery) (SearchResult, error) {
	q = normQuery(q)
	if _, ok := search.KeywordQuery(q.Text, s.aliasSet()); !ok {
		return SearchResult{}, nil // nothing to search for
	}
	if s.vectorText(q.Text) == "" {
		return SearchResult{}, nil // initials only: nothing to embed
	}
	ranked, err := s.vectorRanked(ctx, dbs, q, q.Limit)
	if err != nil {
		return SearchResult{}, err
	}
	hits, err := hydrate(ctx, dbs, ranked, q, false)
	return SearchResult{Hits: hits}, err
}

// synonyms returns the synonyms in use.
func (s *Searcher) synonyms() *search.Synonyms {
	if s.Synonyms == nil {
		s.synOnce.Do(func() { s.defaultSyn = search.DefaultSynonyms() })
		return s.defaultSyn
	}
	return s.Synonyms.Get()
}

// vectorText is what the vector side embeds for a query: the query with
// what its nickname words stand for added (스벅 → 스벅 스타벅스, since an
// embedder cannot know a nickname the keyword side maps by alias), or ""
// when every word is initial consonants (ㅅㅌㅂㅅ), which carry no meaning
// to embed and are answered by the keyword side alone.
func (s *Searcher) vectorText(text string) string {
	words := strings.Fields(text)
	initials := true
	var expanded []string
	for _, w := range words {
		if !search.IsChoseong(w) {
			initials = false
		}
		if v, ok := s.aliasSet().Lookup(w); ok {
			expanded = append(expanded, v)
		}
	}
	if initials {
		return ""
	}
	return strings.Join(append(words, expanded...), " ")
}

// Hybrid fuses the keyword and vector rankings of up to Candidates stores
// each, under the same filters, by reciprocal rank fusion (k = 60), and with
// a radius lifts nearer stores by DistanceBoost. When the vector side fails
// or takes longer than VectorTimeout, the keyword ranking answers alone.
func (s *Searcher) Hybrid(ctx context.Context, dbs []*DB, q SearchQuery) (SearchResult, error) {
	q = normQuery(q)
	a, inArea := s.areaOf(q)
	if inArea {
		// The area is the query's place, not a word of it: both sides
		// search the other words, in the area (see areaKeyword).
		q = textOf(q, a.near)
	}
	if _, ok := search.KeywordQuery(q.Text, s.aliasSet()); !ok {
		return SearchResult{}, nil
	}
	n := s.candidates(q.Limit)
	var suggestion string
	var named map[int64]bool // of an area query: the stores that name it
	var kwIDs []int64
	keyword := func(ctx context.Context) ([]int64, error) {
		var ranked []search.Scored
		var err error
		if inArea {
			ranked, named, suggestion, err = s.areaKeyword(ctx, dbs, a, n, q.Limit)
		} else {
			ranked, suggestion, err = s.keywordRanked(ctx, dbs, q, n, q.Limit)
		}
		kwIDs = idsOf(ranked)
		return kwIDs, err
	}
	var vector func(context.Context) ([]int64, error)
	vq := q
	if inArea {
		vq = a.near
	}
	if s.Embedder != nil && s.vectorText(q.Text) != "" {
		vector = func(ctx context.Context) ([]int64, error) {
			ranked, err := s.vectorRanked(ctx, dbs, vq, n)
			return idsOf(ranked), err
		}
	}
	timeout := cmp.Or(s.VectorTimeout, DefaultVectorTimeout)
	h, err := search.HybridRank(ctx, timeout, keyword, vector)
	if err != nil {
		return SearchResult{}, err
	}
	if suggestion != "" && vector != nil && !h.KeywordOnly {
		// The words as typed found too little and the keyword side
		// searched their correction: the vector side searches it too,
		// since the neighbours of a misspelt word are not its stores
		// (vector reads vq).
		vq.Text = suggestion
		h, err = search.HybridRank(ctx, timeout, func(context.Context) ([]int64, error) { return kwIDs, nil }, vector)
		if err != nil {
			return SearchResult{}, err
		}
	}
	res := SearchResult{Suggestion: suggestion, Area: a.name}
	switch {
	case vector == nil && s.Embedder != nil:
		// Initials only: nothing to embed, and nothing failed.
	case vector == nil:
		res.KeywordOnly, res.VectorErr = true, ErrNoEmbedder
	default:
		res.KeywordOnly, res.VectorErr = h.KeywordOnly, h.VectorErr
	}
	if inArea {
		// The area lifts the stores in it; no store outside is dropped.
		res.Hits, err = areaBoosted(ctx, dbs, a, h.Results, named, q.Limit)
		return res, err
	}
	res.Hits, err = hydrate(ctx, dbs, h.Results, q, q.RadiusMeters > 0)
	return res, err
}

// Suggest returns up to limit stores whose names start with, or have a word
// starting with, what was typed: by BM25 (b = 0, as keyword search ranks)
// over names and initials, then
// names that start with the prefix first (search.SortByPrefix).
func (s *Searcher) Suggest(ctx context.Context, dbs []*DB, prefix string, limit int) ([]Suggestion, error) {
	const pool = 50
	prefix = normQuery(SearchQuery{Text: prefix}).Text
	fts, ok := search.SuggestQuery(prefix, s.aliasSet())
	if !ok {
		return nil, nil
	}
	ranked, err := mergeShards(ctx, dbs, pool, func(ctx context.Context, db *DB) ([]search.Scored, error) {
		// The fast ranking of keyword search (BM25 without length
		// normalisation through couponpop_rank, ORDER BY a score with a
		// LIMIT): FTS5's ORDER BY rank sorts every match before the limit.
		rank, args, err := db.rankExpr(ctx, fts, -1)
		if err != nil {
			return nil, fmt.Errorf("suggest in shard %d: %w", db.shard, err)
		}
		return db.scoredRows(ctx, `SELECT rowid, `+rank+` AS score FROM store_fts WHERE store_fts MATCH ?
			ORDER BY score DESC, rowid LIMIT ?`, nil, append(args, fts, pool)...)
	})
	if err != nil {
		return nil, err
	}
	hits, err := hydrate(ctx, dbs, ranked, SearchQuery{Limit: pool}, false)
	if err != nil {
		return nil, err
	}
	out := make([]Suggestion, len(hits))
	for i, h := range hits {
		out[i] = Suggestion{ID: h.ID, Name: h.Name}
	}
	search.SortByPrefix(out, prefix, s.aliasSet(), func(x Suggestion) string { return x.Name })
	return out[:min(len(out), limit)], nil
}
