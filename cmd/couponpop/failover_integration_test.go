//go:build integration

package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/couponpop/couponpop/cluster"
	"github.com/couponpop/couponpop/litefs"
)

// TestLiteFS_Failover: three candidates on a Consul lease (a stand-in of
// Consul's API) with claim-ack=replica. The primary's node dies (kill -9 of
// its app and LiteFS) during a claim load sent to the other two; one of them
// takes the lease (its Tracker sees the change), claims are answered again,
// and every claim answered 204 — before, during or after the failover — is
// on every node once the old primary has rejoined as a replica.
func TestLiteFS_Failover(t *testing.T) {
	consul := newConsulStandIn(t)
	const ttl = 2 * time.Second
	c := upCluster(t, 3, &cluster.ConsulLease{URL: consul.URL, TTL: ttl, LockDelay: 250 * time.Millisecond},
		"COUPONPOP_CLAIM_ACK=replica")
	_, eventID := ownerEvent(t, c.url("node1"), 1_000_000)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// Follow shard 1's role on the two survivors, as their apps do.
	trackers := map[string]*litefs.Tracker{}
	for _, name := range []string{"node2", "node3"} {
		n, _ := c.Node(name)
		m, _ := n.Mount(claimShard)
		tr := litefs.NewTracker(litefs.NewClient(m.URL))
		tr.PollInterval = 100 * time.Millisecond
		go func() { _ = tr.Run(ctx) }()
		trackers[name] = tr
		if _, err := tr.Wait(ctxTimeout(ctx, 10*time.Second), func(r litefs.Role) bool { return r.Known && !r.IsPrimary }); err != nil {
			t.Fatalf("%s: never a replica with a known primary: %v", name, err)
		}
	}

	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	l := newLoad(c, eventID, "node2", "node3")
	done := make(chan struct{})
	go func() { l.run(loadCtx, 32, 0); close(done) }()
	l.waitAcked(t, 300, 30*time.Second)

	if err := c.KillNode("node1"); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	ackedAtKill := len(l.acked())
	t.Logf("killed node1 (the primary: app and LiteFS) after %d acknowledged claims", ackedAtKill)

	// One survivor takes the lease; its Tracker sees the primary change.
	promoted := make(chan string, 2)
	for name, tr := range trackers {
		go func() {
			if _, err := tr.Wait(ctxTimeout(ctx, 30*time.Second), litefs.Role.Writable); err == nil {
				promoted <- name
			}
		}()
	}
	var primary string
	select {
	case primary = <-promoted:
	case <-time.After(30 * time.Second):
		t.Fatalf("no survivor became primary within 30 s of the kill (Consul calls %v)", consul.Calls())
	}
	t.Logf("%s is primary %s after the kill (lease TTL %s)", primary, time.Since(killed).Round(time.Millisecond), ttl)

	// Writes resume: claims are acknowledged again, now confirmed by the
	// other survivor.
	l.waitAcked(t, len(l.acked())+300, 30*time.Second)
	t.Logf("claims answered again %s after the kill", time.Since(killed).Round(time.Millisecond))
	stopLoad()
	<-done

	// The old primary rejoins as a replica of the new one.
	start := time.Now()
	if err := c.StartNode(ctx, "node1", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("node1 rejoined in %s", time.Since(start).Round(time.Millisecond))
	_, role, err := position(ctx, c.url("node1"), claimShard)
	if err != nil || role != "replica" {
		t.Fatalf("node1 after rejoining: role %q (%v), want replica", role, err)
	}

	acks := l.acked()
	t.Logf("outcomes: %v; Consul calls: %v", l.summary(), consul.Calls())
	pos := c.waitConverged(claimShard, 0, 30*time.Second)
	issued := c.checkEveryNode(eventID, acks)
	if issued < len(acks) {
		t.Fatalf("issued %d < %d acknowledged", issued, len(acks))
	}
	t.Logf("position %d: %d acknowledged claims (%d before the kill), %d issued, all on every node", pos, len(acks), ackedAtKill, issued)

	// A claim on the rejoined node is forwarded to the new primary.
	a := c.claim(ctx, http.DefaultClient, c.url("node1"), eventID, 1)
	if a.Status != http.StatusNoContent {
		t.Fatalf("claim via the rejoined node1 = %+v", a)
	}
}

func ctxTimeout(parent context.Context, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(parent, d)
	context.AfterFunc(ctx, cancel)
	return ctx
}
