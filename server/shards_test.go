package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/server"
	"github.com/couponpop/couponpop/store"
	"golang.org/x/crypto/bcrypt"
)

// shardNode is one of two in-process nodes that split the district shards
// of the built-in map: each holds its own shards and shard 0 (a plain file
// of its own: tokens are minted, so no member has to be shared), and knows
// the other node as the holder of the rest.
type shardNode struct {
	*testServer
	srv  *server.Server
	stop func() // stops serving, as if the node went away
}

// startShardNodes starts node A holding shards 1 and 2 and node B holding
// 3 and 4 (Mapo is in 1, Yeongdeungpo in 3).
func startShardNodes(t *testing.T) (a, b *shardNode) {
	t.Helper()
	lnA, errA := net.Listen("tcp", "127.0.0.1:0")
	lnB, errB := net.Listen("tcp", "127.0.0.1:0")
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	urlA, urlB := "http://"+lnA.Addr().String(), "http://"+lnB.Addr().String()
	a = startShardNode(t, lnA, []int{1, 2}, map[int][]string{3: {urlB}, 4: {urlB}})
	b = startShardNode(t, lnB, []int{3, 4}, map[int][]string{1: {urlA}, 2: {urlA}})
	return a, b
}

func startShardNode(t *testing.T, ln net.Listener, held []int, remote map[int][]string) *shardNode {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	opened, err := store.OpenShards(ctx, dir, held, nil)
	if err != nil {
		t.Fatal(err)
	}
	sh := &server.Shards{Map: geo.DefaultShardMap(), Global: opened.Global, District: opened.District, Remote: remote}
	srv, err := server.New(server.Config{JWTSecret: []byte(testSecret), BcryptCost: bcrypt.MinCost,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AdvertiseURL: "http://" + ln.Addr().String()}, sh)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
			sh.Close()
		}
	}
	t.Cleanup(stop)
	ts := &testServer{t: t, URL: "http://" + ln.Addr().String(), Shards: sh,
		client: &http.Client{Timeout: 30 * time.Second}}
	ts.waitHealthy()
	return &shardNode{ts, srv, stop}
}

// Stores within 1 km of a point on the Han between Mapo (shard 1) and
// Yeongdeungpo (shard 3), nearest first, alternating shards.
var (
	borderLat, borderLng = 37.536, 126.915
	borderStores         = [][2]float64{
		{37.5330, 126.9170}, // 영등포구, 377 m
		{37.5420, 126.9120}, // 마포구, 718 m
		{37.5290, 126.9140}, // 영등포구, 783 m
		{37.5430, 126.9180}, // 마포구, 822 m
	}
)

// TestShards_NearbyAcrossNodes: a circle across the border is answered by
// both nodes, merged by distance; with B gone, A's part comes back marked
// partial, never a 5xx.
func TestShards_NearbyAcrossNodes(t *testing.T) {
	a, b := startShardNodes(t)
	owner := mintToken(t, 7001, couponpop.MemberOwner)
	var ids []int64
	for _, p := range borderStores {
		ids = append(ids, a.createStore(owner, p[0], p[1])) // Yeongdeungpo's go through A to B
	}
	if got := couponpop.ShardOfID(ids[0]); got != 3 {
		t.Fatalf("Yeongdeungpo store in shard %d", got)
	}
	a.createStore(owner, hongdaeLat, hongdaeLng) // 2.5 km away

	path := fmt.Sprintf("/api/v1/stores?lat=%g&lng=%g&radius=1", borderLat, borderLng)
	for _, n := range []*shardNode{a, b} {
		r := n.do("GET", path, owner, nil)
		n.expect(r, 200, "")
		if r.Header.Get("Couponpop-Partial") != "" {
			t.Fatalf("partial answer with both nodes up: %s", r.Header.Get("Couponpop-Partial"))
		}
		var got []struct {
			ID             int64
			DistanceMeters float64
		}
		r.data(t, &got)
		var gotIDs []int64
		for _, s := range got {
			gotIDs = append(gotIDs, s.ID)
		}
		if !slices.Equal(gotIDs, ids) {
			t.Fatalf("nearby via %s = %v, want %v in distance order", n.URL, gotIDs, ids)
		}
	}

	b.stop()
	r := a.do("GET", path, owner, nil)
	a.expect(r, 200, "")
	if h := r.Header.Get("Couponpop-Partial"); h != "3" {
		t.Fatalf("Couponpop-Partial = %q, want 3", h)
	}
	var body struct {
		Data []struct {
			ID int64 `json:"id"`
		} `json:"data"`
		Partial       bool  `json:"partial"`
		MissingShards []int `json:"missingShards"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if !body.Partial || !slices.Equal(body.MissingShards, []int{3}) || len(body.Data) != 2 ||
		body.Data[0].ID != ids[1] || body.Data[1].ID != ids[3] {
		t.Fatalf("partial nearby = %s", r.Body)
	}
}

type statsPage struct {
	Statistics []struct {
		StoreID     int64 `json:"storeId"`
		CouponStats struct {
			Total int `json:"total"`
		} `json:"couponStats"`
	} `json:"statistics"`
	NextCursor *struct {
		LastStoreID int64 `json:"lastStoreId"`
	} `json:"nextCursor"`
	HasNext bool `json:"hasNext"`
}

// TestShards_StatisticsAcrossNodes: the owner's statistics merge both
// nodes' stores in one ID order, page across them, and come back partial
// without B.
func TestShards_StatisticsAcrossNodes(t *testing.T) {
	a, b := startShardNodes(t)
	owner := mintToken(t, 7002, couponpop.MemberOwner)
	other := mintToken(t, 7003, couponpop.MemberOwner)
	north := a.createStore(owner, borderStores[1][0], borderStores[1][1])
	south := b.createStore(owner, borderStores[0][0], borderStores[0][1])
	south2 := a.createStore(owner, borderStores[2][0], borderStores[2][1])
	b.createStore(other, borderStores[3][0], borderStores[3][1])
	start := time.Now().Add(-time.Minute)
	a.createEvent(owner, north, start, time.Hour, 10, nil)
	a.createEvent(owner, south, start, time.Hour, 20, nil) // through A to B
	b.createEvent(owner, south, start, time.Hour, 5, nil)

	for _, n := range []*shardNode{a, b} {
		r := n.do("GET", "/api/v1/owner/coupons/events/statistics", owner, nil)
		n.expect(r, 200, "")
		var p statsPage
		r.data(t, &p)
		if len(p.Statistics) != 3 || p.HasNext || p.Statistics[0].StoreID != north || p.Statistics[1].StoreID != south ||
			p.Statistics[2].StoreID != south2 || p.Statistics[0].CouponStats.Total != 10 || p.Statistics[1].CouponStats.Total != 25 {
			t.Fatalf("statistics via %s = %s", n.URL, r.Body)
		}
	}

	// Pages of one store: the cursor crosses from A's shard to B's.
	var seen []int64
	path := "/api/v1/owner/coupons/events/statistics?size=1"
	for range 4 {
		r := a.do("GET", path, owner, nil)
		a.expect(r, 200, "")
		var p statsPage
		r.data(t, &p)
		for _, s := range p.Statistics {
			seen = append(seen, s.StoreID)
		}
		if !p.HasNext {
			break
		}
		path = fmt.Sprintf("/api/v1/owner/coupons/events/statistics?size=1&lastStoreId=%d", p.NextCursor.LastStoreID)
	}
	if !slices.Equal(seen, []int64{north, south, south2}) {
		t.Fatalf("paged statistics = %v, want %v", seen, []int64{north, south, south2})
	}

	b.stop()
	r := a.do("GET", "/api/v1/owner/coupons/events/statistics", owner, nil)
	a.expect(r, 200, "")
	if h := r.Header.Get("Couponpop-Partial"); h != "3,4" {
		t.Fatalf("Couponpop-Partial = %q, want 3,4", h)
	}
	var p statsPage
	r.data(t, &p)
	if len(p.Statistics) != 1 || p.Statistics[0].StoreID != north {
		t.Fatalf("partial statistics = %s", r.Body)
	}
}

// TestShards_ForwardedWrites: a node answers writes for the other node's
// shards by forwarding them, and a store cannot move across shards even
// when the other shard is held elsewhere.
func TestShards_ForwardedWrites(t *testing.T) {
	a, b := startShardNodes(t)
	owner := mintToken(t, 7004, couponpop.MemberOwner)
	south := a.createStore(owner, borderStores[0][0], borderStores[0][1])
	if _, ok := b.Shards.District[couponpop.ShardOfID(south)]; !ok {
		t.Fatalf("store %d is not in one of B's shards", south)
	}
	event := a.createEvent(owner, south, time.Now().Add(-time.Minute), time.Hour, 10, nil)
	customer := mintToken(t, 7005, couponpop.MemberCustomer)
	a.expect(a.do("POST", "/api/v1/coupons/issue", customer, map[string]any{"eventId": event}), 204, "")
	fa, fb := a.scrape(), b.scrape()
	if n := counter(fa, "couponpop_forwarded_requests_total", "reason", "not_held"); n != 3 {
		t.Errorf("A forwarded %v requests for B's shards, want 3 (the store, the event and the claim)", n)
	}
	if na, nb := counter(fa, "couponpop_claims_total", "outcome", "ok"), counter(fb, "couponpop_claims_total", "outcome", "ok"); na != 0 || nb != 1 {
		t.Errorf("claims counted by A %v and B %v, want 0 and 1 (where it was served)", na, nb)
	}

	north := a.createStore(owner, borderStores[1][0], borderStores[1][1])
	r := b.do("PUT", fmt.Sprintf("/api/v1/owner/stores/%d", north), owner, storeBody("이사", borderStores[2][0], borderStores[2][1]))
	b.expect(r, 400, couponpop.EINVALID)
}

// TestShards_MyCouponsAcrossNodes: my coupons come from both nodes in one
// keyset order, and paging walks across them.
func TestShards_MyCouponsAcrossNodes(t *testing.T) {
	a, b := startShardNodes(t)
	owner := mintToken(t, 7006, couponpop.MemberOwner)
	north := a.createStore(owner, borderStores[1][0], borderStores[1][1])
	south := a.createStore(owner, borderStores[0][0], borderStores[0][1])
	start := time.Now().Add(-time.Minute)
	// Events ending 1..4 hours from now, alternating shards.
	var events []int64
	for i := range 4 {
		st := []int64{south, north}[i%2]
		events = append(events, a.createEvent(owner, st, start, time.Duration(i+1)*time.Hour, 10, nil))
	}
	customer := mintToken(t, 7007, couponpop.MemberCustomer)
	for _, e := range events {
		b.expect(b.do("POST", "/api/v1/coupons/issue", customer, map[string]any{"eventId": e}), 204, "")
	}
	var got []int64
	path := "/api/v1/coupons?size=3"
	for range 3 {
		r := a.do("GET", path, customer, nil)
		a.expect(r, 200, "")
		var p struct {
			Coupons []struct {
				Event struct{ ID int64 } `json:"event"`
			} `json:"coupons"`
			NextCursor *struct {
				LastEventEndAt string `json:"lastEventEndAt"`
				LastCouponID   int64  `json:"lastCouponId"`
			} `json:"nextCursor"`
			HasNext bool `json:"hasNext"`
		}
		r.data(t, &p)
		for _, c := range p.Coupons {
			got = append(got, c.Event.ID)
		}
		if !p.HasNext {
			break
		}
		path = fmt.Sprintf("/api/v1/coupons?size=3&lastEventEndAt=%s&lastCouponId=%d", p.NextCursor.LastEventEndAt, p.NextCursor.LastCouponID)
	}
	if !slices.Equal(got, events) {
		t.Fatalf("my coupons by event = %v, want %v (by event end)", got, events)
	}
}

// TestShards_FlyReplayBetweenApps: on Fly a shard held by another app is
// reached by answering fly-replay app=…, which Fly's proxy replays there.
func TestShards_FlyReplayBetweenApps(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := startShardNode(t, ln, []int{1, 2}, map[int][]string{3: {"fly:couponpop-s3"}, 4: {"fly:couponpop-s4"}})
	r := a.do("POST", "/api/v1/coupons/issue", mintToken(t, 7, "CUSTOMER"), map[string]any{"eventId": couponpop.MakeID(4, 1)})
	if r.Status != http.StatusConflict || r.Header.Get("fly-replay") != "app=couponpop-s4" {
		t.Fatalf("got %d fly-replay=%q, want 409 with fly-replay app=couponpop-s4", r.Status, r.Header.Get("fly-replay"))
	}
}
