package server_test

import (
	"fmt"
	"testing"

	"github.com/couponpop/couponpop"
)

// TestDeleteStore_RefusesClaims: deleting a store cancels its running
// event, as an owner's cancel does; the coupons issued stay.
func TestDeleteStore_RefusesClaims(t *testing.T) {
	ts := newTestServer(t)
	owner, storeID, eventID := ts.ownerWithEvent(10, nil)
	ts.claimCoupon(mintToken(t, 8001, couponpop.MemberCustomer), eventID)

	ts.expect(ts.do("DELETE", fmt.Sprintf("/api/v1/owner/stores/%d", storeID), owner, nil), 204, "")

	carol := mintToken(t, 8003, couponpop.MemberCustomer)
	ts.expect(ts.do("POST", "/api/v1/coupons/issue", carol, map[string]any{"eventId": eventID}), 400, couponpop.EEventNotActive)
	ts.checkIssued(eventID, 1)
	db, err := ts.Shards.ByID(eventID, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := db.EventByID(t.Context(), eventID)
	if err != nil || e.Status != couponpop.EventCanceled {
		t.Fatalf("event %+v %v, want CANCELED", e, err)
	}
}

// TestDeleteStore_RefusesUses: a coupon of a deleted store can no longer be
// used, by its holder or at the counter.
func TestDeleteStore_RefusesUses(t *testing.T) {
	ts := newTestServer(t)
	owner, storeID, eventID := ts.ownerWithEvent(10, nil)
	alice, bob := mintToken(t, 8001, couponpop.MemberCustomer), mintToken(t, 8002, couponpop.MemberCustomer)
	ca, cb := ts.claimCoupon(alice, eventID), ts.claimCoupon(bob, eventID)
	codeA, codeB := ts.qrCodeOf(alice, ca), ts.qrCodeOf(bob, cb)

	ts.expect(ts.do("DELETE", fmt.Sprintf("/api/v1/owner/stores/%d", storeID), owner, nil), 204, "")

	ts.expect(ts.useCoupon(alice, codeA, ca, storeID), 400, couponpop.EStoreAlreadyDeleted)
	// The owner's store routes answer a deleted store as not found.
	ts.expect(ts.redeem(owner, storeID, codeB), 400, couponpop.EStoreNotFound)
}
