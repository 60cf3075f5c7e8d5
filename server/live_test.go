package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/server"
	"github.com/couponpop/couponpop/store"
)

// withLive tunes the live streams.
func withLive(cfg server.LiveConfig) testOption {
	return func(c *server.Config, _ *store.ClaimOptions) { c.Live = cfg }
}

// sseEvent is one message of a stream: its id and data, or a comment.
type sseEvent struct {
	ID      int64
	Data    map[string]any
	Comment string
}

// sseStream is an open GET .../live.
type sseStream struct {
	t      testing.TB
	resp   *http.Response
	events chan sseEvent
	cancel context.CancelFunc
}

func openStream(t testing.TB, baseURL string, storeID int64, token string, lastEventID int64) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/api/v1/owner/stores/%d/live", baseURL, storeID), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastEventID >= 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(lastEventID, 10))
	}
	got := make(chan *http.Response, 1)
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			errc <- err
			return
		}
		got <- resp
	}()
	var resp *http.Response
	select {
	case resp = <-got: // the headers came at once, before any message
	case err := <-errc:
		cancel()
		t.Fatal(err)
	case <-time.After(2 * time.Second):
		cancel()
		t.Fatal("stream headers not flushed within 2 s")
	}
	s := &sseStream{t: t, resp: resp, events: make(chan sseEvent, 10_000), cancel: cancel}
	if resp.StatusCode != 200 {
		return s
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	go s.read()
	t.Cleanup(s.close)
	return s
}

func (s *sseStream) read() {
	defer close(s.events)
	sc := bufio.NewScanner(s.resp.Body)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.Data != nil || ev.Comment != "" {
				s.events <- ev
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, ":"):
			ev.Comment = strings.TrimSpace(line[1:])
		case strings.HasPrefix(line, "id: "):
			ev.ID, _ = strconv.ParseInt(line[4:], 10, 64)
		case strings.HasPrefix(line, "data: "):
			_ = json.Unmarshal([]byte(line[6:]), &ev.Data)
		}
	}
}

func (s *sseStream) close() {
	s.cancel()
	s.resp.Body.Close()
}

// next returns the next message with data (skipping comments).
func (s *sseStream) next() sseEvent {
	s.t.Helper()
	timeout := time.After(3 * time.Second)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				s.t.Fatal("stream ended")
			}
			if ev.Data != nil {
				return ev
			}
		case <-timeout:
			s.t.Fatal("no message within 3 s")
		}
	}
}

// nextClaim returns the next message, skipping the event's creation (a
// stream may open before the node's follower handed that out).
func (s *sseStream) nextClaim() sseEvent {
	s.t.Helper()
	for {
		if ev := s.next(); ev.Data["type"] != "stock" {
			return ev
		}
	}
}

func (ts *testServer) claimAs(member int64, eventID int64) int64 {
	ts.t.Helper()
	r := ts.do("POST", "/api/v1/coupons/issue", mintToken(ts.t, member, couponpop.MemberCustomer), map[string]any{"eventId": eventID})
	ts.expect(r, 204, "")
	id, _ := strconv.ParseInt(path.Base(r.Header.Get("Location")), 10, 64)
	return id
}

func checkMessage(t testing.TB, ev sseEvent, typ string, eventID int64, issued, used, remaining int) {
	t.Helper()
	d := ev.Data
	if d["type"] != typ || d["eventId"] != float64(eventID) || d["issued"] != float64(issued) ||
		d["used"] != float64(used) || d["remaining"] != float64(remaining) {
		t.Errorf("message %d %v, want %s of %d issued %d used %d remaining %d", ev.ID, d, typ, eventID, issued, used, remaining)
	}
}

func TestLive_ClaimsUsesAndStockInOrder(t *testing.T) {
	ts := newTestServer(t, withLive(server.LiveConfig{FollowInterval: 20 * time.Millisecond}))
	owner, storeID, eventID := ts.ownerWithEvent(30, nil)
	s := openStream(t, ts.URL, storeID, owner, -1)
	var last int64
	for i := 1; i <= 20; i++ {
		ts.claimAs(9_000+int64(i), eventID)
	}
	for i := 1; i <= 20; i++ {
		ev := s.nextClaim()
		checkMessage(t, ev, "claim", eventID, i, 0, 30-i)
		if ev.ID <= last {
			t.Errorf("id %d after %d", ev.ID, last)
		}
		last = ev.ID
	}
	couponID := ts.claimAs(9_100, eventID)
	checkMessage(t, s.next(), "claim", eventID, 21, 0, 9)
	h2 := mintToken(t, 9_100, couponpop.MemberCustomer)
	ts.expect(ts.useCoupon(h2, ts.qrCodeOf(h2, couponID), couponID, storeID), 204, "")
	checkMessage(t, s.next(), "use", eventID, 21, 1, 9)
	ts.expect(ts.do("PATCH", eventPath(eventID), owner, map[string]any{"status": "PAUSED"}), 200, "")
	ev := s.next()
	checkMessage(t, ev, "stock", eventID, 21, 1, 9)
	if ev.Data["status"] != "PAUSED" {
		t.Errorf("status %v", ev.Data["status"])
	}
	ts.expect(ts.do("PATCH", eventPath(eventID), owner, map[string]any{"addCount": 5}), 200, "")
	checkMessage(t, s.next(), "stock", eventID, 21, 1, 14)
}

func TestLive_LastEventIDCatchesUp(t *testing.T) {
	ts := newTestServer(t, withLive(server.LiveConfig{FollowInterval: 20 * time.Millisecond}))
	owner, storeID, eventID := ts.ownerWithEvent(100, nil)
	s := openStream(t, ts.URL, storeID, owner, -1)
	for i := 1; i <= 3; i++ {
		ts.claimAs(8_000+int64(i), eventID)
	}
	var seen int64
	for i := 1; i <= 3; i++ {
		seen = s.nextClaim().ID
	}
	s.close()
	for i := 4; i <= 8; i++ { // missed while away
		ts.claimAs(8_000+int64(i), eventID)
	}
	again := openStream(t, ts.URL, storeID, owner, seen)
	ts.claimAs(8_009, eventID) // live, after the catch-up
	var prev int64 = seen
	for i := 4; i <= 9; i++ {
		ev := again.next()
		checkMessage(t, ev, "claim", eventID, i, 0, 100-i)
		if ev.ID <= prev {
			t.Errorf("id %d after %d", ev.ID, prev)
		}
		prev = ev.ID
	}
	// From 0: the whole retained history, the event's creation first.
	all := openStream(t, ts.URL, storeID, owner, 0)
	checkMessage(t, all.next(), "stock", eventID, 0, 0, 100)
	checkMessage(t, all.next(), "claim", eventID, 1, 0, 99)
}

func TestLive_Heartbeat(t *testing.T) {
	ts := newTestServer(t, withLive(server.LiveConfig{Heartbeat: 30 * time.Millisecond}))
	owner, storeID, _ := ts.ownerWithEvent(1, nil)
	s := openStream(t, ts.URL, storeID, owner, -1)
	timeout := time.After(3 * time.Second)
	for {
		select {
		case ev := <-s.events:
			if ev.Comment == "heartbeat" {
				return
			}
		case <-timeout:
			t.Fatal("no heartbeat")
		}
	}
}

func TestLive_Access(t *testing.T) {
	ts := newTestServer(t)
	_, storeID, _ := ts.ownerWithEvent(1, nil)
	_, other := ts.member(couponpop.MemberOwner)
	_, customer := ts.member(couponpop.MemberCustomer)
	for _, p := range []string{"live", "dashboard"} {
		url := fmt.Sprintf("/api/v1/owner/stores/%d/%s", storeID, p)
		ts.expect(ts.do("GET", url, other, nil), 403, couponpop.EStoreAccessPermissionDenied)
		ts.expect(ts.do("GET", url, customer, nil), 403, couponpop.EFORBIDDEN)
		ts.expect(ts.do("GET", url, "", nil), 401, couponpop.EUNAUTHORIZED)
		// As every owner store route, v2's 400 STORE_NOT_FOUND.
		ts.expect(ts.do("GET", fmt.Sprintf("/api/v1/owner/stores/%d/%s", storeID+1000, p), other, nil), 400, couponpop.EStoreNotFound)
	}
}

// TestLive_OpenedAfterUnwatchedClaims: claims made while no stream is
// open are skipped by the hub (it does not read the feed for nobody); a
// stream opened afterwards gets the next claim first, not the old ones.
func TestLive_OpenedAfterUnwatchedClaims(t *testing.T) {
	ts := newTestServer(t, withLive(server.LiveConfig{FollowInterval: 20 * time.Millisecond}))
	owner, storeID, eventID := ts.ownerWithEvent(30, nil)
	for i := 1; i <= 5; i++ {
		ts.claimAs(9_500+int64(i), eventID)
	}
	shard := couponpop.ShardOfID(storeID)
	newest, err := ts.Shards.District[shard].LastLiveChangeID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); server.LiveSeen(ts.Server, shard) < newest; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the hub did not move past change %d within 5 s", newest)
		}
	}
	s := openStream(t, ts.URL, storeID, owner, -1)
	ts.claimAs(9_600, eventID)
	checkMessage(t, s.nextClaim(), "claim", eventID, 6, 0, 24)
}
