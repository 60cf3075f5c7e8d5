// Package bench generates HTTP load against a running CouponPop node and
// reports throughput, latency percentiles and failures by code.
package bench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Op performs one request and returns its outcome: "ok", or the API error
// code or transport error that failed it.
type Op func(ctx context.Context) string

// Result is what a load run measured.
type Result struct {
	Name      string
	Clients   int
	Ops       int
	OK        int
	Elapsed   time.Duration
	Latencies []time.Duration // sorted
	Outcomes  map[string]int
	// Writer is what the node's claim writers did meanwhile, when known.
	Writer *WriterLoad
}

// PerSecond is the rate of successful ops.
func (r *Result) PerSecond() float64 { return float64(r.OK) / r.Elapsed.Seconds() }

// AllPerSecond is the rate of all ops.
func (r *Result) AllPerSecond() float64 { return float64(r.Ops) / r.Elapsed.Seconds() }

// Percentile returns the p-th latency percentile (0 < p <= 100).
func (r *Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := int(float64(len(r.Latencies))*p/100+0.5) - 1
	return r.Latencies[max(0, min(i, len(r.Latencies)-1))]
}

// Mean is the average latency.
func (r *Result) Mean() time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	var sum time.Duration
	for _, l := range r.Latencies {
		sum += l
	}
	return sum / time.Duration(len(r.Latencies))
}

// Failures lists outcomes other than ok, most frequent first.
func (r *Result) Failures() string {
	var parts []string
	for k, v := range r.Outcomes {
		if k != "ok" {
			parts = append(parts, fmt.Sprintf("%s=%d", k, v))
		}
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

// recorder collects latencies and outcomes from many goroutines.
type recorder struct {
	mu        sync.Mutex
	latencies []time.Duration
	outcomes  map[string]int
}

func (rc *recorder) add(lat []time.Duration, outcomes map[string]int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.latencies = append(rc.latencies, lat...)
	if rc.outcomes == nil {
		rc.outcomes = map[string]int{}
	}
	for k, v := range outcomes {
		rc.outcomes[k] += v
	}
}

func (rc *recorder) result(name string, clients int, elapsed time.Duration) *Result {
	slices.Sort(rc.latencies)
	return &Result{Name: name, Clients: clients, Ops: len(rc.latencies), OK: rc.outcomes["ok"], Elapsed: elapsed,
		Latencies: rc.latencies, Outcomes: rc.outcomes}
}

// ClosedLoop runs clients workers, each sending its next request as soon as
// the last one answers, until duration passes or maxOps ops were started
// (0: no limit). Requests in flight at the end are waited for, so every
// answer is counted.
func ClosedLoop(ctx context.Context, name string, clients int, duration time.Duration, maxOps int, op Op) *Result {
	deadline := time.Now().Add(duration)
	var started atomic.Int64
	var rc recorder
	var wg sync.WaitGroup
	begin := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			outcomes := map[string]int{}
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if maxOps > 0 && started.Add(1) > int64(maxOps) {
					break
				}
				t := time.Now()
				out := op(ctx)
				lat = append(lat, time.Since(t))
				outcomes[out]++
			}
			rc.add(lat, outcomes)
		}()
	}
	wg.Wait()
	return rc.result(name, clients, time.Since(begin))
}

// OpenLoop starts requests at a fixed rate for duration, whatever the
// answers, and measures each from its scheduled start, so a slow server
// cannot hide queueing (no coordinated omission). At most maxInFlight run at
// once; past that, arrivals count as "overload".
func OpenLoop(ctx context.Context, name string, ratePerSecond float64, duration time.Duration, maxInFlight int, op Op) *Result {
	interval := time.Duration(float64(time.Second) / ratePerSecond)
	total := int(duration.Seconds() * ratePerSecond)
	sem := make(chan struct{}, maxInFlight)
	var rc recorder
	var wg sync.WaitGroup
	begin := time.Now()
	overload := 0
	for i := 0; i < total && ctx.Err() == nil; i++ {
		at := begin.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		select {
		case sem <- struct{}{}:
		default:
			overload++
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out := op(ctx)
			rc.add([]time.Duration{time.Since(at)}, map[string]int{out: 1})
		}()
	}
	wg.Wait()
	if overload > 0 {
		rc.add(nil, map[string]int{"overload": overload})
	}
	return rc.result(name, maxInFlight, time.Since(begin))
}

// Ramp runs an open loop whose rate climbs linearly from 1 to peak requests
// per second over duration.
func Ramp(ctx context.Context, name string, peak float64, duration time.Duration, op Op) *Result {
	var rc recorder
	var wg sync.WaitGroup
	begin := time.Now()
	for t := time.Duration(0); t < duration && ctx.Err() == nil; {
		rate := max(1, peak*t.Seconds()/duration.Seconds())
		t += time.Duration(float64(time.Second) / rate)
		at := begin.Add(t)
		time.Sleep(time.Until(at))
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := op(ctx)
			rc.add([]time.Duration{time.Since(at)}, map[string]int{out: 1})
		}()
	}
	wg.Wait()
	return rc.result(name, 0, time.Since(begin))
}

// WriteTable prints results as an aligned table.
func WriteTable(w io.Writer, results ...*Result) {
	fmt.Fprintf(w, "%-22s %7s %8s %8s %10s %9s %9s %9s %9s  %s\n",
		"scenario", "clients", "requests", "ok", "ok/s", "mean", "p50", "p95", "p99", "failures")
	for _, r := range results {
		fmt.Fprintf(w, "%-22s %7d %8d %8d %10.0f %9s %9s %9s %9s  %s\n", r.Name, r.Clients, r.Ops, r.OK, r.PerSecond(),
			round(r.Mean()), round(r.Percentile(50)), round(r.Percentile(95)), round(r.Percentile(99)), r.Failures())
	}
	writeWriterTable(w, results)
}

func round(d time.Duration) time.Duration {
	switch {
	case d > 100*time.Millisecond:
		return d.Round(time.Millisecond)
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	default:
		return d.Round(time.Microsecond)
	}
}
