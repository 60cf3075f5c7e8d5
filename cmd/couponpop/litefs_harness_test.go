//go:build integration

package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/couponpop/couponpop/client"
	"github.com/couponpop/couponpop/cluster"
	"github.com/golang-jwt/jwt/v5"
)

// The LiteFS tests run real `litefs mount` processes and this test binary as
// `couponpop serve` on every node (TestMain runs main() when
// COUPONPOP_TEST_MAIN=1), through cluster.Up, on loopback ports.

// claimShard is the one district shard of the test clusters: all of Seoul,
// so ownerEvent's store (Mapo-gu) is in it.
const claimShard = 1

// requireFUSE skips when LiteFS cannot mount here, except on CI (CI=true),
// which must provide fuse3 and /dev/fuse and so fails instead.
func requireFUSE(t *testing.T) {
	t.Helper()
	if err := cluster.CheckFUSE(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but LiteFS cannot mount: %v (CI must install fuse3 and provide /dev/fuse)", err)
		}
		t.Skipf("skipping LiteFS test: %v (apt-get install fuse3; needs /dev/fuse)", err)
	}
}

// testCluster is a running local cluster of this test.
type testCluster struct {
	*cluster.Cluster
	t          *testing.T
	secret     []byte
	adminToken string // /readyz details and /metrics need it
}

// upCluster starts nodes nodes holding shard 0 and claimShard (every
// district of Seoul), with env
// set for every app (e.g. COUPONPOP_CLAIM_ACK=replica), and stops it when
// the test ends.
func upCluster(t *testing.T, nodes int, consul *cluster.ConsulLease, env ...string) *testCluster {
	t.Helper()
	requireFUSE(t)
	t.Setenv("COUPONPOP_TEST_MAIN", "1")
	t.Setenv("COUPONPOP_LOG_LEVEL", "warn")
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	shards := []int{0, claimShard}
	districts, err := seoulDistricts(1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	c, err := cluster.Up(ctx, cluster.Spec{
		Dir: dir, Nodes: nodes, Shards: shards, BasePort: freeBasePort(t, nodes, shards),
		ShardMap: districts, AppBin: os.Args[0], Consul: consul, Timeout: 60 * time.Second,
		Logger: slog.New(slog.NewTextHandler(testLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			dumpLogs(t, c)
		}
		if err := cluster.Down(dir); err != nil {
			t.Error(err)
		}
	})
	t.Logf("%d-node cluster up in %s", nodes, time.Since(start).Round(time.Millisecond))
	secret, err := c.JWTSecret()
	if err != nil {
		t.Fatal(err)
	}
	adminToken, err := c.AdminToken()
	if err != nil {
		t.Fatal(err)
	}
	return &testCluster{Cluster: c, t: t, secret: []byte(secret), adminToken: adminToken}
}

// dumpLogs logs the tail of every app and LiteFS log of c.
func dumpLogs(t *testing.T, c *cluster.Cluster) {
	for _, n := range c.Nodes {
		logs := []string{n.Log}
		for _, m := range n.Mounts {
			logs = append(logs, m.Log)
		}
		for _, path := range logs {
			data, err := os.ReadFile(path)
			if err != nil {
				continue
			}
			lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
			if len(lines) > 30 {
				lines = lines[len(lines)-30:]
			}
			t.Logf("--- %s (last %d lines)\n%s", path, len(lines), strings.Join(lines, "\n"))
		}
	}
}

type testLogWriter struct{ t *testing.T }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// freeBasePort returns a base port whose ports for nodes and shards are
// free. It searches a range apart from the cluster package's tests, which
// go test may run at the same time.
func freeBasePort(t *testing.T, nodes int, shards []int) int {
	t.Helper()
	base, err := cluster.FreeBasePort(31000+os.Getpid()%40*100, nodes, shards)
	if err != nil {
		t.Fatal(err)
	}
	return base
}

// token mints an access token of a customer for the cluster's secret.
func (c *testCluster) token(memberID int64) string {
	claims := jwt.MapClaims{"sub": strconv.FormatInt(memberID, 10), "username": "litefs", "memberType": "CUSTOMER",
		"tokenType": "USER", "exp": time.Now().Add(time.Hour).Unix()}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(c.secret)
	if err != nil {
		c.t.Fatal(err)
	}
	return tok
}

// url returns the app URL of node name.
func (c *testCluster) url(name string) string {
	n, ok := c.Node(name)
	if !ok {
		c.t.Fatalf("no node %s", name)
	}
	return n.URL
}

// claimAnswer is one claim's answer.
type claimAnswer struct {
	Status   int
	Code     string // the error code when not 204
	CouponID int64
	Position uint64 // of the shard, from Couponpop-Position
	Err      error  // transport error: the outcome is unknown
}

// claim sends one claim for member to the node at url.
func (c *testCluster) claim(ctx context.Context, hc *http.Client, url string, eventID, memberID int64) claimAnswer {
	cl := client.New(url).WithToken(c.token(memberID))
	cl.HTTP = hc
	resp, err := cl.Do(ctx, "POST", "/api/v1/coupons/issue", map[string]int64{"eventId": eventID}, nil)
	var apiErr *client.Error
	switch {
	case errors.As(err, &apiErr):
		return claimAnswer{Status: apiErr.Status, Code: apiErr.Code}
	case err != nil:
		return claimAnswer{Err: err}
	}
	a := claimAnswer{Status: resp.Status}
	loc := resp.Header.Get("Location")
	a.CouponID, _ = strconv.ParseInt(loc[strings.LastIndexByte(loc, '/')+1:], 10, 64)
	if _, pos, ok := strings.Cut(resp.Header.Get("Couponpop-Position"), ":"); ok {
		a.Position, _ = strconv.ParseUint(pos, 10, 64)
	}
	return a
}

// acked is a claim answered 204.
type acked struct {
	member, coupon int64
	position       uint64
	node           string
}

// load sends claims on one event from workers goroutines, each claim from
// a new member, to the nodes in turn, until ctx ends or max claims were
// sent (0: no limit).
type load struct {
	c       *testCluster
	eventID int64
	nodes   []string
	member  atomic.Int64
	sent    atomic.Int64

	mu       sync.Mutex
	acks     []acked
	outcomes map[string]int // "204", "400 EVENT_COUPON_SOLD_OUT", "transport", ...
}

func newLoad(c *testCluster, eventID int64, nodes ...string) *load {
	l := &load{c: c, eventID: eventID, nodes: nodes, outcomes: map[string]int{}}
	l.member.Store(time.Now().UnixNano() % 1_000_000 * 1_000)
	return l
}

// run blocks until ctx ends or max claims were sent.
func (l *load) run(ctx context.Context, workers, max int) {
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := l.sent.Add(1)
				if max > 0 && i > int64(max) {
					return
				}
				node := l.nodes[int(i)%len(l.nodes)]
				member := l.member.Add(1)
				a := l.c.claim(ctx, hc, l.c.url(node), l.eventID, member)
				if ctx.Err() != nil && a.Err != nil {
					return // stopped mid-request: not an answer
				}
				l.record(node, member, a)
				if a.Err != nil || a.Status == http.StatusServiceUnavailable {
					time.Sleep(20 * time.Millisecond) // a node is down: do not spin
				}
			}
		})
	}
	wg.Wait()
}

func (l *load) record(node string, member int64, a claimAnswer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case a.Err != nil:
		l.outcomes["transport"]++
	case a.Status == http.StatusNoContent:
		l.outcomes["204"]++
		l.acks = append(l.acks, acked{member, a.CouponID, a.Position, node})
	default:
		l.outcomes[fmt.Sprintf("%d %s", a.Status, a.Code)]++
	}
}

// acked returns the claims answered 204 so far.
func (l *load) acked() []acked {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]acked(nil), l.acks...)
}

// waitAcked waits until at least n claims were answered 204.
func (l *load) waitAcked(t *testing.T, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for len(l.acked()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d claims answered 204 within %s (outcomes %v)", len(l.acked()), timeout, l.summary())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (l *load) summary() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int{}
	for k, v := range l.outcomes {
		out[k] = v
	}
	return out
}

// shardStatus is one shard of GET /readyz.
type shardStatus struct {
	Shard    int    `json:"shard"`
	Role     string `json:"role"`
	Primary  string `json:"primary"`
	Position uint64 `json:"position"`
	LagMs    *int64 `json:"lagMs"` // nil when this node knows no lag
}

// readyz returns a node's /readyz shards, and its status code.
func (c *testCluster) readyz(ctx context.Context, url string) (int, []shardStatus, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/readyz", nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Shards []shardStatus `json:"shards"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, body.Shards, nil
}

// position returns the shard position a node has applied, from /readyz.
func (c *testCluster) position(ctx context.Context, url string, shard int) (uint64, string, error) {
	_, shards, err := c.readyz(ctx, url)
	if err != nil {
		return 0, "", err
	}
	for _, s := range shards {
		if s.Shard == shard {
			return s.Position, s.Role, nil
		}
	}
	return 0, "", fmt.Errorf("%s does not hold shard %d", url, shard)
}

// waitConverged waits until every node has applied the shard position of
// the node currently primary (and at least atLeast), and that position has
// held for settleTime, and returns it. Claims queued before a load stopped
// may still commit after their clients gave up, so one look at equal
// positions can fall between two commits.
func (c *testCluster) waitConverged(shard int, atLeast uint64, timeout time.Duration) uint64 {
	c.t.Helper()
	const settleTime = 300 * time.Millisecond
	deadline := time.Now().Add(timeout)
	var last string
	var settled uint64
	var settledAt time.Time
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		var primaryPos uint64
		positions := map[string]uint64{}
		primaries, err := 0, error(nil)
		for _, n := range c.Nodes {
			pos, role, perr := c.position(ctx, n.URL, shard)
			if perr != nil {
				err = perr
				break
			}
			positions[n.Name] = pos
			if role == "primary" {
				primaries++
				primaryPos = pos
			}
		}
		cancel()
		last = fmt.Sprintf("positions %v, %d primaries, err %v", positions, primaries, err)
		if err == nil && primaries == 1 && primaryPos >= atLeast {
			same := true
			for _, p := range positions {
				same = same && p == primaryPos
			}
			switch {
			case !same:
			case settledAt.IsZero() || primaryPos != settled:
				settled, settledAt = primaryPos, time.Now()
			case time.Since(settledAt) >= settleTime:
				return primaryPos
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("shard %d did not converge to position >= %d within %s: %s", shard, atLeast, timeout, last)
	return 0
}

// eventCopy is one node's copy of an event's coupons, read from the
// database file on its LiteFS mount.
type eventCopy struct {
	issued, total int
	coupons       map[int64]int64 // coupon id → member id
}

// readCopy reads the event from node's database file of shard.
func (c *testCluster) readCopy(node string, shard int, eventID int64) eventCopy {
	c.t.Helper()
	n, _ := c.Node(node)
	m, ok := n.Mount(shard)
	if !ok {
		c.t.Fatalf("%s holds no shard %d", node, shard)
	}
	db, err := sql.Open("sqlite3", "file:"+m.DBPath()+"?_busy_timeout=5000&_query_only=true")
	if err != nil {
		c.t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // one snapshot for both reads
	if err != nil {
		c.t.Fatal(err)
	}
	defer tx.Rollback()
	ec := eventCopy{coupons: map[int64]int64{}}
	if err := tx.QueryRowContext(ctx, `SELECT issued_count, total_count FROM coupon_events WHERE id = ?`, eventID).
		Scan(&ec.issued, &ec.total); err != nil {
		c.t.Fatalf("%s: event %d: %v", node, eventID, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, member_id FROM coupons WHERE event_id = ?`, eventID)
	if err != nil {
		c.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, member int64
		if err := rows.Scan(&id, &member); err != nil {
			c.t.Fatal(err)
		}
		ec.coupons[id] = member
	}
	if err := rows.Err(); err != nil {
		c.t.Fatal(err)
	}
	return ec
}

// checkEveryNode checks every node's copy of the event: issued equals its
// coupon rows, all copies agree, and every acknowledged claim is there (its
// coupon, held by its member: a lost claim's id can be reused by a later
// claim). It returns the issued count.
func (c *testCluster) checkEveryNode(eventID int64, acks []acked) int {
	c.t.Helper()
	issued := -1
	for _, n := range c.Nodes {
		ec := c.readCopy(n.Name, claimShard, eventID)
		if ec.issued != len(ec.coupons) || ec.issued > ec.total {
			c.t.Fatalf("%s: event %d issued %d, %d coupon rows, total %d", n.Name, eventID, ec.issued, len(ec.coupons), ec.total)
		}
		if issued >= 0 && ec.issued != issued {
			c.t.Fatalf("%s: issued %d, another node %d", n.Name, ec.issued, issued)
		}
		issued = ec.issued
		missing := 0
		for _, a := range acks {
			if ec.coupons[a.coupon] != a.member {
				missing++
				if missing <= 5 {
					c.t.Errorf("%s: acknowledged coupon %d (member %d, position %d, via %s) is missing", n.Name, a.coupon, a.member, a.position, a.node)
				}
			}
		}
		if missing > 0 {
			c.t.Fatalf("%s: %d of %d acknowledged claims are missing", n.Name, missing, len(acks))
		}
	}
	return issued
}

// maxPosition returns the newest position among acks.
func maxPosition(acks []acked) uint64 {
	var p uint64
	for _, a := range acks {
		p = max(p, a.position)
	}
	return p
}
