package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

// couponClock is a store clock a test moves.
type couponClock struct{ ns atomic.Int64 }

func (c *couponClock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *couponClock) Set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *couponClock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// couponBase is the fixture's starting "now".
var couponBase = time.Date(2025, 10, 25, 12, 0, 0, 0, couponpop.Seoul)

// couponFixture is a shard-1 database on a test clock with two stores of
// one owner, A and B.
type couponFixture struct {
	t              *testing.T
	ctx            context.Context
	db             *store.DB
	clock          *couponClock
	storeA, storeB int64
}

func newCouponFixture(t *testing.T) *couponFixture {
	t.Helper()
	return newCouponFixtureWith(t, store.ClaimOptions{})
}

// newCouponFixtureWith is newCouponFixture with the claim writer
// configured by claims.
func newCouponFixtureWith(t *testing.T, claims store.ClaimOptions) *couponFixture {
	t.Helper()
	f := &couponFixture{t: t, ctx: context.Background(), clock: &couponClock{}}
	f.clock.Set(couponBase)
	db := openShardAt(t, filepath.Join(t.TempDir(), store.FileName(1)), 1, store.Options{Now: f.clock.Now, Claims: claims})
	f.db = db
	for i, id := range []*int64{&f.storeA, &f.storeB} {
		st := &couponpop.Store{MemberID: 10, MemberUsername: "owner10", StoreInput: couponpop.StoreInput{
			Name: fmt.Sprintf("매장 %d", i), Phone: "01012345678", BusinessNumber: "1234567890", Address: "서울특별시 마포구 양화로 160",
			Dong: "서교동", Latitude: 37.5572 + float64(i)*0.001, Longitude: 126.9245, StoreCategory: couponpop.CategoryCafe,
			WeekdayOpenTime: "08:00", WeekdayCloseTime: "22:00", WeekendOpenTime: "10:00", WeekendCloseTime: "22:00",
		}}
		if _, err := db.CreateStore(f.ctx, st, "마포구"); err != nil {
			t.Fatal(err)
		}
		*id = st.ID
	}
	return f
}

// event creates an event of the store running from a minute ago for dur;
// validHours 0 means the default validity.
func (f *couponFixture) event(storeID int64, dur time.Duration, total, validHours int) int64 {
	f.t.Helper()
	start := f.clock.Now().Add(-time.Minute)
	e := &couponpop.Event{StoreID: storeID, MemberID: 10, Name: "이벤트", StartAt: start, EndAt: start.Add(dur),
		TotalCount: total, CouponValidHours: validHours}
	if _, err := f.db.CreateEvent(f.ctx, e); err != nil {
		f.t.Fatal(err)
	}
	return e.ID
}

// claim grants a coupon or fails the test.
func (f *couponFixture) claim(eventID, memberID int64) int64 {
	f.t.Helper()
	res, err := f.db.Claim(f.ctx, store.ClaimRequest{EventID: eventID, MemberID: memberID})
	if err != nil {
		f.t.Fatalf("claim event %d by %d: %v", eventID, memberID, err)
	}
	return res.CouponID
}

// use spends a coupon and returns the error code ("" on success).
func (f *couponFixture) use(couponID, storeID, holderID int64, nonce string) string {
	f.t.Helper()
	c, pos, err := f.db.UseCoupon(f.ctx, store.Use{CouponID: couponID, StoreID: storeID, HolderID: holderID, Nonce: nonce})
	if err != nil {
		if c != nil || pos != 0 {
			f.t.Errorf("refused use returned coupon %v and position %d", c, pos)
		}
		if couponpop.ErrorCode(err) == couponpop.EINTERNAL {
			f.t.Fatalf("use coupon %d: %v", couponID, err)
		}
		return couponpop.ErrorCode(err)
	}
	if c.ID != couponID || c.Status != couponpop.CouponUsed || !c.UsedAt.Equal(f.clock.Now()) {
		f.t.Errorf("used coupon %+v, want %d USED at %s", c, couponID, f.clock.Now())
	}
	if cur := f.position(); cur != pos {
		f.t.Errorf("use returned position %d, shard is at %d", pos, cur)
	}
	return ""
}

func (f *couponFixture) position() store.Position {
	f.t.Helper()
	pos, err := f.db.Position(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return pos
}

func (f *couponFixture) coupon(id int64) *couponpop.Coupon {
	f.t.Helper()
	c, err := f.db.CouponByID(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// raw opens the database file with a connection of its own: read-only
// unless write is set.
func (f *couponFixture) raw(write bool) *sql.DB {
	f.t.Helper()
	mode := "?mode=ro"
	if write {
		mode = "?_busy_timeout=5000"
	}
	raw, err := sql.Open("sqlite3", "file:"+f.db.Path()+mode)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { raw.Close() })
	return raw
}

// setStatus forces a coupon's status, for states no API reaches yet.
func (f *couponFixture) setStatus(id int64, status string) {
	f.t.Helper()
	if _, err := f.raw(true).Exec(`UPDATE coupons SET status = ? WHERE id = ?`, status, id); err != nil {
		f.t.Fatal(err)
	}
}

// history returns the coupon ids of the history rows with the action, in
// row order.
func (f *couponFixture) history(action string) []int64 {
	f.t.Helper()
	rows, err := f.raw(false).Query(`SELECT coupon_id FROM coupon_history WHERE action = ? ORDER BY id`, action)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			f.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	return ids
}

func TestUseCoupon_CheckOrder(t *testing.T) {
	f := newCouponFixture(t)
	eventID := f.event(f.storeA, 3*time.Hour, 10, 0)
	c1, c2, c3 := f.claim(eventID, 100), f.claim(eventID, 101), f.claim(eventID, 102)
	start := f.position()

	for _, tc := range []struct {
		name                    string
		coupon, storeID, holder int64
		want                    string
	}{
		{"unknown coupon, wrong store and holder", couponpop.MakeID(1, 999_999), f.storeB, 555, couponpop.ECouponNotFound},
		{"wrong store and holder", c1, f.storeB, 101, couponpop.EStoreNotMatchedWithCoupon},
		{"wrong store", c1, f.storeB, 100, couponpop.EStoreNotMatchedWithCoupon},
		{"store of another shard", c1, couponpop.MakeID(4, 1), 100, couponpop.EStoreNotMatchedWithCoupon},
		{"wrong holder", c1, f.storeA, 101, couponpop.ECouponAccessDenied},
	} {
		if got := f.use(tc.coupon, tc.storeID, tc.holder, "n1"); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if pos := f.position(); pos != start {
		t.Fatalf("refused uses moved the position %d → %d", start, pos)
	}
	if c := f.coupon(c1); c.Status != couponpop.CouponIssued || !c.UsedAt.IsZero() {
		t.Fatalf("refused uses changed the coupon: %+v", c)
	}

	// The refusals spent nothing: nonce n1 still works, once.
	f.clock.Add(7 * time.Minute)
	if got := f.use(c1, f.storeA, 100, "n1"); got != "" {
		t.Fatalf("use: %s", got)
	}
	if pos := f.position(); pos != start+1 {
		t.Errorf("one use moved the position %d → %d", start, pos)
	}
	if c := f.coupon(c1); c.Status != couponpop.CouponUsed || !c.UsedAt.Equal(couponBase.Add(7*time.Minute)) {
		t.Errorf("stored coupon %+v", c)
	}
	e, err := f.db.EventByID(f.ctx, eventID)
	if err != nil || e.UsedCount != 1 || e.IssuedCount != 3 {
		t.Fatalf("event after a use: %+v, %v", e, err)
	}

	for _, tc := range []struct {
		name                    string
		coupon, storeID, holder int64
		nonce                   string
		want                    string
	}{
		{"used, fresh nonce", c1, f.storeA, 100, "n2", couponpop.ECouponAlreadyUsed},
		{"used, same nonce", c1, f.storeA, 100, "n1", couponpop.ECouponAlreadyUsed},
		{"used, by the owner", c1, f.storeA, 0, "n3", couponpop.ECouponAlreadyUsed},
		{"used, wrong store", c1, f.storeB, 100, "n2", couponpop.EStoreNotMatchedWithCoupon},
		{"used, wrong holder", c1, f.storeA, 101, "n2", couponpop.ECouponAccessDenied},
		{"spent nonce on another coupon", c2, f.storeA, 101, "n1", couponpop.ECouponInvalidTempCode},
	} {
		if got := f.use(tc.coupon, tc.storeID, tc.holder, tc.nonce); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if c := f.coupon(c2); c.Status != couponpop.CouponIssued {
		t.Errorf("the refused spent nonce changed coupon %d: %+v", c2, c)
	}
	if got := f.use(c2, f.storeA, 101, "n4"); got != "" {
		t.Errorf("use with a fresh nonce: %s", got)
	}
	// HolderID 0 is the store's owner redeeming: any holder goes.
	if got := f.use(c3, f.storeA, 0, "n5"); got != "" {
		t.Errorf("owner redemption: %s", got)
	}
	if e, _ := f.db.EventByID(f.ctx, eventID); e.UsedCount != 3 {
		t.Errorf("used count %d, want 3", e.UsedCount)
	}
	if got := f.history("USED"); !slices.Equal(got, []int64{c1, c2, c3}) {
		t.Errorf("USED history %v, want %v", got, []int64{c1, c2, c3})
	}
}

func TestUseCoupon_ExpiredAndNotAvailable(t *testing.T) {
	f := newCouponFixture(t)
	eventID := f.event(f.storeA, 3*time.Hour, 10, 1)
	c1, c2, c3, c4 := f.claim(eventID, 100), f.claim(eventID, 101), f.claim(eventID, 102), f.claim(eventID, 103)
	if c := f.coupon(c1); !c.ExpireAt.Equal(couponBase.Add(time.Hour)) || !c.IssuedAt.Equal(couponBase) {
		t.Fatalf("couponValidHours 1: issued %s, expires %s", c.IssuedAt, c.ExpireAt)
	}
	f.setStatus(c3, couponpop.CouponCanceled)
	if got := f.use(c3, f.storeA, 102, "a"); got != couponpop.ECouponNotAvailable {
		t.Errorf("canceled coupon: %q", got)
	}
	if got := f.use(c3, f.storeA, 101, "a"); got != couponpop.ECouponAccessDenied {
		t.Errorf("canceled coupon, wrong holder: %q", got)
	}

	// The last millisecond before expiry is still good.
	f.clock.Add(time.Hour - time.Millisecond)
	if got := f.use(c2, f.storeA, 101, "b"); got != "" {
		t.Errorf("use just before expiry: %q", got)
	}
	f.clock.Add(time.Millisecond)
	for _, tc := range []struct {
		name                    string
		coupon, storeID, holder int64
		want                    string
	}{
		{"at expiry", c1, f.storeA, 100, couponpop.ECouponExpired},
		{"at expiry, by the owner", c1, f.storeA, 0, couponpop.ECouponExpired},
		{"at expiry, wrong holder", c1, f.storeA, 101, couponpop.ECouponAccessDenied},
		{"at expiry, wrong store", c1, f.storeB, 100, couponpop.EStoreNotMatchedWithCoupon},
		{"used, past expiry", c2, f.storeA, 101, couponpop.ECouponAlreadyUsed},
		{"canceled, past expiry", c3, f.storeA, 102, couponpop.ECouponNotAvailable},
	} {
		if got := f.use(tc.coupon, tc.storeID, tc.holder, "c"); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}

	// Once the job has run the status is EXPIRED: the same answer.
	n, _, err := f.db.ExpireCoupons(f.ctx)
	if err != nil || n != 2 {
		t.Fatalf("ExpireCoupons = %d, %v; want 2 (c1 and c4)", n, err)
	}
	for _, id := range []int64{c1, c4} {
		if c := f.coupon(id); c.Status != couponpop.CouponExpired {
			t.Errorf("coupon %d: %s", id, c.Status)
		}
	}
	if got := f.use(c1, f.storeA, 100, "d"); got != couponpop.ECouponExpired {
		t.Errorf("EXPIRED coupon: %q", got)
	}
	if got := f.use(c4, f.storeA, 0, "d"); got != couponpop.ECouponExpired {
		t.Errorf("EXPIRED coupon, by the owner: %q", got)
	}
	if got := f.use(c4, f.storeA, 100, "d"); got != couponpop.ECouponAccessDenied {
		t.Errorf("EXPIRED coupon, wrong holder: %q", got)
	}
}

func TestExpireCoupons(t *testing.T) {
	f := newCouponFixture(t)
	oneHour := f.event(f.storeA, 3*time.Hour, 10, 1)
	twoHours := f.event(f.storeB, 3*time.Hour, 10, 2)
	byDefault := f.event(f.storeA, 3*time.Hour, 10, 0)
	s1, s2 := f.claim(oneHour, 1), f.claim(oneHour, 2)
	t1 := f.claim(twoHours, 1)
	d1 := f.claim(byDefault, 1)
	f.clock.Add(30 * time.Minute)
	if got := f.use(s2, f.storeA, 2, "x"); got != "" {
		t.Fatal(got)
	}

	expire := func(want int) {
		t.Helper()
		n, pos, err := f.db.ExpireCoupons(f.ctx)
		if err != nil || n != want {
			t.Fatalf("at %s: ExpireCoupons = %d, %v; want %d", f.clock.Now().Format(time.TimeOnly), n, err, want)
		}
		if cur := f.position(); pos != cur {
			t.Errorf("ExpireCoupons returned position %d, shard is at %d", pos, cur)
		}
	}
	expire(0)
	f.clock.Set(couponBase.Add(time.Hour - time.Millisecond))
	expire(0)
	f.clock.Set(couponBase.Add(time.Hour)) // s1 is due (s2 is used)
	expire(1)
	expire(0)
	f.clock.Set(couponBase.Add(2 * time.Hour)) // t1
	expire(1)
	expire(0)
	f.clock.Set(couponBase.Add(24*time.Hour - time.Millisecond))
	expire(0)
	f.clock.Set(couponBase.Add(24 * time.Hour)) // d1: the default 24 h, the event ends sooner
	expire(1)
	expire(0)

	want := map[int64]string{s1: couponpop.CouponExpired, s2: couponpop.CouponUsed, t1: couponpop.CouponExpired, d1: couponpop.CouponExpired}
	for id, status := range want {
		if c := f.coupon(id); c.Status != status {
			t.Errorf("coupon %d: %s, want %s", id, c.Status, status)
		}
	}
	if got := f.history("EXPIRED"); !slices.Equal(got, []int64{s1, t1, d1}) {
		t.Errorf("EXPIRED history %v, want %v, one row each", got, []int64{s1, t1, d1})
	}
	// The history row is stamped with the job's clock.
	var at int64
	if err := f.raw(false).QueryRow(`SELECT at FROM coupon_history WHERE action = 'EXPIRED' AND coupon_id = ?`, t1).Scan(&at); err != nil ||
		at != couponBase.Add(2*time.Hour).UnixMilli() {
		t.Errorf("history of %d at %d (%v), want %d", t1, at, err, couponBase.Add(2*time.Hour).UnixMilli())
	}
	mine, err := f.db.CouponsByMember(f.ctx, 1, couponpop.CouponExpired, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range mine {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, []int64{d1, t1, s1}) {
		t.Errorf("member 1's EXPIRED coupons %v, want %v (same end, newest id first)", ids, []int64{d1, t1, s1})
	}
	// Expiry takes nothing back from the events.
	if bad, err := f.db.CheckIssuedCounts(f.ctx); err != nil || len(bad) != 0 {
		t.Errorf("CheckIssuedCounts = %v, %v", bad, err)
	}
	if e, _ := f.db.EventByID(f.ctx, oneHour); e.IssuedCount != 2 || e.UsedCount != 1 {
		t.Errorf("event after expiry: issued %d used %d", e.IssuedCount, e.UsedCount)
	}
}

// outboxCoupon is an outbox payload of a coupon's issue or use.
type outboxCoupon struct {
	Type     string `json:"type"`
	CouponID int64  `json:"couponId"`
	EventID  int64  `json:"eventId"`
	MemberID int64  `json:"memberId"`
	StoreID  int64  `json:"storeId"`
	At       int64  `json:"at"`
}

func TestCouponOutbox_OneRowPerIssueAndUse(t *testing.T) {
	f := newCouponFixture(t)
	small := f.event(f.storeA, 3*time.Hour, 2, 0)
	other := f.event(f.storeB, 3*time.Hour, 5, 0)
	c1, c2 := f.claim(small, 1), f.claim(small, 2)
	// Refused claims write nothing.
	for _, req := range []store.ClaimRequest{{EventID: small, MemberID: 1}, {EventID: small, MemberID: 3}} {
		if _, err := f.db.Claim(f.ctx, req); err == nil {
			t.Fatalf("claim %+v succeeded", req)
		}
	}
	// An idempotent replay writes nothing more.
	var c3 int64
	for range 3 {
		res, err := f.db.Claim(f.ctx, store.ClaimRequest{EventID: other, MemberID: 1, IdempotencyKey: "k"})
		if err != nil || (c3 != 0 && res.CouponID != c3) {
			t.Fatalf("idempotent claim: %+v, %v (first %d)", res, err, c3)
		}
		c3 = res.CouponID
	}
	f.clock.Add(time.Minute)
	for _, u := range []struct {
		coupon, storeID, holder int64
		nonce, want             string
	}{
		{c1, f.storeA, 1, "a", ""},
		{c1, f.storeA, 1, "b", couponpop.ECouponAlreadyUsed},
		{c2, f.storeB, 2, "c", couponpop.EStoreNotMatchedWithCoupon},
		{c2, f.storeA, 0, "d", ""},
		{c3, f.storeB, 2, "e", couponpop.ECouponAccessDenied},
	} {
		if got := f.use(u.coupon, u.storeID, u.holder, u.nonce); got != u.want {
			t.Fatalf("use %d: %q, want %q", u.coupon, got, u.want)
		}
	}
	if _, _, err := f.db.ExpireCoupons(f.ctx); err != nil {
		t.Fatal(err)
	}

	rows, err := f.raw(false).Query(`SELECT kind, trace_id, payload, sent_at IS NULL FROM outbox
		WHERE kind IN ('COUPON_ISSUED', 'COUPON_USED') ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type row struct {
		kind, trace string
		coupon      int64
	}
	var got []row
	for rows.Next() {
		var kind, trace, payload string
		var pending bool
		if err := rows.Scan(&kind, &trace, &payload, &pending); err != nil {
			t.Fatal(err)
		}
		var p outboxCoupon
		if err := json.Unmarshal([]byte(payload), &p); err != nil {
			t.Fatalf("payload %q: %v", payload, err)
		}
		c := f.coupon(p.CouponID)
		if p.Type != kind || p.EventID != c.EventID || p.MemberID != c.MemberID || p.StoreID != c.StoreID || !pending {
			t.Errorf("%s row %s: payload %+v, coupon %+v, pending %v", kind, trace, p, c, pending)
		}
		if want := c.IssuedAt.UnixMilli(); kind == "COUPON_ISSUED" && p.At != want {
			t.Errorf("%s at %d, want %d", trace, p.At, want)
		}
		if want := c.UsedAt.UnixMilli(); kind == "COUPON_USED" && p.At != want {
			t.Errorf("%s at %d, want %d", trace, p.At, want)
		}
		got = append(got, row{kind, trace, p.CouponID})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []row{
		{"COUPON_ISSUED", fmt.Sprintf("issued-%d", c1), c1},
		{"COUPON_ISSUED", fmt.Sprintf("issued-%d", c2), c2},
		{"COUPON_ISSUED", fmt.Sprintf("issued-%d", c3), c3},
		{"COUPON_USED", fmt.Sprintf("used-%d", c1), c1},
		{"COUPON_USED", fmt.Sprintf("used-%d", c2), c2},
	}
	if !slices.Equal(got, want) {
		t.Errorf("outbox rows\n got %v\nwant %v", got, want)
	}
	// The history agrees: one ISSUED row per coupon, one USED row per use.
	if h := f.history("ISSUED"); !slices.Equal(h, []int64{c1, c2, c3}) {
		t.Errorf("ISSUED history %v", h)
	}
	if h := f.history("USED"); !slices.Equal(h, []int64{c1, c2}) {
		t.Errorf("USED history %v", h)
	}
}

// TestClaimBatch_RecordsFollowTheGrants commits one batch that mixes new
// coupons (some claimed with a location), duplicates, sold-out refusals and
// an idempotent replay: the history and outbox rows the batch writes are
// exactly its new coupons, in order, with their claim locations.
func TestClaimBatch_RecordsFollowTheGrants(t *testing.T) {
	f := newCouponFixtureWith(t, store.WaitAlone(store.ClaimOptions{BatchWait: 200 * time.Millisecond}))
	small := f.event(f.storeA, 3*time.Hour, 3, 0)
	big := f.event(f.storeB, 3*time.Hour, 100, 0)
	f.claim(big, 99) // earlier batches, one with a key replayed below
	first, err := f.db.Claim(f.ctx, store.ClaimRequest{EventID: small, MemberID: 99, IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	before := first.CouponID
	batchesBefore, _ := f.db.ClaimStats()

	reqs := []store.ClaimRequest{{EventID: small, MemberID: 99, IdempotencyKey: "k"}} // replay
	for m := int64(1); m <= 6; m++ {
		reqs = append(reqs, store.ClaimRequest{EventID: small, MemberID: m}) // 2 left: 4 sold out
		reqs = append(reqs, store.ClaimRequest{EventID: big, MemberID: m, HasLocation: m%2 == 0,
			Latitude: 37.55 + float64(m)/1000, Longitude: 126.92})
		reqs = append(reqs, store.ClaimRequest{EventID: big, MemberID: m}) // duplicate of the one before
	}
	type answer struct {
		req store.ClaimRequest
		id  int64
		err error
	}
	answers := make(chan answer, len(reqs))
	queued := store.Queued(f.db)
	for _, req := range reqs {
		go func() {
			res, err := f.db.Claim(f.ctx, req)
			answers <- answer{req, res.CouponID, err}
		}()
		if req.IdempotencyKey != "" {
			continue // a replay of a committed answer is read, never queued
		}
		queued++
		store.WaitQueued(t, f.db, queued) // queue them in this order
	}
	located := map[int64][2]float64{}
	var granted []int64
	for range reqs {
		a := <-answers
		switch {
		case a.req.IdempotencyKey != "":
			if a.err != nil || a.id != before {
				t.Errorf("replay: coupon %d, %v; want %d", a.id, a.err, before)
			}
		case a.err == nil:
			granted = append(granted, a.id)
			if a.req.HasLocation {
				located[a.id] = [2]float64{a.req.Latitude, a.req.Longitude}
			}
		case couponpop.ErrorCode(a.err) != couponpop.EEventCouponSoldOut && couponpop.ErrorCode(a.err) != couponpop.ECouponAlreadyIssued:
			t.Errorf("claim %+v: %v", a.req, a.err)
		}
	}
	if batches, _ := f.db.ClaimStats(); batches-batchesBefore != 1 {
		t.Fatalf("the claims took %d batches, want 1", batches-batchesBefore)
	}
	slices.Sort(granted)
	if len(granted) != 2+6 {
		t.Fatalf("granted %v, want 2 of the small event and 6 of the big one", granted)
	}

	raw := f.raw(false)
	rows, err := raw.Query(`SELECT coupon_id, member_id, event_id, store_id, at, latitude, longitude FROM coupon_history
		WHERE action = 'ISSUED' AND coupon_id > ? ORDER BY id`, before)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var history []int64
	for rows.Next() {
		var id, member, event, storeID, at int64
		var lat, lng sql.NullFloat64
		if err := rows.Scan(&id, &member, &event, &storeID, &at, &lat, &lng); err != nil {
			t.Fatal(err)
		}
		c := f.coupon(id)
		if member != c.MemberID || event != c.EventID || storeID != c.StoreID || at != c.IssuedAt.UnixMilli() {
			t.Errorf("history of coupon %d: member %d event %d store %d at %d; coupon %+v", id, member, event, storeID, at, c)
		}
		want, ok := located[id]
		if lat.Valid != ok || lng.Valid != ok || (ok && (lat.Float64 != want[0] || lng.Float64 != want[1])) {
			t.Errorf("history of coupon %d at (%v, %v), want %v (located %v)", id, lat, lng, want, ok)
		}
		history = append(history, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(history, granted) {
		t.Errorf("ISSUED history %v, want the batch's coupons %v", history, granted)
	}
	var outbox []int64
	orows, err := raw.Query(`SELECT payload ->> 'couponId' FROM outbox WHERE kind = 'COUPON_ISSUED' AND payload ->> 'couponId' > ? ORDER BY id`, before)
	if err != nil {
		t.Fatal(err)
	}
	defer orows.Close()
	for orows.Next() {
		var id int64
		if err := orows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		outbox = append(outbox, id)
	}
	if !slices.Equal(outbox, granted) {
		t.Errorf("COUPON_ISSUED outbox %v, want the batch's coupons %v", outbox, granted)
	}
	f.checkIssued(small, 3)
	f.checkIssued(big, 1+6)
}

// checkIssued checks an event's issued count, and that it equals the
// event's coupon rows.
func (f *couponFixture) checkIssued(eventID int64, want int) {
	f.t.Helper()
	e, err := f.db.EventByID(f.ctx, eventID)
	if err != nil {
		f.t.Fatal(err)
	}
	var rows int
	if err := f.raw(false).QueryRow(`SELECT COUNT(*) FROM coupons WHERE event_id = ?`, eventID).Scan(&rows); err != nil {
		f.t.Fatal(err)
	}
	if e.IssuedCount != want || rows != want {
		f.t.Errorf("event %d: issued count %d and %d coupon rows, want %d", eventID, e.IssuedCount, rows, want)
	}
}

// TestClaimBatch_UnrememberedClaimTakesNothing: an idempotent claim whose
// answer cannot be stored is undone with its savepoint, coupon and count,
// while the claims around it in the same batch are granted.
func TestClaimBatch_UnrememberedClaimTakesNothing(t *testing.T) {
	f := newCouponFixtureWith(t, store.WaitAlone(store.ClaimOptions{BatchWait: 200 * time.Millisecond}))
	eventID := f.event(f.storeA, 3*time.Hour, 10, 0)
	f.claim(eventID, 9) // starts the writer
	if _, err := f.raw(true).Exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON idempotency_keys WHEN NEW.key = 'boom'
		BEGIN SELECT RAISE(ABORT, 'no room for this key'); END`); err != nil {
		t.Fatal(err)
	}
	batchesBefore, _ := f.db.ClaimStats()
	reqs := []store.ClaimRequest{{EventID: eventID, MemberID: 1}, {EventID: eventID, MemberID: 2, IdempotencyKey: "boom"},
		{EventID: eventID, MemberID: 3, IdempotencyKey: "fine"}, {EventID: eventID, MemberID: 4}}
	errs := make([]chan error, len(reqs))
	queued := store.Queued(f.db)
	for i, req := range reqs {
		errs[i] = make(chan error, 1)
		go func() {
			_, err := f.db.Claim(f.ctx, req)
			errs[i] <- err
		}()
		queued++
		store.WaitQueued(t, f.db, queued) // queue them in this order
	}
	for i, req := range reqs {
		err := <-errs[i]
		if failed := req.IdempotencyKey == "boom"; (err != nil) != failed {
			t.Errorf("claim by member %d: %v (want failed: %v)", req.MemberID, err, failed)
		}
	}
	if batches, _ := f.db.ClaimStats(); batches-batchesBefore != 1 {
		t.Fatalf("the claims took %d batches, want 1", batches-batchesBefore)
	}
	f.checkIssued(eventID, 1+3)
	var held int
	if err := f.raw(false).QueryRow(`SELECT COUNT(*) FROM coupons WHERE member_id = 2`).Scan(&held); err != nil || held != 0 {
		t.Errorf("member 2 holds %d coupons (%v), want none", held, err)
	}
}

// TestClaim_WriterChecksRadius: the writer applies the claim rules itself,
// radius included. The store moves 5 km while the gate still holds its old
// place: a claim from the old place passes the gate, and the writer
// refuses it as out of range.
func TestClaim_WriterChecksRadius(t *testing.T) {
	f := newCouponFixture(t)
	st, err := f.db.StoreByID(f.ctx, f.storeA)
	if err != nil {
		t.Fatal(err)
	}
	start := f.clock.Now().Add(-time.Minute)
	e := &couponpop.Event{StoreID: st.ID, MemberID: 10, Name: "반경", StartAt: start, EndAt: start.Add(time.Hour),
		TotalCount: 10, ClaimRadiusMeters: 100}
	if _, err := f.db.CreateEvent(f.ctx, e); err != nil {
		t.Fatal(err)
	}
	here := store.ClaimRequest{EventID: e.ID, HasLocation: true, Latitude: st.Latitude, Longitude: st.Longitude}
	first := here
	first.MemberID = 1
	if _, err := f.db.Claim(f.ctx, first); err != nil { // the gate now holds the store's place
		t.Fatal(err)
	}
	st.Latitude += 0.045 // ~5 km north
	if _, err := f.db.UpdateStore(f.ctx, st, "마포구"); err != nil {
		t.Fatal(err)
	}
	second := here
	second.MemberID = 2
	if _, err := f.db.Claim(f.ctx, second); couponpop.ErrorCode(err) != couponpop.ELocationOutOfRange {
		t.Fatalf("claim from the store's old place: %v, want %s", err, couponpop.ELocationOutOfRange)
	}
	f.checkIssued(e.ID, 1)
}

// TestClaimBatch_EndedTransactionFailsTheBatch: when SQLite itself ends the
// batch's transaction at a claim (here a trigger's RAISE(ROLLBACK), as disk
// full would), every claim of the batch fails and none is committed; the
// writer goes on with the next batch.
func TestClaimBatch_EndedTransactionFailsTheBatch(t *testing.T) {
	f := newCouponFixtureWith(t, store.WaitAlone(store.ClaimOptions{BatchWait: 200 * time.Millisecond}))
	eventID := f.event(f.storeA, 3*time.Hour, 10, 0)
	f.claim(eventID, 9)
	if _, err := f.raw(true).Exec(`CREATE TRIGGER end_tx BEFORE INSERT ON coupons WHEN NEW.member_id = 2
		BEGIN SELECT RAISE(ROLLBACK, 'the transaction ends here'); END`); err != nil {
		t.Fatal(err)
	}
	errs := make([]chan error, 3)
	queued := store.Queued(f.db)
	for i := range errs {
		errs[i] = make(chan error, 1)
		go func() {
			_, err := f.db.Claim(f.ctx, store.ClaimRequest{EventID: eventID, MemberID: int64(i + 1)})
			errs[i] <- err
		}()
		queued++
		store.WaitQueued(t, f.db, queued) // members 1, 2, 3 in one batch, in order
	}
	for i, c := range errs {
		if err := <-c; err == nil {
			t.Errorf("claim by member %d succeeded in a batch whose transaction ended", i+1)
		}
	}
	f.checkIssued(eventID, 1)
	f.claim(eventID, 4) // the next batch commits
	f.checkIssued(eventID, 2)
}
