package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/couponpop/couponpop/nudge"
	"github.com/couponpop/couponpop/server"
	"github.com/couponpop/couponpop/store"
)

// scheduler runs the batch jobs at the old batch service's schedules, in
// Asia/Seoul: usage stats at 01:00 for the day before, the hourly push on
// the hour (for that hour, skipped once half the hour has gone), expiry
// every 10 minutes and pruning at 03:00. Usage stats and the hourly push
// run only on shard 0's primary, and once per run: a run recorded in
// job_runs (shard 0) is not started again, after a restart or a primary
// change either. Expiry and pruning run on every node over the shards it
// writes, where running twice does no harm.
type scheduler struct {
	loc          *time.Location
	now          func() time.Time
	sleep        func(ctx context.Context, d time.Duration) bool
	run          func(ctx context.Context, name string, runDate time.Time, hour int) (json.RawMessage, error)
	writesGlobal func() bool
	// recorded reports whether shard 0 holds the run (job_runs).
	recorded func(ctx context.Context, name, run string) bool
	push     bool // the hourly push is on (push not disabled)
	log      *slog.Logger

	last map[string]string // the last run key started, per job
}

// slot is one job run the scheduler may start.
type slot struct {
	name    string
	key     string // the run, as job_runs records it
	runDate time.Time
	hour    int
	global  bool // shard 0's primary only, once per run
}

// due returns the runs due at now.
func (s *scheduler) due(now time.Time) []slot {
	t := now.In(s.loc)
	today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.loc)
	var out []slot
	if t.Hour() >= 1 {
		y := today.AddDate(0, 0, -1)
		out = append(out, slot{name: server.JobUsageStats, key: y.Format(time.DateOnly), runDate: y, global: true})
	}
	if s.push && t.Minute() < 30 {
		out = append(out, slot{name: server.JobUsageSend, key: fmt.Sprintf("%sT%02d", today.Format(time.DateOnly), t.Hour()),
			runDate: today, hour: t.Hour(), global: true})
	}
	out = append(out, slot{name: server.JobExpire, key: t.Truncate(10 * time.Minute).Format(time.DateTime), runDate: today})
	if t.Hour() >= 3 {
		out = append(out, slot{name: server.JobPrune, key: today.Format(time.DateOnly), runDate: today})
	}
	return out
}

// tick starts the runs due at now that have not run yet.
func (s *scheduler) tick(ctx context.Context, now time.Time) {
	for _, sl := range s.due(now) {
		if s.last[sl.name] == sl.key {
			continue
		}
		if sl.global {
			if !s.writesGlobal() {
				continue
			}
			if s.recorded(ctx, sl.name, sl.key) {
				s.last[sl.name] = sl.key
				continue
			}
		}
		s.last[sl.name] = sl.key // a failed run is logged, not retried until its next run
		out, err := s.run(ctx, sl.name, sl.runDate, sl.hour)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("scheduled job failed", "job", sl.name, "run", sl.key, "err", err)
			}
			continue
		}
		s.log.Info("scheduled job ran", "job", sl.name, "run", sl.key, "result", string(out))
	}
}

// Run ticks at the start of every minute until ctx ends.
func (s *scheduler) Run(ctx context.Context) error {
	if s.last == nil {
		s.last = map[string]string{}
	}
	for {
		now := s.now()
		next := now.Truncate(time.Minute).Add(time.Minute)
		if !s.sleep(ctx, next.Sub(now)) {
			return nil
		}
		s.tick(ctx, next)
	}
}

// startScheduler adds the scheduler as a node part.
func (n *node) startScheduler() {
	if n.cfg.JobsDisabled {
		return
	}
	s := &scheduler{loc: nudge.Seoul(), now: time.Now, sleep: sleepCtx, run: n.server.RunJob,
		writesGlobal: func() bool { return n.writes(store.GlobalShard) },
		recorded: func(ctx context.Context, name, run string) bool {
			_, ok, err := n.shards.Global.JobRunOf(ctx, name, run)
			return ok || err != nil // unreadable: do not risk a second run
		},
		push: n.push.sender != nil, log: n.log}
	n.group.Go(func() error { return s.Run(n.ctx) })
}
