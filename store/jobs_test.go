package store_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/couponpop/couponpop/nudge"
	"github.com/couponpop/couponpop/store"
)

// TestReminders_DueOnceAtTheSmallerOf24hAndHalfTheLifetime: a 4-hour
// coupon is due after 2 h, a 72-hour one 24 h before its expiry; once
// reminded (queued in the outbox), never again.
func TestReminders_DueOnceAtTheSmallerOf24hAndHalfTheLifetime(t *testing.T) {
	f := newCouponFixture(t)
	short, long := f.event(f.storeA, 96*time.Hour, 10, 4), f.event(f.storeA, 96*time.Hour, 10, 72)
	shortCoupon, longCoupon := f.claim(short, 1), f.claim(long, 2)
	due := func() map[int64]bool {
		t.Helper()
		rs, err := f.db.DueReminders(f.ctx, f.clock.Now(), 100)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]bool{}
		for _, r := range rs {
			out[r.CouponID] = true
			if want := nudge.RemindAt(r.IssuedAt, r.ExpireAt); f.clock.Now().Before(want) {
				t.Errorf("coupon %d due at %v, before nudge.RemindAt %v", r.CouponID, f.clock.Now(), want)
			}
		}
		return out
	}
	if d := due(); len(d) != 0 {
		t.Fatalf("due at once: %v", d)
	}
	f.clock.Add(2*time.Hour + time.Second)
	if d := due(); !d[shortCoupon] || d[longCoupon] {
		t.Fatalf("after 2 h: %v, want only the 4-hour coupon", d)
	}
	remind := []store.CouponReminder{{CouponID: shortCoupon, Push: store.OutboxPush{MemberID: 1, TraceID: "remind-1", Message: []byte(`{"title":"t"}`)}}}
	if n, _, err := f.db.Remind(f.ctx, remind); err != nil || n != 1 {
		t.Fatalf("reminded %d, %v; want 1", n, err)
	}
	if n, _, err := f.db.Remind(f.ctx, remind); err != nil || n != 0 {
		t.Fatalf("reminded again: %d, %v; want 0", n, err)
	}
	rows, err := f.db.UnsentOutbox(f.ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var queued []store.OutboxMessage
	for _, m := range rows {
		if m.Kind == store.OutboxPushed {
			queued = append(queued, m)
		}
	}
	if len(queued) != 1 || queued[0].MemberID != 1 || queued[0].TraceID != "remind-1" || queued[0].Message != `{"title":"t"}` {
		t.Fatalf("outbox pushes %+v, want the one reminder", queued)
	}
	f.clock.Add(46 * time.Hour)
	if d := due(); d[shortCoupon] || !d[longCoupon] {
		t.Fatalf("after 48 h: %v, want only the 72-hour coupon (the other expired and was reminded)", d)
	}
}

// TestPrune_KeepsWhatIsStillNeeded: old idempotency keys and used codes go,
// recent ones stay; outbox rows go only once sent and past the dedup window.
func TestPrune_KeepsWhatIsStillNeeded(t *testing.T) {
	f := newCouponFixture(t)
	ev := f.event(f.storeA, 96*time.Hour, 10, 0)
	f.claim(ev, 1)
	raw := rawWriter(t, f.db)
	old, recent := f.clock.Now().Add(-8*24*time.Hour).UnixMilli(), f.clock.Now().Add(-time.Minute).UnixMilli()
	for _, q := range []string{
		`INSERT INTO idempotency_keys (member_id, key, coupon_id, code, message, created_at) VALUES (1, 'old', NULL, '', '', ?1), (1, 'new', NULL, '', '', ?2)`,
		`INSERT INTO used_codes (nonce, used_at) VALUES ('old', ?1), ('new', ?2)`,
		`INSERT INTO notification_history (trace_id, kind, member_id, endpoint, attempt, outcome, status_code, error, at)
			VALUES ('t', 'COUPON_ISSUED', 1, 'e', 1, 'delivered', 201, '', ?1)`,
	} {
		if _, err := raw.Exec(q, old, recent); err != nil {
			t.Fatal(err)
		}
	}
	ret := store.Retention{Dedup: 7 * 24 * time.Hour, History: 7 * 24 * time.Hour, Idempotency: 24 * time.Hour, UsedCodes: time.Hour}
	pruned, _, err := f.db.Prune(f.ctx, ret)
	if err != nil {
		t.Fatal(err)
	}
	if pruned["idempotency_keys"] != 1 || pruned["used_codes"] != 1 || pruned["notification_history"] != 1 || pruned["outbox"] != 0 {
		t.Fatalf("pruned %v", pruned)
	}
	// The claim's outbox row, once behind the cursor and past the window, goes too.
	if _, err := raw.Exec(`UPDATE outbox SET created_at = ?`, old); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE push_cursor SET outbox_id = (SELECT MAX(id) FROM outbox)`); err != nil {
		t.Fatal(err)
	}
	if pruned, _, err = f.db.Prune(f.ctx, ret); err != nil || pruned["outbox"] != 1 {
		t.Fatalf("pruned %v, %v", pruned, err)
	}
}

// rawWriter opens the file behind db for writing rows no method writes
// with past times.
func rawWriter(tb testing.TB, db *store.DB) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?_busy_timeout=5000")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}
