package server

import (
	"context"
	"sync"
	"time"

	"github.com/couponpop/couponpop/store"
)

// revocations is this node's copy of what shard 0 says no longer holds:
// revoked access tokens (by jti), ended sessions (by sid) and withdrawn
// members. It is followed incrementally from shard 0, which other nodes
// write and replication brings here, so checking a token costs no query.
type revocations struct {
	// accessTTL is how long an ended session matters: after it, every
	// access token issued before the end has expired.
	accessTTL time.Duration

	mu       sync.RWMutex
	expires  map[string]time.Time // jti → its token's expiry
	sessions map[string]time.Time // sid → when it stops mattering
	members  map[int64]time.Time  // withdrawn member → when it stops mattering
	seq      int64                // of revoked_tokens
	endedSeq int64                // of ended_sessions
	refresh  sync.Mutex           // one refresh at a time
}

func newRevocations(accessTTL time.Duration) *revocations {
	return &revocations{accessTTL: accessTTL, expires: map[string]time.Time{},
		sessions: map[string]time.Time{}, members: map[int64]time.Time{}}
}

// refuses reports whether c's token was revoked, its session ended or its
// member withdrew.
func (rv *revocations) refuses(c *Caller) bool {
	rv.mu.RLock()
	defer rv.mu.RUnlock()
	if _, ok := rv.members[c.MemberID]; ok {
		return true
	}
	if c.SessionID != "" {
		if _, ok := rv.sessions[c.SessionID]; ok {
			return true
		}
	}
	if c.TokenID != "" {
		if _, ok := rv.expires[c.TokenID]; ok {
			return true
		}
	}
	return false
}

// sync reads the revocations and ended sessions added since the last sync
// and drops the ones that no longer matter.
func (rv *revocations) sync(ctx context.Context, db *store.DB) error {
	rv.refresh.Lock()
	defer rv.refresh.Unlock()
	rv.mu.RLock()
	seq, endedSeq := rv.seq, rv.endedSeq
	rv.mu.RUnlock()
	now := db.Now() // the clock RevokedTokensSince compares with
	added, err := db.RevokedTokensSince(ctx, seq)
	if err != nil {
		return err
	}
	ended, err := db.EndedSessionsSince(ctx, endedSeq, now.Add(-rv.accessTTL))
	if err != nil {
		return err
	}
	rv.mu.Lock()
	defer rv.mu.Unlock()
	for _, t := range added {
		rv.expires[t.JTI] = t.ExpiresAt
		rv.seq = t.Seq
	}
	for _, e := range ended {
		until := e.EndedAt.Add(rv.accessTTL)
		if e.Family == "" {
			rv.members[e.MemberID] = until
		} else {
			rv.sessions[e.Family] = until
		}
		rv.endedSeq = e.Seq
	}
	dropBefore(rv.expires, now)
	dropBefore(rv.sessions, now)
	dropBefore(rv.members, now)
	return nil
}

// dropBefore deletes the entries of m whose time is before now.
func dropBefore[K comparable](m map[K]time.Time, now time.Time) {
	for k, t := range m {
		if t.Before(now) {
			delete(m, k)
		}
	}
}
