package server_test

import (
	"context"
	"testing"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/push"
	"github.com/couponpop/couponpop/push/pushtest"
	"github.com/couponpop/couponpop/server"
	"github.com/couponpop/couponpop/store"
)

// withPush sets the VAPID public key and the endpoint allow list.
func withPush(publicKey string, allow push.AllowList) testOption {
	return func(c *server.Config, _ *store.ClaimOptions) { c.PushPublicKey, c.PushAllow = publicKey, &allow }
}

// withPushService gives the server a local Web Push service to send to:
// its key, an allow list of the service alone, and a sender; the test
// server then runs each shard's dispatcher too.
func withPushService(t testing.TB) (*pushtest.Server, testOption) {
	t.Helper()
	svc := pushtest.NewServer(t)
	keys, err := push.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	svc.VAPIDPublicKey = keys.Public
	allow, err := push.ParseAllowList(svc.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	sender, err := push.NewSender(push.SenderConfig{Keys: keys, Subscriber: "ops@couponpop.test", Allow: allow})
	if err != nil {
		t.Fatal(err)
	}
	return svc, func(c *server.Config, o *store.ClaimOptions) {
		withPush(keys.Public, allow)(c, o)
		c.PushSender = sender
	}
}

// subscribe gives the member behind token a subscription on svc.
func (ts *testServer) subscribe(svc *pushtest.Server, token, device string) push.Subscription {
	ts.t.Helper()
	sub := svc.NewSubscription(ts.t)
	ts.expect(ts.do("POST", "/api/v1/push/subscriptions", token, map[string]any{"endpoint": sub.Endpoint,
		"keys": map[string]string{"p256dh": sub.P256dh, "auth": sub.Auth}, "deviceIdentifier": device}), 204, "")
	return sub
}

func subscription(endpoint, device string) map[string]any {
	return map[string]any{"endpoint": endpoint, "keys": map[string]string{"p256dh": "BNcR", "auth": "tBHI"}, "deviceIdentifier": device}
}

func TestPush_SubscriptionsAndKey(t *testing.T) {
	allow, err := push.ParseAllowList("https://push.example.com/")
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, withPush("BPUBLIC", allow))
	r := ts.do("GET", "/api/v1/push/vapid-public-key", "", nil)
	ts.expect(r, 200, "")
	var key struct{ PublicKey string }
	r.data(t, &key)
	if key.PublicKey != "BPUBLIC" {
		t.Fatalf("publicKey %q", key.PublicKey)
	}

	id, tok := ts.member(couponpop.MemberCustomer)
	ts.expect(ts.do("POST", "/api/v1/push/subscriptions", "", subscription("https://push.example.com/a", "phone")), 401, couponpop.EUNAUTHORIZED)
	for _, bad := range []string{"http://169.254.169.254/latest", "https://push.example.com.evil/a", "https://push.example.com@10.0.0.1/a"} {
		ts.expect(ts.do("POST", "/api/v1/push/subscriptions", tok, subscription(bad, "phone")), 400, "PUSH_ENDPOINT_NOT_ALLOWED")
	}
	ts.expect(ts.do("POST", "/api/v1/push/subscriptions", tok, map[string]any{"endpoint": "https://push.example.com/a"}), 400, couponpop.EINVALID)
	ts.expect(ts.do("POST", "/api/v1/push/subscriptions", tok, subscription("https://push.example.com/a", "phone")), 204, "")
	ts.expect(ts.do("POST", "/api/v1/push/subscriptions", tok, subscription("https://push.example.com/a", "phone")), 204, "") // upsert
	ts.expect(ts.do("POST", "/api/v1/push/subscriptions", tok, subscription("https://push.example.com/b", "tablet")), 204, "")
	ts.expect(ts.do("POST", "/api/v1/push/subscriptions", tok, subscription("https://push.example.com/c", "laptop")), 204, "")
	subs := func() int {
		t.Helper()
		got, err := ts.Shards.Global.PushSubscriptions(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	if n := subs(); n != 3 {
		t.Fatalf("%d subscriptions, want 3", n)
	}
	ts.expect(ts.do("DELETE", "/api/v1/push/subscriptions", tok, map[string]any{"endpoint": "https://push.example.com/c"}), 204, "")
	if n := subs(); n != 2 {
		t.Fatalf("%d subscriptions after DELETE, want 2", n)
	}
	ts.expect(ts.do("POST", "/api/v1/fcm-token", tok, map[string]any{"fcmToken": "tok", "deviceType": "ANDROID", "deviceIdentifier": "phone"}), 204, "")
	ts.expect(ts.do("POST", "/api/v1/fcm-token", tok, map[string]any{"fcmToken": "tok"}), 400, couponpop.EINVALID)

	// Logout forgets that device only.
	ts.expect(ts.do("POST", "/api/v1/auth/logout", tok, map[string]any{"deviceIdentifier": "phone", "fcmToken": "tok"}), 204, "")
	if n := subs(); n != 1 {
		t.Fatalf("%d subscriptions after logout, want 1", n)
	}
}

func TestPush_WithdrawDeletesAll(t *testing.T) {
	ts := newTestServer(t, withPush("BPUBLIC", push.DefaultAllowList()))
	id, tok := ts.member(couponpop.MemberCustomer)
	ts.expect(ts.do("POST", "/api/v1/push/subscriptions", tok, subscription("https://fcm.googleapis.com/fcm/send/x", "phone")), 204, "")
	ts.expect(ts.do("POST", "/api/v1/push/subscriptions", tok, subscription("https://updates.push.services.mozilla.com/wpush/v2/y", "pc")), 204, "")
	ts.expect(ts.do("DELETE", "/api/v1/auth/withdraw", tok, nil), 204, "")
	got, err := ts.Shards.Global.PushSubscriptions(context.Background(), id)
	if err != nil || len(got) != 0 {
		t.Fatalf("after withdrawal: %v, %v", got, err)
	}
}

func TestPush_NotificationSettings(t *testing.T) {
	ts := newTestServer(t)
	id, tok := ts.member(couponpop.MemberCustomer)
	ctx := context.Background()
	if s, err := ts.Shards.Global.NotificationSettingsOf(ctx, id); err != nil || s.Marketing || s.Night {
		t.Fatalf("default %+v, %v; want both off", s, err)
	}
	ts.expect(ts.do("PUT", "/api/v1/members/me/notifications", tok, map[string]any{"marketing": true}), 400, couponpop.EINVALID)
	ts.expect(ts.do("PUT", "/api/v1/members/me/notifications", tok, map[string]any{"marketing": true, "night": false}), 204, "")
	if s, err := ts.Shards.Global.NotificationSettingsOf(ctx, id); err != nil || !s.Marketing || s.Night {
		t.Fatalf("got %+v, %v", s, err)
	}
	ts.expect(ts.do("GET", "/api/v1/push/vapid-public-key", "", nil), 503, couponpop.EUNAVAILABLE)
}

func TestStore_VAPIDKeysKept(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	gen := func() (string, string, error) {
		k, err := push.GenerateVAPIDKeys()
		return k.Public, k.Private, err
	}
	pub1, priv1, err := ts.Shards.Global.EnsureVAPIDKeys(ctx, gen)
	if err != nil {
		t.Fatal(err)
	}
	pub2, priv2, err := ts.Shards.Global.EnsureVAPIDKeys(ctx, gen)
	if err != nil || pub1 != pub2 || priv1 != priv2 {
		t.Fatalf("keys changed on the second call: %v", err)
	}
	if _, err := push.ParseVAPIDKeys(pub1, priv1); err != nil {
		t.Fatal(err)
	}
}
