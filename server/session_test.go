package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/server"
	"github.com/couponpop/couponpop/store"
	"golang.org/x/crypto/bcrypt"
)

// signupLogin signs up a member of memberType and logs in sessions times,
// returning the email and one token pair per session.
func (ts *testServer) signupLogin(memberType string, sessions int) (string, []tokenPair) {
	ts.t.Helper()
	email := uniqueEmail("session")
	body := signupBody(email)
	body["memberType"] = memberType
	ts.expect(ts.do("POST", "/api/v1/auth/signup", "", body), 201, "")
	pairs := make([]tokenPair, sessions)
	for i := range pairs {
		pairs[i] = ts.login(email, "Passw0rd!")
	}
	return email, pairs
}

func (ts *testServer) refresh(refreshToken string) *response {
	ts.t.Helper()
	return ts.do("POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": refreshToken})
}

// TestWithdraw_EndsEverySession: a token of another session, issued before
// the withdrawal, is refused everywhere, not only the withdrawing one.
func TestWithdraw_EndsEverySession(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.signupLogin("OWNER", 2)
	_, customer := ts.signupLogin("CUSTOMER", 2)
	storeID := ts.createStore(owner[0].AccessToken, hongdaeLat, hongdaeLng)
	eventID := ts.createEvent(owner[0].AccessToken, storeID, time.Now().Add(-time.Minute), 2*time.Hour, 10, nil)

	ts.expect(ts.do("DELETE", "/api/v1/auth/withdraw", customer[0].AccessToken, nil), 204, "")
	second := customer[1]
	ts.expect(ts.do("POST", "/api/v1/coupons/issue", second.AccessToken, map[string]any{"eventId": eventID}), 401, "INVALID_TOKEN")
	ts.expect(ts.do("GET", "/api/v1/members/me", second.AccessToken, nil), 401, "INVALID_TOKEN")
	ts.expect(ts.refresh(second.RefreshToken), 401, "INVALID_TOKEN")

	ts.expect(ts.do("DELETE", "/api/v1/auth/withdraw", owner[0].AccessToken, nil), 204, "")
	second = owner[1]
	event := map[string]any{"storeId": storeID, "name": "탈퇴 후 이벤트", "eventStartAt": apiTime(time.Now()),
		"eventEndAt": apiTime(time.Now().Add(time.Hour)), "totalCount": 5}
	ts.expect(ts.do("POST", "/api/v1/owner/coupons/events", second.AccessToken, event), 401, "INVALID_TOKEN")
	ts.expect(ts.do("GET", "/api/v1/members/me", second.AccessToken, nil), 401, "INVALID_TOKEN")
	ts.expect(ts.refresh(second.RefreshToken), 401, "INVALID_TOKEN")
}

// TestUpdateMe_PasswordChange: a change needs the current password and ends
// every other session; the caller's session stays.
func TestUpdateMe_PasswordChange(t *testing.T) {
	ts := newTestServer(t)
	email, s := ts.signupLogin("CUSTOMER", 3)
	caller, other := s[0], s[1]
	put := func(body map[string]any) *response {
		return ts.do("PUT", "/api/v1/members/me", caller.AccessToken, body)
	}

	ts.expect(put(map[string]any{"password": "N3wpass!", "passwordConfirm": "N3wpass!"}), 400, "PASSWORD_INPUT_INCOMPLETE")
	ts.expect(put(map[string]any{"password": "N3wpass!", "passwordConfirm": "N3wpass!", "currentPassword": ""}), 400, "PASSWORD_INPUT_INCOMPLETE")
	ts.expect(put(map[string]any{"password": "N3wpass!", "passwordConfirm": "N3wpass!", "currentPassword": "Wr0ngpass!"}), 400, "INVALID_CREDENTIALS")
	ts.expect(put(map[string]any{"password": "N3wpass!", "currentPassword": "Passw0rd!"}), 400, "PASSWORD_INPUT_INCOMPLETE")
	ts.expect(put(map[string]any{"password": "N3wpass!", "passwordConfirm": "N3wpass?", "currentPassword": "Passw0rd!"}), 400, "PASSWORDS_NOT_MATCH")
	// Refused changes change nothing and end no session.
	ts.login(email, "Passw0rd!")
	ts.expect(ts.do("GET", "/api/v1/members/me", other.AccessToken, nil), 200, "")

	// v2's field name.
	ts.expect(put(map[string]any{"password": "N3wpass!", "passwordConfirm": "N3wpass!", "currentPassword": "Passw0rd!"}), 200, "")
	ts.expect(ts.do("GET", "/api/v1/members/me", other.AccessToken, nil), 401, "INVALID_TOKEN")
	ts.expect(ts.refresh(other.RefreshToken), 401, "INVALID_TOKEN")
	ts.expect(ts.refresh(s[2].RefreshToken), 401, "INVALID_TOKEN")
	ts.expect(ts.do("GET", "/api/v1/members/me", caller.AccessToken, nil), 200, "")
	r := ts.refresh(caller.RefreshToken)
	ts.expect(r, 200, "")
	var next tokenPair
	r.data(t, &next)
	ts.expect(ts.do("GET", "/api/v1/members/me", next.AccessToken, nil), 200, "")

	// A session started after the change lives; so does the old name of
	// the confirmation field.
	fresh := ts.login(email, "N3wpass!")
	ts.expect(ts.do("PUT", "/api/v1/members/me", fresh.AccessToken,
		map[string]any{"password": "Passw0rd!", "confirmPassword": "Passw0rd!", "currentPassword": "N3wpass!"}), 200, "")
	ts.expect(ts.do("GET", "/api/v1/members/me", fresh.AccessToken, nil), 200, "")
	ts.expect(ts.do("GET", "/api/v1/members/me", next.AccessToken, nil), 401, "INVALID_TOKEN")
}

// TestUsernameRule: v2's ^[a-zA-Z가-힣0-9]{2,50}$ on signup and update.
func TestUsernameRule(t *testing.T) {
	ts := newTestServer(t)
	_, s := ts.signupLogin("CUSTOMER", 1)
	for _, name := range []string{"kim_1", "김 사장", "a!", "<b>", "ㄱㄴ", "café"} {
		body := signupBody(uniqueEmail("name"))
		body["username"] = name
		ts.expect(ts.do("POST", "/api/v1/auth/signup", "", body), 400, "BAD_REQUEST")
		ts.expect(ts.do("PUT", "/api/v1/members/me", s[0].AccessToken, map[string]any{"username": name}), 400, "BAD_REQUEST")
	}
	for _, name := range []string{"Kim42", "김사장", "힣가Az09"} {
		body := signupBody(uniqueEmail("name"))
		body["username"] = name
		ts.expect(ts.do("POST", "/api/v1/auth/signup", "", body), 201, "")
		ts.expect(ts.do("PUT", "/api/v1/members/me", s[0].AccessToken, map[string]any{"username": name}), 200, "")
	}
}

// TestLogout_EndsSession: logging out as documented ({}) ends the whole
// token family: the refresh token and every access token of the session.
func TestLogout_EndsSession(t *testing.T) {
	ts := newTestServer(t)
	email, s := ts.signupLogin("CUSTOMER", 2)
	first, other := s[0], s[1]
	r := ts.refresh(first.RefreshToken)
	ts.expect(r, 200, "")
	var rotated tokenPair
	r.data(t, &rotated)

	ts.expect(ts.do("POST", "/api/v1/auth/logout", first.AccessToken, map[string]any{}), 204, "")
	ts.expect(ts.do("GET", "/api/v1/members/me", first.AccessToken, nil), 401, "INVALID_TOKEN")
	ts.expect(ts.do("GET", "/api/v1/members/me", rotated.AccessToken, nil), 401, "INVALID_TOKEN")
	ts.expect(ts.refresh(rotated.RefreshToken), 401, "INVALID_TOKEN")
	// The other session is untouched.
	ts.expect(ts.do("GET", "/api/v1/members/me", other.AccessToken, nil), 200, "")

	ts.expect(ts.do("POST", "/api/v1/auth/logout", other.AccessToken, map[string]any{"fcmToken": "fcm-1"}), 204, "")
	ts.expect(ts.refresh(other.RefreshToken), 401, "INVALID_TOKEN")
	ts.login(email, "Passw0rd!")
}

// TestRefresh_ReplayEndsAccessTokens: a replayed refresh token ends its
// session's access tokens too, not only its refresh tokens.
func TestRefresh_ReplayEndsAccessTokens(t *testing.T) {
	ts := newTestServer(t)
	_, s := ts.signupLogin("CUSTOMER", 1)
	r := ts.refresh(s[0].RefreshToken)
	ts.expect(r, 200, "")
	var next tokenPair
	r.data(t, &next)
	ts.expect(ts.refresh(s[0].RefreshToken), 401, "INVALID_TOKEN") // the replay
	waitStatus(t, ts, next.AccessToken, 401)
}

// waitStatus polls /members/me with token until it answers status, for up
// to 5 s: long enough for FollowRevocations to pick up shard 0's changes.
func waitStatus(t *testing.T, ts *testServer, token string, status int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := ts.do("GET", "/api/v1/members/me", token, nil)
		if r.Status == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /members/me: %d %s, want %d within 5 s", r.Status, r.Body, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startFollowerNode starts a node over the shard files in dir, as a second
// node reads a LiteFS replica of them, and runs FollowRevocations as every
// node does. The files' other writer is whoever else opened dir.
func startFollowerNode(t *testing.T, dir string) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sh := &server.Shards{Map: geo.DefaultShardMap(), District: map[int]*store.DB{}}
	var err error
	if sh.Global, err = store.Open(ctx, filepath.Join(dir, store.FileName(0)), 0, store.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, n := range sh.Map.Shards() {
		if sh.District[n], err = store.Open(ctx, filepath.Join(dir, store.FileName(n)), n, store.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := server.New(server.Config{JWTSecret: []byte(testSecret), BcryptCost: bcrypt.MinCost,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, sh)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served, followed := make(chan error, 1), make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	go func() { followed <- srv.FollowRevocations(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		<-followed
		sh.Close()
	})
	ts := &testServer{t: t, URL: "http://" + ln.Addr().String(), Shards: sh, client: &http.Client{Timeout: 30 * time.Second}}
	ts.waitHealthy()
	return ts
}

// TestSessions_FollowedAcrossNodes: node B learns from shard 0 alone, with
// no call from node A, that A ended sessions: a logout, a password change,
// a withdrawal, and a session ended by writing shard 0 directly.
func TestSessions_FollowedAcrossNodes(t *testing.T) {
	dir := t.TempDir()
	a := startFollowerNode(t, dir)
	b := startFollowerNode(t, dir)

	email, s := a.signupLogin("CUSTOMER", 4)
	for _, p := range s {
		b.expect(b.do("GET", "/api/v1/members/me", p.AccessToken, nil), 200, "")
	}

	a.expect(a.do("POST", "/api/v1/auth/logout", s[0].AccessToken, map[string]any{}), 204, "")
	waitStatus(t, b, s[0].AccessToken, 401)

	a.expect(a.do("PUT", "/api/v1/members/me", s[1].AccessToken,
		map[string]any{"password": "N3wpass!", "passwordConfirm": "N3wpass!", "currentPassword": "Passw0rd!"}), 200, "")
	waitStatus(t, b, s[2].AccessToken, 401)
	b.expect(b.do("GET", "/api/v1/members/me", s[1].AccessToken, nil), 200, "")

	// Another writer of shard 0, not a server: the change still arrives.
	fresh := a.login(email, "N3wpass!")
	b.expect(b.do("GET", "/api/v1/members/me", fresh.AccessToken, nil), 200, "")
	var me struct{ ID int64 }
	r := a.do("GET", "/api/v1/members/me", fresh.AccessToken, nil)
	r.data(t, &me)
	if err := a.Shards.Global.DeleteMember(context.Background(), me.ID); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, b, fresh.AccessToken, 401)
	waitStatus(t, b, s[1].AccessToken, 401)
	waitStatus(t, a, s[1].AccessToken, 401)
}
