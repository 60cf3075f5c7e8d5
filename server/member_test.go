package server_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// fakeClock is a settable clock for withNow.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.Set(t)
	return c
}

func (c *fakeClock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *fakeClock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// signToken signs an access token the way load tools do: any member id,
// with the server's secret (or another one), no token id.
func signToken(t testing.TB, secret string, method jwt.SigningMethod, claims jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(method, claims).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// memberClaims are valid claims for member id of memberType, expiring at exp.
func memberClaims(id int64, memberType string, exp time.Time) jwt.MapClaims {
	return jwt.MapClaims{"sub": strconv.FormatInt(id, 10), "username": fmt.Sprintf("load%d", id),
		"memberType": memberType, "tokenType": "USER", "exp": exp.Unix()}
}

var emailSeq atomic.Int64

// uniqueEmail returns an email no other test uses.
func uniqueEmail(prefix string) string {
	return fmt.Sprintf("%s-%d-%d@example.com", prefix, emailSeq.Add(1), time.Now().UnixNano())
}

// signupBody is a valid signup for email.
func signupBody(email string) map[string]any {
	return map[string]any{"email": email, "username": "홍길동", "password": "Passw0rd!", "confirmPassword": "Passw0rd!",
		"phoneNumber": "01012345678", "memberType": "CUSTOMER"}
}

// tokenPair is a login or refresh answer.
type tokenPair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int64
}

// login logs in and fails the test unless it succeeds.
func (ts *testServer) login(email, password string) tokenPair {
	ts.t.Helper()
	r := ts.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": password})
	ts.expect(r, 200, "")
	var p tokenPair
	r.data(ts.t, &p)
	return p
}

// keys returns the sorted keys of the JSON object in data.
func keys(t testing.TB, data json.RawMessage) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("not an object: %s", data)
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// rawData returns the "data" member of a success body.
func (r *response) rawData(t testing.TB) json.RawMessage {
	t.Helper()
	var body struct{ Data json.RawMessage }
	if err := json.Unmarshal(r.Body, &body); err != nil || body.Data == nil {
		t.Fatalf("no data in %s", r.Body)
	}
	return body.Data
}

// errorMessage returns the message of an error body.
func (r *response) errorMessage() string {
	var body struct{ Error struct{ Message string } }
	_ = json.Unmarshal(r.Body, &body)
	return body.Error.Message
}

func TestSignup_Created(t *testing.T) {
	ts := newTestServer(t)
	for _, memberType := range []string{"OWNER", "CUSTOMER"} {
		email := uniqueEmail("Signup." + memberType)
		body := signupBody("  " + strings.ToUpper(email) + " ")
		body["memberType"] = memberType
		body["username"] = "  김사장  "
		body["phoneNumber"] = "010-1234-5678"
		r := ts.do("POST", "/api/v1/auth/signup", "", body)
		ts.expect(r, 201, "")
		if got, want := keys(t, r.rawData(t)), []string{"email", "memberId", "memberType", "phoneNumber", "username"}; !slices.Equal(got, want) {
			t.Errorf("signup fields = %v, want %v", got, want)
		}
		var m struct {
			MemberID                                 int64
			Email, Username, PhoneNumber, MemberType string
		}
		r.data(t, &m)
		if m.MemberID <= 0 || m.Email != strings.ToLower(email) || m.Username != "김사장" ||
			m.PhoneNumber != "010-1234-5678" || m.MemberType != memberType {
			t.Errorf("signup = %+v", m)
		}
		// The stored email is the normalised one: login in any case works.
		ts.login(email, "Passw0rd!")
	}
}

func TestSignup_Validation(t *testing.T) {
	ts := newTestServer(t)
	const (
		msgEmail    = "email must be a valid address"
		msgUsername = "username must be 2 to 50 characters"
		msgPassword = "password must be 8 to 15 characters with a letter, a digit and one of @$!%*?&"
		msgPhone    = "phoneNumber must be 10 or 11 digits"
		msgType     = "memberType must be OWNER or CUSTOMER"
	)
	for _, tc := range []struct {
		name  string
		field string
		value any
		msg   string
	}{
		{"email missing", "email", "", msgEmail},
		{"email no at", "email", "not-an-email", msgEmail},
		{"email no dot in domain", "email", "a@localhost", msgEmail},
		{"email with name", "email", "Kim <kim@example.com>", msgEmail},
		{"username short", "username", "김", msgUsername},
		{"username blank", "username", "   ", msgUsername},
		{"username long", "username", strings.Repeat("가", 51), msgUsername},
		{"password short", "password", "Pa0!abc", msgPassword},
		{"password long", "password", "Passw0rd!Passw0r", msgPassword},
		{"password no digit", "password", "Password!", msgPassword},
		{"password no letter", "password", "12345678!", msgPassword},
		{"password no special", "password", "Passw0rdd", msgPassword},
		{"password other special", "password", "Passw0rd#", msgPassword},
		{"password space", "password", "Pass w0rd!", msgPassword},
		{"password non-ascii letter", "password", "Pässw0rd!", msgPassword},
		{"phone short", "phoneNumber", "010123456", msgPhone},
		{"phone long", "phoneNumber", "010123456789", msgPhone},
		{"phone letters", "phoneNumber", "0101234567a", msgPhone},
		{"phone missing", "phoneNumber", "", msgPhone},
		{"memberType missing", "memberType", "", msgType},
		{"memberType unknown", "memberType", "USER", msgType},
		{"memberType lower case", "memberType", "owner", msgType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := signupBody(uniqueEmail("v"))
			body[tc.field] = tc.value
			if tc.field == "password" {
				body["confirmPassword"] = tc.value
			}
			r := ts.do("POST", "/api/v1/auth/signup", "", body)
			ts.expect(r, 400, "BAD_REQUEST")
			if got := r.errorMessage(); got != tc.msg {
				t.Errorf("message = %q, want %q", got, tc.msg)
			}
		})
	}

	t.Run("all at once", func(t *testing.T) {
		r := ts.do("POST", "/api/v1/auth/signup", "", map[string]any{"email": "x", "username": "", "password": "x",
			"confirmPassword": "y", "phoneNumber": "1", "memberType": "X"})
		ts.expect(r, 400, "BAD_REQUEST")
		if got, want := r.errorMessage(), strings.Join([]string{msgEmail, msgUsername, msgPassword, msgPhone, msgType}, "\n"); got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
	})

	t.Run("boundaries accepted", func(t *testing.T) {
		for _, tc := range []struct{ field, value string }{
			{"username", "김이"}, {"username", strings.Repeat("가", 50)},
			{"password", "Passw0r!"}, {"password", "Passw0rd!Passw0"}, {"password", "aaaaaaa1@$!%*?&"},
			{"phoneNumber", "0212345678"}, {"phoneNumber", "01012345678"},
		} {
			body := signupBody(uniqueEmail("b"))
			body[tc.field] = tc.value
			if tc.field == "password" {
				body["confirmPassword"] = tc.value
			}
			ts.expect(ts.do("POST", "/api/v1/auth/signup", "", body), 201, "")
		}
	})

	t.Run("ADMIN forbidden", func(t *testing.T) {
		body := signupBody(uniqueEmail("admin"))
		body["memberType"] = "ADMIN"
		ts.expect(ts.do("POST", "/api/v1/auth/signup", "", body), 403, "ACCESS_DENIED")
	})

	t.Run("passwords differ", func(t *testing.T) {
		body := signupBody(uniqueEmail("mismatch"))
		body["confirmPassword"] = "Passw0rd?"
		ts.expect(ts.do("POST", "/api/v1/auth/signup", "", body), 400, "PASSWORDS_NOT_MATCH")
	})

	t.Run("email taken, any case", func(t *testing.T) {
		email := uniqueEmail("dup")
		ts.expect(ts.do("POST", "/api/v1/auth/signup", "", signupBody(email)), 201, "")
		for _, again := range []string{email, strings.ToUpper(email), " " + email + " "} {
			body := signupBody(again)
			body["memberType"] = "OWNER"
			ts.expect(ts.do("POST", "/api/v1/auth/signup", "", body), 400, "EMAIL_DUPLICATED")
		}
	})
}

func TestLogin(t *testing.T) {
	ts := newTestServer(t)
	email := uniqueEmail("login")
	ts.expect(ts.do("POST", "/api/v1/auth/signup", "", signupBody(email)), 201, "")

	r := ts.do("POST", "/api/v1/auth/login", "", map[string]any{"email": strings.ToUpper(email), "password": "Passw0rd!"})
	ts.expect(r, 200, "")
	var p tokenPair
	r.data(t, &p)
	if p.AccessToken == "" || p.RefreshToken == "" || p.ExpiresIn != 3600 {
		t.Fatalf("login = %+v, want both tokens and expiresIn 3600", p)
	}
	ts.expect(ts.do("GET", "/api/v1/members/me", p.AccessToken, nil), 200, "")

	for name, body := range map[string]any{
		"wrong password":      map[string]any{"email": email, "password": "Passw0rd?"},
		"password of another": map[string]any{"email": email, "password": "passw0rd!"},
		"unknown email":       map[string]any{"email": uniqueEmail("nobody"), "password": "Passw0rd!"},
		"empty fields":        map[string]any{"email": "", "password": ""},
		"password only":       map[string]any{"password": "Passw0rd!"},
	} {
		r := ts.do("POST", "/api/v1/auth/login", "", body)
		if r.Status != 400 || r.errorCode() != "INVALID_CREDENTIALS" {
			t.Errorf("%s: got %d %s, want 400 INVALID_CREDENTIALS", name, r.Status, r.Body)
		}
	}
	ts.expect(ts.do("POST", "/api/v1/auth/login", "", nil), 400, "BAD_REQUEST")
}

func TestRefresh_Rotation(t *testing.T) {
	ts := newTestServer(t)
	email := uniqueEmail("refresh")
	ts.expect(ts.do("POST", "/api/v1/auth/signup", "", signupBody(email)), 201, "")
	first := ts.login(email, "Passw0rd!")
	other := ts.login(email, "Passw0rd!") // a second session: another family

	refresh := func(token string) *response {
		return ts.do("POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": token})
	}
	r := refresh(first.RefreshToken)
	ts.expect(r, 200, "")
	var second tokenPair
	r.data(t, &second)
	if second.AccessToken == "" || second.RefreshToken == "" || second.RefreshToken == first.RefreshToken || second.ExpiresIn != 3600 {
		t.Fatalf("refresh = %+v", second)
	}
	ts.expect(ts.do("GET", "/api/v1/members/me", second.AccessToken, nil), 200, "")

	r = refresh(second.RefreshToken)
	ts.expect(r, 200, "")
	var third tokenPair
	r.data(t, &third)

	// first is spent: using it again is a replay and revokes the family,
	// so the newest refresh token fails too.
	ts.expect(refresh(first.RefreshToken), 401, "INVALID_TOKEN")
	ts.expect(refresh(third.RefreshToken), 401, "INVALID_TOKEN")
	ts.expect(refresh(second.RefreshToken), 401, "INVALID_TOKEN")

	// The other session is untouched.
	ts.expect(refresh(other.RefreshToken), 200, "")

	ts.expect(refresh("no-such-token"), 401, "INVALID_TOKEN")
	ts.expect(refresh(""), 400, "BAD_REQUEST")
	ts.expect(ts.do("POST", "/api/v1/auth/refresh", "", map[string]any{}), 400, "BAD_REQUEST")
	ts.expect(ts.do("POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": 12}), 400, "BAD_REQUEST")
}

func TestLogout(t *testing.T) {
	ts := newTestServer(t)
	email := uniqueEmail("logout")
	ts.expect(ts.do("POST", "/api/v1/auth/signup", "", signupBody(email)), 201, "")

	t.Run("no body", func(t *testing.T) {
		p := ts.login(email, "Passw0rd!")
		r := ts.do("POST", "/api/v1/auth/logout", p.AccessToken, nil)
		ts.expect(r, 204, "")
		if len(r.Body) != 0 {
			t.Errorf("204 with a body: %q", r.Body)
		}
		ts.expect(ts.do("GET", "/api/v1/members/me", p.AccessToken, nil), 401, "INVALID_TOKEN")
		ts.expect(ts.do("POST", "/api/v1/auth/logout", p.AccessToken, nil), 401, "INVALID_TOKEN")
		// Another session of the same member is not logged out.
		q := ts.login(email, "Passw0rd!")
		ts.expect(ts.do("GET", "/api/v1/members/me", q.AccessToken, nil), 200, "")
	})

	t.Run("fcm token", func(t *testing.T) {
		p := ts.login(email, "Passw0rd!")
		ts.expect(ts.do("POST", "/api/v1/auth/logout", p.AccessToken, map[string]any{"fcmToken": "fcm-abc"}), 204, "")
		ts.expect(ts.do("GET", "/api/v1/members/me", p.AccessToken, nil), 401, "INVALID_TOKEN")
	})

	t.Run("refresh token revoked", func(t *testing.T) {
		p := ts.login(email, "Passw0rd!")
		ts.expect(ts.do("POST", "/api/v1/auth/logout", p.AccessToken, map[string]any{"refreshToken": p.RefreshToken}), 204, "")
		ts.expect(ts.do("POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": p.RefreshToken}), 401, "INVALID_TOKEN")
	})

	t.Run("refresh token ended without it", func(t *testing.T) {
		p := ts.login(email, "Passw0rd!")
		ts.expect(ts.do("POST", "/api/v1/auth/logout", p.AccessToken, nil), 204, "")
		ts.expect(ts.do("POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": p.RefreshToken}), 401, "INVALID_TOKEN")
	})

	t.Run("errors", func(t *testing.T) {
		p := ts.login(email, "Passw0rd!")
		ts.expect(ts.do("POST", "/api/v1/auth/logout", "", nil), 401, "AUTHENTICATION_REQUIRED")
		ts.expect(ts.do("POST", "/api/v1/auth/logout", p.AccessToken, []byte(`{"fcmToken":`)), 400, "BAD_REQUEST")
		ts.expect(ts.do("POST", "/api/v1/auth/logout", p.AccessToken, map[string]any{"fcmToken": 1}), 400, "BAD_REQUEST")
		// A refused logout revokes nothing.
		ts.expect(ts.do("GET", "/api/v1/members/me", p.AccessToken, nil), 200, "")
	})
}

func TestWithdraw(t *testing.T) {
	ts := newTestServer(t)
	email := uniqueEmail("withdraw")
	r := ts.do("POST", "/api/v1/auth/signup", "", signupBody(email))
	ts.expect(r, 201, "")
	var before struct{ MemberID int64 }
	r.data(t, &before)
	p := ts.login(email, "Passw0rd!")

	ts.expect(ts.do("DELETE", "/api/v1/auth/withdraw", "", nil), 401, "AUTHENTICATION_REQUIRED")
	r = ts.do("DELETE", "/api/v1/auth/withdraw", p.AccessToken, nil)
	ts.expect(r, 204, "")
	if len(r.Body) != 0 {
		t.Errorf("204 with a body: %q", r.Body)
	}
	ts.expect(ts.do("GET", "/api/v1/members/me", p.AccessToken, nil), 401, "INVALID_TOKEN")
	ts.expect(ts.do("DELETE", "/api/v1/auth/withdraw", p.AccessToken, nil), 401, "INVALID_TOKEN")
	ts.expect(ts.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": "Passw0rd!"}), 400, "INVALID_CREDENTIALS")
	ts.expect(ts.do("POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": p.RefreshToken}), 401, "INVALID_TOKEN")

	// The email is free again, for a new member.
	r = ts.do("POST", "/api/v1/auth/signup", "", signupBody(email))
	ts.expect(r, 201, "")
	var after struct{ MemberID int64 }
	r.data(t, &after)
	if after.MemberID == before.MemberID {
		t.Errorf("signup after withdrawal reused member id %d", after.MemberID)
	}
	q := ts.login(email, "Passw0rd!")
	r = ts.do("GET", "/api/v1/members/me", q.AccessToken, nil)
	ts.expect(r, 200, "")
	var me struct{ ID int64 }
	r.data(t, &me)
	if me.ID != after.MemberID {
		t.Errorf("me.id = %d, want the new member %d", me.ID, after.MemberID)
	}
}

func TestMe(t *testing.T) {
	ts := newTestServer(t)
	email := uniqueEmail("me")
	body := signupBody(email)
	body["memberType"] = "OWNER"
	r := ts.do("POST", "/api/v1/auth/signup", "", body)
	ts.expect(r, 201, "")
	var created struct{ MemberID int64 }
	r.data(t, &created)
	tok := ts.login(email, "Passw0rd!").AccessToken

	type member struct {
		ID                                       int64
		Email, Username, PhoneNumber, MemberType string
	}
	get := func() member {
		t.Helper()
		r := ts.do("GET", "/api/v1/members/me", tok, nil)
		ts.expect(r, 200, "")
		if got, want := keys(t, r.rawData(t)), []string{"email", "id", "memberType", "phoneNumber", "username"}; !slices.Equal(got, want) {
			t.Errorf("me fields = %v, want %v", got, want)
		}
		var m member
		r.data(t, &m)
		return m
	}
	want := member{created.MemberID, email, "홍길동", "01012345678", "OWNER"}
	if got := get(); got != want {
		t.Fatalf("me = %+v, want %+v", got, want)
	}

	put := func(body any) *response { return ts.do("PUT", "/api/v1/members/me", tok, body) }

	// Partial updates touch only what they carry.
	r = put(map[string]any{"username": "  새이름  "})
	ts.expect(r, 200, "")
	want.Username = "새이름"
	var m member
	r.data(t, &m)
	if m != want {
		t.Errorf("PUT answer = %+v, want %+v", m, want)
	}
	if got := get(); got != want {
		t.Errorf("after username update: %+v, want %+v", got, want)
	}
	ts.expect(put(map[string]any{"phoneNumber": "01099998888"}), 200, "")
	want.PhoneNumber = "01099998888"
	if got := get(); got != want {
		t.Errorf("after phone update: %+v, want %+v", got, want)
	}
	ts.expect(put(map[string]any{}), 200, "")
	// email and memberType are not editable.
	ts.expect(put(map[string]any{"email": "other@example.com", "memberType": "ADMIN"}), 200, "")
	if got := get(); got != want {
		t.Errorf("after a no-op update: %+v, want %+v", got, want)
	}

	ts.expect(put(map[string]any{"password": "N3wpass!"}), 400, "PASSWORD_INPUT_INCOMPLETE")
	ts.expect(put(map[string]any{"confirmPassword": "N3wpass!"}), 400, "PASSWORD_INPUT_INCOMPLETE")
	ts.expect(put(map[string]any{"password": "N3wpass!", "confirmPassword": "N3wpass?", "currentPassword": "Passw0rd!"}), 400, "PASSWORDS_NOT_MATCH")
	ts.expect(put(map[string]any{"password": "short", "confirmPassword": "short", "currentPassword": "Passw0rd!"}), 400, "BAD_REQUEST")
	ts.expect(put(map[string]any{"username": "x"}), 400, "BAD_REQUEST")
	ts.expect(put(map[string]any{"phoneNumber": "12"}), 400, "BAD_REQUEST")
	ts.expect(put(map[string]any{"username": 5}), 400, "BAD_REQUEST")
	r = put(map[string]any{"username": "x", "phoneNumber": "12"})
	ts.expect(r, 400, "BAD_REQUEST")
	if got := r.errorMessage(); got != "username must be 2 to 50 characters\nphoneNumber must be 10 or 11 digits" {
		t.Errorf("message = %q", got)
	}
	if got := get(); got != want {
		t.Errorf("refused updates changed the member: %+v, want %+v", got, want)
	}

	ts.expect(put(map[string]any{"password": "N3wpass!", "confirmPassword": "N3wpass!", "currentPassword": "Passw0rd!"}), 200, "")
	ts.expect(ts.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": "Passw0rd!"}), 400, "INVALID_CREDENTIALS")
	ts.login(email, "N3wpass!")

	ts.expect(ts.do("GET", "/api/v1/members/me", "", nil), 401, "AUTHENTICATION_REQUIRED")
	ts.expect(ts.do("PUT", "/api/v1/members/me", "", map[string]any{"username": "abc"}), 401, "AUTHENTICATION_REQUIRED")
}

func TestAuth_Tokens(t *testing.T) {
	ts := newTestServer(t)
	_, owner := ts.member("OWNER")
	future := time.Now().Add(time.Hour)
	const me = "/api/v1/members/me"

	ts.expect(ts.do("GET", me, owner, nil), 200, "")
	ts.expect(ts.do("GET", me, "", nil), 401, "AUTHENTICATION_REQUIRED")

	for _, tc := range []struct {
		name, authorization, code string
	}{
		{"garbage", "Bearer garbage", "INVALID_TOKEN"},
		{"empty bearer", "Bearer ", "INVALID_TOKEN"},
		{"basic", "Basic x", "INVALID_TOKEN"},
		{"no scheme", owner, "INVALID_TOKEN"},
		{"lower-case scheme", "bearer " + owner, "INVALID_TOKEN"},
		{"truncated", "Bearer " + owner[:len(owner)-3], "INVALID_TOKEN"},
		{"wrong signature", "Bearer " + signToken(t, "another-secret-another-secret-12", jwt.SigningMethodHS256, memberClaims(1, "OWNER", future)), "INVALID_TOKEN"},
		{"HS512", "Bearer " + signToken(t, testSecret, jwt.SigningMethodHS512, memberClaims(1, "OWNER", future)), "INVALID_TOKEN"},
		{"alg none", "Bearer " + noneToken(t, memberClaims(1, "OWNER", future)), "INVALID_TOKEN"},
		{"no exp", "Bearer " + signToken(t, testSecret, jwt.SigningMethodHS256, jwt.MapClaims{"sub": "1", "memberType": "OWNER"}), "INVALID_TOKEN"},
		{"sub not a number", "Bearer " + signToken(t, testSecret, jwt.SigningMethodHS256, withClaim(memberClaims(1, "OWNER", future), "sub", "abc")), "INVALID_TOKEN"},
		{"sub zero", "Bearer " + signToken(t, testSecret, jwt.SigningMethodHS256, memberClaims(0, "OWNER", future)), "INVALID_TOKEN"},
		{"sub too big", "Bearer " + signToken(t, testSecret, jwt.SigningMethodHS256, memberClaims(1<<53, "OWNER", future)), "INVALID_TOKEN"},
		{"unknown memberType", "Bearer " + signToken(t, testSecret, jwt.SigningMethodHS256, memberClaims(1, "ROOT", future)), "INVALID_TOKEN"},
		{"expired", "Bearer " + signToken(t, testSecret, jwt.SigningMethodHS256, memberClaims(1, "OWNER", time.Now().Add(-time.Minute))), "EXPIRED_TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.do("GET", me, "", nil, "Authorization", tc.authorization)
			ts.expect(r, 401, tc.code)
			checkErrorBody(t, r, 401, me)
			// A bad token is refused on public routes too.
			ts.expect(ts.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "a@b.co", "password": "x"},
				"Authorization", tc.authorization), 401, tc.code)
		})
	}

	t.Run("minted for any member id", func(t *testing.T) {
		const id = 4_242_424
		tok := mintToken(t, id, "OWNER")
		r := ts.do("GET", "/api/v1/owner/stores", tok, nil)
		ts.expect(r, 200, "")
		if got := string(r.rawData(t)); got != "[]" {
			t.Errorf("stores of a fresh minted owner = %s, want []", got)
		}
		r = ts.do("POST", "/api/v1/owner/stores", tok, storeBody("민트 카페", hongdaeLat, hongdaeLng))
		ts.expect(r, 201, "")
		var st struct {
			MemberID       int64
			MemberUsername string
		}
		r.data(t, &st)
		if st.MemberID != id || st.MemberUsername != fmt.Sprintf("load%d", id) {
			t.Errorf("store of a minted owner = %+v", st)
		}
		cust := mintToken(t, id+1, "CUSTOMER")
		ts.expect(ts.do("GET", fmt.Sprintf("/api/v1/stores?lat=%f&lng=%f", hongdaeLat, hongdaeLng), cust, nil), 200, "")
		ts.expect(ts.do("POST", "/api/v1/owner/stores", cust, storeBody("x", hongdaeLat, hongdaeLng)), 403, "ACCESS_DENIED")
		// The member does not exist: the profile is not found, not a 500.
		ts.expect(ts.do("GET", me, tok, nil), 404, "MEMBER_NOT_FOUND")
	})
}

// TestAuth_AccessTokenExpires moves the server's clock past the access
// token's lifetime.
func TestAuth_AccessTokenExpires(t *testing.T) {
	clock := newFakeClock(time.Now())
	ts := newTestServer(t, withNow(clock.Now))
	email := uniqueEmail("expiry")
	ts.expect(ts.do("POST", "/api/v1/auth/signup", "", signupBody(email)), 201, "")
	p := ts.login(email, "Passw0rd!")
	clock.Add(59 * time.Minute)
	ts.expect(ts.do("GET", "/api/v1/members/me", p.AccessToken, nil), 200, "")
	clock.Add(2 * time.Minute)
	ts.expect(ts.do("GET", "/api/v1/members/me", p.AccessToken, nil), 401, "EXPIRED_TOKEN")
	// The refresh token lives on: it yields a fresh access token.
	r := ts.do("POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": p.RefreshToken})
	ts.expect(r, 200, "")
	var q tokenPair
	r.data(t, &q)
	ts.expect(ts.do("GET", "/api/v1/members/me", q.AccessToken, nil), 200, "")
	clock.Add(15 * 24 * time.Hour)
	ts.expect(ts.do("POST", "/api/v1/auth/refresh", "", map[string]any{"refreshToken": q.RefreshToken}), 401, "EXPIRED_TOKEN")
}

// TestLogout_ServerClock revokes under a server clock far from the wall
// clock: revocations follow the server's clock, not time.Now.
func TestLogout_ServerClock(t *testing.T) {
	for _, at := range []time.Time{time.Now().AddDate(-1, 0, 0), time.Now().AddDate(1, 0, 0)} {
		clock := newFakeClock(at)
		ts := newTestServer(t, withNow(clock.Now))
		email := uniqueEmail("clock")
		ts.expect(ts.do("POST", "/api/v1/auth/signup", "", signupBody(email)), 201, "")
		p := ts.login(email, "Passw0rd!")
		ts.expect(ts.do("GET", "/api/v1/members/me", p.AccessToken, nil), 200, "")
		ts.expect(ts.do("POST", "/api/v1/auth/logout", p.AccessToken, nil), 204, "")
		ts.expect(ts.do("GET", "/api/v1/members/me", p.AccessToken, nil), 401, "INVALID_TOKEN")
		clock.Add(30 * time.Minute)
		ts.expect(ts.do("GET", "/api/v1/members/me", p.AccessToken, nil), 401, "INVALID_TOKEN")
	}
}

// noneToken is an unsigned token (alg "none").
func noneToken(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func withClaim(c jwt.MapClaims, k string, v any) jwt.MapClaims {
	c[k] = v
	return c
}
