package store

import (
	"testing"
	"time"
)

// TestCommitTimer: each time lands in the first bucket whose bound it does
// not exceed, a bound itself included, and past the last bound in the
// overflow bucket; the total is their sum.
func TestCommitTimer(t *testing.T) {
	var ct commitTimer
	for _, d := range []time.Duration{100 * time.Microsecond, 250 * time.Microsecond, 3 * time.Millisecond, time.Second} {
		ct.add(d)
	}
	got := ct.snapshot()
	want := make([]int64, len(CommitTimeBounds)+1)
	want[0], want[4], want[len(CommitTimeBounds)] = 2, 1, 1 // ≤ 0.25 ms, ≤ 4 ms, over 64 ms
	for i := range want {
		if got.Counts[i] != want[i] {
			t.Fatalf("counts %v, want %v", got.Counts, want)
		}
	}
	if got.Commits() != 4 || got.Total != time.Second+3350*time.Microsecond {
		t.Errorf("commits %d, total %v", got.Commits(), got.Total)
	}
}
