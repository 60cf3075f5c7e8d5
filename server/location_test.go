package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/push"
	"github.com/couponpop/couponpop/store"
)

func TestLocation_AreaEntryPush(t *testing.T) {
	svc, withService := withPushService(t)
	seoul := time.FixedZone("KST", 9*3600)
	var clock atomic.Int64
	clock.Store(time.Date(2025, 10, 25, 14, 0, 0, 0, seoul).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	advance := func(d time.Duration) { clock.Add(int64(d)) }
	ts := newTestServer(t, withNow(now), withService)

	_, owner := ts.member(couponpop.MemberOwner)
	storeID := ts.createStore(owner, hongdaeLat+0.001, hongdaeLng)
	eventID := ts.createEvent(owner, storeID, now().Add(time.Minute), 6*time.Hour, 10, nil)
	advance(2 * time.Minute)

	customer, tok := ts.member(couponpop.MemberCustomer)
	ts.subscribe(svc, tok, "phone")
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
	waitUntil(t, 5*time.Second, func() bool { return len(svc.Delivered()) > 0 })
	if len(svc.Delivered()) != 1 {
		t.Fatalf("%d area pushes, want 1", len(svc.Delivered()))
	}
	var p push.Payload
	_ = json.Unmarshal(svc.Delivered()[0].Payload, &p)
	if !strings.HasPrefix(p.Title, "(광고) 홍익대입구") {
		t.Fatalf("title %q", p.Title)
	}
	// Shard 0's outbox and dispatcher sent it: the history says so.
	waitDelivered(t, ts.Shards.Global, customer, fmt.Sprintf("area-%d-%d", customer, eventID))
	history, err := ts.Shards.Global.NotificationHistoryOf(context.Background(), customer)
	if err != nil || len(history) != 1 || history[0].Outcome != store.PushDelivered ||
		history[0].TraceID != fmt.Sprintf("area-%d-%d", customer, eventID) || history[0].TraceID != p.TraceID {
		t.Fatalf("history %+v (%v), want one delivery of area-%d-%d", history, err, customer, eventID)
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

// TestLocation_EventsAcrossNodes: a report near a shard border lists the
// running events of both shards nearest first, those of the shard another
// node holds too, and says which the member claimed; with that node gone,
// the answer is marked partial, never an error.
func TestLocation_EventsAcrossNodes(t *testing.T) {
	a, b := startShardNodes(t)
	owner := mintToken(t, 7201, couponpop.MemberOwner)
	customer := mintToken(t, 7202, couponpop.MemberCustomer)
	var events []int64
	for _, p := range borderStores {
		storeID := a.createStore(owner, p[0], p[1])
		events = append(events, a.createEvent(owner, storeID, time.Now().Add(-time.Minute), time.Hour, 10, nil))
	}
	if couponpop.ShardOfID(events[0]) != 3 {
		t.Fatalf("event %d is not in shard 3 (node B)", events[0])
	}
	b.claimCoupon(customer, events[0])
	type answer struct {
		Events []struct {
			ID      int64
			Claimed bool
		}
		Partial       bool
		MissingShards []int
	}
	report := func() answer {
		t.Helper()
		r := a.do("POST", "/api/v1/locations/current", customer, map[string]any{"latitude": borderLat, "longitude": borderLng})
		a.expect(r, 200, "")
		var out answer
		r.data(t, &out)
		return out
	}
	out := report()
	if out.Partial || len(out.Events) != len(events) {
		t.Fatalf("%+v, want the %d events of both shards", out, len(events))
	}
	for i, e := range out.Events {
		if e.ID != events[i] || e.Claimed != (i == 0) {
			t.Errorf("event %d: %+v, want %d (claimed %v)", i, e, events[i], i == 0)
		}
	}
	b.stop()
	out = report()
	if !out.Partial || !slices.Equal(out.MissingShards, []int{3}) || len(out.Events) != 2 || out.Events[0].ID != events[1] {
		t.Fatalf("with B gone: %+v, want A's 2 events, partial, missing shard 3", out)
	}
}
