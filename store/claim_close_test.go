package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

// TestClaim_CloseDuringFirstClaims closes a fresh shard while a burst of
// first claims arrives: every claim is answered (a coupon, or an error),
// every coupon answered is in the file, nothing panics, and no goroutine
// is left behind.
func TestClaim_CloseDuringFirstClaims(t *testing.T) {
	ctx := context.Background()
	before := runtime.NumGoroutine()
	const rounds, claims = 20, 64
	total := 0
	for round := range rounds {
		path := filepath.Join(t.TempDir(), store.FileName(1))
		db := openShardAt(t, path, 1, store.Options{})
		_, eventID := claimableEvent(t, db, 1000)

		start := make(chan struct{})
		granted := make(chan int64, claims)
		var wg sync.WaitGroup
		for m := range claims {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				res, err := db.Claim(ctx, store.ClaimRequest{EventID: eventID, MemberID: int64(m + 1)})
				switch {
				case err == nil && res.CouponID > 0:
					granted <- res.CouponID
				case err == nil:
					t.Errorf("claim by %d: no error and no coupon", m+1)
				}
			}()
		}
		close(start)
		if round%2 == 1 {
			runtime.Gosched() // let some claims reach the writer first
		}
		if err := db.Close(); err != nil {
			t.Fatalf("round %d: close: %v", round, err)
		}
		answered := make(chan struct{})
		go func() { wg.Wait(); close(answered) }()
		select {
		case <-answered:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: claims left unanswered after Close", round)
		}
		close(granted)
		n := 0
		for range granted {
			n++
		}
		total += n
		if rows := couponRows(t, path, eventID); rows != n {
			t.Errorf("round %d: %d claims granted, %d coupon rows", round, n, rows)
		}
	}
	t.Logf("%d of %d claims granted, the others refused as the shard closed", total, rounds*claims)
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// couponRows counts the coupons of an event in the closed shard file at
// path.
func couponRows(tb testing.TB, path string, eventID int64) int {
	tb.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	var rows int
	if err := raw.QueryRow(`SELECT count(*) FROM coupons WHERE event_id = ?`, eventID).Scan(&rows); err != nil {
		tb.Fatal(err)
	}
	return rows
}

// claimableEvent creates a store at Hongik Univ. station and a running
// event of total coupons in db, and returns their IDs.
func claimableEvent(tb testing.TB, db *store.DB, total int) (storeID, eventID int64) {
	tb.Helper()
	ctx := context.Background()
	st := newStore(1, "카페", 37.5572, 126.9245)
	if _, err := db.CreateStore(ctx, st, "마포구"); err != nil {
		tb.Fatal(err)
	}
	now := db.Now()
	e := &couponpop.Event{StoreID: st.ID, MemberID: 1, Name: fmt.Sprintf("event of %d", total),
		StartAt: now.Add(-time.Minute), EndAt: now.Add(time.Hour), TotalCount: total}
	if _, err := db.CreateEvent(ctx, e); err != nil {
		tb.Fatal(err)
	}
	return st.ID, e.ID
}
