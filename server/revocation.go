package server

import (
	"context"
	"sync"
	"time"

	"github.com/couponpop/couponpop/store"
)

// revocations is this node's copy of the revoked access tokens, followed
// incrementally from shard 0 so that checking a token costs no query.
type revocations struct {
	mu      sync.RWMutex
	expires map[string]time.Time
	seq     int64
	refresh sync.Mutex // one refresh at a time
}

func newRevocations() *revocations { return &revocations{expires: map[string]time.Time{}} }

func (rv *revocations) has(jti string) bool {
	rv.mu.RLock()
	defer rv.mu.RUnlock()
	_, ok := rv.expires[jti]
	return ok
}

// sync reads the revocations added since the last sync and drops expired ones.
func (rv *revocations) sync(ctx context.Context, db *store.DB) error {
	rv.refresh.Lock()
	defer rv.refresh.Unlock()
	rv.mu.RLock()
	seq := rv.seq
	rv.mu.RUnlock()
	added, err := db.RevokedTokensSince(ctx, seq)
	if err != nil {
		return err
	}
	now := db.Now() // the clock RevokedTokensSince compared with
	rv.mu.Lock()
	defer rv.mu.Unlock()
	for _, t := range added {
		rv.expires[t.JTI] = t.ExpiresAt
		rv.seq = t.Seq
	}
	for jti, exp := range rv.expires {
		if exp.Before(now) {
			delete(rv.expires, jti)
		}
	}
	return nil
}
