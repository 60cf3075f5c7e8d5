package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// LiveConfig configures the live fan-out benchmark.
type LiveConfig struct {
	URL       string
	JWTSecret []byte
	// Streams is how many streams of one store to open.
	Streams int
	// Claims is how many claims to make, one every Gap.
	Claims int
	Gap    time.Duration
	Out    io.Writer
}

// Live opens cfg.Streams SSE streams of one store's live updates on one
// node, then makes cfg.Claims claims one at a time and measures, for every
// stream and claim, the time from sending the claim to the stream
// receiving it. A stream that misses a claim counts as a failure.
func Live(ctx context.Context, cfg LiveConfig) (*Result, error) {
	b, err := newClaimBench(ctx, ClaimsConfig{URL: cfg.URL, JWTSecret: cfg.JWTSecret, Clients: 16})
	if err != nil {
		return nil, err
	}
	eventID, err := b.newEvent(ctx, "live", cfg.Claims)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// issued n → when its claim was sent (unix ns), set before sending.
	sent := make([]atomic.Int64, cfg.Claims+1)
	lat := make([][]time.Duration, cfg.Streams)
	var opened, failed atomic.Int64
	var wg sync.WaitGroup
	streamClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true}}
	url := fmt.Sprintf("%s/api/v1/owner/stores/%d/live", cfg.URL, b.storeID)
	began := time.Now()
	for i := range cfg.Streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := readStream(ctx, streamClient, url, b.ownerToken, eventID, cfg.Claims, &opened, sent)
			if err != nil && ctx.Err() == nil {
				failed.Add(1)
			}
			lat[i] = got
		}()
	}
	for opened.Load()+failed.Load() < int64(cfg.Streams) {
		if time.Since(began) > 2*time.Minute {
			return nil, fmt.Errorf("only %d of %d streams opened in 2 min", opened.Load(), cfg.Streams)
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintf(cfg.Out, "%d streams open in %s (%d failed)\n", opened.Load(), time.Since(began).Round(time.Millisecond), failed.Load())
	time.Sleep(500 * time.Millisecond) // let the node's hub take every subscriber
	claim := b.claimOp(eventID)
	runStart := time.Now()
	for n := 1; n <= cfg.Claims; n++ {
		sent[n].Store(time.Now().UnixNano())
		if out := claim(ctx); out != "ok" {
			return nil, fmt.Errorf("claim %d: %s", n, out)
		}
		time.Sleep(cfg.Gap)
	}
	time.Sleep(2 * time.Second) // late messages count, as late
	cancel()
	wg.Wait()
	r := &Result{Name: fmt.Sprintf("live fan-out %d", cfg.Streams), Clients: cfg.Streams, Ops: cfg.Streams * cfg.Claims,
		Elapsed: time.Since(runStart), Outcomes: map[string]int{}}
	for _, l := range lat {
		r.Latencies = append(r.Latencies, l...)
	}
	r.OK = len(r.Latencies)
	r.Outcomes["ok"] = r.OK
	if missed := r.Ops - r.OK; missed > 0 {
		r.Outcomes["missed"] = missed
	}
	if f := failed.Load(); f > 0 {
		r.Outcomes["stream failed"] = int(f)
	}
	slices.Sort(r.Latencies)
	return r, nil
}

// readStream reads one stream until ctx ends and returns the delay of
// each claim of the event it saw, in order; it counts opened once the
// headers arrive.
func readStream(ctx context.Context, c *http.Client, url, token string, eventID int64, claims int,
	opened *atomic.Int64, sent []atomic.Int64) ([]time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("stream: %s", resp.Status)
	}
	opened.Add(1)
	var out []time.Duration
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		now := time.Now().UnixNano()
		var m struct {
			Type    string
			EventID int64
			Issued  int
		}
		if json.Unmarshal([]byte(line), &m) != nil || m.Type != "claim" || m.EventID != eventID || m.Issued < 1 || m.Issued > claims {
			continue
		}
		out = append(out, time.Duration(now-sent[m.Issued].Load()))
	}
	return out, nil
}
