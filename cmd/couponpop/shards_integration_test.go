//go:build integration

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/client"
	"github.com/couponpop/couponpop/cluster"
)

// freeClusterPort returns a base port whose app and LiteFS ports for nodes
// 1..nodes and shards 0..shards are free on loopback.
func freeClusterPort(t *testing.T, nodes, shards int) int {
	t.Helper()
	all := make([]int, shards+1)
	for s := range all {
		all[s] = s
	}
	base, err := cluster.FreeBasePort(30000+os.Getpid()%40*250, nodes, all)
	if err != nil {
		t.Fatal(err)
	}
	return base
}

// shardCluster is a running `cluster up --shards 2 --nodes-per-shard 2`
// whose nodes run this test binary as couponpop.
type shardCluster struct {
	t *testing.T
	*cluster.Cluster
}

func upShardCluster(t *testing.T, ctx context.Context) *shardCluster {
	t.Helper()
	if err := cluster.CheckFUSE(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but LiteFS cannot mount: %v (CI must install fuse3 and provide /dev/fuse)", err)
		}
		t.Skipf("skipping LiteFS test: %v (apt-get install fuse3; needs /dev/fuse)", err)
	}
	t.Setenv("COUPONPOP_TEST_MAIN", "1") // the nodes run main() of this binary
	t.Setenv("COUPONPOP_LOG_LEVEL", "warn")
	dir := t.TempDir()
	spec := cluster.Spec{Dir: dir, BasePort: freeClusterPort(t, 4, 2), AppBin: os.Args[0], Timeout: time.Minute}
	if err := placeShards(&spec, 2, 0, 2, false); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	c, err := cluster.Up(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("2 shards × 2 nodes up in %s", time.Since(start).Round(time.Millisecond))
	sc := &shardCluster{t, c}
	t.Cleanup(func() {
		if t.Failed() {
			for _, n := range c.Nodes {
				t.Logf("%s app.log:\n%s", n.Name, tailOf(n.Log, 30))
			}
		}
		if err := cluster.Down(dir); err != nil {
			t.Error(err)
		}
	})
	return sc
}

func tailOf(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// client returns a client of node name with token.
func (sc *shardCluster) client(name, token string) *client.Client {
	n, ok := sc.Node(name)
	if !ok {
		sc.t.Fatalf("no node %s", name)
	}
	c := client.New(n.URL).WithToken(token)
	c.HTTP.Timeout = 15 * time.Second
	return c
}

// eventually retries check every 50 ms for up to 15 s: replicas apply the
// primaries' writes asynchronously.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err = check(); err == nil {
			return
		}
	}
	t.Fatalf("%s: %v", what, err)
}

// signup creates a member through node via and logs it in through node1,
// the primary of shard 0.
func (sc *shardCluster) signup(ctx context.Context, via, memberType string) string {
	sc.t.Helper()
	email := fmt.Sprintf("%s-%d@example.com", strings.ToLower(memberType), time.Now().UnixNano())
	if _, err := sc.client(via, "").Signup(ctx, client.Signup{Email: email, Username: "샤드" + memberType,
		Password: "Passw0rd!", ConfirmPassword: "Passw0rd!", PhoneNumber: "01012345678", MemberType: memberType}); err != nil {
		sc.t.Fatalf("signup via %s: %v", via, err)
	}
	tok, err := sc.client("node1", "").Login(ctx, email, "Passw0rd!")
	if err != nil {
		sc.t.Fatal(err)
	}
	return tok.AccessToken
}

// borderStores lie within 1 km of (37.536, 126.915) on the Han, between
// Mapo (north: shard 1) and Yeongdeungpo (south: shard 2), nearest first.
var borderStores = []struct {
	lat, lng float64
	shard    int
}{
	{37.5330, 126.9170, 2}, // 영등포구, 377 m
	{37.5420, 126.9120, 1}, // 마포구, 718 m
	{37.5290, 126.9140, 2}, // 영등포구, 783 m
	{37.5430, 126.9180, 1}, // 마포구, 822 m
}

const borderLat, borderLng = 37.536, 126.915

func newEvent(storeID int64, name string, dur time.Duration) client.NewEvent {
	kst := time.FixedZone("KST", 9*3600)
	start := time.Now().Add(-time.Minute).In(kst)
	return client.NewEvent{StoreID: storeID, Name: name, TotalCount: 100,
		EventStartAt: start.Format("2006-01-02T15:04:05"), EventEndAt: start.Add(dur).Format("2006-01-02T15:04:05")}
}

// gathered is a fan-out answer: data, and what is missing.
type gathered struct {
	Data          json.RawMessage `json:"data"`
	Partial       bool            `json:"partial"`
	MissingShards []int           `json:"missingShards"`
	header        string          // Couponpop-Partial
}

func getGathered(ctx context.Context, c *client.Client, path string) (gathered, error) {
	var g gathered
	resp, err := c.Do(ctx, "GET", path, nil, nil)
	if err != nil {
		return g, err
	}
	g.header = resp.Header.Get("Couponpop-Partial")
	return g, json.Unmarshal(resp.Body, &g)
}

func nearbyIDs(ctx context.Context, c *client.Client, lat, lng, radiusKm float64) ([]int64, gathered, error) {
	q := url.Values{"lat": {fmt.Sprint(lat)}, "lng": {fmt.Sprint(lng)}, "radius": {fmt.Sprint(radiusKm)}}
	g, err := getGathered(ctx, c, "/api/v1/stores?"+q.Encode())
	if err != nil {
		return nil, g, err
	}
	var stores []struct {
		ID             int64   `json:"id"`
		DistanceMeters float64 `json:"distanceMeters"`
	}
	if err := json.Unmarshal(g.Data, &stores); err != nil {
		return nil, g, err
	}
	var ids []int64
	for i, s := range stores {
		if i > 0 && s.DistanceMeters < stores[i-1].DistanceMeters {
			return nil, g, fmt.Errorf("not in distance order: %s", g.Data)
		}
		ids = append(ids, s.ID)
	}
	return ids, g, nil
}

func myCouponEvents(ctx context.Context, c *client.Client) ([]int64, gathered, error) {
	g, err := getGathered(ctx, c, "/api/v1/coupons?size=10")
	if err != nil {
		return nil, g, err
	}
	var page struct {
		Coupons []struct {
			Event struct{ ID int64 } `json:"event"`
		} `json:"coupons"`
	}
	if err := json.Unmarshal(g.Data, &page); err != nil {
		return nil, g, err
	}
	var ids []int64
	for _, cp := range page.Coupons {
		ids = append(ids, cp.Event.ID)
	}
	return ids, g, nil
}

// TestCluster_TwoShards runs `cluster up --shards 2 --nodes-per-shard 2` on
// real LiteFS: node1–2 hold shard 1 (north of the Han), node3–4 shard 2
// (south), all hold shard 0.
func TestCluster_TwoShards(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	sc := upShardCluster(t, ctx)
	if sc.ShardMap != filepath.Join(sc.Dir, cluster.ShardMapFile) {
		t.Fatalf("shard map %q", sc.ShardMap)
	}
	for name, want := range map[string]struct {
		role   string
		shards []int
	}{
		"node1": {"primary", []int{0, 1}}, "node2": {"replica", []int{0, 1}},
		"node3": {"primary:2 replica:0", []int{0, 2}}, "node4": {"replica", []int{0, 2}},
	} {
		n, _ := sc.Node(name)
		var shards []int
		for _, m := range n.Mounts {
			shards = append(shards, m.Shard)
		}
		if n.Role() != want.role || !slices.Equal(shards, want.shards) {
			t.Fatalf("%s: role %q shards %v, want %q %v", name, n.Role(), shards, want.role, want.shards)
		}
		cfg := defaultConfig()
		if err := cfg.loadFile(n.Config); err != nil || cfg.ShardMap != sc.ShardMap {
			t.Fatalf("%s.yml: shard-map %q, %v", name, cfg.ShardMap, err)
		}
	}

	owner := sc.signup(ctx, "node1", couponpop.MemberOwner)
	customer := sc.signup(ctx, "node3", couponpop.MemberCustomer) // forwarded to shard 0's primary

	// Every store is created through node1, which holds shard 1 only: the
	// southern ones go to a node of shard 2, and on to its primary.
	var ids []int64
	for i, s := range borderStores {
		st, err := sc.client("node1", owner).CreateStore(ctx, testStore(fmt.Sprintf("한강 카페 %d", i), s.lat, s.lng))
		if err != nil {
			t.Fatal(err)
		}
		if got := couponpop.ShardOfID(st.ID); got != s.shard {
			t.Fatalf("store at (%g, %g) in shard %d, want %d", s.lat, s.lng, got, s.shard)
		}
		ids = append(ids, st.ID)
	}
	if _, err := sc.client("node1", owner).CreateStore(ctx, testStore("홍대 카페", 37.5572, 126.9245)); err != nil {
		t.Fatal(err)
	}

	// A 1 km circle across the Han: both shards' stores in distance order,
	// from a replica of each shard.
	t.Run("border query", func(t *testing.T) {
		for _, via := range []string{"node2", "node4"} {
			eventually(t, "nearby via "+via, func() error {
				got, g, err := nearbyIDs(ctx, sc.client(via, customer), borderLat, borderLng, 1)
				switch {
				case err != nil:
					return err
				case g.Partial || g.header != "":
					return fmt.Errorf("partial: %s", g.header)
				case !slices.Equal(got, ids):
					return fmt.Errorf("stores %v, want %v", got, ids)
				}
				return nil
			})
		}
	})

	// Claims: an event of shard 2 claimed through node1 (shard 1 only), an
	// event of shard 1 through node4 (shard 2 only).
	southEvent, err := sc.client("node1", owner).CreateEvent(ctx, newEvent(ids[0], "남쪽 아메리카노", 2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	northEvent, err := sc.client("node4", owner).CreateEvent(ctx, newEvent(ids[1], "북쪽 라테", time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("claim across shards", func(t *testing.T) {
		for _, tc := range []struct {
			via   string
			event int64
		}{{"node1", southEvent}, {"node4", northEvent}} {
			coupon, err := sc.client(tc.via, customer).Claim(ctx, tc.event, "")
			if err != nil {
				t.Fatalf("claim of event %d (shard %d) via %s: %v", tc.event, couponpop.ShardOfID(tc.event), tc.via, err)
			}
			if couponpop.ShardOfID(coupon) != couponpop.ShardOfID(tc.event) {
				t.Fatalf("coupon %d of event %d in another shard", coupon, tc.event)
			}
		}
	})

	// My coupons: both shards in one order (issued: by event end, north's
	// ends first).
	t.Run("my coupons", func(t *testing.T) {
		for _, via := range []string{"node2", "node3"} {
			eventually(t, "my coupons via "+via, func() error {
				got, g, err := myCouponEvents(ctx, sc.client(via, customer))
				switch {
				case err != nil:
					return err
				case g.Partial:
					return fmt.Errorf("partial: %s", g.header)
				case !slices.Equal(got, []int64{northEvent, southEvent}):
					return fmt.Errorf("coupons of events %v, want %v", got, []int64{northEvent, southEvent})
				}
				return nil
			})
		}
	})

	t.Run("statistics", func(t *testing.T) {
		eventually(t, "statistics via node2", func() error {
			g, err := getGathered(ctx, sc.client("node2", owner), "/api/v1/owner/coupons/events/statistics?size=100")
			if err != nil {
				return err
			}
			var page struct {
				Statistics []struct {
					StoreID int64 `json:"storeId"`
				} `json:"statistics"`
			}
			if err := json.Unmarshal(g.Data, &page); err != nil {
				return err
			}
			if len(page.Statistics) != 5 || g.Partial {
				return fmt.Errorf("statistics of %d stores (partial %v), want 5", len(page.Statistics), g.Partial)
			}
			return nil
		})
	})

	// Shard 2's nodes go away: app and LiteFS mounts killed.
	for _, name := range []string{"node3", "node4"} {
		if err := sc.KillNode(name); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("shard 2 down", func(t *testing.T) {
		// A request in shard 1 still works: a claim, and a nearby query
		// around Hongdae that touches shard 1 only.
		late := sc.signup(ctx, "node2", couponpop.MemberCustomer)
		if _, err := sc.client("node2", late).Claim(ctx, northEvent, ""); err != nil {
			t.Fatalf("claim in shard 1 with shard 2 down: %v", err)
		}
		if _, g, err := nearbyIDs(ctx, sc.client("node1", late), 37.5572, 126.9245, 0.5); err != nil || g.Partial {
			t.Fatalf("nearby in shard 1: partial %v, %v", g.Partial, err)
		}
		// The border query: shard 1's part, marked partial.
		for _, via := range []string{"node1", "node2"} {
			got, g, err := nearbyIDs(ctx, sc.client(via, customer), borderLat, borderLng, 1)
			if err != nil {
				t.Fatalf("border query via %s with shard 2 down: %v", via, err)
			}
			if !g.Partial || g.header != "2" || !slices.Equal(g.MissingShards, []int{2}) || !slices.Equal(got, []int64{ids[1], ids[3]}) {
				t.Fatalf("border query via %s: stores %v, partial %v, header %q, missing %v", via, got, g.Partial, g.header, g.MissingShards)
			}
		}
		got, g, err := myCouponEvents(ctx, sc.client("node1", customer))
		if err != nil || !g.Partial || g.header != "2" || !slices.Equal(got, []int64{northEvent}) {
			t.Fatalf("my coupons with shard 2 down: %v partial %v %q, %v", got, g.Partial, g.header, err)
		}
		// A write to shard 2 cannot be served: 503 with Retry-After, never
		// a silent drop.
		_, err = sc.client("node1", late).Claim(ctx, southEvent, "")
		var apiErr *client.Error
		if !errors.As(err, &apiErr) || apiErr.Status != http.StatusServiceUnavailable {
			t.Fatalf("claim in shard 2 with shard 2 down: %v, want 503", err)
		}
	})
}
