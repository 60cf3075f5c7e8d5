package main

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/couponpop/couponpop/client"
)

// granted is a claim answered 204: the member and its coupon.
type granted struct{ member, coupon int64 }

// claimLoad claims coupons of one event from many clients, each claim as a
// new member, and records the claims answered 204.
type claimLoad struct {
	stop     context.CancelFunc
	stopping atomic.Bool // no new claims; those in flight run to their answer
	wg       sync.WaitGroup

	mu    sync.Mutex
	acked []granted
	sent  int
}

// startClaimLoad starts clients goroutines claiming eventID on url until
// stopped.
func startClaimLoad(t testing.TB, url string, eventID int64, clients int) *claimLoad {
	ctx, stop := context.WithCancel(context.Background())
	l := &claimLoad{stop: stop}
	member := int64(1_000_000)
	for range clients {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for ctx.Err() == nil && !l.stopping.Load() {
				l.mu.Lock()
				member++
				m := member
				l.sent++
				l.mu.Unlock()
				c := client.New(url).WithToken(mint(t, m))
				c.HTTP.Timeout = 20 * time.Second
				id, err := c.Claim(ctx, eventID, "")
				if err == nil {
					l.mu.Lock()
					l.acked = append(l.acked, granted{m, id})
					l.mu.Unlock()
				}
			}
		}()
	}
	t.Cleanup(func() { l.Stop() })
	return l
}

// waitAcked waits until n claims were acknowledged or the deadline passes,
// and returns how many were.
func (l *claimLoad) waitAcked(n int, within time.Duration) int {
	for deadline := time.Now().Add(within); ; time.Sleep(20 * time.Millisecond) {
		l.mu.Lock()
		k := len(l.acked)
		l.mu.Unlock()
		if k >= n || time.Now().After(deadline) {
			return k
		}
	}
}

// Stop ends the load, waits for every claim in flight to get its answer
// (or its connection error: cancelling them could drop a 204 already on
// the wire), and returns the acknowledged claims and how many were sent.
func (l *claimLoad) Stop() ([]granted, int) {
	l.stopping.Store(true)
	l.wg.Wait()
	l.stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.acked, l.sent
}
