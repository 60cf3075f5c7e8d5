package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

// confirmer is a ClaimOptions.Confirm whose answer the test sets.
type confirmer struct {
	mu   sync.Mutex
	err  error
	asks []store.Position
}

func (c *confirmer) confirm(ctx context.Context, pos store.Position) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asks = append(c.asks, pos)
	return c.err
}

func (c *confirmer) set(err error) {
	c.mu.Lock()
	c.err = err
	c.mu.Unlock()
}

// TestClaim_Confirm: with Confirm set, a claim is answered with the
// confirmed position; when confirmation fails the claim is committed but
// answered unavailable, and a retry with its Idempotency-Key is held to the
// same rule before it returns the same coupon.
func TestClaim_Confirm(t *testing.T) {
	ctx := context.Background()
	conf := &confirmer{}
	db, eventID := openClaimShard(t, store.ClaimOptions{Confirm: conf.confirm}, 10)

	res, err := db.Claim(ctx, store.ClaimRequest{EventID: eventID, MemberID: 1})
	if err != nil || res.CouponID == 0 || len(conf.asks) != 1 || conf.asks[0] != res.Position {
		t.Fatalf("confirmed claim = %+v, %v; confirmer asked %v", res, err, conf.asks)
	}

	conf.set(errors.New("replica behind"))
	req := store.ClaimRequest{EventID: eventID, MemberID: 2, IdempotencyKey: "k2"}
	if _, err := db.Claim(ctx, req); couponpop.ErrorCode(err) != couponpop.EUNAVAILABLE {
		t.Fatalf("unconfirmed claim = %v, want %s", err, couponpop.EUNAVAILABLE)
	}
	if n, err := db.CountCoupons(ctx, eventID); err != nil || n != 2 {
		t.Fatalf("coupons = %d, %v: the unconfirmed claim is committed", n, err)
	}
	start := time.Now()
	if _, err := db.Claim(ctx, req); couponpop.ErrorCode(err) != couponpop.EUNAVAILABLE {
		t.Fatalf("retry while still unconfirmed = %v, want %s", err, couponpop.EUNAVAILABLE)
	}
	if time.Since(start) > 4*time.Second {
		t.Fatalf("retry took %s", time.Since(start))
	}

	conf.set(nil)
	again, err := db.Claim(ctx, req)
	if err != nil || again.CouponID == 0 {
		t.Fatalf("retry once confirmed = %+v, %v", again, err)
	}
	if n, _ := db.CountCoupons(ctx, eventID); n != 2 {
		t.Fatalf("coupons = %d after the retry, want the same 2", n)
	}
}
