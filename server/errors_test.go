package server_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// springStatus is the status name the error body carries for each status.
var springStatus = map[int]string{
	400: "400 BAD_REQUEST", 401: "401 UNAUTHORIZED", 403: "403 FORBIDDEN", 404: "404 NOT_FOUND",
	405: "405 METHOD_NOT_ALLOWED", 409: "409 CONFLICT", 413: "413 PAYLOAD_TOO_LARGE",
	415: "415 UNSUPPORTED_MEDIA_TYPE", 429: "429 TOO_MANY_REQUESTS",
}

// checkErrorBody checks the API's error body: exactly
// {"error":{status,code,message,requestUrl,timestamp}} with the status
// matching the response's, requestUrl the path asked for (no query) and a
// local Seoul timestamp.
func checkErrorBody(t testing.TB, r *response, status int, path string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type = %q", ct)
	}
	var outer map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &outer); err != nil || len(outer) != 1 || outer["error"] == nil {
		t.Fatalf("error body is not {\"error\":{...}}: %s", r.Body)
	}
	var e map[string]string
	if err := json.Unmarshal(outer["error"], &e); err != nil {
		t.Fatalf("error is not an object of strings: %s", r.Body)
	}
	if len(e) != 5 {
		t.Errorf("error has fields %v, want status, code, message, requestUrl, timestamp", e)
	}
	if want := springStatus[status]; e["status"] != want {
		t.Errorf("error.status = %q, want %q", e["status"], want)
	}
	if e["code"] == "" || e["message"] == "" {
		t.Errorf("error without code or message: %s", r.Body)
	}
	if e["requestUrl"] != path {
		t.Errorf("error.requestUrl = %q, want %q", e["requestUrl"], path)
	}
	if _, err := time.Parse("2006-01-02T15:04:05", e["timestamp"]); err != nil {
		t.Errorf("error.timestamp = %q: %v", e["timestamp"], err)
	}
}

func TestErrors_NotFound(t *testing.T) {
	ts := newTestServer(t)
	_, tok := ts.member("OWNER")
	for _, path := range []string{"/api/v1/nope", "/nope", "/api/v2/stores", "/api/v1/stores/1/nope",
		"/api/v1/owner/stores/1/events", "/api/v1/auth", "/api/v1/auth/signup/x", "/api/v1/members"} {
		r := ts.do("GET", path, tok, nil)
		ts.expect(r, 404, "NOT_FOUND")
		checkErrorBody(t, r, 404, path)
	}
	// Without a token, outside the member-only prefixes, too. (Under a
	// member-only prefix such as /owner/stores/ authentication comes
	// first: 401, as Spring Security answers.)
	for _, path := range []string{"/api/v1/nope", "/nope", "/api/v1/auth/nope"} {
		r := ts.do("GET", path, "", nil)
		ts.expect(r, 404, "NOT_FOUND")
		checkErrorBody(t, r, 404, path)
	}
	ts.expect(ts.do("GET", "/api/v1/owner/stores/1/events", "", nil), 401, "AUTHENTICATION_REQUIRED")
	// The query string is not part of requestUrl.
	r := ts.do("GET", "/api/v1/nope?a=1", "", nil)
	checkErrorBody(t, r, 404, "/api/v1/nope")
}

func TestErrors_MethodNotAllowed(t *testing.T) {
	ts := newTestServer(t)
	_, tok := ts.member("OWNER")
	for _, tc := range []struct {
		method, path string
		public       bool
	}{
		{"GET", "/api/v1/auth/signup", true},
		{"PUT", "/api/v1/auth/login", true},
		{"GET", "/api/v1/auth/refresh", true},
		{"GET", "/api/v1/auth/withdraw", true},
		{"DELETE", "/api/v1/members/me", true},
		{"DELETE", "/api/v1/stores", true},
		{"POST", "/api/v1/stores/1", true},
		{"PATCH", "/api/v1/owner/stores/1", false},
		{"DELETE", "/api/v1/owner/stores", false},
		{"POST", "/healthz", true},
	} {
		tokens := []string{tok}
		if tc.public {
			tokens = append(tokens, "")
		}
		for _, token := range tokens {
			r := ts.do(tc.method, tc.path, token, nil)
			ts.expect(r, 405, "METHOD_NOT_ALLOWED")
			checkErrorBody(t, r, 405, tc.path)
		}
	}
}

// bodyEndpoints are the routes that read a JSON body, with a token that may
// call them.
func bodyEndpoints(t *testing.T, ts *testServer) []struct{ method, path, token string } {
	_, owner := ts.member("OWNER")
	_, customer := ts.member("CUSTOMER")
	storeID := ts.createStore(owner, hongdaeLat, hongdaeLng)
	eventID := ts.createEvent(owner, storeID, time.Now().Add(-time.Hour), 2*time.Hour, 10, nil)
	return []struct{ method, path, token string }{
		{"POST", "/api/v1/auth/signup", ""},
		{"POST", "/api/v1/auth/login", ""},
		{"POST", "/api/v1/auth/refresh", ""},
		{"PUT", "/api/v1/members/me", customer},
		{"POST", "/api/v1/owner/stores", owner},
		{"PUT", fmt.Sprintf("/api/v1/owner/stores/%d", storeID), owner},
		{"POST", "/api/v1/owner/coupons/events", owner},
		{"PATCH", fmt.Sprintf("/api/v1/owner/coupons/events/%d", eventID), owner},
		{"POST", "/api/v1/coupons/issue", customer},
		{"POST", "/api/v1/coupons/use", customer},
		{"POST", fmt.Sprintf("/api/v1/owner/stores/%d/redemptions", storeID), owner},
	}
}

func TestErrors_BadBodies(t *testing.T) {
	ts := newTestServer(t)
	endpoints := bodyEndpoints(t, ts)
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	for _, ep := range endpoints {
		for name, body := range map[string]string{
			"empty":             "",
			"blank":             "  \n ",
			"null":              "null",
			"truncated":         `{"name":`,
			"not JSON":          "name=x&y=z",
			"trailing garbage":  `{}x`,
			"two objects":       `{} {}`,
			"array":             `[{"name":"x"}]`,
			"string":            `"hello"`,
			"number":            `42`,
			"true":              `true`,
			"single quotes":     `{'name':'x'}`,
			"bare NaN":          `{"latitude": NaN, "eventId": NaN}`,
			"bare Infinity":     `{"latitude": Infinity}`,
			"huge float":        `{"latitude": 1e400, "longitude": -1e400, "totalCount": 1e400}`,
			"huge ints":         `{"storeId": 99999999999999999999999, "eventId": 99999999999999999999999, "couponId": 1e30, "totalCount": 99999999999999999999, "addCount": 1e300}`,
			"ids beyond 2^53":   `{"storeId": 9007199254740993, "eventId": 9007199254740993, "couponId": 9007199254740993}`,
			"negative ids":      `{"storeId": -5, "eventId": -5, "couponId": -5}`,
			"fractional ids":    `{"storeId": 1.5, "eventId": 1.5, "couponId": 1.5, "totalCount": 2.5}`,
			"string numbers":    `{"latitude": "37.5", "longitude": "127.0", "storeId": "1", "eventId": "1", "totalCount": "10"}`,
			"NaN strings":       `{"latitude": "NaN", "longitude": "Infinity", "eventId": "NaN"}`,
			"object for string": `{"email": {}, "name": {}, "qrCode": {}, "refreshToken": {}, "username": {}, "status": {}}`,
			"array for string":  `{"email": [], "name": [], "qrCode": [], "refreshToken": [], "username": [], "status": []}`,
			"bool for string":   `{"email": true, "name": true, "qrCode": true, "refreshToken": true, "password": true}`,
			"bad times":         `{"eventStartAt": 5, "eventEndAt": "yesterday"}`,
			"deeply nested":     deep,
			"invalid UTF-8":     "{\"name\": \"\xff\xfe\", \"email\": \"\xc3\x28@x.com\"}",
			"control chars":     "{\"name\": \"a\x01b\"}",
			"BOM":               "\xef\xbb\xbf{}",
		} {
			r := ts.do(ep.method, ep.path, ep.token, []byte(body))
			if r.Status == 200 && ep.path == "/api/v1/members/me" && strings.HasPrefix(body, "{") {
				continue // an object of unknown fields is an empty partial update
			}
			if r.Status != 400 {
				t.Errorf("%s %s with %s body: got %d, want 400: %s", ep.method, ep.path, name, r.Status, r.Body)
				continue
			}
			checkErrorBody(t, r, 400, ep.path)
			// Everything that fails to parse or validate is BAD_REQUEST,
			// except the few endpoints whose v2 answer to a semantically
			// wrong body is their own code.
			if code := r.errorCode(); code != "BAD_REQUEST" && !allowedBodyCode(ep.path, code) {
				t.Errorf("%s %s with %s body: code %s: %s", ep.method, ep.path, name, code, r.Body)
			}
		}
	}
}

// allowedBodyCode reports whether a well-formed but empty-ish body may get
// code instead of BAD_REQUEST at path (login answers every unknown email
// with INVALID_CREDENTIALS; a QR code is checked before anything else).
func allowedBodyCode(path, code string) bool {
	switch {
	case strings.HasSuffix(path, "/auth/login"):
		return code == "INVALID_CREDENTIALS"
	case strings.HasSuffix(path, "/coupons/use"), strings.HasSuffix(path, "/redemptions"):
		return code == "COUPON_INVALID_TEMP_CODE"
	}
	return false
}

func TestErrors_WrongFieldTypeMessages(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member("OWNER")
	for _, tc := range []struct{ body, msg string }{
		{`{"latitude": "37.5"}`, "latitude must be a number"},
		{`{"storeCategory": 1}`, "storeCategory must be a string"},
		{`[]`, "request body must be a JSON object"},
		{`null`, "request body must be a JSON object"},
		{``, "request body is required"},
	} {
		r := ts.do("POST", "/api/v1/owner/stores", owner, []byte(tc.body))
		ts.expect(r, 400, "BAD_REQUEST")
		if got := r.errorMessage(); got != tc.msg {
			t.Errorf("body %s: message %q, want %q", tc.body, got, tc.msg)
		}
	}
}

func TestErrors_TooLarge(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member("OWNER")
	const mib = 1 << 20
	big := func(size int) []byte {
		// {"name":"aaa…"} of exactly size bytes.
		return []byte(`{"name":"` + strings.Repeat("a", size-len(`{"name":""}`)) + `"}`)
	}
	for _, ep := range []struct{ path, token string }{
		{"/api/v1/auth/signup", ""},
		{"/api/v1/owner/stores", owner},
	} {
		for _, size := range []int{mib + 1, mib + 4096, 3 * mib} {
			r := ts.do("POST", ep.path, ep.token, big(size))
			ts.expect(r, 413, "PAYLOAD_TOO_LARGE")
			checkErrorBody(t, r, 413, ep.path)
		}
		// Exactly 1 MiB is read and validated.
		ts.expect(ts.do("POST", ep.path, ep.token, big(mib)), 400, "BAD_REQUEST")
		// The size limit wins over the content type: the body is read first.
		ts.expect(ts.do("POST", ep.path, ep.token, big(2*mib), "Content-Type", "text/plain"), 413, "PAYLOAD_TOO_LARGE")
	}
}

func TestErrors_ContentType(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member("OWNER")
	valid := func() []byte {
		b, _ := json.Marshal(storeBody("타입 카페", hongdaeLat, hongdaeLng))
		return b
	}
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
		"application/xml", "application/", "json", "application/json-seq", ";;"} {
		r := ts.do("POST", "/api/v1/owner/stores", owner, valid(), "Content-Type", ct)
		ts.expect(r, 415, "UNSUPPORTED_MEDIA_TYPE")
		checkErrorBody(t, r, 415, "/api/v1/owner/stores")
	}
	// No Content-Type at all.
	r := ts.do("POST", "/api/v1/auth/login", "", []byte(`{"email":"a@b.co","password":"x"}`), "Content-Type", "")
	ts.expect(r, 415, "UNSUPPORTED_MEDIA_TYPE")
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON", "application/vnd.couponpop+json"} {
		ts.expect(ts.do("POST", "/api/v1/owner/stores", owner, valid(), "Content-Type", ct), 201, "")
	}
}

func TestErrors_UnknownFieldsIgnored(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member("OWNER")
	body := storeBody("필드 카페", hongdaeLat, hongdaeLng)
	body["unknownField"] = map[string]any{"nested": []int{1, 2}}
	body["id"] = 12345
	body["memberId"] = 999_999
	r := ts.do("POST", "/api/v1/owner/stores", owner, body)
	ts.expect(r, 201, "")
	var st struct{ ID, MemberID int64 }
	r.data(t, &st)
	if st.ID == 12345 || st.MemberID == 999_999 {
		t.Errorf("client-sent id/memberId were used: %+v", st)
	}
}

// TestErrors_Random throws random methods, paths, query strings, content
// types and bodies at the API: never a 5xx, and every 4xx has the error
// body.
func TestErrors_Random(t *testing.T) {
	ts := newTestServer(t)
	endpoints := bodyEndpoints(t, ts)
	_, owner := ts.member("OWNER")
	_, customer := ts.member("CUSTOMER")
	storeID := ts.createStore(owner, hongdaeLat, hongdaeLng)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("COUPONPOP_RANDOM_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("COUPONPOP_RANDOM_SEED: %v", err)
		}
	}
	t.Logf("seed %d (set COUPONPOP_RANDOM_SEED to replay)", seed)
	rng := rand.New(rand.NewPCG(seed, 7))

	idWords := []string{fmt.Sprint(storeID), "0", "-1", "abc", "1.5", "9007199254740993", "99999999999999999999",
		fmt.Sprint(int64(1)<<40 + 1), fmt.Sprint(int64(4)<<40 + 99), fmt.Sprint(int64(8191)<<40 + 1), "%00", "😀", " "}
	getPaths := []string{"/api/v1/stores", "/api/v1/stores/{id}", "/api/v1/owner/stores", "/api/v1/owner/stores/{id}",
		"/api/v1/members/me", "/api/v1/owner/coupons/events", "/api/v1/owner/coupons/events/{id}",
		"/api/v1/owner/coupons/events/statistics", "/api/v1/coupons", "/api/v1/coupons/{id}", "/api/v1/{id}", "/{id}"}
	queryKeys := []string{"lat", "lng", "radius", "category", "limit", "openNow", "withEvents", "storeId", "status",
		"lastStartAt", "lastEndAt", "lastEventId", "size", "type", "lastEventEndAt", "lastCouponId", "lastStoreId", "keyword"}
	queryValues := []string{"", "0", "-1", "1", "37.5572", "126.9245", "20", "20.0001", "1e400", "-1e400", "NaN", "Inf",
		"-Infinity", "0x1p-2", "abc", "true", "false", "CAFE", "cafe", "IN_PROGRESS", "ISSUED", "2025-10-25T12:00:00",
		"99999999999999999999", "9007199254740993", "%", "😀", " 1 ", "1,2", "500", "501"}
	jsonValues := []string{`null`, `true`, `0`, `-1`, `1.5`, `1e400`, `9007199254740993`, `""`, `"x"`, `"NaN"`,
		`"2025-10-25T12:00:00"`, `"37.5"`, `[]`, `{}`, `[1,"a"]`, `{"a":{"b":[]}}`, `"CAFE"`, `"OWNER"`, `"ADMIN"`,
		`"Passw0rd!"`, `"a@b.co"`, `"12:00"`, `"25:99"`, fmt.Sprint(storeID), `37.5572`, `126.9245`}
	fieldNames := []string{"email", "username", "password", "confirmPassword", "phoneNumber", "memberType", "refreshToken",
		"fcmToken", "name", "phone", "description", "businessNumber", "address", "dong", "latitude", "longitude",
		"imageUrl", "storeCategory", "weekdayOpenTime", "weekdayCloseTime", "weekendOpenTime", "weekendCloseTime",
		"storeId", "eventId", "eventStartAt", "eventEndAt", "totalCount", "claimRadiusMeters", "couponValidHours",
		"status", "addCount", "qrCode", "couponId"}
	contentTypes := []string{"application/json", "application/json", "application/json", "text/plain", "", "application/json; charset=x"}

	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	randomBody := func() []byte {
		switch rng.IntN(6) {
		case 0: // random bytes
			b := make([]byte, rng.IntN(64))
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
			return b
		case 1: // a JSON scalar or array
			return []byte(pick(jsonValues))
		default: // an object of known fields with random values, maybe cut short
			var sb strings.Builder
			sb.WriteString("{")
			for i := 0; i < rng.IntN(8); i++ {
				if i > 0 {
					sb.WriteString(",")
				}
				fmt.Fprintf(&sb, "%q:%s", pick(fieldNames), pick(jsonValues))
			}
			sb.WriteString("}")
			s := sb.String()
			if rng.IntN(5) == 0 {
				s = s[:rng.IntN(len(s)+1)]
			}
			return []byte(s)
		}
	}
	tokens := []string{"", owner, customer, "garbage"}

	for i := 0; i < 600; i++ {
		var method, path string
		var body []byte
		headers := []string{}
		token := pick(tokens)
		if rng.IntN(2) == 0 {
			ep := endpoints[rng.IntN(len(endpoints))]
			method, path = ep.method, ep.path
			if token != "" && ep.token != "" && rng.IntN(2) == 0 {
				token = ep.token
			}
			body = randomBody()
			headers = append(headers, "Content-Type", pick(contentTypes))
		} else {
			method = pick([]string{"GET", "GET", "GET", "POST", "PUT", "PATCH", "HEAD", "OPTIONS"})
			path = strings.ReplaceAll(pick(getPaths), "{id}", url.PathEscape(pick(idWords)))
			if method != "GET" && method != "HEAD" && method != "OPTIONS" {
				body = randomBody()
			}
		}
		q := url.Values{}
		for j := 0; j < rng.IntN(6); j++ {
			q.Add(pick(queryKeys), pick(queryValues))
		}
		target := path
		if len(q) > 0 {
			target += "?" + q.Encode()
		}
		var r *response
		if body == nil {
			r = ts.do(method, target, token, nil, headers...)
		} else {
			r = ts.do(method, target, token, body, headers...)
		}
		if r.Status >= 500 {
			t.Fatalf("seed %d, request %d: %s %s (token %.10q) body %q: %d %s", seed, i, method, target, token, body, r.Status, r.Body)
		}
		if r.Status >= 400 && method != "HEAD" {
			unescaped, _ := url.PathUnescape(path)
			checkErrorBody(t, r, r.Status, unescaped)
			if t.Failed() {
				t.Fatalf("seed %d, request %d: %s %s body %q", seed, i, method, target, body)
			}
		}
	}
}
