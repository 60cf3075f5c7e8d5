package server_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
)

// TestClaim_IdempotencyKeyReused: a member's key first sent for one event
// and then for a 50-coupon burst on another gets 422, not the first
// event's coupon: the burst shows 50 successes, not 51.
func TestClaim_IdempotencyKeyReused(t *testing.T) {
	ts := newTestServer(t)
	owner, storeID, first := ts.ownerWithEvent(10, nil)
	burst := ts.createEvent(owner, storeID, time.Now().Add(-time.Minute), 2*time.Hour, 50, nil)
	reuser := mintToken(t, 9000, couponpop.MemberCustomer)
	ts.expect(ts.do("POST", "/api/v1/coupons/issue", reuser, map[string]any{"eventId": first}, "Idempotency-Key", "same"), 204, "")

	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	for i := range 80 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, headers := mintToken(t, int64(9100+i), couponpop.MemberCustomer), []string{"Idempotency-Key", fmt.Sprint("k", i)}
			if i == 40 {
				tok, headers = reuser, []string{"Idempotency-Key", "same"}
			}
			r := ts.do("POST", "/api/v1/coupons/issue", tok, map[string]any{"eventId": burst}, headers...)
			mu.Lock()
			counts[fmt.Sprint(r.Status, " ", r.errorCode())]++
			mu.Unlock()
			if i == 40 {
				ts.expect(r, 422, couponpop.EIdempotencyKeyReused)
			}
		}()
	}
	wg.Wait()
	if counts["204 "] != 50 {
		t.Fatalf("answers %v, want 50 successes", counts)
	}
	ts.checkIssued(burst, 50)
	// The key still answers its own request.
	ts.expect(ts.do("POST", "/api/v1/coupons/issue", reuser, map[string]any{"eventId": first}, "Idempotency-Key", "same"), 204, "")
}

// TestClaim_GateRefusalReplayed: a keyed claim the fast gate refuses (the
// event known sold out) is remembered like the writer's refusals, so its
// retry after stock is added still gets the first answer.
func TestClaim_GateRefusalReplayed(t *testing.T) {
	ts := newTestServer(t)
	owner, _, eventID := ts.ownerWithEvent(1, nil)
	issue := func(member int64, headers ...string) *response {
		return ts.do("POST", "/api/v1/coupons/issue", mintToken(t, member, couponpop.MemberCustomer), map[string]any{"eventId": eventID}, headers...)
	}
	ts.expect(issue(1), 204, "")
	ts.expect(issue(2), 400, couponpop.EEventCouponSoldOut) // the writer refuses, and tells the gate
	ts.expect(issue(3, "Idempotency-Key", "retry-me"), 400, couponpop.EEventCouponSoldOut)
	ts.expect(ts.do("PATCH", fmt.Sprintf("/api/v1/owner/coupons/events/%d", eventID), owner, map[string]any{"addCount": 5}), 200, "")
	ts.expect(issue(3, "Idempotency-Key", "retry-me"), 400, couponpop.EEventCouponSoldOut)
	ts.expect(issue(4), 204, "") // the stock is there for a new request
	ts.checkIssued(eventID, 2)
}
