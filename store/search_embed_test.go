package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/search"
	"github.com/couponpop/couponpop/store"
)

// fakeEmbeddings is an OpenAI-compatible /v1/embeddings server that embeds
// with the hashing embedder, so its vectors mean something.
type fakeEmbeddings struct {
	*httptest.Server
	fail  atomic.Bool  // answer every request with 500
	flaky atomic.Int64 // answer this many more requests with 503
	delay atomic.Int64 // nanoseconds to wait before answering

	mu       sync.Mutex
	requests int
	inputs   int
	models   map[string]int
}

func newFakeEmbeddings(tb testing.TB) *fakeEmbeddings {
	f := &fakeEmbeddings{models: map[string]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.Close)
	return f
}

func (f *fakeEmbeddings) serve(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Input      []string `json:"input"`
		Model      string   `json:"model"`
		Dimensions int      `json:"dimensions"`
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" || json.NewDecoder(r.Body).Decode(&req) != nil {
		http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests++
	f.mu.Unlock()
	if d := time.Duration(f.delay.Load()); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	if f.fail.Load() {
		http.Error(w, `{"error":{"message":"embedding service down"}}`, http.StatusInternalServerError)
		return
	}
	if f.flaky.Add(-1) >= 0 {
		http.Error(w, `{"error":{"message":"overloaded"}}`, http.StatusServiceUnavailable)
		return
	}
	vecs, _ := search.NewHashingEmbedder(req.Dimensions).Embed(r.Context(), req.Input, search.Passage)
	type item struct {
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	resp := struct {
		Data []item `json:"data"`
	}{}
	for i, v := range vecs {
		resp.Data = append(resp.Data, item{i, v})
	}
	f.mu.Lock()
	f.inputs += len(req.Input)
	f.models[req.Model] += len(req.Input)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

// counts returns the requests answered so far and the texts embedded.
func (f *fakeEmbeddings) counts() (requests, inputs int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests, f.inputs
}

// embedder returns a client of f for model, with quick retries.
func (f *fakeEmbeddings) embedder(tb testing.TB, model string) *search.OpenAIEmbedder {
	tb.Helper()
	e, err := search.NewOpenAIEmbedder(search.OpenAIConfig{URL: f.URL + "/v1", Model: model, Dimensions: 64,
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Timeout: 5 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func withEmbedder(e search.Embedder) store.Options {
	return store.Options{Search: store.SearchOptions{Embedder: e, Logger: quietLog, FollowInterval: 20 * time.Millisecond}}
}

// TestSearch_OpenAIEmbedder indexes and searches with an OpenAI-compatible
// embedding service, in batches.
func TestSearch_OpenAIEmbedder(t *testing.T) {
	ctx := context.Background()
	f := newFakeEmbeddings(t)
	opts := withEmbedder(f.embedder(t, "fake-e5"))
	opts.Search.EmbedBatch = 2
	db := searchShard(t, opts)
	stores := []*couponpop.Store{
		cafe("모카 하우스", "핸드드립 커피 전문점", hongdaeLat, hongdaeLng),
		cafe("치킨 공방", "바삭한 후라이드 치킨과 생맥주", hongdaeLat, hongdaeLng),
		cafe("빵 굽는 집", "매일 아침 굽는 소금빵과 식빵", hongdaeLat, hongdaeLng),
	}
	createStores(t, db, stores...)
	waitIndexed(t, db)
	if stats := db.SearchStats(); stats.Vectors != 3 || stats.Model != "fake-e5@64" || stats.Embedded != 3 {
		t.Fatalf("stats = %+v", stats)
	}
	s := &store.Searcher{Embedder: f.embedder(t, "fake-e5")}
	for q, want := range map[string]int64{"커피": stores[0].ID, "치맥": stores[1].ID, "베이커리": stores[2].ID} {
		res, err := s.Semantic(ctx, []*store.DB{db}, store.SearchQuery{Text: q, Limit: 1})
		if err != nil || !slices.Equal(ids(res.Hits), []int64{want}) {
			t.Errorf("semantic %q = %v, %v; want [%d]", q, ids(res.Hits), err, want)
		}
		res, err = s.Hybrid(ctx, []*store.DB{db}, store.SearchQuery{Text: q})
		if err != nil || res.KeywordOnly || len(res.Hits) == 0 || res.Hits[0].ID != want {
			t.Errorf("hybrid %q = %v, keyword only %v, %v; want %d first", q, ids(res.Hits), res.KeywordOnly, err, want)
		}
	}
	// A searcher of another model finds nothing to compare with.
	other := &store.Searcher{Embedder: f.embedder(t, "other")}
	if _, err := other.Semantic(ctx, []*store.DB{db}, store.SearchQuery{Text: "커피"}); err == nil {
		t.Error("a query vector of another model was compared")
	}
}

// TestSearch_EmbedderRetriesOffTheWritePath checks that a slow or failing
// embedder never holds up a store write, and that the indexer retries
// until the vectors are in.
func TestSearch_EmbedderRetriesOffTheWritePath(t *testing.T) {
	ctx := context.Background()
	f := newFakeEmbeddings(t)
	db := searchShard(t, withEmbedder(f.embedder(t, "fake")))
	s := &store.Searcher{Embedder: search.NewHashingEmbedder(0)}

	// Slow: writes return at once.
	f.delay.Store(int64(400 * time.Millisecond))
	start := time.Now()
	createStores(t, db, cafe("느린 카페", "커피", hongdaeLat, hongdaeLng))
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Errorf("a store write waited %v for a slow embedder", d)
	}
	waitIndexed(t, db)
	f.delay.Store(0)

	// Flaky: two 503s, retried by the client.
	f.flaky.Store(2)
	createStores(t, db, cafe("재시도 카페", "커피", hongdaeLat, hongdaeLng))
	waitIndexed(t, db)
	if n := db.SearchStats().Vectors; n != 2 {
		t.Fatalf("%d vectors after retries, want 2", n)
	}

	// Down: the write and keyword search work, the indexer reports the
	// failure and retries until the service is back.
	f.fail.Store(true)
	down := cafe("장애 카페", "커피 장애", hongdaeLat, hongdaeLng)
	createStores(t, db, down)
	if res, err := s.Keyword(ctx, []*store.DB{db}, store.SearchQuery{Text: "장애"}); err != nil || !slices.Equal(ids(res.Hits), []int64{down.ID}) {
		t.Errorf("keyword while the embedder is down = %v, %v", ids(res.Hits), err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.WaitSearchIndexed(wctx); err == nil || !strings.Contains(err.Error(), "embedding service down") {
		t.Errorf("WaitSearchIndexed while the embedder is down = %v", err)
	}
	if stats := db.SearchStats(); stats.Pending != 1 || stats.LastErr == nil {
		t.Errorf("stats while down = %+v", stats)
	}
	f.fail.Store(false)
	deadline := time.Now().Add(10 * time.Second)
	for db.SearchStats().Vectors != 3 {
		if time.Now().After(deadline) {
			t.Fatalf("the indexer did not recover: %+v", db.SearchStats())
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitIndexed(t, db)
}

// TestSearch_HybridFallsBackToKeyword checks that hybrid search answers with
// the keyword ranking when the query embedder fails, is too slow, or is
// not configured, and that vector search then fails.
func TestSearch_HybridFallsBackToKeyword(t *testing.T) {
	ctx := context.Background()
	set := loadDemo(t, store.Options{Search: store.SearchOptions{Logger: quietLog}})
	f := newFakeEmbeddings(t)
	keyword, err := (&store.Searcher{}).Keyword(ctx, set.dbs, store.SearchQuery{Text: "조용한 카페"})
	if err != nil || len(keyword.Hits) != store.DefaultSearchLimit {
		t.Fatalf("keyword = %d hits, %v", len(keyword.Hits), err)
	}
	tests := []struct {
		name  string
		setup func() *store.Searcher
	}{
		{"embedder down", func() *store.Searcher {
			f.fail.Store(true)
			return &store.Searcher{Embedder: f.embedder(t, "fake")}
		}},
		{"embedder slower than the timeout", func() *store.Searcher {
			f.fail.Store(false)
			f.delay.Store(int64(3 * time.Second))
			return &store.Searcher{Embedder: f.embedder(t, "fake"), VectorTimeout: 100 * time.Millisecond}
		}},
		{"no embedder", func() *store.Searcher { return &store.Searcher{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.setup()
			start := time.Now()
			res, err := s.Hybrid(ctx, set.dbs, store.SearchQuery{Text: "조용한 카페"})
			if err != nil || !res.KeywordOnly || res.VectorErr == nil {
				t.Fatalf("hybrid = keyword only %v, vector error %v, %v", res.KeywordOnly, res.VectorErr, err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("hybrid took %v", d)
			}
			if !slices.Equal(ids(res.Hits), ids(keyword.Hits)) {
				t.Errorf("hybrid fallback = %v, keyword = %v", ids(res.Hits), ids(keyword.Hits))
			}
			sctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			if _, err := s.Semantic(sctx, set.dbs, store.SearchQuery{Text: "조용한 카페"}); err == nil {
				t.Error("semantic search succeeded without an embedder answering")
			}
		})
	}
}

// TestSearch_ReembedsWhenModelOrTextChanges checks that a store is embedded
// again when its passage changes or the embedder's model does, and not
// otherwise, also across restarts.
func TestSearch_ReembedsWhenModelOrTextChanges(t *testing.T) {
	ctx := context.Background()
	f := newFakeEmbeddings(t)
	path := filepath.Join(t.TempDir(), store.FileName(1))
	open := func(model string) *store.DB {
		db := openShardAt(t, path, 1, withEmbedder(f.embedder(t, model)))
		waitIndexed(t, db)
		return db
	}
	embedded := func() int { _, n := f.counts(); return n }

	db := open("m1")
	a, b := cafe("가 카페", "커피", hongdaeLat, hongdaeLng), cafe("나 카페", "라떼", hongdaeLat, hongdaeLng)
	createStores(t, db, a, b)
	waitIndexed(t, db)
	if n := embedded(); n != 2 {
		t.Fatalf("%d passages embedded for 2 stores", n)
	}
	a.Description = "핸드드립 커피"
	if _, err := db.UpdateStore(ctx, a, "마포구"); err != nil {
		t.Fatal(err)
	}
	waitIndexed(t, db)
	if n := embedded(); n != 3 {
		t.Fatalf("%d passages embedded after a description change, want 3", n)
	}
	b.Phone = "01099998888" // not part of the passage
	b.Latitude += 0.001
	if _, err := db.UpdateStore(ctx, b, "마포구"); err != nil {
		t.Fatal(err)
	}
	waitIndexed(t, db)
	if n := embedded(); n != 3 {
		t.Fatalf("%d passages embedded after a phone change, want 3", n)
	}
	// The moved store's new location reached the vector side's filter.
	// (Queries go to another server, to keep the passage count.)
	s := &store.Searcher{Embedder: newFakeEmbeddings(t).embedder(t, "m1")}
	res, err := s.Semantic(ctx, []*store.DB{db}, store.SearchQuery{Text: "라떼", Latitude: b.Latitude, Longitude: b.Longitude, RadiusMeters: 50})
	if err != nil || !slices.Equal(ids(res.Hits), []int64{b.ID}) {
		t.Errorf("semantic near the moved store = %v, %v", ids(res.Hits), err)
	}
	db.Close()

	db = open("m1")
	if n := embedded(); n != 3 {
		t.Errorf("%d passages embedded after a restart with the same model, want 3", n)
	}
	db.Close()

	db = open("m2")
	defer db.Close()
	if n := embedded(); n != 5 {
		t.Errorf("%d passages embedded after a model change, want 5", n)
	}
	if stats := db.SearchStats(); stats.Vectors != 2 || stats.Model != "m2@64" {
		t.Errorf("stats after the model change = %+v", stats)
	}
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var models, hashes int
	if err := raw.QueryRow(`SELECT COUNT(DISTINCT model), COUNT(DISTINCT content_hash) FROM store_vectors`).Scan(&models, &hashes); err != nil || models != 1 || hashes != 2 {
		t.Errorf("store_vectors holds %d models and %d hashes, %v; want 1 and 2", models, hashes, err)
	}

	// Reindex embeds every store again.
	if err := db.Reindex(); err != nil {
		t.Fatal(err)
	}
	waitIndexed(t, db)
	if n := embedded(); n != 7 {
		t.Errorf("%d passages embedded after a reindex, want 7", n)
	}
}

// TestSearch_ReplicaLoadsVectors checks that a replica loads the vectors
// the primary writes, follows new ones, and never writes itself.
func TestSearch_ReplicaLoadsVectors(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), store.FileName(1))
	primary := searchShardAt(t, path, withEmbedder(search.NewHashingEmbedder(0)))
	first := cafe("모카 하우스", "핸드드립 커피", hongdaeLat, hongdaeLng)
	createStores(t, primary, first)
	waitIndexed(t, primary)

	opts := withEmbedder(search.NewHashingEmbedder(0))
	opts.Replica = true
	replica := searchShardAt(t, path, opts)
	if replica.SearchStats().Indexing {
		t.Fatal("a replica runs the indexer")
	}
	if err := replica.Reindex(); !errors.Is(err, store.ErrNotWriter) {
		t.Errorf("replica Reindex = %v, want ErrNotWriter", err)
	}
	waitIndexed(t, replica)
	s := &store.Searcher{Embedder: search.NewHashingEmbedder(0)}
	find := func(db *store.DB, q string) []int64 {
		res, err := s.Semantic(ctx, []*store.DB{db}, store.SearchQuery{Text: q, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return ids(res.Hits)
	}
	if got := find(replica, "커피"); !slices.Equal(got, []int64{first.ID}) {
		t.Errorf("replica semantic = %v, want [%d]", got, first.ID)
	}
	second := cafe("치킨 공방", "후라이드 치킨", hongdaeLat, hongdaeLng)
	createStores(t, primary, second)
	waitIndexed(t, primary)
	waitIndexed(t, replica)
	if got := find(replica, "치킨"); !slices.Equal(got, []int64{second.ID}) {
		t.Errorf("replica semantic after a primary write = %v, want [%d]", got, second.ID)
	}
	if _, err := primary.DeleteStore(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for replica.SearchStats().Vectors != 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := replica.SearchStats().Vectors; n != 1 {
		t.Errorf("replica holds %d vectors after a delete, want 1", n)
	}

	// A replica configured with another embedder loads nothing and writes
	// nothing.
	pos, _ := primary.Position(ctx)
	opts = withEmbedder(search.NewHashingEmbedder(32))
	opts.Replica = true
	other := searchShardAt(t, path, opts)
	waitIndexed(t, other)
	if n := other.SearchStats().Vectors; n != 0 {
		t.Errorf("a replica of another model loaded %d vectors", n)
	}
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var models int
	raw.QueryRow(`SELECT COUNT(DISTINCT model) FROM store_vectors`).Scan(&models)
	if now, _ := primary.Position(ctx); now != pos || models != 1 {
		t.Errorf("opening replicas wrote: position %d → %d, %d models in store_vectors", pos, now, models)
	}
}
