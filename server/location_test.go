package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/push"
	"github.com/couponpop/couponpop/push/pushtest"
	"github.com/couponpop/couponpop/server"
	"github.com/couponpop/couponpop/store"
)

// withPushSender lets the server send area-entry pushes.
func withPushSender(s *push.Sender) testOption {
	return func(c *server.Config, _ *store.ClaimOptions) { c.PushSender = s }
}

func TestLocation_AreaEntryPush(t *testing.T) {
	svc := pushtest.NewServer(t)
	keys, _ := push.GenerateVAPIDKeys()
	allow, _ := push.ParseAllowList(svc.URL + "/")
	sender, err := push.NewSender(push.SenderConfig{Keys: keys, Subscriber: "ops@couponpop.test", Allow: allow})
	if err != nil {
		t.Fatal(err)
	}
	seoul := time.FixedZone("KST", 9*3600)
	var clock atomic.Int64
	clock.Store(time.Date(2025, 10, 25, 14, 0, 0, 0, seoul).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	advance := func(d time.Duration) { clock.Add(int64(d)) }
	ts := newTestServer(t, withNow(now), withPushSender(sender), withPush(keys.Public, allow))

	_, owner := ts.member(couponpop.MemberOwner)
	storeID := ts.createStore(owner, hongdaeLat+0.001, hongdaeLng)
	eventID := ts.createEvent(owner, storeID, now().Add(time.Minute), 6*time.Hour, 10, nil)
	advance(2 * time.Minute)

	_, tok := ts.member(couponpop.MemberCustomer)
	sub := svc.NewSubscription(t)
	ts.expect(ts.do("POST", "/api/v1/push/subscriptions", tok, map[string]any{"endpoint": sub.Endpoint,
		"keys": map[string]string{"p256dh": sub.P256dh, "auth": sub.Auth}, "deviceIdentifier": "phone"}), 204, "")
	report := func(lat, lng float64) (areas []string, events []int64) {
		t.Helper()
		r := ts.do("POST", "/api/v1/locations/current", tok, map[string]any{"latitude": lat, "longitude": lng, "deviceIdentifier": "phone"})
		ts.expect(r, 200, "")
		var out struct {
			Areas  []struct{ ID, Name string }
			Events []struct{ ID int64 }
		}
		r.data(t, &out)
		for _, a := range out.Areas {
			areas = append(areas, a.Name)
		}
		for _, e := range out.Events {
			events = append(events, e.ID)
		}
		return areas, events
	}

	areas, events := report(hongdaeLat, hongdaeLng)
	if len(areas) < 2 || areas[0] != "홍익대입구" || areas[len(areas)-1] != "마포구" || len(events) != 1 || events[0] != eventID {
		t.Fatalf("areas %v events %v", areas, events)
	}
	advance(5 * time.Minute)
	report(hongdaeLat, hongdaeLng)
	time.Sleep(200 * time.Millisecond)
	if n := len(svc.Received()); n != 0 {
		t.Fatalf("%d pushes without marketing consent", n)
	}

	ts.expect(ts.do("PUT", "/api/v1/members/me/notifications", tok, map[string]any{"marketing": true, "night": false}), 204, "")
	advance(time.Minute)
	report(hongdaeLat, hongdaeLng)
	deadline := time.Now().Add(5 * time.Second)
	for len(svc.Delivered()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if len(svc.Delivered()) != 1 {
		t.Fatalf("%d area pushes, want 1", len(svc.Delivered()))
	}
	var p push.Payload
	_ = json.Unmarshal(svc.Delivered()[0].Payload, &p)
	if !strings.HasPrefix(p.Title, "(광고) 홍익대입구") {
		t.Fatalf("title %q", p.Title)
	}
	advance(10 * time.Minute)
	report(hongdaeLat, hongdaeLng) // never twice for one event
	// Busan a second later: impossible speed, ignored and counted.
	advance(time.Second)
	report(35.1796, 129.0756)
	time.Sleep(200 * time.Millisecond)
	if n := len(svc.Received()); n != 1 {
		t.Fatalf("%d pushes, want still 1", n)
	}
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "couponpop_location_reports_ignored_total 1") {
		t.Fatal("spoofed report not counted in /metrics")
	}
}
