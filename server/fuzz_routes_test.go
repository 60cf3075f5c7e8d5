package server_test

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/couponpop/couponpop"
)

// FuzzRouteQueries sends one raw query string to every route that reads
// query parameters, through a real server: no 5xx, and every error in the
// API's shape. With storeId set to the owner's store, the event list reads
// its cursor too.
func FuzzRouteQueries(f *testing.F) {
	for _, seed := range []string{
		"", "lat=37.5572&lng=126.9245&radius=5&limit=100&openNow=true&withEvents=true&category=CAFE",
		"lat=NaN&lng=1e400&radius=-0", "keyword=%EC%B9%B4%ED%8E%98&lat=37.5&lng=126.9&radius=20&limit=100",
		"swLat=37.5&swLng=126.9&neLat=37.6&neLng=127.0&zoom=15", "type=USED&lastEventEndAt=2026-12-24T14:00&lastCouponId=1&size=5",
		"status=COMPLETED&lastStartAt=0001-01-01T00:00:00&lastEndAt=9999-12-31T23:59:59&lastEventId=1",
		"lastStoreId=9007199254740993&size=100", "size=%zz&keyword=",
	} {
		f.Add(seed)
	}
	ts := newTestServer(f)
	owner, storeID, _ := ts.ownerWithEvent(5, nil)
	customer := mintToken(f, mintedID(), couponpop.MemberCustomer)
	routes := []struct{ path, token string }{
		{"/api/v1/stores", customer}, {"/api/v1/map", customer}, {"/api/v1/coupons", customer},
		{"/api/v1/stores/search", customer}, {"/api/v1/stores/search/keyword", customer},
		{"/api/v1/stores/search/suggest", customer},
		{"/api/v1/owner/coupons/events/", owner}, {"/api/v1/owner/coupons/events/statistics", owner},
	}
	f.Fuzz(func(t *testing.T, raw string) {
		ts := *ts // the same server, reporting to this run's t
		ts.t = t
		v, err := url.ParseQuery(raw)
		if err != nil {
			return // not a query a client could send
		}
		for _, rt := range routes {
			q := url.Values{}
			for k, vs := range v {
				q[k] = vs
			}
			if rt.path == "/api/v1/owner/coupons/events/" && !q.Has("storeId") {
				q.Set("storeId", url.PathEscape(itoa(storeID)))
			}
			r := ts.do("GET", rt.path+"?"+q.Encode(), rt.token, nil)
			if r.Status >= 500 {
				t.Fatalf("GET %s?%s: %d %s", rt.path, q.Encode(), r.Status, r.Body)
			}
			if r.Status >= 400 {
				var e struct {
					Error struct{ Code, Message string }
				}
				if json.Unmarshal(r.Body, &e) != nil || e.Error.Code == "" || e.Error.Message == "" {
					t.Fatalf("GET %s?%s: %d not in the API's error shape: %s", rt.path, q.Encode(), r.Status, r.Body)
				}
			}
		}
	})
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
