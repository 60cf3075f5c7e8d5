package server_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
)

func TestWire_MethodNotAllowedSendsAllow(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member(couponpop.MemberOwner)
	for path, want := range map[string]string{
		"/api/v1/owner/stores/1":         "GET, PUT, DELETE",
		"/api/v1/coupons/issue":          "GET, POST", // GET is /coupons/{couponId}
		"/api/v1/owner/stores":           "GET, POST",
		"/healthz":                       "GET",
		"/api/v1/owner/coupons/events/5": "GET, PATCH",
	} {
		r := ts.do("PATCH", path, owner, nil)
		if strings.HasSuffix(path, "/5") {
			r = ts.do("PUT", path, owner, nil)
		}
		ts.expect(r, 405, "METHOD_NOT_ALLOWED")
		if got := r.Header.Get("Allow"); got != want {
			t.Errorf("%s: Allow %q, want %q", path, got, want)
		}
	}
}

// rawExchange writes req on a fresh connection and reads one response.
func rawExchange(t *testing.T, ts *testServer, req string) (*http.Response, []byte) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	go io.WriteString(c, req) // a 431 answers before the request is all sent
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestWire_GoOwnErrorsHaveTheAPIShape(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct {
		name, req string
		status    int
		code      string
	}{
		{"no Host", "GET /healthz HTTP/1.1\r\n\r\n", 400, "BAD_REQUEST"},
		{"bad header name", "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", 400, "BAD_REQUEST"},
		{"headers too large", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 1<<20+8192) + "\r\n\r\n", 431, "REQUEST_HEADER_FIELDS_TOO_LARGE"},
		{"HTTP/3.0", "GET /healthz HTTP/3.0\r\nHost: x\r\n\r\n", 505, "HTTP_VERSION_NOT_SUPPORTED"},
		{"unknown transfer coding", "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "NOT_IMPLEMENTED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := rawExchange(t, ts, tc.req)
			var e struct {
				Error struct{ Status, Code, Message, Timestamp string }
			}
			if resp.StatusCode != tc.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
				json.Unmarshal(body, &e) != nil || e.Error.Code != tc.code || e.Error.Message == "" || e.Error.Timestamp == "" ||
				!strings.HasPrefix(e.Error.Status, fmt.Sprint(tc.status)+" ") {
				t.Errorf("got %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		})
	}
	// A handler's own 400 is untouched, and the connection still serves.
	ts.expect(ts.do("GET", "/api/v1/stores?lat=x&lng=1", mintToken(t, 5, "CUSTOMER"), nil), 400, "BAD_REQUEST")
}

func TestWire_RedeemTakesTheScannedURL(t *testing.T) {
	ts := newTestServer(t)
	owner, storeID, eventID := ts.ownerWithEvent(5, nil)
	customer := mintToken(t, mintedID(), couponpop.MemberCustomer)
	couponID := ts.claimCoupon(customer, eventID)
	c := ts.showCoupon(customer, couponID)
	if c.QRCode == nil || c.QRCode.URL != "https://couponpop.com/q/"+c.QRCode.Code {
		t.Fatalf("qrCode %+v", c.QRCode)
	}
	ts.expect(ts.redeem(owner, storeID, "https://couponpop.com/q/garbage.sig"), 400, couponpop.ECouponInvalidTempCode)
	r := ts.redeem(owner, storeID, c.QRCode.URL)
	ts.expect(r, 200, "")
	var out struct{ CouponID int64 }
	r.data(t, &out)
	if out.CouponID != couponID {
		t.Errorf("redeemed %d, want %d", out.CouponID, couponID)
	}
}

func TestWire_StoreDetailShowsV2Fields(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member(couponpop.MemberOwner)
	_, customer := ts.member(couponpop.MemberCustomer)
	id := ts.createStore(owner, hongdaeLat, hongdaeLng)
	for _, tok := range []string{customer, owner} {
		r := ts.do("GET", fmt.Sprintf("/api/v1/stores/%d", id), tok, nil)
		ts.expect(r, 200, "")
		var body struct{ Data map[string]any }
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range body.Data {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		want := []string{"address", "description", "dong", "id", "imageUrl", "latitude", "longitude", "name", "phone",
			"storeCategory", "weekdayCloseTime", "weekdayOpenTime", "weekendCloseTime", "weekendOpenTime"}
		if !slices.Equal(keys, want) {
			t.Errorf("fields %v, want %v", keys, want)
		}
	}
}

func TestWire_EventAlreadyOverIsRefused(t *testing.T) {
	ts := newTestServer(t, withNow(func() time.Time { return clockBase }))
	owner := longToken(t, mintedID(), couponpop.MemberOwner)
	storeID := ts.createStore(owner, hongdaeLat, hongdaeLng)
	for _, tc := range []struct {
		name, start, end string
		status           int
	}{
		{"year 0001", "0001-01-01T00:00:00", "0001-01-02T00:00:00", 400},
		{"wholly past", "2025-10-25T09:00:00", "2025-10-25T11:00:00", 400},
		{"ends now", "2025-10-25T10:00:00", "2025-10-25T12:00:00", 400},
		{"started, ends later", "2025-10-25T11:00:00", "2025-10-25T13:00:00", 201},
		{"year 9999", "9999-01-01T00:00:00", "9999-01-01T01:00:00", 400},
	} {
		r := ts.do("POST", eventsPath, owner, eventBody(storeID, tc.start, tc.end, 5))
		if r.Status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, r.Status, r.Body, tc.status)
		}
	}
}

func TestWire_KoreanByDefault(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member(couponpop.MemberOwner)
	path := fmt.Sprintf("/api/v1/owner/stores/%d", couponpop.MakeID(1, 999_999))
	for lang, want := range map[string]string{"": "매장을 찾을 수 없습니다.", "en": "store 1099512627775 not found",
		"ko-KR,ko;q=0.9,en-US;q=0.8": "매장을 찾을 수 없습니다."} {
		r := ts.do("GET", path, owner, nil, "Accept-Language", lang)
		ts.expect(r, 400, couponpop.EStoreNotFound)
		if lang == "en" {
			want = fmt.Sprintf("store %d not found", couponpop.MakeID(1, 999_999))
		}
		if got := r.errorMessage(); got != want {
			t.Errorf("Accept-Language %q: %q, want %q", lang, got, want)
		}
	}
	body := storeBody("카페", hongdaeLat, hongdaeLng)
	body["dong"] = ""
	r := ts.do("POST", "/api/v1/owner/stores", owner, body, "Accept-Language", "")
	ts.expect(r, 400, couponpop.EINVALID)
	if got := r.errorMessage(); got != "동은 필수입니다" {
		t.Errorf("validation message %q, want v2's", got)
	}
}
