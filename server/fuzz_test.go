package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"

	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
)

// Fuzz targets for every JSON body decoder and query-parameter parser of
// the API. Plain `go test` runs them on their seeds (f.Add and
// testdata/fuzz/<Target>/); `go test -fuzz FuzzJSONBodies ./server/` explores.
// Each checks the parser's promise: no panic, and every refusal an API
// error a client caused (a 4xx code, never INTERNAL_SERVER_ERROR).

// bodyTargets decode one body into each request type, as their handlers do.
var bodyTargets = map[string]func(r *http.Request) error{
	"store":        func(r *http.Request) error { var in couponpop.StoreInput; return decodeValid(r, &in) },
	"event":        func(r *http.Request) error { var in couponpop.EventInput; return decodeValid(r, &in) },
	"eventPatch":   func(r *http.Request) error { var in couponpop.EventPatch; return decodeValid(r, &in) },
	"signup":       func(r *http.Request) error { var in couponpop.Signup; return decodeValid(r, &in) },
	"memberUpdate": func(r *http.Request) error { var in couponpop.MemberUpdate; return decodeValid(r, &in) },
	"issue":        func(r *http.Request) error { var in issueRequest; return decode(r, &in, false) },
	"use":          func(r *http.Request) error { var in useRequest; return decode(r, &in, false) },
	"login": func(r *http.Request) error {
		var in struct{ Email, Password string }
		return decode(r, &in, false)
	},
	"refresh": func(r *http.Request) error {
		var in struct {
			RefreshToken string `json:"refreshToken"`
		}
		return decode(r, &in, false)
	},
	"logout": func(r *http.Request) error {
		var in struct {
			FCMToken     string `json:"fcmToken"`
			RefreshToken string `json:"refreshToken"`
		}
		return decode(r, &in, true)
	},
	"redemption": func(r *http.Request) error {
		var in struct {
			QRCode string `json:"qrCode"`
		}
		return decode(r, &in, false)
	},
}

// clientError fails t unless err is nil or an API error of a client's
// making.
func clientError(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	code := couponpop.ErrorCode(err)
	if s := httpStatus(code); code == couponpop.EINTERNAL || s < 400 || s >= 500 {
		t.Fatalf("%s: %v (status %d)", what, err, s)
	}
	if errorMessage(httptest.NewRequest("GET", "/", nil), err) == "" {
		t.Fatalf("%s: %v has no message", what, err)
	}
}

func FuzzJSONBodies(f *testing.F) {
	for _, seed := range []string{
		`{}`, `null`, `[]`, ``, `{"name":"카페\u0000"}`, `{"eventStartAt":"2026-12-24T14:00","eventEndAt":"0001-01-01T00:00:00"}`,
		`{"name":"a","phone":"+82-10-1234-5678","businessNumber":"123-45-67890","address":"서울","dong":"서교동","latitude":37.5,"longitude":126.9,"storeCategory":"CAFE","weekdayOpenTime":"09:00:00","weekdayCloseTime":"24:00","weekendOpenTime":"10:00","weekendCloseTime":"22:00"}`,
		`{"storeId":1099511627777,"name":"x","eventStartAt":"2026-12-24T14:00:00+09:00","eventEndAt":"2026-12-26T14:00:00","totalCount":1,"claimRadiusMeters":1e308}`,
		`{"status":"PAUSED","addCount":-1}`, `{"eventId":1e30}`, `{"qrCode":"https://couponpop.com/q/a.b","couponId":"1"}`,
		`{"email":"a@b.kr","username":"가","password":"Passw0rd!","confirmPassword":"x","phoneNumber":"010","memberType":"ADMIN"}`,
		`{"latitude":"NaN"}`, `{"a":` + strings.Repeat("[", 100),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for name, target := range bodyTargets {
			r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			clientError(t, name, target(r))
		}
	})
}

func FuzzQueryParams(f *testing.F) {
	for _, seed := range []string{
		"", "lat=37.5&lng=126.9&radius=5&limit=100&openNow=true&withEvents=false",
		"lat=NaN&lng=Inf&radius=-1", "size=0&lastStoreId=-5", "lastStartAt=2026-12-24T14:00&lastEndAt=x&lastEventId=1",
		"lastStartAt=2025-10-25T12:00:00&lastEndAt=2025-10-25T13:00:00&lastEventId=9007199254740993", "size=%zz", "storeId=1&storeId=2",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.RawQuery = raw
		q := query{r: r}
		_ = q.float("lat", 0)
		_ = q.requiredFloat("lng")
		_ = q.int("size", 10, 1, 100)
		_ = q.id("storeId")
		_ = q.bool("openNow")
		_ = q.eventCursor()
		clientError(t, "query", q.err())
	})
}

func FuzzAcceptLanguage(f *testing.F) {
	for _, seed := range []string{"", "en", "ko-KR,ko;q=0.9,en-US;q=0.8", "en;q=x", "*;q=0.1", ",,;;q=", "en;q=1.5"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		_ = prefersEnglish(header)
	})
}

func FuzzQRCode(f *testing.F) {
	q := newQRCodes([]byte("fuzz-secret-fuzz-secret-fuzz-secret!"))
	now := time.Date(2026, 12, 24, 12, 0, 0, 0, couponpop.Seoul)
	code, _ := q.issue(1099511627777, now)
	for _, seed := range []string{code, qrURLPrefix + code, qrURLPrefix + code + "?utm=x", "http://x/q/", "/q/a.b", "a.b.c", "", "://q/"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, scanned string) {
		id, _, err := q.verify(scanned, now)
		clientError(t, "qr", err)
		if err == nil && id != 1099511627777 {
			t.Fatalf("%q verified as coupon %d", scanned, id)
		}
	})
}
