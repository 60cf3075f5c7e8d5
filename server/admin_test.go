package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/couponpop/couponpop/server"
	"github.com/couponpop/couponpop/store"
)

const testAdminToken = "admin-token-for-tests"

func withAdminToken(token string) testOption {
	return func(c *server.Config, _ *store.ClaimOptions) { c.AdminToken = token }
}

func TestAdmin_PathsNeedTheToken(t *testing.T) {
	ts := newTestServer(t, withAdminToken(testAdminToken))
	_, member := ts.member("CUSTOMER")
	for _, path := range []string{"/metrics", "/internal/position?shard=0&wait=0"} {
		ts.expect(ts.do("GET", path, "", nil), http.StatusUnauthorized, "AUTHENTICATION_REQUIRED")
		ts.expect(ts.do("GET", path, "wrong", nil), http.StatusUnauthorized, "AUTHENTICATION_REQUIRED")
		ts.expect(ts.do("GET", path, member, nil), http.StatusUnauthorized, "AUTHENTICATION_REQUIRED")
		ts.expect(ts.do("GET", path, testAdminToken, nil), http.StatusOK, "")
	}
	// /readyz tells everyone its status, and only admins the shards.
	r := ts.do("GET", "/readyz", "", nil)
	ts.expect(r, http.StatusOK, "")
	if strings.Contains(string(r.Body), "shards") {
		t.Errorf("/readyz without the token shows the shards: %s", r.Body)
	}
	r = ts.do("GET", "/readyz", testAdminToken, nil)
	if !strings.Contains(string(r.Body), `"shards"`) {
		t.Errorf("/readyz with the token hides the shards: %s", r.Body)
	}
	// /healthz is public and says only that the node is up.
	r = ts.do("GET", "/healthz", "", nil)
	ts.expect(r, http.StatusOK, "")
	if got := strings.TrimSpace(string(r.Body)); got != `{"status":"ok"}` {
		t.Errorf("/healthz says %s", got)
	}
}

func TestAdmin_AdminListenerNeedsNoToken(t *testing.T) {
	ts := newTestServer(t, withAdminToken(testAdminToken))
	admin := httptest.NewServer(ts.Server.AdminHandler())
	defer admin.Close()
	for _, path := range []string{"/metrics", "/internal/position?shard=0&wait=0", "/healthz"} {
		resp, err := http.Get(admin.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("admin listener %s: %d", path, resp.StatusCode)
		}
	}
	resp, err := http.Get(admin.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), `"shards"`) {
		t.Errorf("/readyz on the admin listener hides the shards: %s", body)
	}
}
