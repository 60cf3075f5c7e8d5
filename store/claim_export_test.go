package store

import (
	"testing"
	"time"
)

// WaitAlone returns opts with every batch waiting BatchWait for more
// claims, a lone claim's too: for tests that need claims in one batch.
func WaitAlone(opts ClaimOptions) ClaimOptions {
	opts.waitAlone = true
	return opts
}

// WaitQueued waits until n claims in all have been queued to db's claim
// writer since the shard opened: a test queues claims in a known order.
func WaitQueued(tb testing.TB, db *DB, n int64) {
	tb.Helper()
	waitCount(tb, "queued", &db.claims.queued, n)
}

// WaitTaken waits until db's claim writer has taken n claims in all off
// its queue since the shard opened (into a batch).
func WaitTaken(tb testing.TB, db *DB, n int64) {
	tb.Helper()
	waitCount(tb, "taken", &db.claims.taken, n)
}

// Queued returns how many claims have been queued to db's writer.
func Queued(db *DB) int64 { return db.claims.queued.Load() }

func waitCount(tb testing.TB, what string, c interface{ Load() int64 }, n int64) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.Load() < n {
		if time.Now().After(deadline) {
			tb.Fatalf("claims %s: %d after 10s, want %d", what, c.Load(), n)
		}
		time.Sleep(100 * time.Microsecond)
	}
}
