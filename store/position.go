package store

import (
	"context"
	"sync/atomic"
	"time"
)

// positionFollowEvery is how often a shard reads its commit position from
// the file, for commits it did not make itself (a replica's, applied by
// LiteFS): the most a read without a position to wait for lags behind the
// file, beyond replication itself.
const positionFollowEvery = 10 * time.Millisecond

// seenPosition is the newest commit position this process knows the shard
// has applied: each commit through this DB, and each position read from
// the file (Position, WaitPosition, the follower), raises it. The nearby
// index compares its own position with it instead of reading the file on
// every query. It never goes down: a file reset to an older position (a
// LiteFS replica ahead of a new primary) is not noticed until the position
// passes the old one again.
type seenPosition struct {
	v       atomic.Uint64
	commits atomic.Uint64 // commits through this DB (committed)
}

// committed raises the position seen to pos, that of a commit through
// this DB.
func (s *seenPosition) committed(pos Position) {
	s.commits.Add(1)
	s.note(pos)
}

// note raises the position seen to pos, if pos is newer.
func (s *seenPosition) note(pos Position) {
	for {
		cur := s.v.Load()
		if uint64(pos) <= cur || s.v.CompareAndSwap(cur, uint64(pos)) {
			return
		}
	}
}

func (s *seenPosition) load() Position { return Position(s.v.Load()) }

// followPosition reads the shard's position from the file every
// positionFollowEvery until ctx ends, so that the position seen follows
// commits made by another node. A tick after a commit through this DB
// reads nothing: while this node commits, nobody else writes the shard
// (its reads would only hold the WAL's readers back). A failed read is
// tried again at the next tick.
func (db *DB) followPosition(ctx context.Context) {
	t := time.NewTicker(positionFollowEvery)
	defer t.Stop()
	var commits uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n := db.seen.commits.Load(); n != commits {
			commits = n
			continue
		}
		_, _ = db.Position(ctx)
	}
}
