//go:build integration

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/couponpop/couponpop/client"
)

// liveClaim is one claim message a stream saw.
type liveClaim struct {
	id     int64
	issued int
	at     time.Time
}

// liveStream reads one SSE stream of a store into claims of one event.
type liveStream struct {
	mu     sync.Mutex
	claims []liveClaim
}

func (s *liveStream) last() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.claims) == 0 {
		return 0
	}
	return s.claims[len(s.claims)-1].id
}

func (s *liveStream) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.claims)
}

// open connects (with Last-Event-ID when after >= 0) and reads in the
// background until ctx ends; it returns once the headers came.
func (s *liveStream) open(ctx context.Context, hc *http.Client, url, token string, eventID, after int64) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if after >= 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(after, 10))
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return fmt.Errorf("stream: %s", resp.Status)
	}
	go func() {
		defer resp.Body.Close()
		var id int64
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "id: "); ok {
				id, _ = strconv.ParseInt(v, 10, 64)
				continue
			}
			data, ok := strings.CutPrefix(line, "data: ")
			if !ok {
				continue
			}
			var m struct {
				Type    string
				EventID int64
				Issued  int
			}
			if json.Unmarshal([]byte(data), &m) == nil && m.Type == "claim" && m.EventID == eventID {
				s.mu.Lock()
				s.claims = append(s.claims, liveClaim{id: id, issued: m.Issued, at: time.Now()})
				s.mu.Unlock()
			}
		}
	}()
	return nil
}

// TestLiteFS_LiveStreamsOnReplica: 1,000 streams of one store on a replica
// of a real LiteFS pair each get every claim, in order, whether the claim
// was sent to the primary or to the replica (forwarded), and nothing is
// missed across a reconnect with Last-Event-ID.
func TestLiteFS_LiveStreamsOnReplica(t *testing.T) {
	c := upCluster(t, 2, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	owner := ownerClient(t, c.url("node1"))
	st, err := owner.CreateStore(ctx, testStore("라이브 카페", 37.5572, 126.9245))
	if err != nil {
		t.Fatal(err)
	}
	kst := time.FixedZone("KST", 9*3600)
	start := time.Now().Add(-time.Minute).In(kst)
	eventID, err := owner.CreateEvent(ctx, client.NewEvent{StoreID: st.ID, Name: "라이브", TotalCount: 100,
		EventStartAt: start.Format("2006-01-02T15:04:05"), EventEndAt: start.Add(2 * time.Hour).Format("2006-01-02T15:04:05")})
	if err != nil {
		t.Fatal(err)
	}
	const streams, perPhase = 1000, 10
	url := fmt.Sprintf("%s/api/v1/owner/stores/%d/live", c.url("node2"), st.ID)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1}}
	all := make([]*liveStream, streams)
	openAll := func(ctx context.Context, resume bool) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make(chan error, streams)
		for i := range all {
			after := int64(-1)
			if resume {
				after = all[i].last()
			} else {
				all[i] = &liveStream{}
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := all[i].open(ctx, hc, url, owner.Token, eventID, after); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			t.Fatalf("open streams on the replica: %v", err)
		}
	}
	member := time.Now().UnixNano() % 1_000_000_000
	sent := map[int]time.Time{} // issued → when its claim was answered
	claims := func(n int) {
		t.Helper()
		for range n {
			member++
			node := []string{"node1", "node2"}[member%2]
			a := c.claim(ctx, http.DefaultClient, c.url(node), eventID, member)
			if a.Err != nil || a.Status != http.StatusNoContent {
				t.Fatalf("claim via %s: %+v", node, a)
			}
			sent[len(sent)+1] = time.Now()
		}
	}
	waitAll := func(want int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for _, s := range all {
			for s.count() < want {
				if time.Now().After(deadline) {
					t.Fatalf("a stream has %d claims after 30 s, want %d", s.count(), want)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}

	phase1, stop1 := context.WithCancel(ctx)
	openAll(phase1, false)
	time.Sleep(300 * time.Millisecond) // the replica's follower has every subscriber
	claims(perPhase)
	waitAll(perPhase)
	stop1() // every stream disconnects
	time.Sleep(200 * time.Millisecond)
	claims(perPhase) // missed while away
	openAll(ctx, true)
	claims(perPhase)
	waitAll(3 * perPhase)

	var delays []time.Duration
	for i, s := range all {
		s.mu.Lock()
		for k, got := range s.claims {
			if got.issued != k+1 || (k > 0 && got.id <= s.claims[k-1].id) {
				t.Fatalf("stream %d message %d: issued %d id %d, want issued %d after id %d", i, k, got.issued, got.id, k+1, s.claims[max(k-1, 0)].id)
			}
			if k < perPhase || k >= 2*perPhase { // live, not caught up
				delays = append(delays, got.at.Sub(sent[got.issued]))
			}
		}
		if len(s.claims) != 3*perPhase {
			t.Fatalf("stream %d got %d claims, want %d", i, len(s.claims), 3*perPhase)
		}
		s.mu.Unlock()
	}
	slices.Sort(delays)
	p99 := delays[len(delays)*99/100]
	t.Logf("%d streams on the replica, %d claims each in order; answer-to-stream delay p50 %s p99 %s",
		streams, 3*perPhase, delays[len(delays)/2].Round(time.Millisecond), p99.Round(time.Millisecond))
	if p99 > 5*time.Second {
		t.Errorf("p99 delay %s", p99)
	}
}
