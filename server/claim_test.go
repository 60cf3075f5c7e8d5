package server_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
)

// claimAll sends one claim per token concurrently (at most workers at once)
// and counts the answers by status and error code.
func (ts *testServer) claimAll(eventID int64, tokens []string, workers int, body map[string]any) map[string]int {
	ts.t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	body["eventId"] = eventID
	var mu sync.Mutex
	counts := map[string]int{}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for _, tok := range tokens {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r := ts.do("POST", "/api/v1/coupons/issue", tok, body)
			key := fmt.Sprint(r.Status)
			if code := r.errorCode(); code != "" {
				key += " " + code
			}
			mu.Lock()
			counts[key]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return counts
}

// ownerWithEvent creates an owner, a store in Hongdae and an event running
// now with total coupons.
func (ts *testServer) ownerWithEvent(total int, extra map[string]any) (ownerToken string, storeID, eventID int64) {
	_, ownerToken = ts.member(couponpop.MemberOwner)
	storeID = ts.createStore(ownerToken, hongdaeLat, hongdaeLng)
	eventID = ts.createEvent(ownerToken, storeID, time.Now().Add(-time.Minute), 2*time.Hour, total, extra)
	return ownerToken, storeID, eventID
}

// insertEvent writes an event straight into the store's shard, past the
// API's checks (for events that have ended), and returns its id.
func (ts *testServer) insertEvent(storeID int64, start time.Time, dur time.Duration, total int) int64 {
	ts.t.Helper()
	db, err := ts.Shards.ByID(storeID, nil)
	if err != nil {
		ts.t.Fatal(err)
	}
	st, err := db.StoreByID(ts.t.Context(), storeID)
	if err != nil {
		ts.t.Fatal(err)
	}
	e := &couponpop.Event{StoreID: storeID, MemberID: st.MemberID, Name: "지난 이벤트", StartAt: start, EndAt: start.Add(dur), TotalCount: total}
	if _, err := db.CreateEvent(ts.t.Context(), e); err != nil {
		ts.t.Fatal(err)
	}
	return e.ID
}

// checkIssued asserts the event's issued count, its coupon rows and want
// agree.
func (ts *testServer) checkIssued(eventID int64, want int) {
	ts.t.Helper()
	db, err := ts.Shards.ByID(eventID, nil)
	if err != nil {
		ts.t.Fatal(err)
	}
	e, err := db.EventByID(ts.t.Context(), eventID)
	if err != nil {
		ts.t.Fatal(err)
	}
	n, err := db.CountCoupons(ts.t.Context(), eventID)
	if err != nil {
		ts.t.Fatal(err)
	}
	if e.IssuedCount != want || n != want {
		ts.t.Fatalf("issued count %d, coupon rows %d, want %d", e.IssuedCount, n, want)
	}
}

func TestClaim_RaceSoldOut(t *testing.T) {
	ts := newTestServer(t)
	_, _, eventID := ts.ownerWithEvent(100, nil)
	tokens := make([]string, 2000)
	for i := range tokens {
		tokens[i] = mintToken(t, int64(100000+i), couponpop.MemberCustomer)
	}
	counts := ts.claimAll(eventID, tokens, 200, nil)
	if counts["204"] != 100 || counts["400 EVENT_COUPON_SOLD_OUT"] != 1900 || len(counts) != 2 {
		t.Fatalf("answers %v, want 100 × 204 and 1900 × EVENT_COUPON_SOLD_OUT", counts)
	}
	ts.checkIssued(eventID, 100)
}

func TestClaim_OneMemberConcurrent(t *testing.T) {
	ts := newTestServer(t)
	_, _, eventID := ts.ownerWithEvent(100, nil)
	tok := mintToken(t, 424242, couponpop.MemberCustomer)
	tokens := make([]string, 50)
	for i := range tokens {
		tokens[i] = tok
	}
	counts := ts.claimAll(eventID, tokens, 50, nil)
	if counts["204"] != 1 || counts["400 COUPON_ALREADY_ISSUED"] != 49 {
		t.Fatalf("answers %v, want one 204 and 49 COUPON_ALREADY_ISSUED", counts)
	}
	ts.checkIssued(eventID, 1)
}

func TestClaim_OneClaimPerTransaction(t *testing.T) {
	ts := newTestServer(t, withClaimBatch(1))
	_, _, eventID := ts.ownerWithEvent(30, nil)
	tokens := make([]string, 60)
	for i := range tokens {
		tokens[i] = mintToken(t, int64(5000+i), couponpop.MemberCustomer)
	}
	counts := ts.claimAll(eventID, tokens, 20, nil)
	if counts["204"] != 30 || counts["400 EVENT_COUPON_SOLD_OUT"] != 30 {
		t.Fatalf("answers %v", counts)
	}
	ts.checkIssued(eventID, 30)
}

func TestClaim_Idempotent(t *testing.T) {
	ts := newTestServer(t)
	_, _, eventID := ts.ownerWithEvent(1, nil)
	tok := mintToken(t, 777, couponpop.MemberCustomer)
	first := ts.do("POST", "/api/v1/coupons/issue", tok, map[string]any{"eventId": eventID}, "Idempotency-Key", "k-1")
	ts.expect(first, 204, "")
	if !strings.HasPrefix(first.Header.Get("Location"), "/api/v1/coupons/") || first.Header.Get("Couponpop-Position") == "" {
		t.Fatalf("headers %v", first.Header)
	}
	again := ts.do("POST", "/api/v1/coupons/issue", tok, map[string]any{"eventId": eventID}, "Idempotency-Key", "k-1")
	ts.expect(again, 204, "")
	if again.Header.Get("Location") != first.Header.Get("Location") {
		t.Fatalf("replay Location %q, first %q", again.Header.Get("Location"), first.Header.Get("Location"))
	}
	// Without the key, the same member is refused.
	ts.expect(ts.do("POST", "/api/v1/coupons/issue", tok, map[string]any{"eventId": eventID}), 400, couponpop.ECouponAlreadyIssued)
	// A refused first answer is replayed too, even after the cause goes away.
	other := mintToken(t, 778, couponpop.MemberCustomer)
	ts.expect(ts.do("POST", "/api/v1/coupons/issue", other, map[string]any{"eventId": eventID}, "Idempotency-Key", "k-2"), 400, couponpop.EEventCouponSoldOut)
	ts.expect(ts.do("POST", "/api/v1/coupons/issue", other, map[string]any{"eventId": eventID}, "Idempotency-Key", "k-2"), 400, couponpop.EEventCouponSoldOut)
	ts.checkIssued(eventID, 1)
}

func TestClaim_RacesCancel(t *testing.T) {
	ts := newTestServer(t)
	owner, _, eventID := ts.ownerWithEvent(1000, nil)
	tokens := make([]string, 600)
	for i := range tokens {
		tokens[i] = mintToken(t, int64(9000+i), couponpop.MemberCustomer)
	}
	var counts map[string]int
	done := make(chan struct{})
	go func() {
		defer close(done)
		counts = ts.claimAll(eventID, tokens, 50, nil)
	}()
	time.Sleep(20 * time.Millisecond)
	ts.expect(ts.do("PATCH", fmt.Sprintf("/api/v1/owner/coupons/events/%d", eventID), owner, map[string]any{"status": "CANCELED"}), 200, "")
	<-done
	if counts["204"]+counts["400 EVENT_NOT_ACTIVE"] != len(tokens) {
		t.Fatalf("answers %v: every claim must be issued or refused as not active", counts)
	}
	ts.checkIssued(eventID, counts["204"])
	ts.expect(ts.do("POST", "/api/v1/coupons/issue", mintToken(t, 1, couponpop.MemberCustomer), map[string]any{"eventId": eventID}), 400, couponpop.EEventNotActive)
}

func TestClaim_BusinessRules(t *testing.T) {
	ts := newTestServer(t)
	owner, storeID, _ := ts.ownerWithEvent(10, nil)
	customer := mintToken(t, 31337, couponpop.MemberCustomer)
	claim := func(eventID int64, extra map[string]any) *response {
		body := map[string]any{"eventId": eventID}
		for k, v := range extra {
			body[k] = v
		}
		return ts.do("POST", "/api/v1/coupons/issue", customer, body)
	}
	future := ts.createEvent(owner, storeID, time.Now().Add(time.Hour), time.Hour, 5, nil)
	ts.expect(claim(future, nil), 400, couponpop.EEventNotStarted)

	// The API refuses to create an event that is already over; the store
	// takes one as an event that has ended since.
	past := ts.insertEvent(storeID, time.Now().Add(-3*time.Hour), time.Hour, 5)
	ts.expect(claim(past, nil), 400, couponpop.EEventEnded)

	ts.expect(claim(couponpop.MakeID(1, 999999), nil), 404, couponpop.EEventNotFound)
	ts.expect(claim(couponpop.MakeID(77, 1), nil), 404, couponpop.EEventNotFound)
	ts.expect(claim(0, nil), 400, couponpop.EINVALID)
	ts.expect(ts.do("POST", "/api/v1/coupons/issue", "", map[string]any{"eventId": future}), 401, couponpop.EUNAUTHORIZED)

	paused := ts.createEvent(owner, storeID, time.Now().Add(-time.Minute), time.Hour, 5, nil)
	ts.expect(ts.do("PATCH", fmt.Sprintf("/api/v1/owner/coupons/events/%d", paused), owner, map[string]any{"status": "PAUSED"}), 200, "")
	ts.expect(claim(paused, nil), 400, couponpop.EEventNotActive)
	ts.expect(ts.do("PATCH", fmt.Sprintf("/api/v1/owner/coupons/events/%d", paused), owner, map[string]any{"status": "ACTIVE"}), 200, "")
	ts.expect(claim(paused, nil), 204, "")

	near := ts.createEvent(owner, storeID, time.Now().Add(-time.Minute), time.Hour, 5, map[string]any{"claimRadiusMeters": 200})
	ts.expect(claim(near, nil), 400, couponpop.ELocationRequired)
	ts.expect(claim(near, map[string]any{"latitude": 37.5665, "longitude": 126.9780}), 403, couponpop.ELocationOutOfRange)
	ts.expect(claim(near, map[string]any{"latitude": hongdaeLat + 0.001, "longitude": hongdaeLng}), 204, "")
	ts.expect(claim(near, map[string]any{"latitude": 100, "longitude": 0}), 400, couponpop.EINVALID)

	// Sold out, then more coupons make it claimable again.
	one := ts.createEvent(owner, storeID, time.Now().Add(-time.Minute), time.Hour, 1, nil)
	ts.expect(claim(one, nil), 204, "")
	other := mintToken(t, 31338, couponpop.MemberCustomer)
	ts.expect(ts.do("POST", "/api/v1/coupons/issue", other, map[string]any{"eventId": one}), 400, couponpop.EEventCouponSoldOut)
	ts.expect(ts.do("PATCH", fmt.Sprintf("/api/v1/owner/coupons/events/%d", one), owner, map[string]any{"addCount": 1}), 200, "")
	ts.expect(ts.do("POST", "/api/v1/coupons/issue", other, map[string]any{"eventId": one}), 204, "")
}
