package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop/nudge"
	"github.com/couponpop/couponpop/server"
	"github.com/golang-jwt/jwt/v5"
)

// fakeClock is a clock whose sleeps return at once, moving it on.
type fakeClock struct {
	t   time.Time
	end time.Time
}

func (c *fakeClock) now() time.Time { return c.t }

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) bool {
	c.t = c.t.Add(d)
	return !c.t.After(c.end) && ctx.Err() == nil
}

type jobCall struct {
	name, runDate string
	hour          int
}

// runScheduler runs a scheduler over [from, to] on a fake clock and
// returns the jobs it started.
func runScheduler(t *testing.T, from, to time.Time, primary bool, recorded map[string]bool) []jobCall {
	t.Helper()
	clock := &fakeClock{t: from, end: to}
	var calls []jobCall
	s := &scheduler{loc: nudge.Seoul(), now: clock.now, sleep: clock.sleep, push: true,
		log:          slog.New(slog.NewTextHandler(io.Discard, nil)),
		writesGlobal: func() bool { return primary },
		recorded:     func(_ context.Context, name, run string) bool { return recorded[name+" "+run] },
		run: func(_ context.Context, name string, runDate time.Time, hour int) (json.RawMessage, error) {
			calls = append(calls, jobCall{name, runDate.Format(time.DateOnly), hour})
			return nil, nil
		}}
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return calls
}

func count(calls []jobCall, name string) (n int, runs []string) {
	for _, c := range calls {
		if c.name == name {
			n++
			runs = append(runs, fmt.Sprintf("%s/%02d", c.runDate, c.hour))
		}
	}
	return n, runs
}

func TestScheduler_OldSchedulesOnAFakeClock(t *testing.T) {
	seoul := nudge.Seoul()
	from := time.Date(2025, 10, 25, 0, 0, 30, 0, seoul)
	to := time.Date(2025, 10, 26, 4, 0, 30, 0, seoul)
	calls := runScheduler(t, from, to, true, nil)

	if n, runs := count(calls, server.JobUsageStats); n != 2 || runs[0] != "2025-10-24/00" || runs[1] != "2025-10-25/00" {
		t.Errorf("usage stats ran %d times: %v, want at 01:00 for the day before, each day once", n, runs)
	}
	if n, runs := count(calls, server.JobUsageSend); n != 29 || runs[10] != "2025-10-25/10" || runs[28] != "2025-10-26/04" {
		t.Errorf("hourly push ran %d times: %v", n, runs)
	}
	if n, _ := count(calls, server.JobPrune); n != 2 {
		t.Errorf("pruning ran %d times, want once a day at 03:00", n)
	}
	if n, _ := count(calls, server.JobExpire); n != 28*6+1 {
		t.Errorf("expiry ran %d times, want every 10 minutes", n)
	}
}

func TestScheduler_PrimaryOnlyAndOncePerRun(t *testing.T) {
	seoul := nudge.Seoul()
	from := time.Date(2025, 10, 25, 0, 59, 0, 0, seoul)
	to := time.Date(2025, 10, 25, 2, 0, 30, 0, seoul)
	replica := runScheduler(t, from, to, false, nil)
	if n, _ := count(replica, server.JobUsageStats); n != 0 {
		t.Errorf("a replica of shard 0 ran usage stats")
	}
	if n, _ := count(replica, server.JobUsageSend); n != 0 {
		t.Errorf("a replica of shard 0 ran the hourly push")
	}
	if n, _ := count(replica, server.JobExpire); n == 0 {
		t.Errorf("expiry did not run for the shards this node writes")
	}
	// Runs recorded by an earlier primary are not started again.
	done := map[string]bool{server.JobUsageStats + " 2025-10-24": true, server.JobUsageSend + " 2025-10-25T01": true}
	calls := runScheduler(t, from, to, true, done)
	if n, _ := count(calls, server.JobUsageStats); n != 0 {
		t.Errorf("usage stats ran again for a recorded run")
	}
	if n, runs := count(calls, server.JobUsageSend); n != 1 || runs[0] != "2025-10-25/02" {
		t.Errorf("hourly push runs %v, want only 02 (01 was recorded)", runs)
	}
	// A node that starts at 01:40 still runs the day's stats, but not the
	// 01 o'clock push (half the hour has gone).
	late := runScheduler(t, time.Date(2025, 10, 25, 1, 40, 0, 0, seoul), time.Date(2025, 10, 25, 1, 50, 0, 0, seoul), true, nil)
	if n, _ := count(late, server.JobUsageStats); n != 1 {
		t.Errorf("a late start did not catch up on the stats")
	}
	if n, _ := count(late, server.JobUsageSend); n != 0 {
		t.Errorf("a late start sent a stale hourly push")
	}
}

// TestJobsRun_ThroughTheAPI: `couponpop jobs run` runs a job on a node as
// an ADMIN, and is refused as anyone else.
func TestJobsRun_ThroughTheAPI(t *testing.T) {
	merchantEnv(t)
	url := startTestNode(t)
	t.Setenv("COUPONPOP_SERVER", url)
	token := func(memberType string) string {
		claims := jwt.MapClaims{"sub": "1", "username": "ops", "memberType": memberType, "tokenType": "USER", "exp": time.Now().Add(time.Hour).Unix()}
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(testJWTSecret))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	t.Setenv("COUPONPOP_TOKEN", token("ADMIN"))
	out := mustCLI(t, "", "jobs", "run", "coupon-usage-stats", "--date", "2025-10-31")
	var res server.UsageStatsResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.RunDate != "2025-10-31" || res.Rows != 0 {
		t.Fatalf("printed %q (%v)", out, err)
	}
	mustCLI(t, "", "jobs", "run", "prune")
	if r := runCLI(t, "", "jobs", "run", "coupon-usage-stats-fcm-send", "--date", "2025-10-25"); r.code == 0 || !strings.Contains(r.errOut, "--hour") {
		t.Errorf("no --hour: exit %d, %q", r.code, r.errOut)
	}
	t.Setenv("COUPONPOP_TOKEN", token("CUSTOMER"))
	if r := runCLI(t, "", "jobs", "run", "prune"); r.code == 0 || !strings.Contains(r.errOut, "ACCESS_DENIED") {
		t.Errorf("a customer ran a job: exit %d, %q", r.code, r.errOut)
	}
}
