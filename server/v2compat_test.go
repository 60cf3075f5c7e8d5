package server_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
)

// TestV2Compat walks a v2 app's day with v2's exact request shapes (docs/api.md
// and v2's request DTOs): signup, login, a store with LocalTime hours
// ("HH:mm:ss") and a +82 phone, an event with HTML datetime-local times (no
// seconds), the owner's lists, a claim, the coupon with its QR code, its use,
// and v2's error codes, statuses and Korean messages. No Accept-Language:
// v2 apps get Korean.
func TestV2Compat(t *testing.T) {
	ts := newTestServer(t)
	ko := []string{"Accept-Language", ""}
	do := func(method, path, token string, body any) *response {
		t.Helper()
		return ts.do(method, path, token, body, ko...)
	}
	login := func(email, memberType string) string {
		t.Helper()
		r := do("POST", "/api/v1/auth/signup", "", map[string]any{"email": email, "username": "v2" + strings.ToLower(memberType)[:4],
			"password": "Passw0rd!", "confirmPassword": "Passw0rd!", "phoneNumber": "+82-10-1234-5678", "memberType": memberType})
		ts.expect(r, 201, "")
		r = do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": "Passw0rd!"})
		ts.expect(r, 200, "")
		var tok struct{ AccessToken string }
		r.data(t, &tok)
		return tok.AccessToken
	}
	owner := login("v2owner@example.com", couponpop.MemberOwner)
	customer := login("v2customer@example.com", couponpop.MemberCustomer)

	// CreateStoreRequest as v2's app sent it.
	name := strings.Repeat("가", 255)
	r := do("POST", "/api/v1/owner/stores", owner, map[string]any{"name": name, "phone": "+82 10-9876-5432",
		"description": "v2 매장", "businessNumber": "1234567890", "address": "서울특별시 마포구 양화로 160", "dong": "서교동",
		"latitude": hongdaeLat, "longitude": hongdaeLng, "imageUrl": "https://images.example/1.jpg", "storeCategory": "CAFE",
		"weekdayOpenTime": "09:00:00", "weekdayCloseTime": "22:00:00", "weekendOpenTime": "10:00:00", "weekendCloseTime": "23:30:00"})
	ts.expect(r, 201, "")
	var st struct {
		ID                                     int64
		Phone, WeekdayOpenTime, MemberUsername string
	}
	r.data(t, &st)
	if st.Phone != "01098765432" || st.WeekdayOpenTime != "09:00" || st.MemberUsername == "" {
		t.Errorf("store %+v", st)
	}

	// CreateCouponEventRequest with datetime-local times.
	now := time.Now().In(couponpop.Seoul)
	start, end := now.Add(-time.Minute).Format("2006-01-02T15:04"), now.Add(2*time.Hour).Format("2006-01-02T15:04")
	r = do("POST", "/api/v1/owner/coupons/events", owner, map[string]any{"storeId": st.ID, "name": "아메리카노 1+1",
		"eventStartAt": start, "eventEndAt": end, "totalCount": 10})
	ts.expect(r, 201, "")
	var ev struct {
		EventID      int64
		EventStartAt string
	}
	r.data(t, &ev)
	if ev.EventStartAt != start+":00" {
		t.Errorf("eventStartAt %q, want %q", ev.EventStartAt, start+":00")
	}
	// v2's default list: IN_PROGRESS.
	r = do("GET", fmt.Sprintf("/api/v1/owner/coupons/events?storeId=%d", st.ID), owner, nil)
	ts.expect(r, 200, "")
	var page struct{ Events []struct{ ID int64 } }
	r.data(t, &page)
	if len(page.Events) != 1 || page.Events[0].ID != ev.EventID {
		t.Errorf("events %+v", page.Events)
	}

	// CouponIssueRequest, the coupon list and detail.
	ts.expect(do("POST", "/api/v1/coupons/issue", customer, map[string]any{"eventId": ev.EventID}), 204, "")
	r = do("POST", "/api/v1/coupons/issue", customer, map[string]any{"eventId": ev.EventID})
	checkV2Error(t, r, 400, couponpop.ECouponAlreadyIssued, "해당 쿠폰은 이미 발급되었습니다.", "/api/v1/coupons/issue")
	r = do("GET", "/api/v1/coupons?type=ISSUED", customer, nil)
	ts.expect(r, 200, "")
	var coupons struct{ Coupons []struct{ ID int64 } }
	r.data(t, &coupons)
	if len(coupons.Coupons) != 1 {
		t.Fatalf("coupons %+v", coupons)
	}
	couponID := coupons.Coupons[0].ID
	r = do("GET", fmt.Sprintf("/api/v1/coupons/%d", couponID), customer, nil)
	ts.expect(r, 200, "")
	var c struct {
		QRCode struct{ URL, Message string }
	}
	r.data(t, &c)
	if !strings.HasPrefix(c.QRCode.URL, "https://couponpop.com/q/") || c.QRCode.Message != "사장님께 QR코드를 보여주세요" {
		t.Errorf("qrCode %+v", c.QRCode)
	}

	// UseCouponRequest with the code the QR url carries.
	code := strings.TrimPrefix(c.QRCode.URL, "https://couponpop.com/q/")
	r = do("POST", "/api/v1/coupons/use", customer, map[string]any{"qrCode": code, "couponId": couponID, "storeId": st.ID + 1})
	checkV2Error(t, r, 400, couponpop.EStoreNotMatchedWithCoupon, "쿠폰 발급 매장과 사용 매장이 일치하지 않습니다", "/api/v1/coupons/use")
	code = strings.TrimPrefix(ts.qrURL(customer, couponID), "https://couponpop.com/q/")
	ts.expect(do("POST", "/api/v1/coupons/use", customer, map[string]any{"qrCode": code, "couponId": couponID, "storeId": st.ID}), 204, "")

	// v2's codes, statuses and messages.
	r = do("GET", fmt.Sprintf("/api/v1/coupons/%d", couponpop.MakeID(1, 999_999)), customer, nil)
	checkV2Error(t, r, 400, couponpop.ECouponNotFound, "존재하지 않은 쿠폰입니다.", "")
	r = do("GET", "/api/v1/owner/coupons/events?"+url.Values{"storeId": {fmt.Sprint(st.ID)}}.Encode(), login("v2other@example.com", couponpop.MemberOwner), nil)
	checkV2Error(t, r, 403, couponpop.EStoreOwnerMismatch, "해당 매장은 로그인한 회원 소유가 아닙니다.", "/api/v1/owner/coupons/events")
	r = do("POST", "/api/v1/owner/coupons/events", owner, map[string]any{"storeId": st.ID, "name": "", "totalCount": 0})
	checkV2Error(t, r, 400, couponpop.EINVALID, "이벤트명은 필수입니다.\n이벤트 시작 시간은 필수입니다.\n이벤트 종료 시간은 필수입니다.\n쿠폰 총 발급 수량은 1 이상이어야 합니다.", "")
	ts.expect(do("DELETE", fmt.Sprintf("/api/v1/owner/stores/%d", st.ID), owner, nil), 204, "")
	r = do("DELETE", fmt.Sprintf("/api/v1/owner/stores/%d", st.ID), owner, nil)
	checkV2Error(t, r, 400, couponpop.EStoreAlreadyDeleted, "이미 삭제된 매장입니다.", "")
	r = do("POST", "/api/v1/admin/stores/index/reindex", owner, nil)
	checkV2Error(t, r, 403, couponpop.EAdminPermissionRequired, "관리자 권한이 필요합니다.", "")
}

// qrURL shows a coupon and returns its QR url.
func (ts *testServer) qrURL(token string, couponID int64) string {
	ts.t.Helper()
	c := ts.showCoupon(token, couponID)
	if c.QRCode == nil {
		ts.t.Fatalf("coupon %d shows no QR code", couponID)
	}
	return c.QRCode.URL
}

// checkV2Error checks an error body field by field as v2 wrote it.
func checkV2Error(t *testing.T, r *response, status int, code, message, requestURL string) {
	t.Helper()
	var body struct {
		Error struct{ Status, Code, Message, RequestURL, Timestamp string }
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("%d %s: %v", r.Status, r.Body, err)
	}
	e := body.Error
	if r.Status != status || e.Code != code || e.Message != message || !strings.HasPrefix(e.Status, fmt.Sprint(status)+" ") ||
		(requestURL != "" && e.RequestURL != requestURL) || len(e.Timestamp) != len("2006-01-02T15:04:05") {
		t.Errorf("got %d %s, want %d %s %q", r.Status, r.Body, status, code, message)
	}
}
