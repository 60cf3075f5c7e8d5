package server

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/store"
)

// BenchmarkDashboard measures GET /owner/stores/{id}/dashboard through the
// whole handler (auth, ownership, counters, recommendations, JSON) for a
// store with 1,000,000 coupons over the last 90 days, seeded with SQL in
// bulk (through the counter triggers). It reports p50 and p99.
//
//	go test -tags sqlite_fts5 -run '^$' -bench BenchmarkDashboard -benchtime 2000x ./server/
func BenchmarkDashboard(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	m := geo.DefaultShardMap()
	sh := &Shards{Map: m, District: map[int]*store.DB{}}
	var err error
	if sh.Global, err = store.Open(ctx, filepath.Join(dir, store.FileName(0)), 0, store.Options{}); err != nil {
		b.Fatal(err)
	}
	for _, n := range m.Shards() {
		if sh.District[n], err = store.Open(ctx, filepath.Join(dir, store.FileName(n)), n, store.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	defer sh.Close()
	const lat, lng = 37.5572, 126.9245
	db, district, err := sh.At(lat, lng)
	if err != nil {
		b.Fatal(err)
	}
	owner := &couponpop.Member{ID: 42, Username: "owner", MemberType: couponpop.MemberOwner}
	st := &couponpop.Store{MemberID: owner.ID, MemberUsername: owner.Username, StoreInput: couponpop.StoreInput{
		Name: "벤치 카페", Phone: "01012345678", BusinessNumber: "1234567890", Address: "서울 마포구", Dong: "서교동",
		Latitude: lat, Longitude: lng, StoreCategory: couponpop.CategoryCafe,
		WeekdayOpenTime: "08:00", WeekdayCloseTime: "22:00", WeekendOpenTime: "10:00", WeekendCloseTime: "22:00"}}
	if _, err := db.CreateStore(ctx, st, district.Name); err != nil {
		b.Fatal(err)
	}
	seedCoupons(b, db, st.ID, 1_000_000, 90*24*time.Hour)

	s, err := New(Config{JWTSecret: []byte("bench-secret-bench-secret-bench-secret!"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, sh)
	if err != nil {
		b.Fatal(err)
	}
	token, _, err := s.tokens.NewAccessToken(owner, "")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, query string }{
		{"7d-day", ""},
		{"7d-hour", "?bucket=hour"},
		{"365d-day", "?from=" + couponpop.FormatTime(time.Now().AddDate(-1, 0, 0))},
	} {
		b.Run(c.name, func(b *testing.B) {
			url := fmt.Sprintf("/api/v1/owner/stores/%d/dashboard%s", st.ID, c.query)
			took := make([]time.Duration, 0, b.N)
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, url, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				w := httptest.NewRecorder()
				began := time.Now()
				s.handler.ServeHTTP(w, req)
				took = append(took, time.Since(began))
				if w.Code != 200 {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// seedCoupons inserts n coupons of storeID in 100 events, claimed over the
// last span from within ~2 km (a tenth without a location), a third used.
func seedCoupons(b *testing.B, db *store.DB, storeID int64, n int, span time.Duration) {
	b.Helper()
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?_busy_timeout=5000")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	began := time.Now()
	now := time.Now().UnixMilli()
	startMs := now - span.Milliseconds()
	const events = 100
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for e := range events {
		at := startMs + int64(e)*span.Milliseconds()/events
		if _, err := tx.Exec(`INSERT INTO coupon_events (store_id, member_id, name, start_at, end_at, total_count, created_at, updated_at)
			VALUES (?, 42, 'bench', ?, ?, ?, ?, ?)`, storeID, at, at+span.Milliseconds()/events, n/events, at, at); err != nil {
			b.Fatal(err)
		}
	}
	_, err = tx.Exec(`WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k + 1 < ?)
		INSERT INTO coupons (event_id, member_id, store_id, status, issued_at, expire_at, used_at, event_end_at, claim_latitude, claim_longitude)
		SELECT e.id, 1000000 + k, ?, CASE WHEN k % 3 = 0 THEN 'USED' ELSE 'ISSUED' END, t, t + 86400000,
			CASE WHEN k % 3 = 0 THEN t + (k % 7) * 3600000 END, e.end_at,
			CASE WHEN k % 10 = 0 THEN NULL ELSE 37.5572 + (k % 200) * 0.0001 END,
			CASE WHEN k % 10 = 0 THEN NULL ELSE 126.9245 END
		FROM (SELECT k, ? + k * ? AS t, k * ? / ? AS ev FROM i) c
		JOIN (SELECT id, end_at, ROW_NUMBER() OVER (ORDER BY id) - 1 AS ev FROM coupon_events WHERE store_id = ?) e ON e.ev = c.ev`,
		n, storeID, startMs, span.Milliseconds()/int64(n), events, n, storeID)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE coupon_events SET issued_count = total_count, used_count = (SELECT used FROM live_events WHERE event_id = coupon_events.id) WHERE store_id = ?`, storeID); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	var rows int
	raw.QueryRow(`SELECT COUNT(*) FROM store_hours WHERE store_id = ?`, storeID).Scan(&rows)
	b.Logf("seeded %d coupons (%d hourly rows) in %s", n, rows, time.Since(began).Round(time.Millisecond))
}
