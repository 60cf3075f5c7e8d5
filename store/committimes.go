package store

import (
	"sync/atomic"
	"time"
)

// CommitTimeBounds are the upper bounds of CommitTimes' buckets: from a
// small batch's commit (about 0.1 ms) to one that also checkpoints the WAL
// (several ms) or waits on a slow disk.
var CommitTimeBounds = [...]time.Duration{
	250 * time.Microsecond, 500 * time.Microsecond, time.Millisecond, 2 * time.Millisecond,
	4 * time.Millisecond, 8 * time.Millisecond, 16 * time.Millisecond, 32 * time.Millisecond, 64 * time.Millisecond,
}

// CommitTimes is how long the claim writer's transactions took, from BEGIN
// to the end of COMMIT (with any checkpoint SQLite ran in it): every claim
// of a batch waits that long for its answer, and claims queued meanwhile
// wait for it too. Total over a period is the time the writer was busy.
type CommitTimes struct {
	// Counts holds, per bound of CommitTimeBounds, the commits that took
	// at most that long and more than the bound before; its last element
	// counts the commits over the last bound.
	Counts []int64
	Total  time.Duration
}

// Commits is the number of commits counted.
func (ct CommitTimes) Commits() int64 {
	var n int64
	for _, c := range ct.Counts {
		n += c
	}
	return n
}

// commitTimer counts commit times into CommitTimeBounds' buckets; safe
// for one writer and any number of readers.
type commitTimer struct {
	counts [len(CommitTimeBounds) + 1]atomic.Int64
	total  atomic.Int64 // nanoseconds
}

func (t *commitTimer) add(d time.Duration) {
	i := 0
	for i < len(CommitTimeBounds) && d > CommitTimeBounds[i] {
		i++
	}
	t.counts[i].Add(1)
	t.total.Add(int64(d))
}

func (t *commitTimer) snapshot() CommitTimes {
	ct := CommitTimes{Counts: make([]int64, len(t.counts)), Total: time.Duration(t.total.Load())}
	for i := range t.counts {
		ct.Counts[i] = t.counts[i].Load()
	}
	return ct
}
