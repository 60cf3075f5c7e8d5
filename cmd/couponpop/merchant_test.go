package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop/client"
	"github.com/golang-jwt/jwt/v5"
	"github.com/mattn/go-runewidth"
)

// startTestNode opens a node in this process on 127.0.0.1:0 and returns
// its URL.
func startTestNode(t testing.TB) string {
	t.Helper()
	n := newNode(testNodeConfig(t.TempDir()), discardLogger())
	if err := n.Open(context.Background()); err != nil {
		n.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return "http://" + n.Addr().String()
}

// cliResult is what one run of the CLI printed and its exit code.
type cliResult struct {
	out, errOut string
	code        int
}

// runCLI runs couponpop args in this process as main does, with stdin.
func runCLI(t testing.TB, stdin string, args ...string) cliResult {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(stdin))
	err := root.ExecuteContext(context.Background())
	if err != nil {
		fmt.Fprintln(&errOut, "couponpop:", errorLine(err))
	}
	r := cliResult{out.String(), errOut.String(), exitCode(err)}
	for _, bad := range []string{"goroutine ", "panic", ".go:"} {
		if strings.Contains(r.errOut, bad) {
			t.Fatalf("couponpop %v printed a stack trace:\n%s", args, r.errOut)
		}
	}
	return r
}

// mustCLI runs the CLI and fails the test unless it exits 0.
func mustCLI(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	r := runCLI(t, stdin, args...)
	if r.code != 0 {
		t.Fatalf("couponpop %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.out, r.errOut)
	}
	return r.out
}

// merchantEnv points the profiles at a fresh config dir and clears the
// overrides.
func merchantEnv(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv("COUPONPOP_SERVER", "")
	t.Setenv("COUPONPOP_TOKEN", "")
	t.Setenv("COUPONPOP_PROFILE", "")
}

// signupOwner creates an owner and returns its email; the password is
// Passw0rd!.
func signupOwner(t testing.TB, url string) string {
	t.Helper()
	email := fmt.Sprintf("merchant-%d@example.com", time.Now().UnixNano())
	if _, err := client.New(url).Signup(context.Background(), client.Signup{Email: email, Username: "사장님", Password: "Passw0rd!",
		ConfirmPassword: "Passw0rd!", PhoneNumber: "01012345678", MemberType: "OWNER"}); err != nil {
		t.Fatal(err)
	}
	return email
}

// loginAndCreateStore logs the CLI in as a new owner and creates a store
// with it; it returns the store's id.
func loginAndCreateStore(t *testing.T, url string) int64 {
	t.Helper()
	email := signupOwner(t, url)
	out := mustCLI(t, "Passw0rd!\n", "login", "--server", url, "--email", email, "--password-stdin")
	if !strings.Contains(out, "logged in") {
		t.Fatalf("login printed %q", out)
	}
	path := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "couponpop", "profiles.json")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("profiles file: %v, %v", fi, err)
	}
	out = mustCLI(t, "", "store", "create", "--name", "연남 커피", "--category", "cafe", "--phone", "01012345678",
		"--business-number", "1234567890", "--address", "서울 마포구 동교로 1", "--dong", "연남동",
		"--lat", "37.5602", "--lng", "126.9227", "--weekday-hours", "00:00-24:00", "--weekend-hours", "00:00-24:00", "--json")
	var st client.Store
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.ID == 0 {
		t.Fatalf("store create --json: %v\n%s", err, out)
	}
	return st.ID
}

// TestCLI_CampaignFromFile is the merchant's day: log in, create a
// campaign from a file, a customer claims, stats show it, pause, and a
// claim is refused while paused.
func TestCLI_CampaignFromFile(t *testing.T) {
	merchantEnv(t)
	url := startTestNode(t)
	storeID := loginAndCreateStore(t, url)

	if out := mustCLI(t, "", "whoami"); !strings.Contains(out, "OWNER") {
		t.Fatalf("whoami: %q", out)
	}
	file := filepath.Join(t.TempDir(), "lunch.yml")
	os.WriteFile(file, fmt.Appendf(nil, "name: 점심 아메리카노\nstores: [%d]\nstart: now\nend: +2h\ntotal: 5\ncouponValidHours: 24\n", storeID), 0o644)
	if out := mustCLI(t, "", "campaign", "create", "-f", file, "--dry-run"); !strings.Contains(out, "dry run") || !strings.Contains(out, "연남 커피") {
		t.Fatalf("dry run printed:\n%s", out)
	}
	if out := mustCLI(t, "", "campaign", "list", "--store", strconv.FormatInt(storeID, 10)); strings.Contains(out, "점심") {
		t.Fatalf("the dry run created a campaign:\n%s", out)
	}
	var made []created
	if err := json.Unmarshal([]byte(mustCLI(t, "", "campaign", "create", "-f", file, "--json")), &made); err != nil || len(made) != 1 {
		t.Fatalf("campaign create: %v %v", made, err)
	}
	id := strconv.FormatInt(made[0].CampaignID, 10)

	ctx := context.Background()
	couponID, err := client.New(url).WithToken(mint(t, 900_001)).Claim(ctx, made[0].CampaignID, "")
	if err != nil {
		t.Fatal(err)
	}
	// At the counter: the customer shows the code, the merchant redeems it.
	code := qrCode(t, url, mint(t, 900_001), couponID)
	if out := mustCLI(t, "", "redeem", code, "--store", strconv.FormatInt(storeID, 10)); !strings.Contains(out, "점심 아메리카노") {
		t.Fatalf("redeem printed %q", out)
	}
	if r := runCLI(t, "", "redeem", code, "--store", strconv.FormatInt(storeID, 10)); r.code == 0 {
		t.Fatalf("a code redeemed twice: exit 0\n%s", r.out)
	}
	var stats campaignStats
	if err := json.Unmarshal([]byte(mustCLI(t, "", "campaign", "stats", id, "--json")), &stats); err != nil {
		t.Fatal(err)
	}
	if stats.Issued != 1 || stats.Remaining != 4 || stats.Total != 5 || stats.Status != "ACTIVE" {
		t.Fatalf("stats = %+v", stats)
	}
	list := mustCLI(t, "", "campaign", "list", "--store", strconv.FormatInt(storeID, 10))
	if !strings.Contains(list, "점심 아메리카노") || !strings.Contains(list, "1/5") {
		t.Fatalf("campaign list:\n%s", list)
	}
	for _, line := range strings.Split(list, "\n") {
		if w := runewidth.StringWidth(line); w > 80 {
			t.Fatalf("line of %d columns: %q", w, line)
		}
	}

	mustCLI(t, "", "campaign", "pause", id)
	_, err = client.New(url).WithToken(mint(t, 900_002)).Claim(ctx, made[0].CampaignID, "")
	if !client.IsCode(err, "EVENT_NOT_ACTIVE") {
		t.Fatalf("claim while paused: %v, want EVENT_NOT_ACTIVE", err)
	}
	// Cancel asks first; no answer is no.
	if r := runCLI(t, "", "campaign", "cancel", id); r.code == 0 || !strings.Contains(r.errOut, "not confirmed") {
		t.Fatalf("cancel without an answer: exit %d\n%s", r.code, r.errOut)
	}
	mustCLI(t, "", "campaign", "resume", id)
	mustCLI(t, "", "campaign", "add-stock", id, "10")
	mustCLI(t, "", "campaign", "cancel", id, "--yes")
	if err := json.Unmarshal([]byte(mustCLI(t, "", "campaign", "stats", id, "--json")), &stats); err != nil || stats.Status != "CANCELED" || stats.Total != 15 {
		t.Fatalf("after add-stock and cancel: %+v %v", stats, err)
	}
	mustCLI(t, "", "logout")
	if r := runCLI(t, "", "whoami"); r.code != exitAuth || !strings.Contains(r.errOut, "couponpop login") {
		t.Fatalf("whoami after logout: exit %d %q", r.code, r.errOut)
	}
}

// TestCLI_BadInput: the errors a merchant meets are one clear line and a
// documented exit code.
func TestCLI_BadInput(t *testing.T) {
	merchantEnv(t)
	url := startTestNode(t)
	storeID := loginAndCreateStore(t, url)

	r := runCLI(t, "", "store", "show", "999999999")
	if r.code != exitNotFound || !strings.Contains(r.errOut, "not found") || strings.Count(r.errOut, "\n") != 1 {
		t.Fatalf("unknown store: exit %d %q", r.code, r.errOut)
	}
	if r := runCLI(t, "", "campaign", "stats", "999999999"); r.code != exitNotFound {
		t.Fatalf("unknown campaign: exit %d %q", r.code, r.errOut)
	}
	dir := t.TempDir()
	for _, tc := range []struct{ name, yml, want string }{
		{"syntax", fmt.Sprintf("name: x\nstores: [%d\nstart: now\n", storeID), "bad.yml:"},
		{"time", fmt.Sprintf("name: x\nstores: [%d]\nstart: now\nend: tomorrow\ntotal: 5\n", storeID), "bad.yml:4: end:"},
		{"total", fmt.Sprintf("name: x\nstores: [%d]\nstart: now\nend: +1h\ntotal: many\n", storeID), "bad.yml:5: total:"},
		{"unknown key", fmt.Sprintf("name: x\nstores: [%d]\nstart: now\nend: +1h\ntotal: 5\ncolour: red\n", storeID), "bad.yml:6: unknown key"},
		{"too long", fmt.Sprintf("name: x\nstores: [%d]\nstart: now\nend: +49h\ntotal: 5\n", storeID), "bad.yml:4: end:"},
	} {
		file := filepath.Join(dir, "bad.yml")
		os.WriteFile(file, []byte(tc.yml), 0o644)
		r := runCLI(t, "", "campaign", "create", "-f", file)
		if r.code != exitUsage || !strings.Contains(r.errOut, tc.want) {
			t.Errorf("%s: exit %d %q, want %q", tc.name, r.code, r.errOut, tc.want)
		}
	}

	// An expired login whose refresh token is spent asks to log in again.
	ps, err := loadProfiles()
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{"sub": "1", "username": "x", "memberType": "OWNER", "tokenType": "USER", "exp": time.Now().Add(-time.Hour).Unix()}
	expired, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(testJWTSecret))
	ps.Profiles["default"].AccessToken, ps.Profiles["default"].RefreshToken = expired, "spent"
	if err := ps.save(); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, "", "store", "list")
	if r.code != exitAuth || !strings.Contains(r.errOut, "expired") || !strings.Contains(r.errOut, "couponpop login") {
		t.Fatalf("expired login: exit %d %q", r.code, r.errOut)
	}
}

// qrCode is the code a customer's app shows for a coupon.
func qrCode(t *testing.T, url, token string, couponID int64) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/api/v1/coupons/"+strconv.FormatInt(couponID, 10), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c struct {
		Data struct {
			QRCode struct{ Code string } `json:"qrCode"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || c.Data.QRCode.Code == "" {
		t.Fatalf("GET coupon %d: %d %v %+v", couponID, resp.StatusCode, err, c)
	}
	return c.Data.QRCode.Code
}
