package server_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/couponpop/couponpop/server"
	"github.com/couponpop/couponpop/store"
)

// withLimits turns on rate limits (none by default in tests).
func withLimits(l server.Limits) testOption {
	return func(c *server.Config, _ *store.ClaimOptions) { c.Limits = &l }
}

// expectRateLimited checks a 429 RATE_LIMITED with a Retry-After of
// whole seconds.
func expectRateLimited(ts *testServer, r *response) {
	ts.t.Helper()
	ts.expect(r, http.StatusTooManyRequests, "RATE_LIMITED")
	if n, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || n < 1 {
		ts.t.Fatalf("Retry-After %q, want whole seconds ≥ 1", r.Header.Get("Retry-After"))
	}
}

func limitedSignup(email string) map[string]any {
	return map[string]any{"email": email, "username": "limited", "password": "Passw0rd!", "confirmPassword": "Passw0rd!",
		"phoneNumber": "01012345678", "memberType": "CUSTOMER"}
}

func TestRateLimit_SignupsPerIP(t *testing.T) {
	ts := newTestServer(t, withLimits(server.Limits{SignupPerIP: server.Rate{Events: 2, Per: time.Hour}}))
	for i := range 2 {
		ts.expect(ts.do("POST", "/api/v1/auth/signup", "", limitedSignup(fmt.Sprintf("s%d@example.com", i))), 201, "")
	}
	expectRateLimited(ts, ts.do("POST", "/api/v1/auth/signup", "", limitedSignup("s2@example.com")))
	// Fly-Client-IP is not believed unless configured.
	expectRateLimited(ts, ts.do("POST", "/api/v1/auth/signup", "", limitedSignup("s3@example.com"), "Fly-Client-IP", "203.0.113.9"))
}

func TestRateLimit_FlyClientIP(t *testing.T) {
	ts := newTestServer(t, withLimits(server.Limits{SignupPerIP: server.Rate{Events: 1, Per: time.Hour},
		ClientIP: server.ClientIPConfig{FlyClientIP: true}}))
	ts.expect(ts.do("POST", "/api/v1/auth/signup", "", limitedSignup("f1@example.com"), "Fly-Client-IP", "203.0.113.1"), 201, "")
	expectRateLimited(ts, ts.do("POST", "/api/v1/auth/signup", "", limitedSignup("f2@example.com"), "Fly-Client-IP", "203.0.113.1"))
	ts.expect(ts.do("POST", "/api/v1/auth/signup", "", limitedSignup("f3@example.com"), "Fly-Client-IP", "203.0.113.2"), 201, "")
}

func TestRateLimit_LoginsAndRefreshesPerIP(t *testing.T) {
	ts := newTestServer(t, withLimits(server.Limits{LoginPerIP: server.Rate{Events: 3, Per: time.Minute},
		RefreshPerIP: server.Rate{Events: 2, Per: time.Minute}}))
	_, _ = ts.member("CUSTOMER") // one login
	for range 2 {
		ts.expect(ts.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "nobody@example.com", "password": "x"}), 400, "INVALID_CREDENTIALS")
	}
	expectRateLimited(ts, ts.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "nobody@example.com", "password": "x"}))
	for range 2 {
		ts.expect(ts.do("POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": "nope"}), 401, "INVALID_TOKEN")
	}
	expectRateLimited(ts, ts.do("POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": "nope"}))
}

func TestRateLimit_FailedLoginsPerAccount(t *testing.T) {
	ts := newTestServer(t, withLimits(server.Limits{FailedLoginPerAccount: server.Rate{Events: 3, Per: 15 * time.Minute}}))
	ts.expect(ts.do("POST", "/api/v1/auth/signup", "", limitedSignup("victim@example.com")), 201, "")
	ts.expect(ts.do("POST", "/api/v1/auth/signup", "", limitedSignup("other@example.com")), 201, "")
	for range 3 {
		ts.expect(ts.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "victim@example.com", "password": "wrong"}), 400, "INVALID_CREDENTIALS")
	}
	// Locked, even with the right password and another spelling of the email.
	expectRateLimited(ts, ts.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "Victim@Example.com", "password": "Passw0rd!"}))
	// Other accounts are not.
	ts.expect(ts.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "other@example.com", "password": "Passw0rd!"}), 200, "")
}

func TestRateLimit_ClaimsPerMember(t *testing.T) {
	ts := newTestServer(t, withLimits(server.Limits{ClaimPerMember: server.Rate{Events: 1, Per: time.Hour, Burst: 2},
		LoginPerIP: server.Rate{Events: 100, Per: time.Minute}}))
	_, owner := ts.member("OWNER")
	storeID := ts.createStore(owner, hongdaeLat, hongdaeLng)
	events := make([]int64, 4)
	for i := range events {
		events[i] = ts.createEvent(owner, storeID, time.Now().Add(-time.Minute), time.Hour, 10, nil)
	}
	// Two members behind one address (a carrier's NAT): each has its own limit.
	_, a := ts.member("CUSTOMER")
	_, b := ts.member("CUSTOMER")
	for _, e := range events[:2] {
		ts.expect(ts.do("POST", "/api/v1/coupons/issue", a, map[string]any{"eventId": e}), 204, "")
	}
	expectRateLimited(ts, ts.do("POST", "/api/v1/coupons/issue", a, map[string]any{"eventId": events[2]}))
	for _, e := range events[2:] {
		ts.expect(ts.do("POST", "/api/v1/coupons/issue", b, map[string]any{"eventId": e}), 204, "")
	}
}

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want server.Rate
		bad  bool
	}{
		{in: "20/1h", want: server.Rate{Events: 20, Per: time.Hour}},
		{in: "10/1s burst 20", want: server.Rate{Events: 10, Per: time.Second, Burst: 20}},
		{in: "off"},
		{in: "0"},
		{in: "20", bad: true},
		{in: "x/1h", bad: true},
		{in: "20/1h burst x", bad: true},
		{in: "-1/1h", bad: true},
	} {
		got, err := server.ParseRate(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseRate(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.bad)
		}
		if !tc.bad {
			if again, err := server.ParseRate(got.String()); err != nil || again != got {
				t.Errorf("ParseRate(%q.String()) = %+v, %v", tc.in, again, err)
			}
		}
	}
}

func TestParsePrefixes(t *testing.T) {
	got, err := server.ParsePrefixes("10.0.0.0/8, 127.0.0.1,::1")
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, %v; want %v", got, err, want)
	}
	if _, err := server.ParsePrefixes("10.0.0.0/33"); err == nil {
		t.Fatal("a bad prefix was accepted")
	}
}
