package server_test

import (
	"cmp"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
)

// claimCoupon issues a coupon of the event to the token's member and
// returns its id.
func (ts *testServer) claimCoupon(token string, eventID int64) int64 {
	ts.t.Helper()
	r := ts.do("POST", "/api/v1/coupons/issue", token, map[string]any{"eventId": eventID})
	ts.expect(r, 204, "")
	id, err := strconv.ParseInt(strings.TrimPrefix(r.Header.Get("Location"), "/api/v1/coupons/"), 10, 64)
	if err != nil {
		ts.t.Fatalf("Location %q: %v", r.Header.Get("Location"), err)
	}
	return id
}

// couponBody is a coupon as its holder sees it.
type couponBody struct {
	ID       int64   `json:"id"`
	Status   string  `json:"status"`
	IssuedAt string  `json:"issuedAt"`
	ExpireAt string  `json:"expireAt"`
	UsedAt   *string `json:"usedAt"`
	QRCode   *struct {
		URL       string `json:"url"`
		Message   string `json:"message"`
		Code      string `json:"code"`
		ExpiresAt string `json:"expiresAt"`
	} `json:"qrCode"`
	Event struct {
		ID     int64  `json:"id"`
		Name   string `json:"name"`
		Period struct {
			StartAt string `json:"startAt"`
			EndAt   string `json:"endAt"`
		} `json:"period"`
	} `json:"event"`
	Store struct {
		ID            int64   `json:"id"`
		Name          string  `json:"name"`
		StoreCategory string  `json:"storeCategory"`
		Latitude      float64 `json:"latitude"`
		Longitude     float64 `json:"longitude"`
		ImageURL      string  `json:"imageUrl"`
	} `json:"store"`
}

func couponPath(id int64) string { return fmt.Sprintf("/api/v1/coupons/%d", id) }

// showCoupon reads a coupon as its holder.
func (ts *testServer) showCoupon(token string, id int64) couponBody {
	ts.t.Helper()
	r := ts.do("GET", couponPath(id), token, nil)
	ts.expect(r, 200, "")
	var c couponBody
	r.data(ts.t, &c)
	return c
}

// qrCodeOf shows a coupon and returns its fresh QR code.
func (ts *testServer) qrCodeOf(token string, id int64) string {
	ts.t.Helper()
	c := ts.showCoupon(token, id)
	if c.QRCode == nil || c.QRCode.Code == "" {
		ts.t.Fatalf("coupon %d (%s) shows no QR code", id, c.Status)
	}
	return c.QRCode.Code
}

// useCoupon spends a coupon with a code at a store.
func (ts *testServer) useCoupon(token, code string, couponID, storeID int64) *response {
	ts.t.Helper()
	return ts.do("POST", "/api/v1/coupons/use", token, map[string]any{"qrCode": code, "couponId": couponID, "storeId": storeID})
}

// redeem is a store owner scanning a code.
func (ts *testServer) redeem(token string, storeID int64, code string) *response {
	ts.t.Helper()
	return ts.do("POST", fmt.Sprintf("/api/v1/owner/stores/%d/redemptions", storeID), token, map[string]any{"qrCode": code})
}

// expireJob runs the expiry job.
func (ts *testServer) expireJob(token string) *response {
	ts.t.Helper()
	return ts.do("POST", "/api/v1/jobs/expire-coupons", token, nil)
}

// replaceAt returns s with the byte at i changed to another base64url
// character.
func replaceAt(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

func TestCoupon_Get(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member(couponpop.MemberOwner)
	storeID := ts.createStore(owner, hongdaeLat, hongdaeLng)
	start := time.Now().Truncate(time.Second).Add(-time.Minute)
	eventID := ts.createEvent(owner, storeID, start, 2*time.Hour, 10, nil)
	_, holder := ts.member(couponpop.MemberCustomer)
	_, stranger := ts.member(couponpop.MemberCustomer)
	couponID := ts.claimCoupon(holder, eventID)
	if couponpop.ShardOfID(couponID) != 1 {
		t.Fatalf("coupon %d of a Hongdae store is not in shard 1", couponID)
	}

	r := ts.do("GET", couponPath(couponID), holder, nil)
	ts.expect(r, 200, "")
	var raw map[string]any
	r.data(t, &raw)
	keys := func(m any) []string {
		mm, _ := m.(map[string]any)
		var ks []string
		for k := range mm {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	hasAll := func(what string, got []string, want ...string) {
		t.Helper()
		for _, k := range want {
			if !slices.Contains(got, k) {
				t.Errorf("%s: field %s missing (have %v)", what, k, got)
			}
		}
	}
	hasAll("coupon", keys(raw), "id", "status", "issuedAt", "expireAt", "usedAt", "qrCode", "event", "store")
	hasAll("qrCode", keys(raw["qrCode"]), "url", "message", "code")
	hasAll("event", keys(raw["event"]), "id", "name", "period")
	hasAll("event.period", keys(raw["event"].(map[string]any)["period"]), "startAt", "endAt")
	hasAll("store", keys(raw["store"]), "id", "name", "storeCategory", "latitude", "longitude", "imageUrl")

	c := ts.showCoupon(holder, couponID)
	if c.ID != couponID || c.Status != couponpop.CouponIssued || c.UsedAt != nil {
		t.Errorf("coupon: %+v", c)
	}
	if c.Event.ID != eventID || c.Event.Name != "아메리카노 무료" || c.Event.Period.StartAt != apiTime(start) ||
		c.Event.Period.EndAt != apiTime(start.Add(2*time.Hour)) {
		t.Errorf("event: %+v", c.Event)
	}
	if c.Store.ID != storeID || c.Store.StoreCategory != "CAFE" || c.Store.Latitude != hongdaeLat || c.Store.Longitude != hongdaeLng || c.Store.Name == "" {
		t.Errorf("store: %+v", c.Store)
	}
	for _, s := range []string{c.IssuedAt, c.ExpireAt, c.QRCode.ExpiresAt} {
		if !localTimeRE.MatchString(s) {
			t.Errorf("time %q: want Seoul local time without offset", s)
		}
	}
	if c.ExpireAt != c.Event.Period.EndAt {
		t.Errorf("expires %s: want when the event ends, %s (v2's rule, the default)", c.ExpireAt, c.Event.Period.EndAt)
	}
	if c.QRCode.URL != "https://couponpop.com/q/"+c.QRCode.Code || c.QRCode.Message == "" {
		t.Errorf("qrCode %+v", c.QRCode)
	}

	// Every GET shows a fresh code and writes nothing.
	db, err := ts.Shards.ByID(couponID, nil)
	if err != nil {
		t.Fatal(err)
	}
	before, err := db.Position(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{c.QRCode.Code: true}
	for range 5 {
		code := ts.qrCodeOf(holder, couponID)
		if codes[code] {
			t.Fatalf("code %q shown twice", code)
		}
		codes[code] = true
	}
	if after, err := db.Position(t.Context()); err != nil || after != before {
		t.Fatalf("position %d → %d (%v): showing a code wrote to the database", before, after, err)
	}

	ts.expect(ts.do("GET", couponPath(couponID), stranger, nil), 403, couponpop.ECouponAccessDenied)
	ts.expect(ts.do("GET", couponPath(couponID), owner, nil), 403, couponpop.ECouponAccessDenied)
	ts.expect(ts.do("GET", couponPath(couponID), "", nil), 401, couponpop.EUNAUTHORIZED)
	ts.expect(ts.do("GET", couponPath(couponpop.MakeID(1, 999_999)), holder, nil), 400, couponpop.ECouponNotFound)
	ts.expect(ts.do("GET", couponPath(couponpop.MakeID(4, 1)), holder, nil), 400, couponpop.ECouponNotFound)
	ts.expect(ts.do("GET", couponPath(couponpop.MakeID(77, 1)), holder, nil), 400, couponpop.ECouponNotFound)
	ts.expect(ts.do("GET", "/api/v1/coupons/abc", holder, nil), 400, couponpop.EINVALID)

	// Once used: USED, usedAt set, no code.
	ts.expect(ts.useCoupon(holder, ts.qrCodeOf(holder, couponID), couponID, storeID), 204, "")
	c = ts.showCoupon(holder, couponID)
	if c.Status != couponpop.CouponUsed || c.UsedAt == nil || !localTimeRE.MatchString(*c.UsedAt) || c.QRCode != nil {
		t.Errorf("used coupon: %+v", c)
	}
}

func TestCoupon_UseChecksInOrder(t *testing.T) {
	clock := newMovableClock(clockBase)
	ts := newTestServer(t, clock.option())
	owner := longToken(t, mintedID(), couponpop.MemberOwner)
	storeA := ts.createStore(owner, hongdaeLat, hongdaeLng)
	storeB := ts.createStore(owner, hongdaeLat+0.002, hongdaeLng)
	farStore := ts.createStore(owner, gangnamStationLat, gangnamStationLng)
	eventID := ts.createEvent(owner, storeA, clockBase.Add(-time.Minute), 3*time.Hour, 10, nil)
	alice := longToken(t, mintedID(), couponpop.MemberCustomer)
	bob := longToken(t, mintedID(), couponpop.MemberCustomer)
	ca := ts.claimCoupon(alice, eventID)
	cb := ts.claimCoupon(bob, eventID)
	codeA := ts.qrCodeOf(alice, ca)
	codeA2 := ts.qrCodeOf(alice, ca) // a second code, kept for after the use
	codeB := ts.qrCodeOf(bob, cb)

	// 1. The code: malformed, tampered or for another coupon.
	body, sig, _ := strings.Cut(codeA, ".")
	bodyB, _, _ := strings.Cut(codeB, ".")
	for _, bad := range []string{
		"garbage",
		"abc.def",
		".",
		body,                              // no signature
		replaceAt(body, 10) + "." + sig,   // coupon id changed
		replaceAt(body, 20) + "." + sig,   // expiry changed
		body + "." + replaceAt(sig, 3),    // signature changed
		bodyB + "." + sig,                 // another coupon's body, this signature
		codeA[:len(codeA)-4],              // truncated
		body + "A." + sig,                 // longer body
		"https://couponpop.com/q/" + body, // the URL of a code without signature
	} {
		ts.expect(ts.useCoupon(alice, bad, ca, storeA), 400, couponpop.ECouponInvalidTempCode)
	}
	ts.expect(ts.useCoupon(alice, codeB, ca, storeA), 400, couponpop.ECouponInvalidTempCode)
	ts.expect(ts.useCoupon(bob, codeA, cb, storeA), 400, couponpop.ECouponInvalidTempCode)
	// The code is checked before anything else.
	ts.expect(ts.useCoupon(bob, "garbage", ca, storeB), 400, couponpop.ECouponInvalidTempCode)
	ts.expect(ts.useCoupon(bob, codeB, ca, farStore), 400, couponpop.ECouponInvalidTempCode)
	// Required fields.
	ts.expect(ts.useCoupon(alice, "", ca, storeA), 400, couponpop.EINVALID)
	ts.expect(ts.do("POST", "/api/v1/coupons/use", alice, map[string]any{"qrCode": codeA, "storeId": storeA}), 400, couponpop.EINVALID)
	ts.expect(ts.do("POST", "/api/v1/coupons/use", alice, map[string]any{"qrCode": codeA, "couponId": ca}), 400, couponpop.EINVALID)

	// 2. The store, before the holder.
	ts.expect(ts.useCoupon(alice, codeA, ca, storeB), 400, couponpop.EStoreNotMatchedWithCoupon)
	ts.expect(ts.useCoupon(alice, codeA, ca, farStore), 400, couponpop.EStoreNotMatchedWithCoupon)
	ts.expect(ts.useCoupon(alice, codeA, ca, couponpop.MakeID(1, 999_999)), 400, couponpop.EStoreNotMatchedWithCoupon)
	ts.expect(ts.useCoupon(bob, codeA, ca, storeB), 400, couponpop.EStoreNotMatchedWithCoupon)

	// 3. The holder: a code seen over the shoulder is no use to anyone else.
	ts.expect(ts.useCoupon(bob, codeA, ca, storeA), 403, couponpop.ECouponAccessDenied)
	ts.expect(ts.useCoupon(owner, codeA, ca, storeA), 403, couponpop.ECouponAccessDenied)

	// None of the refusals spent the code: it works now, once.
	r := ts.useCoupon(alice, codeA, ca, storeA)
	ts.expect(r, 204, "")
	if r.Header.Get("Couponpop-Position") == "" || len(r.Body) != 0 {
		t.Errorf("use: headers %v, body %q", r.Header, r.Body)
	}
	if c := ts.showCoupon(alice, ca); c.Status != couponpop.CouponUsed || c.UsedAt == nil || *c.UsedAt != "2025-10-25T12:00:00" || c.QRCode != nil {
		t.Fatalf("used coupon: %+v", c)
	}
	// The same code again is COUPON_ALREADY_USED, not COUPON_INVALID_TEMP_CODE:
	// its signature and expiry still check out, and the coupon's state is
	// checked before the code's nonce is spent, so the more useful answer
	// (the coupon is used) wins. So does a second, never used code.
	ts.expect(ts.useCoupon(alice, codeA, ca, storeA), 400, couponpop.ECouponAlreadyUsed)
	ts.expect(ts.useCoupon(alice, codeA2, ca, storeA), 400, couponpop.ECouponAlreadyUsed)
	// Store and holder checks still come before "already used".
	ts.expect(ts.useCoupon(alice, codeA2, ca, storeB), 400, couponpop.EStoreNotMatchedWithCoupon)
	ts.expect(ts.useCoupon(bob, codeA2, ca, storeA), 403, couponpop.ECouponAccessDenied)

	// A code expires 10 minutes after it is shown.
	c := ts.showCoupon(bob, cb)
	if c.QRCode.ExpiresAt != "2025-10-25T12:10:00" {
		t.Errorf("code shown at 12:00:00 expires at %s", c.QRCode.ExpiresAt)
	}
	clock.Add(10 * time.Minute)
	ts.expect(ts.useCoupon(bob, codeB, cb, storeA), 400, couponpop.ECouponInvalidTempCode)
	ts.expect(ts.useCoupon(bob, c.QRCode.Code, cb, storeA), 400, couponpop.ECouponInvalidTempCode)
	// An expired code loses even to a wrong store.
	ts.expect(ts.useCoupon(bob, codeB, cb, storeB), 400, couponpop.ECouponInvalidTempCode)
	fresh := ts.qrCodeOf(bob, cb)
	clock.Add(10*time.Minute - time.Second)
	ts.expect(ts.useCoupon(bob, fresh, cb, storeA), 204, "")
	ts.expect(ts.useCoupon(bob, fresh, cb, storeA), 400, couponpop.ECouponAlreadyUsed)

	if e := ts.getEvent(owner, eventID); e.Summary != (eventCounts{10, 8, 2, 2, 0}) {
		t.Errorf("summary %+v", e.Summary)
	}
}

func TestCoupon_UseExpiredCoupon(t *testing.T) {
	clock := newMovableClock(clockBase)
	ts := newTestServer(t, clock.option())
	owner := longToken(t, mintedID(), couponpop.MemberOwner)
	storeID := ts.createStore(owner, hongdaeLat, hongdaeLng)
	eventID := ts.createEvent(owner, storeID, clockBase.Add(-time.Minute), 5*time.Hour, 10, map[string]any{"couponValidHours": 1})
	alice := longToken(t, mintedID(), couponpop.MemberCustomer)
	bob := longToken(t, mintedID(), couponpop.MemberCustomer)
	ca := ts.claimCoupon(alice, eventID)
	cb := ts.claimCoupon(bob, eventID)
	if c := ts.showCoupon(alice, ca); c.IssuedAt != "2025-10-25T12:00:00" || c.ExpireAt != "2025-10-25T13:00:00" {
		t.Fatalf("couponValidHours 1: issued %s, expires %s", c.IssuedAt, c.ExpireAt)
	}

	// A code shown just before the coupon expires, used just after.
	clock.Add(55 * time.Minute)
	code := ts.qrCodeOf(alice, ca)
	codeB := ts.qrCodeOf(bob, cb)
	clock.Add(5 * time.Minute) // 13:00:00, the coupon's expiry
	ts.expect(ts.useCoupon(alice, code, ca, storeID), 400, couponpop.ECouponExpired)
	clock.Add(time.Minute)
	ts.expect(ts.useCoupon(alice, code, ca, storeID), 400, couponpop.ECouponExpired)
	// The holder is checked before the expiry.
	ts.expect(ts.useCoupon(bob, code, ca, storeID), 403, couponpop.ECouponAccessDenied)
	// The owner cannot redeem it either.
	ts.expect(ts.redeem(owner, storeID, codeB), 400, couponpop.ECouponExpired)

	// Two hours on: still ISSUED until the job runs, but shows no code.
	clock.Add(time.Hour)
	c := ts.showCoupon(alice, ca)
	if c.Status != couponpop.CouponIssued || c.QRCode != nil {
		t.Fatalf("coupon 2 h after issue: %+v", c)
	}
	// The code itself has expired by now, and that is checked first.
	ts.expect(ts.useCoupon(alice, code, ca, storeID), 400, couponpop.ECouponInvalidTempCode)
	if e := ts.getEvent(owner, eventID); e.Summary.Used != 0 {
		t.Errorf("summary %+v", e.Summary)
	}
}

func TestCoupon_Redemption(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member(couponpop.MemberOwner)
	storeA := ts.createStore(owner, hongdaeLat, hongdaeLng)
	storeA2 := ts.createStore(owner, hongdaeLat+0.002, hongdaeLng)
	_, other := ts.member(couponpop.MemberOwner)
	otherNear := ts.createStore(other, hongdaeLat, hongdaeLng)
	otherFar := ts.createStore(other, gangnamStationLat, gangnamStationLng)
	eventID := ts.createEvent(owner, storeA, time.Now().Add(-time.Minute), 2*time.Hour, 10, nil)
	_, customer := ts.member(couponpop.MemberCustomer)
	me := ts.do("GET", "/api/v1/members/me", customer, nil)
	ts.expect(me, 200, "")
	var member struct{ Username string }
	me.data(t, &member)

	couponID := ts.claimCoupon(customer, eventID)
	code := ts.qrCodeOf(customer, couponID)
	spare := ts.qrCodeOf(customer, couponID)

	ts.expect(ts.redeem("", storeA, code), 401, couponpop.EUNAUTHORIZED)
	ts.expect(ts.redeem(customer, storeA, code), 403, couponpop.EFORBIDDEN)
	ts.expect(ts.redeem(mintToken(t, mintedID(), couponpop.MemberAdmin), storeA, code), 403, couponpop.EFORBIDDEN)
	ts.expect(ts.redeem(other, storeA, code), 403, couponpop.EStoreAccessPermissionDenied)
	ts.expect(ts.redeem(owner, couponpop.MakeID(1, 999_999), code), 400, couponpop.EStoreNotFound)
	// Another store's coupon: same shard, other shard, the owner's own other store.
	ts.expect(ts.redeem(other, otherNear, code), 400, couponpop.EStoreNotMatchedWithCoupon)
	ts.expect(ts.redeem(other, otherFar, code), 400, couponpop.EStoreNotMatchedWithCoupon)
	ts.expect(ts.redeem(owner, storeA2, code), 400, couponpop.EStoreNotMatchedWithCoupon)
	ts.expect(ts.redeem(owner, storeA, "garbage"), 400, couponpop.ECouponInvalidTempCode)
	ts.expect(ts.redeem(owner, storeA, replaceAt(code, 5)), 400, couponpop.ECouponInvalidTempCode)

	r := ts.redeem(owner, storeA, code)
	ts.expect(r, 200, "")
	var got struct {
		CouponID       int64  `json:"couponId"`
		EventName      string `json:"eventName"`
		MemberUsername string `json:"memberUsername"`
	}
	r.data(t, &got)
	if got.CouponID != couponID || got.EventName != "아메리카노 무료" || got.MemberUsername != member.Username || member.Username == "" {
		t.Errorf("redemption %+v, want coupon %d of %q", got, couponID, member.Username)
	}
	if r.Header.Get("Couponpop-Position") == "" {
		t.Errorf("redemption without Couponpop-Position")
	}

	ts.expect(ts.redeem(owner, storeA, code), 400, couponpop.ECouponAlreadyUsed)
	ts.expect(ts.redeem(owner, storeA, spare), 400, couponpop.ECouponAlreadyUsed)
	ts.expect(ts.useCoupon(customer, spare, couponID, storeA), 400, couponpop.ECouponAlreadyUsed)
	if c := ts.showCoupon(customer, couponID); c.Status != couponpop.CouponUsed {
		t.Errorf("redeemed coupon: %+v", c)
	}
	if e := ts.getEvent(owner, eventID); e.Summary != (eventCounts{10, 9, 1, 1, 0}) {
		t.Errorf("summary %+v", e.Summary)
	}
}

type couponListPage struct {
	Coupons    []couponBody `json:"coupons"`
	NextCursor *struct {
		LastEventEndAt string `json:"lastEventEndAt"`
		LastCouponID   int64  `json:"lastCouponId"`
	} `json:"nextCursor"`
	Size    int  `json:"size"`
	HasNext bool `json:"hasNext"`
}

// walkCoupons pages through the member's coupons of a type and returns
// their ids in the order served, checking every page.
func (ts *testServer) walkCoupons(token, typ string, size int) []int64 {
	ts.t.Helper()
	q := url.Values{"type": {typ}, "size": {fmt.Sprint(size)}}
	var ids []int64
	for pages := 0; ; pages++ {
		if pages > 100 {
			ts.t.Fatal("paging never ends")
		}
		r := ts.do("GET", "/api/v1/coupons?"+q.Encode(), token, nil)
		ts.expect(r, 200, "")
		var p couponListPage
		r.data(ts.t, &p)
		if p.Size != size || p.Coupons == nil {
			ts.t.Fatalf("page size %d, coupons %v: %s", p.Size, p.Coupons, r.Body)
		}
		for _, c := range p.Coupons {
			if c.Status != typ {
				ts.t.Fatalf("coupon %d is %s in a %s list", c.ID, c.Status, typ)
			}
			ids = append(ids, c.ID)
		}
		if !p.HasNext {
			if p.NextCursor != nil || len(p.Coupons) > size {
				ts.t.Fatalf("last page: %d coupons, nextCursor %+v", len(p.Coupons), p.NextCursor)
			}
			return ids
		}
		if len(p.Coupons) != size || p.NextCursor == nil {
			ts.t.Fatalf("page with hasNext has %d coupons (want %d), nextCursor %+v", len(p.Coupons), size, p.NextCursor)
		}
		last := p.Coupons[len(p.Coupons)-1]
		if p.NextCursor.LastCouponID != last.ID || p.NextCursor.LastEventEndAt != last.Event.Period.EndAt {
			ts.t.Fatalf("nextCursor %+v does not name the last coupon %d (%s)", *p.NextCursor, last.ID, last.Event.Period.EndAt)
		}
		q.Set("lastEventEndAt", p.NextCursor.LastEventEndAt)
		q.Set("lastCouponId", fmt.Sprint(p.NextCursor.LastCouponID))
	}
}

func TestCoupon_ListAcrossShards(t *testing.T) {
	clock := newMovableClock(clockBase)
	ts := newTestServer(t, clock.option())
	owner := longToken(t, mintedID(), couponpop.MemberOwner)
	hongdae := ts.createStore(owner, hongdaeLat, hongdaeLng)
	gangnam := ts.createStore(owner, gangnamStationLat, gangnamStationLng)
	me := longToken(t, mintedID(), couponpop.MemberCustomer)
	someoneElse := longToken(t, mintedID(), couponpop.MemberCustomer)

	type held struct {
		id, storeID int64
		end         time.Time
	}
	var mine []held
	for _, e := range []struct {
		storeID int64
		hours   int
	}{
		{hongdae, 1}, {gangnam, 2}, {hongdae, 3}, {gangnam, 4}, {hongdae, 5}, {gangnam, 5},
		{gangnam, 6}, {hongdae, 7}, {gangnam, 8}, {hongdae, 9}, {hongdae, 9},
	} {
		start := clockBase.Add(-time.Minute)
		end := clockBase.Add(time.Duration(e.hours) * time.Hour)
		eventID := ts.createEvent(owner, e.storeID, start, end.Sub(start), 10, nil)
		mine = append(mine, held{ts.claimCoupon(me, eventID), e.storeID, end})
		ts.claimCoupon(someoneElse, eventID)
	}
	shards := map[int]int{}
	for _, h := range mine {
		shards[couponpop.ShardOfID(h.id)]++
	}
	if shards[1] != 6 || shards[4] != 5 {
		t.Fatalf("coupons per shard %v, want 6 in shard 1 and 5 in shard 4", shards)
	}
	order := func(hs []held, asc bool) []int64 {
		hs = slices.Clone(hs)
		slices.SortFunc(hs, func(a, b held) int {
			c := cmp.Or(a.end.Compare(b.end), cmp.Compare(a.id, b.id))
			if !asc {
				c = -c
			}
			return c
		})
		var ids []int64
		for _, h := range hs {
			ids = append(ids, h.id)
		}
		return ids
	}

	// ISSUED: soonest-ending first, every coupon once, whatever the page size.
	want := order(mine, true)
	for _, size := range []int{1, 2, 3, 4, 10, 11, 100} {
		if got := ts.walkCoupons(me, couponpop.CouponIssued, size); !slices.Equal(got, want) {
			t.Errorf("ISSUED size %d: %v, want %v", size, got, want)
		}
	}
	// type defaults to ISSUED.
	r := ts.do("GET", "/api/v1/coupons?size=100", me, nil)
	ts.expect(r, 200, "")
	var p couponListPage
	r.data(t, &p)
	if len(p.Coupons) != len(mine) || p.Coupons[0].ID != want[0] {
		t.Errorf("default type: %d coupons", len(p.Coupons))
	}
	for _, c := range p.Coupons {
		if c.Event.ID == 0 || c.Store.ID == 0 || (c.Store.ID != hongdae && c.Store.ID != gangnam) {
			t.Errorf("coupon %d: event %+v store %+v", c.ID, c.Event, c.Store)
		}
	}

	// Use some in both shards: USED lists newest-ending first.
	var used, issued []held
	for i, h := range mine {
		if i%3 == 1 {
			ts.expect(ts.useCoupon(me, ts.qrCodeOf(me, h.id), h.id, h.storeID), 204, "")
			used = append(used, h)
		} else {
			issued = append(issued, h)
		}
	}
	for _, size := range []int{1, 2, 3, 100} {
		if got, want := ts.walkCoupons(me, couponpop.CouponUsed, size), order(used, false); !slices.Equal(got, want) {
			t.Errorf("USED size %d: %v, want %v", size, got, want)
		}
		if got, want := ts.walkCoupons(me, couponpop.CouponIssued, size), order(issued, true); !slices.Equal(got, want) {
			t.Errorf("ISSUED after use, size %d: %v, want %v", size, got, want)
		}
	}
	for _, typ := range []string{couponpop.CouponExpired, couponpop.CouponCanceled} {
		if got := ts.walkCoupons(me, typ, 2); len(got) != 0 {
			t.Errorf("%s: %v", typ, got)
		}
	}
	// Someone else's list holds only their own coupons.
	if got := ts.walkCoupons(someoneElse, couponpop.CouponIssued, 4); len(got) != len(mine) || slices.ContainsFunc(got, func(id int64) bool {
		return slices.ContainsFunc(mine, func(h held) bool { return h.id == id })
	}) {
		t.Errorf("someone else's coupons: %v", got)
	}

	list := func(query string) *response { return ts.do("GET", "/api/v1/coupons?"+query, me, nil) }
	ts.expect(list("type=ALL"), 400, couponpop.EINVALID)
	ts.expect(list("type=issued"), 400, couponpop.EINVALID)
	ts.expect(list("type=ISSUED&size=0"), 400, couponpop.EINVALID)
	ts.expect(list("type=ISSUED&size=101"), 400, couponpop.EINVALID)
	ts.expect(list("type=ISSUED&lastCouponId=5"), 400, couponpop.EINVALID)
	ts.expect(list("type=ISSUED&lastEventEndAt=2025-10-25T12:00:00"), 400, couponpop.EINVALID)
	ts.expect(list("type=ISSUED&lastEventEndAt=soon&lastCouponId=5"), 400, couponpop.EINVALID)
	ts.expect(ts.do("GET", "/api/v1/coupons", "", nil), 401, couponpop.EUNAUTHORIZED)
}

// historyOf returns the coupon ids with a history row of the given action
// in the shard of id, read from the database file.
func (ts *testServer) historyOf(id int64, action string) []int64 {
	ts.t.Helper()
	db, err := ts.Shards.ByID(id, nil)
	if err != nil {
		ts.t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?mode=ro")
	if err != nil {
		ts.t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT coupon_id FROM coupon_history WHERE action = ? ORDER BY coupon_id`, action)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			ts.t.Fatal(err)
		}
		ids = append(ids, c)
	}
	if err := rows.Err(); err != nil {
		ts.t.Fatal(err)
	}
	return ids
}

func TestCoupon_ExpireJob(t *testing.T) {
	clock := newMovableClock(clockBase)
	ts := newTestServer(t, clock.option())
	owner := longToken(t, mintedID(), couponpop.MemberOwner)
	hongdae := ts.createStore(owner, hongdaeLat, hongdaeLng)
	gangnam := ts.createStore(owner, gangnamStationLat, gangnamStationLng)
	oneHour := map[string]any{"couponValidHours": 1}
	eh := ts.createEvent(owner, hongdae, clockBase.Add(-time.Minute), 3*time.Hour, 10, oneHour)
	eg := ts.createEvent(owner, gangnam, clockBase.Add(-time.Minute), 3*time.Hour, 10, oneHour)
	long := ts.createEvent(owner, hongdae, clockBase.Add(-time.Minute), 3*time.Hour, 10, nil)
	me := longToken(t, mintedID(), couponpop.MemberCustomer)
	other := longToken(t, mintedID(), couponpop.MemberCustomer)
	c1, c2, c3 := ts.claimCoupon(me, eh), ts.claimCoupon(me, eg), ts.claimCoupon(me, long)
	usedOne := ts.claimCoupon(other, eh)
	admin := longToken(t, mintedID(), couponpop.MemberAdmin)

	run := func(want int) {
		t.Helper()
		r := ts.expireJob(admin)
		ts.expect(r, 200, "")
		var got struct {
			Expired *int `json:"expired"`
		}
		r.data(t, &got)
		if got.Expired == nil || *got.Expired != want {
			t.Fatalf("expired %s, want %d", r.Body, want)
		}
	}
	ts.expect(ts.expireJob(""), 401, couponpop.EUNAUTHORIZED)
	ts.expect(ts.expireJob(owner), 403, couponpop.EFORBIDDEN)
	ts.expect(ts.expireJob(me), 403, couponpop.EFORBIDDEN)
	run(0) // nothing is due yet

	clock.Add(30 * time.Minute)
	ts.expect(ts.useCoupon(other, ts.qrCodeOf(other, usedOne), usedOne, hongdae), 204, "")
	clock.Add(28 * time.Minute)
	code := ts.qrCodeOf(me, c1) // shown at 12:58, valid to 13:08
	clock.Add(3 * time.Minute)  // 13:01: both one-hour coupons are past due
	run(2)
	run(0) // idempotent

	if c := ts.showCoupon(me, c1); c.Status != couponpop.CouponExpired || c.QRCode != nil || c.UsedAt != nil {
		t.Errorf("expired coupon: %+v", c)
	}
	// A code shown before the job is refused: the coupon is EXPIRED.
	ts.expect(ts.useCoupon(me, code, c1, hongdae), 400, couponpop.ECouponExpired)
	if got := ts.walkCoupons(me, couponpop.CouponExpired, 1); !slices.Equal(got, []int64{c2, c1}) {
		t.Errorf("EXPIRED: %v, want %v (same end, larger id first)", got, []int64{c2, c1})
	}
	if got := ts.walkCoupons(me, couponpop.CouponIssued, 1); !slices.Equal(got, []int64{c3}) {
		t.Errorf("ISSUED: %v, want %v", got, []int64{c3})
	}
	if got := ts.walkCoupons(other, couponpop.CouponUsed, 1); !slices.Equal(got, []int64{usedOne}) {
		t.Errorf("the used coupon: %v", got)
	}
	if got := ts.historyOf(c1, "EXPIRED"); !slices.Equal(got, []int64{c1}) {
		t.Errorf("shard 1 EXPIRED history %v, want %v", got, []int64{c1})
	}
	if got := ts.historyOf(c2, "EXPIRED"); !slices.Equal(got, []int64{c2}) {
		t.Errorf("shard 4 EXPIRED history %v, want %v", got, []int64{c2})
	}
	// Expiry leaves the event's counts alone.
	if e := ts.getEvent(owner, eh); e.Summary != (eventCounts{10, 8, 2, 1, 1}) {
		t.Errorf("summary %+v", e.Summary)
	}

	// By default a coupon lasts until its event ends (v2's rule): the event
	// began at 11:59 and runs 3 h, so c3 is due at 14:59.
	clock.Add(time.Hour + 57*time.Minute) // 14:58
	run(0)
	clock.Add(time.Minute)
	run(1)
	run(0)
	if got := ts.walkCoupons(me, couponpop.CouponExpired, 10); len(got) != 3 {
		t.Errorf("EXPIRED after the event: %v", got)
	}
	if got := ts.historyOf(c3, "EXPIRED"); !slices.Equal(got, []int64{c1, c3}) {
		t.Errorf("shard 1 EXPIRED history %v, want %v", got, []int64{c1, c3})
	}
}

// TestCoupon_LifetimeIsTheEvents: as in v2, a coupon is usable until its
// event ends and refused after it; couponValidHours opts in to a lifetime
// from the claim, which may run past the event's end.
func TestCoupon_LifetimeIsTheEvents(t *testing.T) {
	clock := newMovableClock(clockBase)
	ts := newTestServer(t, clock.option())
	owner := longToken(t, mintedID(), couponpop.MemberOwner)
	store := ts.createStore(owner, hongdaeLat, hongdaeLng)
	v2 := ts.createEvent(owner, store, clockBase.Add(-time.Minute), time.Hour, 10, nil)
	optIn := ts.createEvent(owner, store, clockBase.Add(-time.Minute), time.Hour, 10, map[string]any{"couponValidHours": 24})
	me := longToken(t, mintedID(), couponpop.MemberCustomer)
	byEvent, byHours := ts.claimCoupon(me, v2), ts.claimCoupon(me, optIn)

	clock.Add(55 * time.Minute)
	codeByEvent, codeByHours := ts.qrCodeOf(me, byEvent), ts.qrCodeOf(me, byHours) // valid 10 minutes
	clock.Add(5 * time.Minute)                                                     // both events have ended
	ts.expect(ts.useCoupon(me, codeByEvent, byEvent, store), 400, couponpop.ECouponExpired)
	ts.expect(ts.useCoupon(me, codeByHours, byHours, store), 204, "")
}
