package notify_test

import (
	"context"
	"encoding/binary"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/notify"
	"github.com/couponpop/couponpop/store"
)

var (
	benchPhase = flag.Duration("push.phase", 3*time.Second, "BenchmarkClaimsWithDispatcher: length of each claim phase")
	benchConc  = flag.Int("push.concurrency", 0, "BenchmarkClaimsWithDispatcher: the dispatcher's concurrency (0: its default; -1: never start it, to see the noise)")
	benchBusy  = flag.Int("push.busy", 0, "BenchmarkClaimsWithDispatcher: the dispatcher's BusyConcurrency (0: its default)")
	benchDrain = flag.Bool("push.drain", false, "BenchmarkClaimsWithDispatcher: also time draining the backlog alone")
)

// BenchmarkClaimsWithDispatcher measures, in one run, the claim rate with
// the dispatcher off and on: each iteration is a round of two phases (off,
// then on), so -benchtime=3x gives three alternating pairs. The files are
// opened as serve opens them (BackgroundCheckpoint). Pushes go to a local
// push service (pushtest, in-process: its decryption shares the CPU).
//
//	go test -tags sqlite_fts5 ./notify -run '^$' -bench ClaimsWithDispatcher -benchtime 3x [-push.phase 5s] [-push.drain]
func BenchmarkClaimsWithDispatcher(b *testing.B) {
	const members, events, workers = 2000, 400, 16
	var txTime atomic.Int64 // the claim writer's time in transactions, ns
	f := newFixtureWith(b, 10_000_000, store.Options{BackgroundCheckpoint: true,
		Claims: store.ClaimOptions{BatchMax: 512, BatchWait: 100 * time.Microsecond,
			Observe: func(_ int, took time.Duration, _ error) { txTime.Add(int64(took)) }}})
	ctx := context.Background()
	eventIDs := []int64{f.event.ID}
	for len(eventIDs) < events {
		e := &couponpop.Event{StoreID: f.storeID, MemberID: 7, Name: "이벤트", StartAt: time.Now().Add(-time.Minute),
			EndAt: time.Now().Add(time.Hour), TotalCount: 1_000_000}
		if _, err := f.shard.CreateEvent(ctx, e); err != nil {
			b.Fatal(err)
		}
		eventIDs = append(eventIDs, e.ID)
	}
	for m := int64(1); m <= members; m++ {
		f.subscribe(m)
	}
	var next atomic.Int64 // (member, event) pairs, each claimed once
	claim := func() bool {
		i := next.Add(1) - 1
		if i >= members*events {
			return false
		}
		_, err := f.shard.Claim(ctx, store.ClaimRequest{EventID: eventIDs[i/members], MemberID: i%members + 1})
		if err != nil {
			b.Error(err)
			return false
		}
		return true
	}
	runPhase := func() float64 {
		batches0, claims0 := f.shard.ClaimStats()
		tx0, cpu0 := txTime.Load(), cpuTime()
		defer func() {
			batches, claims := f.shard.ClaimStats()
			batches -= batches0
			b.Logf("  %d claim transactions, %.1f claims each, %.2f ms each (the writer in transactions %.0f%% of the time); process CPU %.2f cores",
				batches, float64(claims-claims0)/float64(batches), float64(txTime.Load()-tx0)/1e6/float64(batches),
				100*float64(txTime.Load()-tx0)/float64(*benchPhase), float64(cpuTime()-cpu0)/float64(*benchPhase))
		}()
		var n atomic.Int64
		stop := time.Now().Add(*benchPhase)
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(stop) && claim() {
					n.Add(1)
				}
			}()
		}
		wg.Wait()
		return float64(n.Load()) / benchPhase.Seconds()
	}
	// walFrames reads the WAL's frame count from the wal-index header
	// (mxFrame at byte 16): how far the WAL grew since it last started over.
	walFrames := func() uint32 {
		hdr, err := os.ReadFile(filepath.Join(f.dir, store.FileName(districtShard)) + "-shm")
		if err != nil || len(hdr) < 20 {
			return 0
		}
		return binary.NativeEndian.Uint32(hdr[16:])
	}
	var off, on, ratios []float64
	pushes := 0
	var pushTime time.Duration
	onPhase := func() float64 {
		stopD := func() {}
		if *benchConc >= 0 {
			stopD = f.start(notify.Config{Concurrency: *benchConc, BusyConcurrency: *benchBusy})
		}
		before := len(f.svc.Delivered())
		start := time.Now()
		rate := runPhase()
		pushTime += time.Since(start)
		pushes += len(f.svc.Delivered()) - before
		stopD()
		return rate
	}
	b.ResetTimer()
	for range b.N {
		// off, on, on, off: a drift in the machine's load (shared with
		// others) or in the files cancels out of the round's ratio.
		off1, on1, on2, off2 := runPhase(), onPhase(), onPhase(), runPhase()
		off, on = append(off, off1, off2), append(on, on1, on2)
		ratios = append(ratios, (on1+on2)/(off1+off2))
		b.Logf("round %d: claims/s off %.0f, on %.0f, on %.0f, off %.0f: ratio %.3f (WAL %d frames)",
			len(ratios), off1, on1, on2, off2, ratios[len(ratios)-1], walFrames())
		if next.Load() >= members*events {
			b.Fatal("ran out of (member, event) pairs: shorten -push.phase")
		}
	}
	b.StopTimer()
	mean := func(xs []float64) (s float64) {
		for _, x := range xs {
			s += x
		}
		return s / float64(len(xs))
	}
	b.ReportMetric(mean(off), "claims/s-off")
	b.ReportMetric(mean(on), "claims/s-on")
	sort.Float64s(ratios)
	b.ReportMetric(mean(on)/mean(off), "ratio")
	b.ReportMetric(ratios[len(ratios)/2], "median-round-ratio")
	b.ReportMetric(float64(pushes)/pushTime.Seconds(), "pushes/s-claiming")
	b.ReportMetric(0, "ns/op")
	b.Logf("claims/s off %.0f, on %.0f: ratio %.3f, round ratios %.3f; pushes while claiming %.0f/s",
		off, on, mean(on)/mean(off), ratios, float64(pushes)/pushTime.Seconds())

	if !*benchDrain {
		return
	}
	// Pushes/s alone: drain the backlog with nothing else running.
	backlog, err := f.shard.UnsentOutbox(ctx, 0, 10_000_000)
	if err != nil {
		b.Fatal(err)
	}
	before := len(f.svc.Delivered())
	start := time.Now()
	stopD := f.start(notify.Config{})
	waitFor(b, 10*time.Minute, "the backlog", func() bool {
		rest, _ := f.shard.UnsentOutbox(ctx, 0, 1)
		return len(rest) == 0
	})
	took := time.Since(start)
	stopD()
	sent := len(f.svc.Delivered()) - before
	b.ReportMetric(float64(sent)/took.Seconds(), "pushes/s-drain")
	b.Logf("backlog of %d messages drained in %v: %.0f pushes/s", len(backlog), took.Round(time.Millisecond), float64(sent)/took.Seconds())
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
