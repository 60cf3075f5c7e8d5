//go:build integration

package main

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop/client"
)

// TestLiteFS_ClaimOnReplica: a claim sent to a replica is forwarded to the
// primary and answered 204 with the shard's position; sending that position
// back makes a read on the same replica see the coupon right away.
func TestLiteFS_ClaimOnReplica(t *testing.T) {
	c := upCluster(t, 3, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, eventID := ownerEvent(t, c.url("node2"), 10) // sign-up, store and event: all writes, via a replica

	for _, replica := range []string{"node2", "node3"} {
		member := time.Now().UnixNano() % 1_000_000_000
		a := c.claim(ctx, http.DefaultClient, c.url(replica), eventID, member)
		if a.Err != nil || a.Status != http.StatusNoContent || a.CouponID == 0 || a.Position == 0 {
			t.Fatalf("claim via %s = %+v, want 204 with a coupon and a position", replica, a)
		}
		cl := client.New(c.url(replica)).WithToken(c.token(member))
		h := http.Header{"Couponpop-Position": {strconv.Itoa(claimShard) + ":" + strconv.FormatUint(a.Position, 10)}}
		resp, err := cl.Do(ctx, "GET", "/api/v1/coupons/"+strconv.FormatInt(a.CouponID, 10), nil, h)
		if err != nil {
			t.Fatalf("read of coupon %d on %s right after the claim: %v", a.CouponID, replica, err)
		}
		if !strings.Contains(string(resp.Body), `"id":`+strconv.FormatInt(a.CouponID, 10)) {
			t.Fatalf("read on %s = %s", replica, resp.Body)
		}
		pos, role, err := c.position(ctx, c.url(replica), claimShard)
		if err != nil || role != "replica" || pos < a.Position {
			t.Fatalf("%s: role %q position %d (%v), want a replica at >= %d", replica, role, pos, err, a.Position)
		}
	}

	// The replica counted the forwarded writes and reports its lag.
	body := getAdmin(t, c.url("node2")+"/metrics", c.adminToken)
	const forwards = `couponpop_forwarded_requests_total{reason="write"} `
	if !strings.Contains(body, forwards) || strings.Contains(body, forwards+"0\n") {
		t.Errorf("node2 /metrics shows no forwarded request:\n%s", body)
	}
	if !strings.Contains(body, `couponpop_replication_lag_seconds{shard="1"}`) {
		t.Errorf("node2 /metrics shows no replication lag of shard 1:\n%s", body)
	}
	code, shards, err := c.readyz(ctx, c.url("node2"))
	if err != nil || code != http.StatusOK {
		t.Fatalf("node2 /readyz = %d, %v", code, err)
	}
	for _, s := range shards {
		if s.Role != "replica" || s.Primary != c.url("node1") || s.LagMs == nil {
			t.Errorf("node2 /readyz shard %+v, want a replica of node1 with its lag", s)
		}
	}
}

// TestLiteFS_ClaimsSpreadOverNodes: 2,000 claims from 2,000 members spread
// over all three nodes on a 100-coupon event issue exactly 100, and every
// node's copy says so.
func TestLiteFS_ClaimsSpreadOverNodes(t *testing.T) {
	c := upCluster(t, 3, nil)
	_, eventID := ownerEvent(t, c.url("node1"), 100)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l := newLoad(c, eventID, "node1", "node2", "node3")
	start := time.Now()
	l.run(ctx, 100, 2000)
	took := time.Since(start)
	out := l.summary()
	t.Logf("2,000 claims over 3 nodes in %s: %v", took.Round(time.Millisecond), out)
	if ctx.Err() != nil {
		t.Fatalf("the load did not finish in time: %v", out)
	}
	if out["204"] != 100 || out["400 EVENT_COUPON_SOLD_OUT"] != 1900 {
		t.Fatalf("outcomes %v, want 100 × 204 and 1,900 × 400 EVENT_COUPON_SOLD_OUT", out)
	}
	c.waitConverged(claimShard, maxPosition(l.acked()), 15*time.Second)
	if issued := c.checkEveryNode(eventID, l.acked()); issued != 100 {
		t.Fatalf("issued %d, want 100", issued)
	}
}

// TestLiteFS_PrimaryKilledDuringClaims: kill -9 the primary's node (its app
// and its LiteFS) in the middle of a claim load over all nodes, restart it:
// every claim answered 204 is on every node, and claims flow again.
func TestLiteFS_PrimaryKilledDuringClaims(t *testing.T) {
	c := upCluster(t, 3, nil)
	_, eventID := ownerEvent(t, c.url("node1"), 1_000_000)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	l := newLoad(c, eventID, "node1", "node2", "node3")
	done := make(chan struct{})
	go func() { l.run(loadCtx, 32, 0); close(done) }()

	l.waitAcked(t, 300, 30*time.Second)
	if err := c.KillNode("node1"); err != nil {
		t.Fatal(err)
	}
	before := len(l.acked())
	t.Logf("killed node1 (app and LiteFS) after %d acknowledged claims", before)
	time.Sleep(500 * time.Millisecond) // claims fail meanwhile: 503 from replicas, refused by node1
	start := time.Now()
	if err := c.StartNode(ctx, "node1", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("node1 restarted in %s", time.Since(start).Round(time.Millisecond))
	l.waitAcked(t, len(l.acked())+300, 30*time.Second)
	stopLoad()
	<-done

	acks := l.acked()
	t.Logf("outcomes: %v", l.summary())
	c.waitConverged(claimShard, maxPosition(acks), 20*time.Second)
	issued := c.checkEveryNode(eventID, acks)
	if issued < len(acks) {
		t.Fatalf("issued %d < %d acknowledged", issued, len(acks))
	}
	t.Logf("%d claims acknowledged, %d issued, all on every node", len(acks), issued)
}

// TestLiteFS_ReplicaRestartCatchesUp: a replica killed (app and LiteFS) in
// the middle of a claim load and started again while claims go on catches
// up with the primary: same position, same coupons.
func TestLiteFS_ReplicaRestartCatchesUp(t *testing.T) {
	c := upCluster(t, 3, nil)
	_, eventID := ownerEvent(t, c.url("node1"), 1_000_000)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	l := newLoad(c, eventID, "node1", "node2")
	done := make(chan struct{})
	go func() { l.run(loadCtx, 32, 0); close(done) }()

	l.waitAcked(t, 300, 30*time.Second)
	if err := c.KillNode("node3"); err != nil {
		t.Fatal(err)
	}
	missed := len(l.acked())
	l.waitAcked(t, missed+1000, 30*time.Second) // node3 misses these
	start := time.Now()
	if err := c.StartNode(ctx, "node3", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("node3 restarted in %s, %d claims after it went down", time.Since(start).Round(time.Millisecond), len(l.acked())-missed)
	l.waitAcked(t, len(l.acked())+300, 30*time.Second)
	stopLoad()
	<-done

	acks := l.acked()
	t.Logf("outcomes: %v", l.summary())
	pos := c.waitConverged(claimShard, maxPosition(acks), 20*time.Second)
	issued := c.checkEveryNode(eventID, acks)
	t.Logf("node3 caught up to position %d: %d issued, %d acknowledged", pos, issued, len(acks))
}

func get(t *testing.T, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cl := client.New(url)
	resp, err := cl.Do(ctx, "GET", "", nil, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return string(resp.Body)
}

// getAdmin returns the body of an admin path (the admin token as bearer).
func getAdmin(t *testing.T, url, adminToken string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := client.New(url).WithToken(adminToken).Do(ctx, "GET", "", nil, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return string(resp.Body)
}
