package server_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/nudge/nudgetest"
	"github.com/couponpop/couponpop/push"
	"github.com/couponpop/couponpop/server"
	"github.com/couponpop/couponpop/store"
)

// seedStores creates a store per fixture store id, with its dong, in the
// district shard db, and returns their ids.
func seedStores(t testing.TB, db *store.DB, dongs map[string]string) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for key, dong := range dongs {
		st := &couponpop.Store{MemberID: 7, MemberUsername: "owner", StoreInput: couponpop.StoreInput{
			Name: "매장 " + key, Phone: "01012345678", BusinessNumber: "1234567890", Address: "서울특별시 " + dong,
			Dong: dong, Latitude: 37.5, Longitude: 126.9, StoreCategory: couponpop.CategoryCafe,
			WeekdayOpenTime: "08:00", WeekdayCloseTime: "22:00", WeekendOpenTime: "10:00", WeekendCloseTime: "22:00"}}
		if _, err := db.CreateStore(context.Background(), st, "동작구"); err != nil {
			t.Fatal(err)
		}
		ids[key] = st.ID
	}
	return ids
}

// rawDB opens a shard's file for seeding rows no API writes with past
// times (history, issued counts).
func rawDB(t testing.TB, db *store.DB) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func TestJobs_FixtureThroughHTTP(t *testing.T) {
	f := nudgetest.Load(t)
	svc, withService := withPushService(t)
	ts := newTestServer(t, withService)
	ctx := context.Background()
	admin := mintToken(t, 1, couponpop.MemberAdmin)
	var shards []*store.DB
	for _, db := range ts.Shards.District {
		shards = append(shards, db)
	}
	// Usage stats: the history spread over two district shards, so that
	// the job reads more than one.
	u := f.UsageStats
	a, b := shards[0], shards[1%len(shards)]
	storesA, storesB := seedStores(t, a, u.StoreDong), seedStores(t, b, u.StoreDong)
	rawA, rawB := rawDB(t, a), rawDB(t, b)
	for i, h := range u.UsedHistory {
		member, coupon, storeKey := int64(h[0].(float64)), int64(h[1].(float64)), strconv.Itoa(int(h[2].(float64)))
		at := nudgetest.SeoulTime(t, time.DateTime, h[3])
		raw, ids := rawA, storesA
		if i%2 == 1 {
			raw, ids = rawB, storesB
		}
		if _, err := raw.Exec(`INSERT INTO coupon_history (coupon_id, member_id, event_id, store_id, action, at) VALUES (?, ?, 1, ?, 'USED', ?)`,
			coupon, member, ids[storeKey], at.UnixMilli()); err != nil {
			t.Fatal(err)
		}
	}
	ts.expect(ts.do("POST", "/api/v1/jobs/coupon-usage-stats?runDate="+u.RunDate, mintToken(t, 2, couponpop.MemberCustomer), nil), 403, couponpop.EFORBIDDEN)
	for run := 0; run < 2; run++ { // a rerun replaces the rows
		r := ts.do("POST", "/api/v1/jobs/coupon-usage-stats?runDate="+u.RunDate, admin, nil)
		ts.expect(r, 200, "")
		var res server.UsageStatsResult
		r.data(t, &res)
		if res.Rows != 4 {
			t.Fatalf("run %d: %+v, want exactly 4 rows", run, res)
		}
	}
	rows, err := ts.Shards.Global.UsageStatsBetween(ctx, u.RunDate, u.RunDate)
	if err != nil || len(rows) != len(u.Expected) {
		t.Fatalf("stored %+v, %v", rows, err)
	}
	for i, want := range u.Expected {
		if got := rows[i]; got.MemberID != want.MemberID || got.TopDong != want.TopDong || got.TopHour != want.TopHour {
			t.Errorf("row %d: %+v, want %+v", i, got, want)
		}
	}
	if run, ok, err := ts.Shards.Global.JobRunOf(ctx, server.JobUsageStats, u.RunDate); err != nil || !ok {
		t.Errorf("job run not recorded: %+v %v %v", run, ok, err)
	}

	// The hourly push.
	p := f.UsageStatsPush
	c := shards[2%len(shards)]
	stores := seedStores(t, c, p.StoreDong)
	rawC := rawDB(t, c)
	for _, e := range p.Events {
		ev := &couponpop.Event{StoreID: stores[strconv.Itoa(int(e[0].(float64)))], MemberID: 7, Name: "이벤트",
			StartAt: nudgetest.SeoulTime(t, time.DateTime, e[1]), EndAt: nudgetest.SeoulTime(t, time.DateTime, e[2]), TotalCount: int(e[3].(float64))}
		if _, err := c.CreateEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
		if _, err := rawC.Exec(`UPDATE coupon_events SET issued_count = ? WHERE id = ?`, int(e[4].(float64)), ev.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range p.Stats {
		member, _ := strconv.ParseInt(fmt.Sprint(s[0]), 10, 64)
		if _, err := ts.Shards.Global.ReplaceUsageStats(ctx, s[3].(string), []store.UsageStat{{MemberID: member,
			AggregatedAt: s[3].(string), TopDong: s[1].(string), TopHour: int(s[2].(float64))}}); err != nil {
			t.Fatal(err)
		}
	}
	for member, tokens := range p.Subscriptions {
		id, _ := strconv.ParseInt(member, 10, 64)
		for range tokens { // the fixture's FCM tokens become Web Push subscriptions
			sub := svc.NewSubscription(t)
			if _, err := ts.Shards.Global.UpsertPushSubscription(ctx, store.PushSubscription{MemberID: id, Endpoint: sub.Endpoint,
				P256dh: sub.P256dh, Auth: sub.Auth, DeviceIdentifier: sub.Endpoint}); err != nil {
				t.Fatal(err)
			}
		}
	}
	send := func(date string, hour int) server.UsageSendResult {
		t.Helper()
		r := ts.do("POST", fmt.Sprintf("/api/v1/jobs/coupon-usage-stats-fcm-send?runDate=%s&targetHour=%d", date, hour), admin, nil)
		ts.expect(r, 200, "")
		var res server.UsageSendResult
		r.data(t, &res)
		return res
	}
	want := p.Expected[0]
	if res := send(want.RunDate, want.TargetHour); res.Messages != 0 {
		t.Fatalf("sent %d advertising pushes without marketing consent", res.Messages)
	}
	if _, err := ts.Shards.Global.SetNotificationSettings(ctx, 101, store.NotificationSettings{Marketing: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range p.Expected {
		before := len(svc.Delivered())
		res := send(want.RunDate, want.TargetHour)
		if res.Messages != want.Messages || res.Outcomes["queued"] != want.Messages {
			t.Fatalf("%s %02d: %+v, want %d messages", want.RunDate, want.TargetHour, res, want.Messages)
		}
		// Shard 0's dispatcher sends them; a rerun of the same hour
		// queues nothing new.
		waitUntil(t, 5*time.Second, func() bool { return len(svc.Delivered()) >= before+want.Messages })
		send(want.RunDate, want.TargetHour)
		time.Sleep(300 * time.Millisecond)
		for _, m := range res.Pushes {
			if m.TopDong != want.TopDong || m.ActiveEvents != want.ActiveEventCount {
				t.Errorf("%s %02d: %+v, want %s with %d events", want.RunDate, want.TargetHour, m, want.TopDong, want.ActiveEventCount)
			}
		}
		got := svc.Delivered()[before:]
		wantTitle := push.UsageHour(want.TopDong, want.ActiveEventCount, want.TargetHour).Title
		for _, d := range got {
			var pl push.Payload
			if err := json.Unmarshal(d.Payload, &pl); err != nil || pl.Title != wantTitle {
				t.Errorf("delivered %q (%v), want %q", d.Payload, err, wantTitle)
			}
		}
		if len(got) != want.Messages {
			t.Errorf("%d delivered, want %d", len(got), want.Messages)
		}
		// Each attempt is in shard 0's history, under the run's trace id.
		recorded, members := 0, map[int64]bool{}
		for _, m := range res.Pushes {
			if members[m.MemberID] {
				continue
			}
			members[m.MemberID] = true
			waitDelivered(t, ts.Shards.Global, m.MemberID, fmt.Sprintf("usage-%s-%02d-%d", want.RunDate, want.TargetHour, m.MemberID))
			history, err := ts.Shards.Global.NotificationHistoryOf(ctx, m.MemberID)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range history {
				if h.TraceID == fmt.Sprintf("usage-%s-%02d-%d", want.RunDate, want.TargetHour, m.MemberID) && h.Outcome == store.PushDelivered {
					recorded++
				}
			}
		}
		if recorded != want.Messages {
			t.Errorf("%d deliveries in the history, want %d", recorded, want.Messages)
		}
		t.Logf("%s %02d: %q", want.RunDate, want.TargetHour, wantTitle)
	}
}

// TestJobs_UsageStatsAcrossNodes: the job on node A reads node B's shards
// through the fan-out; with B gone it refuses to run rather than store
// stats from half the uses.
func TestJobs_UsageStatsAcrossNodes(t *testing.T) {
	a, b := startShardNodes(t)
	admin := mintToken(t, 1, couponpop.MemberAdmin)
	day := "2025-10-31"
	seed := func(db *store.DB, member int64, n int) {
		ids := seedStores(t, db, map[string]string{"1": "노량진동"})
		raw := rawDB(t, db)
		for i := range n {
			at := nudgetest.SeoulTime(t, time.DateTime, fmt.Sprintf("2025-10-%02d 15:00:00", 12+i))
			if _, err := raw.Exec(`INSERT INTO coupon_history (coupon_id, member_id, event_id, store_id, action, at) VALUES (?, ?, 1, ?, 'USED', ?)`,
				1000+i, member, ids["1"], at.UnixMilli()); err != nil {
				t.Fatal(err)
			}
		}
	}
	seed(a.Shards.District[1], 11, 5)
	seed(b.Shards.District[3], 12, 5)
	r := a.do("POST", "/api/v1/jobs/coupon-usage-stats?runDate="+day, admin, nil)
	a.expect(r, 200, "")
	var res server.UsageStatsResult
	r.data(t, &res)
	if res.Rows != 2 || res.Uses != 10 {
		t.Fatalf("%+v, want 2 rows from 10 uses on two nodes", res)
	}
	b.stop()
	a.expect(a.do("POST", "/api/v1/jobs/coupon-usage-stats?runDate="+day, admin, nil), 503, couponpop.EUNAVAILABLE)
}

// TestJobs_ExpiryReminderOnceThroughTheOutbox: the expiry job queues a
// coupon's reminder once its time has come (half of a 4-hour lifetime),
// the district's dispatcher delivers it and records it, and the job run
// again queues nothing.
func TestJobs_ExpiryReminderOnceThroughTheOutbox(t *testing.T) {
	svc, withService := withPushService(t)
	seoul := time.FixedZone("KST", 9*3600)
	var clock atomic.Int64
	clock.Store(time.Date(2025, 10, 25, 10, 0, 0, 0, seoul).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	ts := newTestServer(t, withNow(now), withService)
	admin := mintToken(t, 1, couponpop.MemberAdmin)

	_, owner := ts.member(couponpop.MemberOwner)
	storeID := ts.createStore(owner, hongdaeLat, hongdaeLng)
	eventID := ts.createEvent(owner, storeID, now().Add(time.Minute), 4*time.Hour, 10, nil)
	clock.Add(int64(2 * time.Minute))
	customer, tok := ts.member(couponpop.MemberCustomer)
	ts.subscribe(svc, tok, "phone")
	couponID := ts.claimCoupon(tok, eventID)
	waitUntil(t, 5*time.Second, func() bool { return len(svc.Delivered()) == 1 }) // the claim's own push

	expire := func() server.ExpireResult {
		t.Helper()
		r := ts.expireJob(admin)
		ts.expect(r, 200, "")
		var out server.ExpireResult
		r.data(t, &out)
		return out
	}
	if out := expire(); out.Reminded != 0 {
		t.Fatalf("reminded %d at once, want 0", out.Reminded)
	}
	clock.Add(int64(2 * time.Hour)) // past half the coupon's lifetime
	if out := expire(); out.Reminded != 1 {
		t.Fatalf("reminded %d after 2 h, want 1", out.Reminded)
	}
	waitUntil(t, 5*time.Second, func() bool { return len(svc.Delivered()) == 2 })
	var p push.Payload
	if err := json.Unmarshal(svc.Delivered()[1].Payload, &p); err != nil || p.TraceID != fmt.Sprintf("remind-%d", couponID) {
		t.Fatalf("delivered %s (%v), want the reminder of coupon %d", svc.Delivered()[1].Payload, err, couponID)
	}
	if out := expire(); out.Reminded != 0 {
		t.Fatalf("reminded %d again, want 0", out.Reminded)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(svc.Received()); n != 2 {
		t.Fatalf("%d pushes, want 2 (the claim's and one reminder)", n)
	}
	district := ts.Shards.District[couponpop.ShardOfID(couponID)]
	waitDelivered(t, district, customer, p.TraceID)
	history, err := district.NotificationHistoryOf(context.Background(), customer)
	if err != nil {
		t.Fatal(err)
	}
	var reminders int
	for _, h := range history {
		if h.TraceID == p.TraceID && h.Outcome == store.PushDelivered {
			reminders++
		}
	}
	if reminders != 1 {
		t.Fatalf("history %+v, want one delivered reminder", history)
	}
}
