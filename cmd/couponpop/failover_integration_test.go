//go:build integration

package main

import (
	"context"
	"net/http"
	"sync"
	"syscall"
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
	// Follow shard 1's role on the two survivors, as their apps do, and
	// their raw event streams.
	trackers := map[string]*litefs.Tracker{}
	promotedEvent := map[string]chan struct{}{}
	for _, name := range []string{"node2", "node3"} {
		n, _ := c.Node(name)
		m, _ := n.Mount(claimShard)
		seen := make(chan struct{})
		promotedEvent[name] = seen
		go func() {
			var once sync.Once
			_ = litefs.NewClient(m.URL).Follow(ctx, func(e litefs.Event) {
				if e.Type == litefs.EventPrimaryChange && e.IsPrimary {
					once.Do(func() { close(seen) })
				}
			})
		}()
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
	select {
	case <-promotedEvent[primary]:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s is primary but its /events sent no primaryChange with isPrimary", primary)
	}

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
	_, role, err := c.position(ctx, c.url("node1"), claimShard)
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

// TestLiteFS_FailoverToLaggingCandidate: the lease goes to a candidate that
// lagged behind, and claim-ack=replica still loses no acknowledged claim.
// node3's LiteFS is frozen (SIGSTOP) while claims flow, so it misses them;
// then node1 dies, node2's LiteFS is frozen in turn and node3's thawed, so
// node3 takes the lease without the claims it missed, and node2 is reset to
// node3's state when it thaws. A primary that answered a claim once any one
// replica had it would have answered those claims on node2's word alone, and
// they would be gone; waiting for every live candidate, the primary answers
// none of them (503, retry with the Idempotency-Key) while node3 is frozen.
func TestLiteFS_FailoverToLaggingCandidate(t *testing.T) {
	consul := newConsulStandIn(t)
	c := upCluster(t, 3, &cluster.ConsulLease{URL: consul.URL, TTL: 2 * time.Second, LockDelay: 250 * time.Millisecond},
		"COUPONPOP_CLAIM_ACK=replica")
	_, eventID := ownerEvent(t, c.url("node1"), 1_000_000)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	frozen := map[string]bool{}
	freeze := func(node string, stop bool) {
		t.Helper()
		n, _ := c.Node(node)
		m, _ := n.Mount(claimShard)
		sig := syscall.SIGCONT
		if stop {
			sig = syscall.SIGSTOP
		}
		if err := syscall.Kill(m.PID, sig); err != nil {
			t.Fatalf("signal %s LiteFS: %v", node, err)
		}
		frozen[node] = stop
	}
	defer func() { // never leave a stopped process behind
		for node, stopped := range frozen {
			if stopped {
				freeze(node, false)
			}
		}
	}()

	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	l := newLoad(c, eventID, "node1")
	done := make(chan struct{})
	go func() { l.run(loadCtx, 32, 0); close(done) }()
	l.waitAcked(t, 200, 30*time.Second)

	freeze("node3", true)
	before := len(l.acked())
	// Claims go on; node3 misses them. 8 s, because what the primary sends
	// meanwhile first fills the loopback socket buffers (MBs), which node3
	// would still apply on thawing: shorter, it does not really lag. With
	// the first replica's word enough, this loses ~1,800 of ~5,800
	// acknowledged claims.
	time.Sleep(8 * time.Second)
	duringFreeze := len(l.acked()) - before
	t.Logf("node3 frozen for 8 s: %d claims acknowledged meanwhile (outcomes %v)", duringFreeze, l.summary())
	stopLoad()
	<-done

	if err := c.KillNode("node1"); err != nil {
		t.Fatal(err)
	}
	freeze("node2", true)
	freeze("node3", false)
	n3, _ := c.Node("node3")
	m3, _ := n3.Mount(claimShard)
	tr := litefs.NewTracker(litefs.NewClient(m3.URL))
	tr.PollInterval = 100 * time.Millisecond
	go func() { _ = tr.Run(ctx) }()
	if _, err := tr.Wait(ctxTimeout(ctx, 30*time.Second), litefs.Role.Writable); err != nil {
		t.Fatalf("node3 never took the lease: %v (Consul calls %v)", err, consul.Calls())
	}
	t.Log("node3, which lagged, took the lease")
	freeze("node2", false)
	if err := c.StartNode(ctx, "node1", 60*time.Second); err != nil {
		t.Fatal(err)
	}

	// Claims flow again on the new primary, confirmed by the others.
	l2 := newLoad(c, eventID, "node3", "node2")
	l2.member.Store(l.member.Load() + 1_000_000)
	load2Ctx, stopLoad2 := context.WithCancel(ctx)
	done2 := make(chan struct{})
	go func() { l2.run(load2Ctx, 32, 0); close(done2) }()
	l2.waitAcked(t, 200, 45*time.Second)
	stopLoad2()
	<-done2

	acks := append(l.acked(), l2.acked()...)
	c.waitConverged(claimShard, 0, 30*time.Second)
	issued := c.checkEveryNode(eventID, acks)
	if issued < len(acks) {
		t.Fatalf("issued %d < %d acknowledged", issued, len(acks))
	}
	t.Logf("%d claims acknowledged (%d while node3 was frozen), %d issued, all on every node; outcomes before %v, after %v",
		len(acks), duringFreeze, issued, l.summary(), l2.summary())
}
