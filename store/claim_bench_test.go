package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

// openClaimShard opens shard 1 in a temp dir with one store and one running
// event of total coupons.
func openClaimShard(tb testing.TB, opts store.ClaimOptions, total int) (*store.DB, int64) {
	tb.Helper()
	return openClaimShardAt(tb, filepath.Join(tb.TempDir(), store.FileName(1)), store.Options{}, opts, total)
}

// openClaimShardAt is openClaimShard with the database file at path, opened
// with dbOpts.
func openClaimShardAt(tb testing.TB, path string, dbOpts store.Options, opts store.ClaimOptions, total int) (*store.DB, int64) {
	tb.Helper()
	ctx := context.Background()
	dbOpts.Claims = opts
	db := openShardAt(tb, path, 1, dbOpts)
	st := &couponpop.Store{MemberID: 1, MemberUsername: "owner", StoreInput: couponpop.StoreInput{Name: "카페", Phone: "01012345678",
		BusinessNumber: "1234567890", Address: "서울 마포구", Dong: "서교동", Latitude: 37.5572, Longitude: 126.9245,
		StoreCategory: couponpop.CategoryCafe, WeekdayOpenTime: "08:00", WeekdayCloseTime: "22:00", WeekendOpenTime: "08:00", WeekendCloseTime: "22:00"}}
	if _, err := db.CreateStore(ctx, st, "마포구"); err != nil {
		tb.Fatal(err)
	}
	e := &couponpop.Event{StoreID: st.ID, MemberID: 1, Name: "bench", StartAt: time.Now().Add(-time.Minute),
		EndAt: time.Now().Add(47 * time.Hour), TotalCount: total}
	if _, err := db.CreateEvent(ctx, e); err != nil {
		tb.Fatal(err)
	}
	return db, e.ID
}

// BenchmarkClaim measures claims through the shard's writer from 1,000
// concurrent callers: batched against one claim per transaction, and
// batched claims that carry an Idempotency-Key, each on the shard as
// `couponpop serve` runs it by default (background checkpointer, batch
// wait 100µs). Compare claims/s between them in the same run.
func BenchmarkClaim(b *testing.B) {
	batched := store.ClaimOptions{BatchWait: 100 * time.Microsecond}
	for _, mode := range []struct {
		name  string
		opts  store.ClaimOptions
		keyed bool
	}{{"batched", batched, false}, {"one-per-tx", store.ClaimOptions{BatchMax: 1}, false},
		{"batched-with-key", batched, true}} {
		b.Run(mode.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), store.FileName(1))
			db, eventID := openClaimShardAt(b, path, store.Options{BackgroundCheckpoint: true}, mode.opts, 1_000_000)
			claimLoop(b, db, eventID, mode.keyed)
		})
	}
}

// claimLoop makes b.N claims on the event from 1,000 concurrent callers
// (as issue 3's 1,000 clients), a new member each (with an Idempotency-Key
// when keyed), and reports claims/s and claims per transaction.
func claimLoop(b *testing.B, db *store.DB, eventID int64, keyed bool) {
	var member atomic.Int64
	const callers = 1000
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	var next atomic.Int64
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				req := store.ClaimRequest{EventID: eventID, MemberID: member.Add(1)}
				if keyed {
					req.IdempotencyKey = fmt.Sprint("claim-", req.MemberID)
				}
				if _, err := db.Claim(context.Background(), req); err != nil {
					panic(fmt.Sprint("claim: ", err))
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "claims/s")
	if batches, claims := db.ClaimStats(); batches > 0 {
		b.ReportMetric(float64(claims)/float64(batches), "claims/batch")
	}
}
