package store_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

// liveWorkload runs batched claims (granted, sold out, out of range, with
// and without a location, some with an Idempotency-Key) on three events of
// the fixture's two stores, across an hour, with uses, a pause and added
// stock between the batches. Claims are queued in a fixed order, so the
// feed it leaves is the same on every run.
func liveWorkload(t *testing.T, f *couponFixture) {
	t.Helper()
	radius := 2000.0
	small := f.event(f.storeA, 3*time.Hour, 10, 24)
	big := f.event(f.storeA, 3*time.Hour, 1000, 0)
	near := &couponpop.Event{StoreID: f.storeB, MemberID: 10, Name: "근처", StartAt: f.clock.Now().Add(-time.Minute),
		EndAt: f.clock.Now().Add(3 * time.Hour), TotalCount: 500, ClaimRadiusMeters: radius}
	if _, err := f.db.CreateEvent(f.ctx, near); err != nil {
		t.Fatal(err)
	}
	// Metres north of the store: one in each distance band and one beyond.
	offsets := []float64{0, 50, 150, 300, 600, 1200, 2400, 5000}
	var coupons []int64
	var mu sync.Mutex
	batch := func(members []int64) {
		var wg sync.WaitGroup
		for i, m := range members {
			req := store.ClaimRequest{EventID: []int64{small, big, near.ID}[i%3], MemberID: m}
			if i%4 != 3 {
				req.HasLocation = true
				req.Latitude = 37.5572 + offsets[i%len(offsets)]/111195.0
				req.Longitude = 126.9245
				if req.EventID == near.ID {
					req.Latitude += 0.001 // store B is 0.001° north of A
				}
			}
			if i%5 == 0 {
				req.IdempotencyKey = fmt.Sprint("k", m)
			}
			before := store.Queued(f.db)
			answered := make(chan struct{})
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer close(answered)
				if res, err := f.db.Claim(f.ctx, req); err == nil {
					mu.Lock()
					coupons = append(coupons, res.CouponID)
					mu.Unlock()
				} else if code := couponpop.ErrorCode(err); code == couponpop.EINTERNAL {
					t.Errorf("claim %+v: %v", req, err)
				}
			}()
			// Next once it is queued, or answered without queueing.
			for store.Queued(f.db) == before {
				select {
				case <-answered:
				case <-time.After(100 * time.Microsecond):
					continue
				}
				break
			}
		}
		wg.Wait()
	}
	members := func(from, n int64) []int64 {
		var out []int64
		for m := from; m < from+n; m++ {
			out = append(out, m)
		}
		return out
	}
	batch(members(100, 40))
	f.clock.Add(59 * time.Minute)
	for i, c := range coupons[:5] {
		var holder int64
		if err := rawConn(t, f.db).QueryRow(`SELECT member_id FROM coupons WHERE id = ?`, c).Scan(&holder); err != nil {
			t.Fatal(err)
		}
		var storeID int64 = f.storeA
		if err := rawConn(t, f.db).QueryRow(`SELECT store_id FROM coupons WHERE id = ?`, c).Scan(&storeID); err != nil {
			t.Fatal(err)
		}
		if code := f.use(c, storeID, holder, fmt.Sprint("n", i)); code != "" {
			t.Fatalf("use %d: %s", c, code)
		}
	}
	add := 3
	if _, _, err := f.db.PatchEvent(f.ctx, small, couponpop.EventPatch{AddCount: &add}); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(2 * time.Minute) // the next hour
	batch(members(200, 40))
	paused := couponpop.EventPaused
	if _, _, err := f.db.PatchEvent(f.ctx, big, couponpop.EventPatch{Status: &paused}); err != nil {
		t.Fatal(err)
	}
	batch(members(300, 12))
}

// TestLiveCounters_Recount checks that after batched claims the dashboard's
// counters and the change feed say what the coupons themselves say.
func TestLiveCounters_Recount(t *testing.T) {
	f := newCouponFixtureWith(t, store.WaitAlone(store.ClaimOptions{BatchWait: 300 * time.Millisecond}))
	liveWorkload(t, f)
	checkLiveRecount(t, rawConn(t, f.db), false)
}

// checkLiveRecount compares store_hours, live_events and live_changes with
// a recount from the coupons and events. In a shard a district moved into
// (moved), a coupon copied in already used has its claim change count the
// use, as no use change follows it.
func checkLiveRecount(t *testing.T, db *sql.DB, moved bool) {
	t.Helper()
	diff := func(what, query string) {
		t.Helper()
		var n int
		if err := db.QueryRow(query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows differ from the recount", what, n)
		}
	}
	diff("store_hours", `WITH b AS (
		SELECT c.store_id, c.issued_at / 3600000 AS hour, c.status, c.used_at,
			(SELECT CASE WHEN d2 IS NULL THEN 7 WHEN d2 <= 10000 THEN 0 WHEN d2 <= 40000 THEN 1 WHEN d2 <= 160000 THEN 2
				WHEN d2 <= 640000 THEN 3 WHEN d2 <= 2560000 THEN 4 WHEN d2 <= 10240000 THEN 5 ELSE 6 END
			FROM (SELECT dy * dy + dx * dx AS d2 FROM (
				SELECT (c.claim_latitude - s.latitude) * 111195.0 AS dy,
					(c.claim_longitude - s.longitude) * 111195.0 * (1 - x * x / 2 + x * x * x * x / 24 - x * x * x * x * x * x / 720) AS dx
				FROM (SELECT latitude, longitude, latitude * 0.017453292519943295 AS x FROM stores WHERE id = c.store_id) s))) AS band
		FROM coupons c),
	issued AS (SELECT store_id, hour, COUNT(*) AS n, SUM(band = 0) AS d100, SUM(band = 1) AS d200, SUM(band = 2) AS d400,
		SUM(band = 3) AS d800, SUM(band = 4) AS d1600, SUM(band = 5) AS d3200, SUM(band = 6) AS dfar, SUM(band = 7) AS dnone,
		SUM(status = 'USED') AS converted FROM b GROUP BY 1, 2),
	used AS (SELECT store_id, used_at / 3600000 AS hour, COUNT(*) AS n FROM b WHERE status = 'USED' GROUP BY 1, 2),
	want AS (SELECT h.store_id, h.hour,
		IFNULL(i.n, 0) AS issued, IFNULL(u.n, 0) AS used, IFNULL(i.converted, 0) AS converted,
		IFNULL(i.d100, 0) AS d100, IFNULL(i.d200, 0) AS d200, IFNULL(i.d400, 0) AS d400, IFNULL(i.d800, 0) AS d800,
		IFNULL(i.d1600, 0) AS d1600, IFNULL(i.d3200, 0) AS d3200, IFNULL(i.dfar, 0) AS dfar, IFNULL(i.dnone, 0) AS dnone
		FROM (SELECT store_id, hour FROM issued UNION SELECT store_id, hour FROM used) h
		LEFT JOIN issued i USING (store_id, hour) LEFT JOIN used u USING (store_id, hour))
	SELECT COUNT(*) FROM (
		SELECT * FROM want EXCEPT SELECT store_id, hour, issued, used, converted, d100, d200, d400, d800, d1600, d3200, dfar, dnone FROM store_hours
		UNION ALL
		SELECT store_id, hour, issued, used, converted, d100, d200, d400, d800, d1600, d3200, dfar, dnone FROM store_hours EXCEPT SELECT * FROM want)`)
	diff("live_events", `SELECT COUNT(*) FROM coupon_events e LEFT JOIN live_events l ON l.event_id = e.id
		WHERE l.event_id IS NULL OR l.store_id != e.store_id
		OR l.issued != (SELECT COUNT(*) FROM coupons WHERE event_id = e.id) OR l.issued != e.issued_count
		OR l.used != (SELECT COUNT(*) FROM coupons WHERE event_id = e.id AND status = 'USED') OR l.used != e.used_count
		OR (l.sold_out_at IS NULL) != (e.issued_count < e.total_count)
		OR l.sold_out_at IS NOT (SELECT CASE WHEN e.issued_count >= e.total_count THEN MAX(issued_at) END FROM coupons WHERE event_id = e.id)`)
	diff("claim changes", `SELECT (SELECT COUNT(*) FROM coupons) - (SELECT COUNT(*) FROM live_changes WHERE kind = 'claim')`)
	// In each event's feed a claim adds one to issued, a use one to used;
	// a claim carries the event's total and status as the change before it.
	claimUsed := "used != p_used"
	if moved {
		claimUsed = "used NOT IN (p_used, p_used + 1)"
	}
	diff("change sequence", `SELECT COUNT(*) FROM (
		SELECT kind, issued, used, total, status,
			LAG(issued, 1, 0) OVER w AS p_issued, LAG(used, 1, 0) OVER w AS p_used,
			LAG(total) OVER w AS p_total, LAG(status) OVER w AS p_status
		FROM live_changes WINDOW w AS (PARTITION BY event_id ORDER BY id))
		WHERE (kind = 'claim' AND (issued != p_issued + 1 OR `+claimUsed+` OR total != p_total OR status != p_status))
		OR (kind = 'use' AND (issued != p_issued OR used != p_used + 1))
		OR (kind = 'stock' AND (issued != p_issued OR used != p_used))`)
	diff("claim change times", `SELECT COUNT(*) FROM (
		SELECT event_id, at, COUNT(*) AS n FROM live_changes WHERE kind = 'claim' GROUP BY 1, 2
		EXCEPT SELECT event_id, issued_at, COUNT(*) FROM coupons GROUP BY 1, 2)`)
}

// TestLiveCounters_RecountAfterMove checks the counters and feed of the
// shard a district moved into.
func TestLiveCounters_RecountAfterMove(t *testing.T) {
	f := newCouponFixtureWith(t, store.WaitAlone(store.ClaimOptions{BatchWait: 300 * time.Millisecond}))
	liveWorkload(t, f)
	dst := openShardAt(t, filepath.Join(t.TempDir(), store.FileName(2)), 2, store.Options{Now: f.clock.Now})
	if _, err := store.MoveDistrict(f.ctx, f.db, dst, "마포구"); err != nil {
		t.Fatal(err)
	}
	checkLiveRecount(t, rawConn(t, dst), true)
}
