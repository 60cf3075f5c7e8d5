package store

import "sync"

// commitSignal tells waiters in this process that a write transaction
// committed on this node's writer: what a follower of the shard (the push
// dispatcher) waits on instead of polling. Commits made by another process
// (a replica applying LiteFS pages) do not fire it; a waiter keeps a slow
// poll as a backstop.
type commitSignal struct {
	mu sync.Mutex
	ch chan struct{} // closed at the next commit; nil until someone waits
}

// next returns a channel closed by the next commit.
func (s *commitSignal) next() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

// fire wakes the waiters of next.
func (s *commitSignal) fire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

// NextCommit returns a channel that is closed when the next write
// transaction commits through this DB (any write: claims, uses, the
// dispatcher's own records). Call it before reading, then wait on it, so
// that no commit is missed in between.
func (db *DB) NextCommit() <-chan struct{} { return db.commits.next() }
