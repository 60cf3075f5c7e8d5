package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/demo"
	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/search"
	"github.com/couponpop/couponpop/server"
	"github.com/couponpop/couponpop/store"
)

// withEmbedder sets the server's query embedder.
func withEmbedder(e search.Embedder) testOption {
	return func(c *server.Config, _ *store.ClaimOptions) { c.Embedder = e }
}

// loadDemoStores puts demo.Stores() into the test server's shards and waits
// until the search index holds them; it returns their IDs by name.
func (ts *testServer) loadDemoStores() map[string]int64 {
	ts.t.Helper()
	ctx := context.Background()
	byShard := map[*store.DB][]*couponpop.Store{}
	districts := map[*store.DB][]string{}
	for _, in := range demo.Stores() {
		db, d, err := ts.Shards.At(in.Latitude, in.Longitude)
		if err != nil {
			ts.t.Fatal(err)
		}
		byShard[db] = append(byShard[db], &couponpop.Store{MemberID: 1, MemberUsername: "demo", StoreInput: in})
		districts[db] = append(districts[db], d.Name)
	}
	ids := map[string]int64{}
	for db, stores := range byShard {
		if _, err := db.CreateStores(ctx, stores, districts[db]); err != nil {
			ts.t.Fatal(err)
		}
		for _, st := range stores {
			ids[st.Name] = st.ID
		}
	}
	ts.waitSearchIndexed()
	return ids
}

func (ts *testServer) waitSearchIndexed() {
	ts.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, db := range ts.Shards.District {
		if err := db.WaitSearchIndexed(ctx); err != nil {
			ts.t.Fatal(err)
		}
	}
}

// searchResult is a row of the search endpoints, every field required.
type searchResult struct {
	ID            int64    `json:"id"`
	Name          string   `json:"name"`
	Address       string   `json:"address"`
	Dong          string   `json:"dong"`
	StoreCategory string   `json:"storeCategory"`
	ImageURL      string   `json:"imageUrl"`
	Latitude      float64  `json:"latitude"`
	Longitude     float64  `json:"longitude"`
	Score         float64  `json:"score"`
	Distance      *float64 `json:"distance"`
}

var searchFields = []string{"id", "name", "address", "dong", "storeCategory", "imageUrl", "latitude", "longitude", "score"}

func searchPath(endpoint, keyword string, extra ...string) string {
	v := url.Values{"keyword": {keyword}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return "/api/v1/stores/search" + endpoint + "?" + v.Encode()
}

// checkShape decodes a 200 answer of a search endpoint, checking every row
// has exactly the API's fields.
func checkShape(t *testing.T, r *response, max int) []searchResult {
	t.Helper()
	var raw []map[string]any
	r.data(t, &raw)
	if len(raw) > max {
		t.Errorf("%d results, want at most %d", len(raw), max)
	}
	for _, row := range raw {
		keys := make([]string, 0, len(row))
		for k := range row {
			if k != "distance" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		want := slices.Clone(searchFields)
		sort.Strings(want)
		if !slices.Equal(keys, want) {
			t.Fatalf("row fields %v, want %v", keys, want)
		}
	}
	var rows []searchResult
	r.data(t, &rows)
	for i := 1; i < len(rows); i++ {
		if rows[i].Score > rows[i-1].Score {
			t.Errorf("row %d scores %g, above row %d's %g", i, rows[i].Score, i-1, rows[i-1].Score)
		}
	}
	return rows
}

func TestSearchAPI_Endpoints(t *testing.T) {
	ts := newTestServer(t)
	ids := ts.loadDemoStores()
	_, tok := ts.member(couponpop.MemberCustomer)

	for _, endpoint := range []string{"", "/keyword", "/semantic"} {
		r := ts.do("GET", searchPath(endpoint, "스타벅스"), tok, nil)
		ts.expect(r, 200, "")
		rows := checkShape(t, r, 20)
		if len(rows) == 0 || !strings.HasPrefix(rows[0].Name, "스타벅스") || ids[rows[0].Name] != rows[0].ID {
			t.Errorf("%s 스타벅스: first of %d is %+v", endpoint, len(rows), rows)
		}
	}
	r := ts.do("GET", searchPath("", "카페"), tok, nil)
	ts.expect(r, 200, "")
	if rows := checkShape(t, r, 20); len(rows) != 20 {
		t.Errorf("hybrid 카페 gave %d rows, want 20", len(rows))
	}
	r = ts.do("GET", searchPath("/keyword", "카페", "limit", "50"), tok, nil)
	ts.expect(r, 200, "")
	if rows := checkShape(t, r, 50); len(rows) != 50 {
		t.Errorf("keyword 카페 limit 50 gave %d rows", len(rows))
	}

	r = ts.do("GET", searchPath("/suggest", "스타"), tok, nil)
	ts.expect(r, 200, "")
	var raw []map[string]any
	r.data(t, &raw)
	if len(raw) == 0 || len(raw) > 10 {
		t.Fatalf("suggest gave %d rows", len(raw))
	}
	for _, row := range raw {
		if len(row) != 2 || row["id"] == nil || !strings.HasPrefix(row["name"].(string), "스타벅스") {
			t.Errorf("suggestion %v", row)
		}
	}

	// Nothing to search for is an empty list, not an error.
	for _, endpoint := range []string{"", "/keyword", "/semantic", "/suggest"} {
		r := ts.do("GET", searchPath(endpoint, "!!!"), tok, nil)
		ts.expect(r, 200, "")
		if string(r.Body) != "{\"data\":[]}\n" {
			t.Errorf("%s !!! = %s", endpoint, r.Body)
		}
	}
}

func TestSearchAPI_Filters(t *testing.T) {
	ts := newTestServer(t)
	ts.loadDemoStores()
	_, tok := ts.member(couponpop.MemberCustomer)
	for _, endpoint := range []string{"", "/keyword", "/semantic"} {
		r := ts.do("GET", searchPath(endpoint, "커피", "lat", fmt.Sprint(hongdaeLat), "lng", fmt.Sprint(hongdaeLng), "radius", "0.5"), tok, nil)
		ts.expect(r, 200, "")
		rows := checkShape(t, r, 20)
		if len(rows) == 0 {
			t.Fatalf("%s: nothing within 500 m", endpoint)
		}
		for _, row := range rows {
			d := geo.DistanceMeters(hongdaeLat, hongdaeLng, row.Latitude, row.Longitude)
			if d > 500 || row.Distance == nil || *row.Distance > 0.5 {
				t.Errorf("%s: %s is %.0f m away (distance %v)", endpoint, row.Name, d, row.Distance)
			}
		}
		r = ts.do("GET", searchPath(endpoint, "커피", "category", "FOOD"), tok, nil)
		ts.expect(r, 200, "")
		for _, row := range checkShape(t, r, 20) {
			if row.StoreCategory != "FOOD" || row.Distance != nil {
				t.Errorf("%s category FOOD: %+v", endpoint, row)
			}
		}
	}
}

func TestSearchAPI_BadRequests(t *testing.T) {
	ts := newTestServer(t)
	_, tok := ts.member(couponpop.MemberCustomer)
	for _, endpoint := range []string{"", "/keyword", "/semantic", "/suggest"} {
		path := "/api/v1/stores/search" + endpoint
		ts.expect(ts.do("GET", path, tok, nil), 400, couponpop.EINVALID)
		ts.expect(ts.do("GET", path+"?keyword=%20%20", tok, nil), 400, couponpop.EINVALID)
		ts.expect(ts.do("GET", path+"?keyword=x", "", nil), 401, couponpop.EUNAUTHORIZED)
	}
	for _, extra := range [][]string{
		{"category", "BAR"}, {"lat", "37.5"}, {"radius", "1"}, {"lat", "100", "lng", "127"},
		{"lat", "37.5", "lng", "127", "radius", "30"}, {"lat", "37.5", "lng", "127", "radius", "0"},
		{"lat", "x", "lng", "127"}, {"limit", "0"}, {"limit", "101"},
	} {
		for _, endpoint := range []string{"", "/keyword"} {
			ts.expect(ts.do("GET", searchPath(endpoint, "카페", extra...), tok, nil), 400, couponpop.EINVALID)
		}
	}
	ts.expect(ts.do("GET", searchPath("", "카페", "limit", "21"), tok, nil), 400, couponpop.EINVALID)
}

func TestSearchAPI_Reindex(t *testing.T) {
	ts := newTestServer(t)
	ts.loadDemoStores()
	_, customer := ts.member(couponpop.MemberCustomer)
	_, owner := ts.member(couponpop.MemberOwner)
	admin := mintToken(t, 1, couponpop.MemberAdmin)
	const path = "/api/v1/admin/stores/index/reindex"
	ts.expect(ts.do("POST", path, "", nil), 401, couponpop.EUNAUTHORIZED)
	ts.expect(ts.do("POST", path, customer, nil), 403, couponpop.EAdminPermissionRequired)
	ts.expect(ts.do("POST", path, owner, nil), 403, couponpop.EAdminPermissionRequired)
	r := ts.do("POST", path, admin, nil)
	ts.expect(r, 202, "")
	var body struct{ Reindexing, Elsewhere []int }
	r.data(t, &body)
	if len(body.Reindexing) != len(ts.Shards.District) || len(body.Elsewhere) != 0 {
		t.Errorf("reindex answer %+v, want every one of %d shards", body, len(ts.Shards.District))
	}
	ts.waitSearchIndexed()
	var embedded int64
	for _, db := range ts.Shards.District {
		embedded += db.SearchStats().Embedded
	}
	if want := int64(2 * len(demo.Stores())); embedded != want {
		t.Errorf("%d passages embedded after load and reindex, want %d", embedded, want)
	}
	r = ts.do("GET", searchPath("/keyword", "스타벅스"), customer, nil)
	ts.expect(r, 200, "")
	if rows := checkShape(t, r, 20); len(rows) != 11 {
		t.Errorf("keyword 스타벅스 after reindex gave %d rows, want 11", len(rows))
	}
}

func TestSearchAPI_CreatedStoreIsFoundAtOnce(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member(couponpop.MemberOwner)
	body := storeBody("구름 위 로스터리", hongdaeLat, hongdaeLng)
	r := ts.do("POST", "/api/v1/owner/stores", owner, body)
	ts.expect(r, 201, "")
	var st struct{ ID int64 }
	r.data(t, &st)
	for _, endpoint := range []string{"", "/keyword"} {
		r = ts.do("GET", searchPath(endpoint, "구름 로스터리"), owner, nil, "Couponpop-Position", r.Header.Get("Couponpop-Position"))
		ts.expect(r, 200, "")
		if rows := checkShape(t, r, 20); len(rows) != 1 || rows[0].ID != st.ID {
			t.Errorf("%s right after create: %+v", endpoint, rows)
		}
	}
}

// failingEmbeddings is an /v1/embeddings server that always fails.
func failingEmbeddings(t *testing.T) (search.Embedder, *atomic.Int64) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, `{"error":{"message":"down"}}`, http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	e, err := search.NewOpenAIEmbedder(search.OpenAIConfig{URL: srv.URL, Model: "down", Dimensions: 8, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return e, &calls
}

func TestSearchAPI_FallsBackToKeyword(t *testing.T) {
	e, calls := failingEmbeddings(t)
	ts := newTestServer(t, withEmbedder(e))
	ts.loadDemoStores()
	_, tok := ts.member(couponpop.MemberCustomer)
	r := ts.do("GET", searchPath("", "조용한 카페"), tok, nil)
	ts.expect(r, 200, "")
	hybrid := checkShape(t, r, 20)
	if r.Header.Get("Couponpop-Search-Mode") != "keyword-only" || calls.Load() == 0 {
		t.Errorf("mode %q after %d embedder calls", r.Header.Get("Couponpop-Search-Mode"), calls.Load())
	}
	r = ts.do("GET", searchPath("/keyword", "조용한 카페"), tok, nil)
	keyword := checkShape(t, r, 20)
	if len(hybrid) != 20 || len(keyword) != 20 {
		t.Fatalf("%d hybrid and %d keyword rows", len(hybrid), len(keyword))
	}
	for i := range hybrid {
		if hybrid[i].ID != keyword[i].ID {
			t.Fatalf("fallback row %d is %s, keyword's is %s", i, hybrid[i].Name, keyword[i].Name)
		}
	}
	ts.expect(ts.do("GET", searchPath("/semantic", "조용한 카페"), tok, nil), 503, couponpop.EUNAVAILABLE)
}

// TestSearchAPI_RandomKeywordsNeverFail sends random strings to every
// search endpoint: each answers 200, or 400 for a blank keyword.
func TestSearchAPI_RandomKeywordsNeverFail(t *testing.T) {
	ts := newTestServer(t)
	ts.loadDemoStores()
	_, tok := ts.member(couponpop.MemberCustomer)
	r := rand.New(rand.NewPCG(1, 7))
	syntax := []string{`"`, "*", "(", ")", ":", "^", "-", "+", "AND", "OR", "NOT", "NEAR", "{", "}", "카페", "ㅅㅌ", "강남역에서", "🍕", "%", "\x00", "\xff"}
	for range 300 {
		var b strings.Builder
		for range 1 + r.IntN(8) {
			if r.IntN(3) == 0 {
				b.WriteRune(rune(r.IntN(0x10FFFF)))
			} else {
				b.WriteString(syntax[r.IntN(len(syntax))])
			}
		}
		q := b.String()
		for _, endpoint := range []string{"", "/keyword", "/suggest"} {
			resp := ts.do("GET", searchPath(endpoint, q), tok, nil)
			blank := strings.TrimSpace(strings.ToValidUTF8(q, "")) == "" || resp.errorCode() == couponpop.EINVALID
			if resp.Status != 200 && !(resp.Status == 400 && blank) {
				t.Fatalf("%s %q: %d %s", endpoint, q, resp.Status, resp.Body)
			}
		}
	}
}

// The old system's load-test keywords.
var loadKeywords = []string{"커피", "카페", "음식", "식당", "편의점", "디저트", "베이커리", "브런치", "술집", "술", "김밥",
	"삼겹살", "치킨", "피자", "햄버거", "좋은 분위기", "맛있는 커피"}

// BenchmarkSearchHTTP measures GET /api/v1/stores/search (hybrid, offline
// embedder) over the demo stores with 200 concurrent clients cycling
// through the old system's 17 load-test keywords, reporting requests/s and
// latency percentiles. The same-run baseline is GET /api/v1/stores/{id},
// the cheapest authenticated read.
//
//	go test -tags sqlite_fts5 -run XXX -bench SearchHTTP -benchtime 20000x ./server
func BenchmarkSearchHTTP(b *testing.B) {
	ts := newTestServer(b)
	ids := ts.loadDemoStores()
	tok := mintToken(b, 1, couponpop.MemberCustomer)
	var anyID int64
	for _, id := range ids {
		anyID = id
		break
	}
	paths := map[string]func(i int) string{
		"hybrid":   func(i int) string { return searchPath("", loadKeywords[i%len(loadKeywords)]) },
		"keyword":  func(i int) string { return searchPath("/keyword", loadKeywords[i%len(loadKeywords)]) },
		"baseline": func(int) string { return fmt.Sprintf("/api/v1/stores/%d", anyID) },
	}
	for _, name := range []string{"hybrid", "keyword", "baseline"} {
		b.Run(name, func(b *testing.B) { loadTest(b, ts, tok, 200, paths[name]) })
	}
}

// loadTest sends b.N GETs from clients concurrent clients.
func loadTest(b *testing.B, ts *testServer, tok string, clients int, path func(i int) string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	var failed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				req, _ := http.NewRequest("GET", ts.URL+path(i), nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				var body struct{ Data json.RawMessage }
				if json.NewDecoder(resp.Body).Decode(&body) != nil || resp.StatusCode != 200 {
					failed.Add(1)
				}
				resp.Body.Close()
				lat[c] = append(lat[c], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed", n, b.N)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000 }
	var sum time.Duration
	for _, d := range all {
		sum += d
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(sum.Microseconds())/float64(len(all))/1000, "avg-ms")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// TestSearchAPI_Suggestion: a brand typed with one jamo wrong finds the
// brand, and the answer says what it understood in suggestion beside data.
func TestSearchAPI_Suggestion(t *testing.T) {
	ts := newTestServer(t)
	ts.loadDemoStores()
	_, tok := ts.member(couponpop.MemberCustomer)
	for _, endpoint := range []string{"", "/keyword"} {
		r := ts.do("GET", searchPath(endpoint, "스타벅쓰"), tok, nil)
		ts.expect(r, 200, "")
		rows := checkShape(t, r, 20)
		var body struct {
			Suggestion string `json:"suggestion"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Suggestion != "스타벅스" || len(rows) == 0 || !strings.HasPrefix(rows[0].Name, "스타벅스") {
			t.Errorf("%s 스타벅쓰: suggestion %q, first of %d rows %+v", endpoint, body.Suggestion, len(rows), rows)
		}
	}
	r := ts.do("GET", searchPath("/keyword", "스타벅스"), tok, nil)
	if strings.Contains(string(r.Body), "suggestion") {
		t.Errorf("an exact query suggests: %s", r.Body)
	}
}

// TestSearchAPI_NonsenseFindsNothing: a word that means nothing finds no
// store on any endpoint (the vector side has a similarity floor), and the
// answer says so.
func TestSearchAPI_NonsenseFindsNothing(t *testing.T) {
	ts := newTestServer(t)
	ts.loadDemoStores()
	_, tok := ts.member(couponpop.MemberCustomer)
	for _, q := range []string{"뷁뚫", "qwzx"} {
		for _, endpoint := range []string{"", "/keyword", "/semantic"} {
			r := ts.do("GET", searchPath(endpoint, q), tok, nil)
			ts.expect(r, 200, "")
			if string(r.Body) != "{\"data\":[]}\n" || r.Header.Get("Couponpop-Search-Mode") != "no-match" {
				t.Errorf("%s %s: %s, mode %q", endpoint, q, r.Body, r.Header.Get("Couponpop-Search-Mode"))
			}
		}
	}
}

// TestSearchAPI_Area: a hybrid query naming a gazetteer area says which it
// understood, and its first stores are near it.
func TestSearchAPI_Area(t *testing.T) {
	ts := newTestServer(t)
	ts.loadDemoStores()
	_, tok := ts.member(couponpop.MemberCustomer)
	for _, c := range []struct {
		endpoint, query, area string
		lat, lng              float64
	}{
		{"", "강남역 카페", "강남역", 37.4985, 127.0290},
		{"/keyword", "강남역 카페", "강남역", 37.4985, 127.0290}, // keyword-only honours the area too
		{"", "서교동 카페", "서교동", 37.5530, 126.9190},         // an area added for issue 18
	} {
		r := ts.do("GET", searchPath(c.endpoint, c.query), tok, nil)
		ts.expect(r, 200, "")
		rows := checkShape(t, r, 20)
		var body struct {
			Area string `json:"area"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Area != c.area || len(rows) < 5 {
			t.Fatalf("%s %q: area %q, %d rows", c.endpoint, c.query, body.Area, len(rows))
		}
		for _, row := range rows[:5] {
			if d := geo.DistanceMeters(c.lat, c.lng, row.Latitude, row.Longitude); d > 1500 {
				t.Errorf("%s %q: %s is %.0f m from %s", c.endpoint, c.query, row.Name, d, c.area)
			}
		}
	}
}
