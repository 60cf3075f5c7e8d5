package server_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/server"
)

// neverForwarded are the routes whose handlers never look up a shard by an
// id or a point: they read the global shard, fan out, or need no shard.
var neverForwarded = []string{
	"GET /healthz", "GET /readyz", "GET /metrics", "GET /internal/position",
	"POST /api/v1/auth/signup", "POST /api/v1/auth/login", "POST /api/v1/auth/refresh", "POST /api/v1/auth/logout",
	"DELETE /api/v1/auth/withdraw", "GET /api/v1/members/me", "PUT /api/v1/members/me",
	"GET /api/v1/stores", "GET /api/v1/owner/stores/", "GET /api/v1/map",
	"GET /api/v1/stores/search", "GET /api/v1/stores/search/keyword", "GET /api/v1/stores/search/semantic",
	"GET /api/v1/stores/search/suggest", "POST /api/v1/admin/stores/index/reindex",
	"GET /api/v1/owner/coupons/events/statistics",
	"GET /api/v1/coupons", "POST /api/v1/jobs/expire-coupons",
	// Issue 17: shard 0 (push, consent, locations; usage stats and the
	// hourly push on its primary), fan-outs (the jobs' reads), and the
	// shards this node writes (pruning).
	"GET /api/v1/push/vapid-public-key", "POST /api/v1/push/subscriptions", "DELETE /api/v1/push/subscriptions",
	"POST /api/v1/fcm-token", "PUT /api/v1/members/me/notifications", "POST /api/v1/locations/current",
	"POST /api/v1/jobs/coupon-usage-stats", "POST /api/v1/jobs/coupon-usage-stats-fcm-send", "POST /api/v1/jobs/prune",
	"GET /api/v1/jobs/coupon-uses", "GET /api/v1/jobs/running-events", "GET /api/v1/locations/events",
}

// TestForward_EveryShardLookup: every route whose handler looks up a shard
// by an id or a point forwards a request for a shard held by another node
// (writeError only writes; the handlers call forwardOrFail). The request
// goes through node A to node B, which holds Yeongdeungpo's shard 3, and
// is answered there. Every route of the server is either in this table or
// in neverForwarded, so a new route has to be placed in one.
func TestForward_EveryShardLookup(t *testing.T) {
	a, b := startShardNodes(t)
	classified := slices.Clone(neverForwarded)
	owner := mintToken(t, 7101, couponpop.MemberOwner)
	holder := mintToken(t, 7102, couponpop.MemberCustomer)
	scanned := mintToken(t, 7103, couponpop.MemberCustomer)
	lat, lng := borderStores[0][0], borderStores[0][1] // 영등포구: shard 3, on B
	storeID := b.createStore(owner, lat, lng)
	doomed := b.createStore(owner, lat, lng)
	eventID := b.createEvent(owner, storeID, time.Now().Add(-time.Minute), time.Hour, 10, nil)
	used, redeemed := b.claimCoupon(holder, eventID), b.claimCoupon(scanned, eventID)
	if couponpop.ShardOfID(storeID) != 3 || couponpop.ShardOfID(used) != 3 {
		t.Fatalf("store %d, coupon %d: not in shard 3", storeID, used)
	}
	usedCode, redeemedCode := b.qrCodeOf(holder, used), b.qrCodeOf(scanned, redeemed)
	otherEvent := b.createEvent(owner, storeID, time.Now().Add(-time.Minute), time.Hour, 10, nil)

	for _, tc := range []struct {
		route, path, token string
		body               any
		status             int
	}{
		{"POST /api/v1/owner/stores/", "/api/v1/owner/stores", owner, storeBody("영등포 매장", lat, lng), 201},
		{"GET /api/v1/stores/{storeId}", fmt.Sprintf("/api/v1/stores/%d", storeID), owner, nil, 200},
		{"GET /api/v1/owner/stores/{storeId}", fmt.Sprintf("/api/v1/owner/stores/%d", storeID), owner, nil, 200},
		{"PUT /api/v1/owner/stores/{storeId}", fmt.Sprintf("/api/v1/owner/stores/%d", storeID), owner, storeBody("새 이름", lat, lng), 200},
		{"DELETE /api/v1/owner/stores/{storeId}", fmt.Sprintf("/api/v1/owner/stores/%d", doomed), owner, nil, 204},
		{"POST /api/v1/owner/coupons/events/", "/api/v1/owner/coupons/events", owner, map[string]any{"storeId": storeID,
			"name": "라떼", "eventStartAt": apiTime(time.Now()), "eventEndAt": apiTime(time.Now().Add(time.Hour)), "totalCount": 5}, 201},
		{"GET /api/v1/owner/coupons/events/", fmt.Sprintf("/api/v1/owner/coupons/events?storeId=%d", storeID), owner, nil, 200},
		{"GET /api/v1/owner/coupons/events/{eventId}", fmt.Sprintf("/api/v1/owner/coupons/events/%d", eventID), owner, nil, 200},
		{"PATCH /api/v1/owner/coupons/events/{eventId}", fmt.Sprintf("/api/v1/owner/coupons/events/%d", otherEvent), owner,
			map[string]any{"status": "PAUSED"}, 200},
		{"POST /api/v1/coupons/issue", "/api/v1/coupons/issue", mintToken(t, 7104, couponpop.MemberCustomer),
			map[string]any{"eventId": eventID}, 204},
		{"GET /api/v1/coupons/{couponId}", couponPath(used), holder, nil, 200},
		{"POST /api/v1/coupons/use", "/api/v1/coupons/use", holder,
			map[string]any{"qrCode": usedCode, "couponId": used, "storeId": storeID}, 204},
		{"GET /api/v1/owner/stores/{storeId}/dashboard", fmt.Sprintf("/api/v1/owner/stores/%d/dashboard", storeID), owner, nil, 200},
		{"POST /api/v1/owner/stores/{storeId}/redemptions", fmt.Sprintf("/api/v1/owner/stores/%d/redemptions", storeID), owner,
			map[string]any{"qrCode": redeemedCode}, 200},
	} {
		t.Run(tc.route, func(t *testing.T) {
			before := forwardedNotHeld(a)
			method, _, _ := strings.Cut(tc.route, " ")
			r := a.do(method, tc.path, tc.token, tc.body)
			if r.Status != tc.status {
				t.Errorf("%s %s through A: %d, want %d: %s", method, tc.path, r.Status, tc.status, r.Body)
			}
			if got := forwardedNotHeld(a) - before; got != 1 {
				t.Errorf("%s %s: A forwarded %v times, want once", method, tc.path, got)
			}
		})
		classified = append(classified, tc.route)
	}

	// The live stream never ends: its headers through A are enough.
	t.Run("GET /api/v1/owner/stores/{storeId}/live", func(t *testing.T) {
		before := forwardedNotHeld(a)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/api/v1/owner/stores/%d/live", a.URL, storeID), nil)
		req.Header.Set("Authorization", "Bearer "+owner)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Errorf("live through A: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if got := forwardedNotHeld(a) - before; got != 1 {
			t.Errorf("live: A forwarded %v times, want once", got)
		}
	})
	classified = append(classified, "GET /api/v1/owner/stores/{storeId}/live")

	routes, err := server.Routes(a.srv)
	if err != nil {
		t.Fatal(err)
	}
	for _, route := range routes {
		if !slices.Contains(classified, route) {
			t.Errorf("route %s is in neither table: add it to this test or to neverForwarded", route)
		}
	}
	for _, route := range classified {
		if !slices.Contains(routes, route) {
			t.Errorf("%s is no route of the server: drop it from this test", route)
		}
	}
}

// forwardedNotHeld is the node's count of requests sent on to a node that
// holds their shard.
func forwardedNotHeld(n *shardNode) float64 {
	return counter(n.scrape(), "couponpop_forwarded_requests_total", "reason", "not_held")
}
