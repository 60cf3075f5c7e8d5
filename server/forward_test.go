package server_test

import (
	"net/http"
	"testing"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/server"
	"github.com/couponpop/couponpop/store"
)

// fixedRoles says another node writes every shard, at primary.
type fixedRoles struct{ primary string }

func (f fixedRoles) Writer(int) (bool, string) { return false, f.primary }

func withRoles(r server.Roles) testOption {
	return func(c *server.Config, _ *store.ClaimOptions) { c.Roles = r }
}

// TestForward_FlyReplayAndNoPrimary: on a replica a write is never served
// locally nor dropped: Fly replays it (to the primary machine, or to the
// app holding the shard's lease), and with no primary it is a 503 with
// Retry-After.
func TestForward_FlyReplayAndNoPrimary(t *testing.T) {
	signup := map[string]any{"email": "fly@example.com", "username": "fly", "password": "Passw0rd!",
		"confirmPassword": "Passw0rd!", "phoneNumber": "01012345678", "memberType": "CUSTOMER"}
	for _, tc := range []struct{ primary, replay string }{
		{"e784079b449483", "instance=e784079b449483"},
		{"fly:couponpop-s0", "app=couponpop-s0"},
	} {
		ts := newTestServer(t, withRoles(fixedRoles{tc.primary}))
		r := ts.do("POST", "/api/v1/auth/signup", "", signup)
		if r.Status != http.StatusConflict || r.Header.Get("fly-replay") != tc.replay {
			t.Fatalf("primary %q: got %d fly-replay=%q, want 409 %q", tc.primary, r.Status, r.Header.Get("fly-replay"), tc.replay)
		}
		if n := counter(ts.scrape(), "couponpop_forwarded_requests_total", "reason", "write"); n != 1 {
			t.Errorf("primary %q: %v writes forwarded, want 1", tc.primary, n)
		}
	}
	ts := newTestServer(t, withRoles(fixedRoles{""}))
	r := ts.do("POST", "/api/v1/auth/signup", "", signup)
	ts.expect(r, http.StatusServiceUnavailable, couponpop.EUNAVAILABLE)
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
}
