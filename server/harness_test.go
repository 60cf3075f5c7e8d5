package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/notify"
	"github.com/couponpop/couponpop/server"
	"github.com/couponpop/couponpop/store"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"
)

// testSecret signs every test server's tokens.
const testSecret = "test-secret-test-secret-test-secret!"

// testServer is a real server on a loopback port over real SQLite files in
// a temp dir.
type testServer struct {
	t      testing.TB
	URL    string
	Shards *server.Shards
	Server *server.Server
	// Handler is the server's router (chi.Walk lists its routes).
	Handler http.Handler
	client  *http.Client
}

type testOption func(*server.Config, *store.ClaimOptions)

// withNow fixes the server's clock.
func withNow(now func() time.Time) testOption {
	return func(c *server.Config, _ *store.ClaimOptions) { c.Now = now }
}

// withClaimBatch sets the claim writer's batch limit.
func withClaimBatch(max int) testOption {
	return func(_ *server.Config, o *store.ClaimOptions) { o.BatchMax = max }
}

func newTestServer(t testing.TB, opts ...testOption) *testServer {
	t.Helper()
	dir := t.TempDir()
	cfg := server.Config{JWTSecret: []byte(testSecret), BcryptCost: bcrypt.MinCost, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var claimOpts store.ClaimOptions
	for _, o := range opts {
		o(&cfg, &claimOpts)
	}
	reg := server.NewRegistry() // the node's own, as serve makes it
	cfg.Metrics, cfg.Gatherer = server.NewMetrics(reg), reg
	ctx, cancel := context.WithCancel(context.Background())
	m := geo.DefaultShardMap()
	opened, err := store.OpenShards(ctx, dir, m.Shards(), func(shard int) store.Options {
		o := claimOpts
		o.Observe = cfg.Metrics.ClaimObserver(shard)
		return store.Options{Now: cfg.Now, Claims: o}
	})
	if err != nil {
		t.Fatal(err)
	}
	sh := &server.Shards{Map: m, Global: opened.Global, District: opened.District}
	dispatchers := startDispatchers(ctx, t, cfg, sh)
	srv, err := server.New(cfg, sh)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	ts := &testServer{t: t, URL: "http://" + ln.Addr().String(), Shards: sh, Server: srv, Handler: srv.Handler(),
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		dispatchers.Wait()
		sh.Close()
	})
	ts.waitHealthy()
	return ts
}

// startDispatchers runs, when the server sends pushes, each shard's push
// dispatcher (shard 0's and the districts') until ctx ends, as serve does.
func startDispatchers(ctx context.Context, t testing.TB, cfg server.Config, sh *server.Shards) *sync.WaitGroup {
	var wg sync.WaitGroup
	if cfg.PushSender == nil {
		return &wg
	}
	dbs := []*store.DB{sh.Global}
	for _, db := range sh.District {
		dbs = append(dbs, db)
	}
	for _, db := range dbs {
		d, err := notify.New(notify.Config{Shard: db, Subscriptions: sh.Global, Sender: cfg.PushSender,
			Poll: 20 * time.Millisecond, Logger: cfg.Logger})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { d.Run(ctx) })
	}
	return &wg
}

func (ts *testServer) waitHealthy() {
	for i := 0; i < 200; i++ {
		resp, err := http.Get(ts.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	ts.t.Fatal("server never became healthy")
}

// response is a finished HTTP exchange.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// data decodes {"data": ...} into v.
func (r *response) data(t testing.TB, v any) {
	t.Helper()
	var body struct{ Data json.RawMessage }
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	if err := json.Unmarshal(body.Data, v); err != nil {
		t.Fatalf("decode data %s: %v", body.Data, err)
	}
}

// errorCode returns the API error code of the body ("" when none).
func (r *response) errorCode() string {
	var body struct {
		Error struct{ Code string }
	}
	_ = json.Unmarshal(r.Body, &body)
	return body.Error.Code
}

// do sends a request; body is JSON-encoded unless it is a []byte or nil.
func (ts *testServer) do(method, path, token string, body any, headers ...string) *response {
	ts.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			ts.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		ts.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	// Messages are Korean by default; most tests read the English ones.
	// A test of the default sends "Accept-Language", "".
	req.Header.Set("Accept-Language", "en")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := ts.client.Do(req)
	if err != nil {
		ts.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return &response{resp.StatusCode, resp.Header, data}
}

// expect checks status and, for errors, the API error code.
func (ts *testServer) expect(r *response, status int, code string) {
	ts.t.Helper()
	if r.Status != status || r.errorCode() != code {
		ts.t.Fatalf("got %d %q, want %d %q: %s", r.Status, r.errorCode(), status, code, r.Body)
	}
}

var memberSeq atomic.Int64

// member signs up a fresh member of the given type and returns its id and
// access token.
func (ts *testServer) member(memberType string) (int64, string) {
	ts.t.Helper()
	n := memberSeq.Add(1)
	email := fmt.Sprintf("m%d-%d@example.com", n, time.Now().UnixNano())
	r := ts.do("POST", "/api/v1/auth/signup", "", map[string]any{"email": email, "username": fmt.Sprintf("user%d", n),
		"password": "Passw0rd!", "confirmPassword": "Passw0rd!", "phoneNumber": "01012345678", "memberType": memberType})
	ts.expect(r, 201, "")
	var created struct{ MemberID int64 }
	r.data(ts.t, &created)
	r = ts.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": "Passw0rd!"})
	ts.expect(r, 200, "")
	var tok struct{ AccessToken string }
	r.data(ts.t, &tok)
	return created.MemberID, tok.AccessToken
}

// hongdae is Hongik Univ. station.
const hongdaeLat, hongdaeLng = 37.5572, 126.9245

// storeBody is a valid store at (lat, lng).
func storeBody(name string, lat, lng float64) map[string]any {
	return map[string]any{"name": name, "phone": "01098765432", "description": "테스트 매장", "businessNumber": "1234567890",
		"address": "서울특별시 마포구 양화로 160", "dong": "서교동", "latitude": lat, "longitude": lng,
		"storeCategory": "CAFE", "weekdayOpenTime": "08:00", "weekdayCloseTime": "22:00",
		"weekendOpenTime": "10:00", "weekendCloseTime": "22:00"}
}

// createStore creates a store for the owner and returns its id.
func (ts *testServer) createStore(token string, lat, lng float64) int64 {
	ts.t.Helper()
	r := ts.do("POST", "/api/v1/owner/stores", token, storeBody(fmt.Sprintf("매장 %d", memberSeq.Add(1)), lat, lng))
	ts.expect(r, 201, "")
	var st struct{ ID int64 }
	r.data(ts.t, &st)
	return st.ID
}

// apiTime formats t as the API does.
func apiTime(t time.Time) string {
	return t.In(time.FixedZone("KST", 9*3600)).Format("2006-01-02T15:04:05")
}

// createEvent creates an event running from start for dur with total
// coupons and returns its id; extra fields are merged into the body.
func (ts *testServer) createEvent(token string, storeID int64, start time.Time, dur time.Duration, total int, extra map[string]any) int64 {
	ts.t.Helper()
	body := map[string]any{"storeId": storeID, "name": "아메리카노 무료", "eventStartAt": apiTime(start),
		"eventEndAt": apiTime(start.Add(dur)), "totalCount": total}
	for k, v := range extra {
		body[k] = v
	}
	r := ts.do("POST", "/api/v1/owner/coupons/events", token, body)
	ts.expect(r, 201, "")
	var e struct{ EventID int64 }
	r.data(ts.t, &e)
	return e.EventID
}

// mintToken signs an access token for any member id with the test secret,
// as load tools do.
func mintToken(t testing.TB, memberID int64, memberType string) string {
	t.Helper()
	claims := jwt.MapClaims{"sub": fmt.Sprint(memberID), "username": fmt.Sprintf("load%d", memberID),
		"memberType": memberType, "tokenType": "USER", "exp": time.Now().Add(time.Hour).Unix()}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// waitUntil polls cond until it holds, failing the test after timeout.
func waitUntil(t testing.TB, timeout time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v", timeout)
		}
	}
}

// waitDelivered waits until db's notification history records a delivery
// of trace to member: the dispatcher commits a send's result after the push
// service has answered it.
func waitDelivered(t testing.TB, db *store.DB, member int64, trace string) {
	t.Helper()
	waitUntil(t, 5*time.Second, func() bool {
		history, err := db.NotificationHistoryOf(context.Background(), member)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range history {
			if h.TraceID == trace && h.Outcome == store.PushDelivered {
				return true
			}
		}
		return false
	})
}
