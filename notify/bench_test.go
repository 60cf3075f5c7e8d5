package notify_test

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/notify"
	"github.com/couponpop/couponpop/store"
)

// TestBench_ClaimsWithDispatcher measures, in one run, the claim rate with
// the dispatcher off and on (alternating phases) and the pushes/s it sends
// to a local push service (pushtest, in-process: its decryption shares the
// CPU). Run with COUPONPOP_PUSH_BENCH=1 -v; see notes/push.md.
func TestBench_ClaimsWithDispatcher(t *testing.T) {
	if os.Getenv("COUPONPOP_PUSH_BENCH") == "" {
		t.Skip("set COUPONPOP_PUSH_BENCH=1")
	}
	const members, events, workers = 2000, 60, 16
	phase := 2 * time.Second
	f := newFixture(t, 1_000_000)
	ctx := context.Background()
	eventIDs := []int64{f.event.ID}
	for len(eventIDs) < events {
		e := &couponpop.Event{StoreID: f.storeID, MemberID: 7, Name: "이벤트", StartAt: time.Now().Add(-time.Minute),
			EndAt: time.Now().Add(time.Hour), TotalCount: 1_000_000}
		if _, err := f.shard.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		eventIDs = append(eventIDs, e.ID)
	}
	for m := int64(1); m <= members; m++ {
		f.subscribe(m)
	}
	var next atomic.Int64 // (member, event) pairs, each claimed once
	claim := func() bool {
		i := next.Add(1) - 1
		if i >= members*events {
			return false
		}
		_, err := f.shard.Claim(ctx, store.ClaimRequest{EventID: eventIDs[i/members], MemberID: i%members + 1})
		if err != nil {
			t.Error(err)
			return false
		}
		return true
	}
	runPhase := func() float64 {
		var n atomic.Int64
		stop := time.Now().Add(phase)
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(stop) && claim() {
					n.Add(1)
				}
			}()
		}
		wg.Wait()
		return float64(n.Load()) / phase.Seconds()
	}
	var off, on []float64
	pushesBefore := 0
	var pushTime time.Duration
	for round := 0; round < 3; round++ {
		off = append(off, runPhase())
		stopD := f.start(notify.Config{Poll: 50 * time.Millisecond})
		before := len(f.svc.Delivered())
		start := time.Now()
		on = append(on, runPhase())
		pushTime += time.Since(start)
		pushesBefore += len(f.svc.Delivered()) - before
		stopD()
	}
	sum := func(xs []float64) (s float64) {
		for _, x := range xs {
			s += x
		}
		return s / float64(len(xs))
	}
	t.Logf("claims/s without dispatcher %v (mean %.0f), with %v (mean %.0f): ratio %.3f", off, sum(off), on, sum(on), sum(on)/sum(off))
	t.Logf("pushes delivered while claiming: %d in %v = %.0f/s", pushesBefore, pushTime.Round(time.Millisecond), float64(pushesBefore)/pushTime.Seconds())

	if os.Getenv("COUPONPOP_PUSH_BENCH") == "claims" {
		return
	}
	// Pushes/s alone: drain the backlog with nothing else running.
	backlog, err := f.shard.UnsentOutbox(ctx, 0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	before := len(f.svc.Delivered())
	start := time.Now()
	stopD := f.start(notify.Config{Poll: 20 * time.Millisecond})
	waitFor(t, 10*time.Minute, "the backlog", func() bool {
		rest, _ := f.shard.UnsentOutbox(ctx, 0, 1)
		return len(rest) == 0
	})
	took := time.Since(start)
	stopD()
	sent := len(f.svc.Delivered()) - before
	t.Logf("backlog of %d messages drained in %v: %.0f pushes/s (concurrency 8)", len(backlog), took.Round(time.Millisecond), float64(sent)/took.Seconds())
}
