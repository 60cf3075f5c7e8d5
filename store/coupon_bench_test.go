package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

// BenchmarkCouponsByMember reads the first page (20) of a member's issued
// coupons when the member holds few or many of the shard's 100k coupons:
// the page's cost as a member's coupons pile up.
func BenchmarkCouponsByMember(b *testing.B) {
	ctx := context.Background()
	db, _ := openClaimShard(b, store.ClaimOptions{}, 1)
	st, err := db.StoresByMember(ctx, 1)
	if err != nil || len(st) == 0 {
		b.Fatal(st, err)
	}
	const events = 1000
	ids := make([]int64, events)
	for i := range ids {
		e := &couponpop.Event{StoreID: st[0].ID, MemberID: 1, Name: fmt.Sprint("event ", i), StartAt: time.Now().Add(-time.Minute),
			EndAt: time.Now().Add(time.Duration(i+1) * time.Minute), TotalCount: 1000}
		if _, err := db.CreateEvent(ctx, e); err != nil {
			b.Fatal(err)
		}
		ids[i] = e.ID
	}
	// Member 1 holds a coupon of every event, members 2..20 one of 50 each,
	// and 99k others one each.
	var wg sync.WaitGroup
	claim := func(event, member int64) {
		wg.Go(func() {
			if _, err := db.Claim(ctx, store.ClaimRequest{EventID: event, MemberID: member}); err != nil {
				panic(err)
			}
		})
	}
	for i, id := range ids {
		claim(id, 1)
		for m := int64(2); m <= 20 && i < 50; m++ {
			claim(id, m)
		}
		for m := range 99 {
			claim(id, int64(1000+i*100+m))
		}
		wg.Wait()
	}
	for _, holder := range []struct {
		name   string
		member int64
	}{{"50 coupons", 2}, {"1000 coupons", 1}} {
		b.Run(holder.name, func(b *testing.B) {
			for b.Loop() {
				cs, err := db.CouponsByMember(ctx, holder.member, couponpop.CouponIssued, nil, 20)
				if err != nil || len(cs) != 20 {
					b.Fatal(len(cs), err)
				}
			}
		})
	}
}
