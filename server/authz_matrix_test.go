package server_test

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/go-chi/chi/v5"
)

// authRow says who may call a route. Every route of the router needs one:
// TestAuthorizationMatrix walks the router and fails on a route without a
// row, so a new route cannot ship without its authorization written down.
type authRow struct {
	public bool     // no token needed
	roles  []string // member types allowed; nil: any member
	// owner names the caller who owns the route's resource ("owner" or
	// "customer"); other callers of an allowed role get denied.
	owner, denied string
	wrongRole     string // code for the other member types; default ACCESS_DENIED
	query         string
	body          any
	// fresh routes end their caller's session or account: each caller
	// sends a newly minted token of its type.
	fresh bool
	// stream routes answer an endless body: only the status is read.
	stream bool
}

var (
	anyMember = []string(nil)
	ownerOnly = []string{couponpop.MemberOwner}
	adminOnly = []string{couponpop.MemberAdmin}
)

// authMatrix is every route's row, keyed "METHOD pattern" as chi.Walk
// writes it. {storeId}, {eventId} and {couponId} are filled with the
// owner's store and event and the customer's coupon.
func authMatrix(storeID int64) map[string]authRow {
	now := time.Now()
	eventBody := map[string]any{"storeId": storeID, "name": "권한 확인", "eventStartAt": apiTime(now),
		"eventEndAt": apiTime(now.Add(time.Hour)), "totalCount": 1}
	return map[string]authRow{
		"GET /healthz":                                 {public: true},
		"GET /readyz":                                  {public: true},
		"GET /metrics":                                 {public: true},
		"GET /internal/position":                       {public: true},
		"POST /api/v1/auth/signup":                     {public: true},
		"POST /api/v1/auth/login":                      {public: true},
		"POST /api/v1/auth/refresh":                    {public: true},
		"POST /api/v1/auth/logout":                     {roles: anyMember, fresh: true},
		"DELETE /api/v1/auth/withdraw":                 {roles: anyMember, fresh: true},
		"GET /api/v1/members/me":                       {roles: anyMember},
		"PUT /api/v1/members/me":                       {roles: anyMember, body: map[string]any{}},
		"GET /api/v1/coupons":                          {roles: anyMember},
		"POST /api/v1/coupons/issue":                   {roles: anyMember, body: map[string]any{}},
		"POST /api/v1/coupons/use":                     {roles: anyMember, body: map[string]any{}},
		"GET /api/v1/coupons/{couponId}":               {roles: anyMember, owner: "customer", denied: couponpop.ECouponAccessDenied},
		"GET /api/v1/map":                              {roles: anyMember},
		"GET /api/v1/stores":                           {roles: anyMember},
		"GET /api/v1/stores/{storeId}":                 {roles: anyMember},
		"GET /api/v1/stores/search":                    {roles: anyMember, query: "keyword=카페"},
		"GET /api/v1/stores/search/keyword":            {roles: anyMember, query: "keyword=카페"},
		"GET /api/v1/stores/search/semantic":           {roles: anyMember, query: "keyword=카페"},
		"GET /api/v1/stores/search/suggest":            {roles: anyMember, query: "keyword=카"},
		"GET /api/v1/owner/stores/":                    {roles: ownerOnly},
		"POST /api/v1/owner/stores/":                   {roles: ownerOnly, body: map[string]any{}},
		"GET /api/v1/owner/stores/{storeId}":           {roles: ownerOnly, owner: "owner", denied: couponpop.EStoreAccessPermissionDenied},
		"PUT /api/v1/owner/stores/{storeId}":           {roles: ownerOnly, owner: "owner", denied: couponpop.EStoreUpdatePermissionDenied, body: map[string]any{}},
		"DELETE /api/v1/owner/stores/{storeId}":        {roles: ownerOnly, owner: "owner", denied: couponpop.EStoreDeletePermissionDenied},
		"GET /api/v1/owner/stores/{storeId}/dashboard": {roles: ownerOnly, owner: "owner", denied: couponpop.EStoreAccessPermissionDenied},
		"GET /api/v1/owner/stores/{storeId}/live":      {roles: ownerOnly, owner: "owner", denied: couponpop.EStoreAccessPermissionDenied, stream: true},
		"POST /api/v1/owner/stores/{storeId}/redemptions": {roles: ownerOnly, owner: "owner", denied: couponpop.EStoreAccessPermissionDenied,
			body: map[string]any{"qrCode": "x"}},
		"POST /api/v1/owner/coupons/events/": {roles: ownerOnly, owner: "owner", denied: couponpop.EStoreAccessPermissionDenied, body: eventBody},
		"GET /api/v1/owner/coupons/events/": {roles: ownerOnly, owner: "owner", denied: couponpop.EStoreOwnerMismatch,
			query: fmt.Sprintf("storeId=%d", storeID)},
		"GET /api/v1/owner/coupons/events/statistics": {roles: ownerOnly},
		"GET /api/v1/owner/coupons/events/{eventId}":  {roles: ownerOnly, owner: "owner", denied: couponpop.EEventOwnerMismatch},
		"PATCH /api/v1/owner/coupons/events/{eventId}": {roles: ownerOnly, owner: "owner", denied: couponpop.EEventOwnerMismatch,
			body: map[string]any{}},
		"POST /api/v1/admin/stores/index/reindex":       {roles: adminOnly, wrongRole: couponpop.EAdminPermissionRequired},
		"POST /api/v1/jobs/expire-coupons":              {roles: adminOnly},
		"POST /api/v1/jobs/coupon-usage-stats":          {roles: adminOnly, query: "runDate=2025-10-26"},
		"POST /api/v1/jobs/coupon-usage-stats-fcm-send": {roles: adminOnly, query: "runDate=2025-10-26&targetHour=10"},
		"POST /api/v1/jobs/prune":                       {roles: adminOnly},
		"GET /api/v1/jobs/coupon-uses":                  {roles: adminOnly, query: "from=2025-10-06&to=2025-10-26"},
		"GET /api/v1/jobs/running-events":               {roles: adminOnly},
		"POST /api/v1/locations/current":                {roles: anyMember, body: map[string]any{"latitude": 37.5572, "longitude": 126.9245}},
		"GET /api/v1/locations/events":                  {roles: anyMember, query: "latitude=37.5572&longitude=126.9245"},
		"GET /api/v1/push/vapid-public-key":             {public: true},
		"POST /api/v1/push/subscriptions":               {roles: anyMember, body: map[string]any{}},
		"DELETE /api/v1/push/subscriptions":             {roles: anyMember, body: map[string]any{}},
		"POST /api/v1/fcm-token":                        {roles: anyMember, body: map[string]any{}},
		"PUT /api/v1/members/me/notifications":          {roles: anyMember, body: map[string]any{}},
	}
}

type authCaller struct {
	name, memberType, token string
}

func TestAuthorizationMatrix(t *testing.T) {
	ts := newTestServer(t)
	owner, storeID, eventID := ts.ownerWithEvent(10, nil)
	customer := mintToken(t, mintedID(), couponpop.MemberCustomer)
	couponID := ts.claimCoupon(customer, eventID)
	callers := []authCaller{ // the owner last: DELETE of the store runs last of all
		{"anonymous", "", ""},
		{"customer", couponpop.MemberCustomer, customer},
		{"other customer", couponpop.MemberCustomer, mintToken(t, mintedID(), couponpop.MemberCustomer)},
		{"other owner", couponpop.MemberOwner, mintToken(t, mintedID(), couponpop.MemberOwner)},
		{"admin", couponpop.MemberAdmin, mintToken(t, mintedID(), couponpop.MemberAdmin)},
		{"owner", couponpop.MemberOwner, owner},
	}
	matrix := authMatrix(storeID)
	var routes []string
	err := chi.Walk(ts.Handler.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		key := method + " " + route
		if _, ok := matrix[key]; !ok {
			t.Errorf("route %s has no row in authMatrix: write down who may call it", key)
		}
		routes = append(routes, key)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for key := range matrix {
		if !slices.Contains(routes, key) {
			t.Errorf("authMatrix row %s names no route", key)
		}
	}
	// The store's DELETE goes last: it removes the fixture.
	last := func(key string) int {
		if key == "DELETE /api/v1/owner/stores/{storeId}" {
			return 1
		}
		return 0
	}
	slices.SortStableFunc(routes, func(a, b string) int { return cmp.Compare(last(a), last(b)) })
	fill := strings.NewReplacer("{storeId}", fmt.Sprint(storeID), "{eventId}", fmt.Sprint(eventID), "{couponId}", fmt.Sprint(couponID))
	calls := 0
	for _, key := range routes {
		row := matrix[key]
		method, pattern, _ := strings.Cut(key, " ")
		path := fill.Replace(pattern)
		if row.query != "" {
			path += "?" + row.query
		}
		for _, c := range callers {
			token := c.token
			if row.fresh && c.token != "" {
				token = mintToken(t, mintedID(), c.memberType)
			}
			var r *response
			if row.stream {
				r = ts.streamStatus(path, token)
			} else {
				r = ts.do(method, path, token, row.body)
			}
			calls++
			status, code := expectedAuth(row, c)
			switch {
			case status == 0 && (r.Status == 401 || r.Status == 403):
				t.Errorf("%s as %s: refused %d %s, want allowed: %s", key, c.name, r.Status, r.errorCode(), r.Body)
			case status != 0 && (r.Status != status || r.errorCode() != code):
				t.Errorf("%s as %s: got %d %q, want %d %q", key, c.name, r.Status, r.errorCode(), status, code)
			}
		}
	}
	t.Logf("%d routes × %d callers: %d calls", len(routes), len(callers), calls)
}

// expectedAuth is the refusal a caller should get, or 0 when it is let
// through (whatever the handler then says).
func expectedAuth(row authRow, c authCaller) (int, string) {
	switch {
	case row.public:
		return 0, ""
	case c.memberType == "":
		return 401, couponpop.EUNAUTHORIZED
	case row.roles != nil && !slices.Contains(row.roles, c.memberType):
		return 403, cmp.Or(row.wrongRole, couponpop.EFORBIDDEN)
	case row.owner != "" && c.name != row.owner:
		return 403, row.denied
	}
	return 0, ""
}

// streamStatus opens a GET whose body never ends and returns its status,
// and the body only when it is an error.
func (ts *testServer) streamStatus(path, token string) *response {
	ts.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Accept-Language", "en")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	r := &response{Status: resp.StatusCode}
	if resp.StatusCode != http.StatusOK {
		r.Body, _ = io.ReadAll(resp.Body)
	}
	return r
}
