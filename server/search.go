package server

import (
	"cmp"
	"context"
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/search"
	"github.com/couponpop/couponpop/store"
	"github.com/go-chi/chi/v5"
)

// Search limits from the API: at most 20 results (an [ext] limit allows up
// to 100 for keyword and vector search), 10 suggestions; radius in km.
const (
	searchLimit       = 20
	maxSearchLimit    = 100
	suggestLimit      = 10
	defaultSearchKm   = 5.0
	searchModeHeader  = "Couponpop-Search-Mode"
	searchKeywordOnly = "keyword-only"
	// searchNoMatch says that neither side found anything like the query
	// (the vector side's similarity floor keeps nonsense from finding its
	// nearest stores).
	searchNoMatch = "no-match"
)

func (s *Server) searchRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(requireMember(s))
		r.Get("/stores/search", s.handleSearchStores)
		r.Get("/stores/search/keyword", s.handleSearchKeyword)
		r.Get("/stores/search/semantic", s.handleSearchSemantic)
		r.Get("/stores/search/suggest", s.handleSuggestStores)
		r.With(requireRoleCode(s, couponpop.MemberAdmin, couponpop.EAdminPermissionRequired)).Post("/admin/stores/index/reindex", s.handleReindexStores)
	})
}

// newSearcher builds the store searcher from the config: nil Embedder means
// the offline hashing embedder, as store.Options does.
func newSearcher(cfg Config) *store.Searcher {
	e := cfg.Embedder
	if e == nil {
		e = search.NewHashingEmbedder(0)
	}
	return &store.Searcher{Embedder: e, Synonyms: cfg.Synonyms}
}

// searchRow is one result of the search endpoints.
type searchRow struct {
	ID            int64   `json:"id"`
	Name          string  `json:"name"`
	Address       string  `json:"address"`
	Dong          string  `json:"dong"`
	StoreCategory string  `json:"storeCategory"`
	ImageURL      string  `json:"imageUrl"`
	Latitude      float64 `json:"latitude"`
	Longitude     float64 `json:"longitude"`
	Score         float64 `json:"score"`
	// Distance [ext] is in km (2 decimals), with lat and lng only.
	Distance *float64 `json:"distance,omitempty"`
}

// suggestion is one result of the suggest endpoint.
type suggestion struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// searchParams reads keyword, category and [ext] lat, lng, radius (km) and
// limit (1..max).
func searchParams(r *http.Request, limit, max int) (store.SearchQuery, error) {
	q := query{r: r}
	sq := store.SearchQuery{Text: q.str("keyword"), Category: q.str("category"), Limit: q.int("limit", limit, 1, max)}
	q.p.Add(sq.Text == "", "keyword is required")
	q.p.Add(sq.Category != "" && !couponpop.ValidCategory(sq.Category), "category must be CAFE, FOOD or CONVENIENCE")
	hasLat, hasLng, hasRadius := q.str("lat") != "", q.str("lng") != "", q.str("radius") != ""
	q.p.Add(hasLat != hasLng, "lat and lng go together")
	q.p.Add(hasRadius && !hasLat, "radius needs lat and lng")
	if hasLat && hasLng {
		sq.Latitude, sq.Longitude = q.float("lat", 0), q.float("lng", 0)
		radiusKm := q.float("radius", defaultSearchKm)
		q.p.Add(!couponpop.ValidLatLng(sq.Latitude, sq.Longitude), "lat must be in [-90, 90] and lng in [-180, 180]")
		q.p.Add(!(radiusKm > 0 && radiusKm <= maxRadiusKm), "radius must be more than 0 and at most %g km", maxRadiusKm)
		sq.RadiusMeters = radiusKm * 1000
	}
	return sq, q.err()
}

// searchShards are the district shards a query looks at: those the circle
// touches, or all.
func (s *Server) searchShards(q store.SearchQuery) []int {
	if q.RadiusMeters > 0 {
		return s.shards.Map.ShardsTouching(q.Latitude, q.Longitude, q.RadiusMeters)
	}
	return s.shardNumbers()
}

func (s *Server) handleSearchStores(w http.ResponseWriter, r *http.Request) {
	s.serveSearch(w, r, searchLimit, func(ctx context.Context, dbs []*store.DB, q store.SearchQuery) (store.SearchResult, error) {
		res, err := s.searcher.Hybrid(ctx, dbs, q)
		if res.KeywordOnly {
			w.Header().Set(searchModeHeader, searchKeywordOnly)
			s.log.Debug("hybrid search answered by keyword alone", "err", res.VectorErr)
		}
		return res, err
	})
}

func (s *Server) handleSearchKeyword(w http.ResponseWriter, r *http.Request) {
	s.serveSearch(w, r, maxSearchLimit, s.searcher.Keyword)
}

func (s *Server) handleSearchSemantic(w http.ResponseWriter, r *http.Request) {
	s.serveSearch(w, r, maxSearchLimit, func(ctx context.Context, dbs []*store.DB, q store.SearchQuery) (store.SearchResult, error) {
		res, err := s.searcher.Semantic(ctx, dbs, q)
		if err != nil && ctx.Err() == nil {
			return res, couponpop.Errorf(couponpop.EUNAVAILABLE, "semantic search is unavailable right now: %v", err)
		}
		return res, err
	})
}

// serveSearch answers a search endpoint: the shards this node holds are
// searched together by fn, the others are asked of the nodes holding them
// (the same request restricted to their shards), and the parts are merged
// by score. Scores of different nodes are of separate rankings (bm25 with
// each shard's statistics; RRF over each node's candidates), so a merge
// across nodes interleaves their best rather than fusing them exactly; a
// single node holding every shard fuses exactly.
func (s *Server) serveSearch(w http.ResponseWriter, r *http.Request, maxLimit int,
	fn func(context.Context, []*store.DB, store.SearchQuery) (store.SearchResult, error)) {
	q, err := searchParams(r, searchLimit, maxLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var understood searchUnderstood
	rows, missing, err := gatherHeld(s, r, s.searchShards(q), func(ctx context.Context, dbs []*store.DB) ([]searchRow, error) {
		res, err := fn(ctx, dbs, q)
		if err != nil {
			return nil, err
		}
		understood.Suggestion, understood.Area = res.Suggestion, res.Area
		out := make([]searchRow, len(res.Hits))
		for i, h := range res.Hits {
			out[i] = newSearchRow(h, q)
		}
		return out, nil
	}, unwrapList[searchRow])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	slices.SortStableFunc(rows, func(a, b searchRow) int { return cmp.Compare(b.Score, a.Score) })
	if len(rows) == 0 && w.Header().Get(searchModeHeader) == "" {
		w.Header().Set(searchModeHeader, searchNoMatch)
	}
	if rows == nil {
		rows = []searchRow{}
	}
	writeSearch(w, rows[:min(len(rows), q.Limit)], missing, understood)
}

// searchUnderstood is what a search understood of its query, answered
// beside data ([ext]) when set. Parts answered by other nodes bring only
// their rows: what this node understood is what is said.
type searchUnderstood struct {
	// Suggestion is the query with misspelt words corrected ("did you
	// mean") when stores matching the correction were added below the
	// exact matches.
	Suggestion string `json:"suggestion,omitempty"`
	// Area is the name of the gazetteer area the query named (강남역 카페),
	// which filtered and lifted stores by distance instead of being a word.
	Area string `json:"area,omitempty"`
}

// searchBody is the search endpoints' answer when they say more than data.
type searchBody struct {
	Data any `json:"data"`
	searchUnderstood
	Partial       bool  `json:"partial,omitempty"`
	MissingShards []int `json:"missingShards,omitempty"`
}

// writeSearch answers {"data": rows} as writeGathered does, with what the
// search understood beside data when it understood something.
func writeSearch(w http.ResponseWriter, rows []searchRow, missing []int, u searchUnderstood) {
	if u == (searchUnderstood{}) {
		writeGathered(w, rows, missing)
		return
	}
	if len(missing) > 0 {
		w.Header().Set(partialHeader, joinInts(missing))
	}
	writeJSON(w, http.StatusOK, searchBody{Data: rows, searchUnderstood: u, Partial: len(missing) > 0, MissingShards: missing})
}

// joinInts writes ns comma-separated.
func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

func newSearchRow(h store.SearchHit, q store.SearchQuery) searchRow {
	row := searchRow{ID: h.ID, Name: h.Name, Address: h.Address, Dong: h.Dong, StoreCategory: h.StoreCategory,
		ImageURL: h.ImageURL, Latitude: h.Latitude, Longitude: h.Longitude, Score: math.Round(h.Score*1e6) / 1e6}
	if q.RadiusMeters > 0 {
		km := math.Round(h.DistanceMeters/10) / 100
		row.Distance = &km
	}
	return row
}

func (s *Server) handleSuggestStores(w http.ResponseWriter, r *http.Request) {
	q := query{r: r}
	prefix := q.str("keyword")
	q.p.Add(prefix == "", "keyword is required")
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, missing, err := gatherHeld(s, r, s.shardNumbers(), func(ctx context.Context, dbs []*store.DB) ([]suggestion, error) {
		found, err := s.searcher.Suggest(ctx, dbs, prefix, suggestLimit)
		rows := make([]suggestion, len(found))
		for i, f := range found {
			rows[i] = suggestion{f.ID, f.Name}
		}
		return rows, err
	}, unwrapList[suggestion])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// Parts of other nodes come after this node's; names that start with
	// the prefix come first whoever found them.
	search.SortByPrefix(out, prefix, search.DefaultAliases(), func(x suggestion) string { return x.Name })
	if out == nil {
		out = []suggestion{}
	}
	writeGathered(w, out[:min(len(out), suggestLimit)], missing)
}

// reindexResponse says which shards this node started reindexing and which
// it left to the nodes that write them.
type reindexResponse struct {
	Reindexing []int `json:"reindexing"`
	Elsewhere  []int `json:"elsewhere"`
}

// handleReindexStores rebuilds the keyword index and embeds every store
// again, in the background, on every shard this node writes.
func (s *Server) handleReindexStores(w http.ResponseWriter, r *http.Request) {
	out := reindexResponse{Reindexing: []int{}, Elsewhere: []int{}}
	writable := map[int]bool{}
	for _, db := range s.writableShards() {
		if err := db.Reindex(); err != nil {
			if errors.Is(err, store.ErrNotWriter) {
				continue
			}
			s.writeError(w, r, err)
			return
		}
		writable[db.Shard()] = true
		out.Reindexing = append(out.Reindexing, db.Shard())
	}
	for _, n := range s.shardNumbers() {
		if !writable[n] {
			out.Elsewhere = append(out.Elsewhere, n)
		}
	}
	s.log.Info("search reindex started", "shards", out.Reindexing)
	writeData(w, http.StatusAccepted, out)
}
