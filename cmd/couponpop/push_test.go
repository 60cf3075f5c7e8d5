package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop/client"
	"github.com/couponpop/couponpop/push"
	"github.com/couponpop/couponpop/push/pushtest"
)

// TestNode_PushOnClaim runs a node with its dispatchers: a subscription made
// through the API gets the issued push of a claim, signed with the VAPID key
// the API serves, and a restarted node keeps that key.
func TestNode_PushOnClaim(t *testing.T) {
	svc := pushtest.NewServer(t)
	cfg := testNodeConfig(t.TempDir())
	cfg.Push.AllowedEndpoints = svc.URL + "/"
	ctx := context.Background()
	publicKey := func(url string) string {
		t.Helper()
		resp, err := client.New(url).Do(ctx, "GET", "/api/v1/push/vapid-public-key", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Data struct{ PublicKey string } }
		if err := json.Unmarshal(resp.Body, &body); err != nil {
			t.Fatal(err)
		}
		return body.Data.PublicKey
	}

	n := newNode(cfg, discardLogger())
	if err := n.Open(ctx); err != nil {
		n.Close()
		t.Fatal(err)
	}
	url := "http://" + n.Addr().String()
	key := publicKey(url)
	svc.VAPIDPublicKey = key
	_, eventID := ownerEvent(t, url, 100)
	customer := client.New(url).WithToken(mint(t, 4242))
	sub := svc.NewSubscription(t)
	if _, err := customer.Do(ctx, "POST", "/api/v1/push/subscriptions", map[string]any{"endpoint": sub.Endpoint,
		"keys": map[string]string{"p256dh": sub.P256dh, "auth": sub.Auth}, "deviceIdentifier": "phone"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := customer.Do(ctx, "POST", "/api/v1/push/subscriptions", map[string]any{"endpoint": "http://169.254.169.254/x",
		"keys": map[string]string{"p256dh": sub.P256dh, "auth": sub.Auth}}, nil); err == nil || !strings.Contains(err.Error(), "PUSH_ENDPOINT_NOT_ALLOWED") {
		t.Fatalf("internal endpoint: %v", err)
	}
	claimed := time.Now()
	if _, err := customer.Claim(ctx, eventID, ""); err != nil {
		t.Fatal(err)
	}
	for len(svc.Delivered()) == 0 {
		if time.Since(claimed) > 5*time.Second {
			t.Fatalf("no push within 5 s of the claim; received %+v", svc.Received())
		}
		time.Sleep(10 * time.Millisecond)
	}
	var p push.Payload
	if err := json.Unmarshal(svc.Delivered()[0].Payload, &p); err != nil || !strings.HasSuffix(p.Title, "쿠폰을 손님이 수령했습니다.") {
		t.Fatalf("payload %s: %v", svc.Delivered()[0].Payload, err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}

	n = newNode(cfg, discardLogger())
	if err := n.Open(ctx); err != nil {
		n.Close()
		t.Fatal(err)
	}
	defer n.Close()
	if again := publicKey("http://" + n.Addr().String()); again != key {
		t.Fatalf("VAPID key changed on restart: %s → %s", key, again)
	}
}
