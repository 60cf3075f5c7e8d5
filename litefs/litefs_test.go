package litefs

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/couponpop/couponpop/litefs/litefstest"
)

// newFakeNode starts a stand-in of a LiteFS node's HTTP API.
func newFakeNode(t testing.TB, isPrimary bool, hostname string) *litefstest.Node {
	return litefstest.New(t, isPrimary, hostname)
}

func clientOf(n *litefstest.Node) *Client { return NewClient(n.URL) }

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestClient_Info(t *testing.T) {
	f := newFakeNode(t, false, "http://127.0.0.1:8081")
	info, err := clientOf(f).Info(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if info.IsPrimary || info.Primary.Hostname != "http://127.0.0.1:8081" || info.ClusterID != litefstest.ClusterID {
		t.Fatalf("info = %+v", info)
	}
}

func TestClient_InfoError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	if _, err := NewClient(srv.URL).Info(testContext(t)); err == nil {
		t.Fatal("want an error for a 404")
	}
}

func TestParseEvent_LiteFSShapes(t *testing.T) {
	// Lines as LiteFS v0.5.14 encodes them (Event, TxEventData in store.go).
	lines := []string{
		`{"type":"init","data":{"isPrimary":false,"hostname":"http://127.0.0.1:8081"}}`,
		`{"type":"primaryChange","data":{"isPrimary":true}}`,
		`{"type":"tx","db":"shard-1.db","data":{"txID":"000000000000002a","postApplyChecksum":"8c1f00000000abcd","pageSize":4096,"commit":7,"timestamp":"2025-04-01T10:00:00.123Z"}}`,
		`{"type":"somethingNew"}`,
	}
	var got []Event
	for _, l := range lines {
		var raw eventJSON
		if err := json.Unmarshal([]byte(l), &raw); err != nil {
			t.Fatal(err)
		}
		ev, err := parseEvent(raw)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
	}
	if e := got[0]; e.Type != EventInit || e.IsPrimary || e.Hostname != "http://127.0.0.1:8081" {
		t.Errorf("init = %+v", e)
	}
	if e := got[1]; e.Type != EventPrimaryChange || !e.IsPrimary || e.Hostname != "" {
		t.Errorf("primaryChange = %+v", e)
	}
	wantTS := time.Date(2025, 4, 1, 10, 0, 0, 123e6, time.UTC)
	if e := got[2]; e.Type != EventTx || e.DB != "shard-1.db" || e.TXID != 42 || e.Checksum != 0x8c1f00000000abcd ||
		e.PageSize != 4096 || e.Commit != 7 || !e.Timestamp.Equal(wantTS) {
		t.Errorf("tx = %+v", e)
	}
	if e := got[3]; e.Type != "somethingNew" {
		t.Errorf("unknown = %+v", e)
	}
}

func TestClient_FollowReconnects(t *testing.T) {
	f := newFakeNode(t, false, "http://127.0.0.1:8081")
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()

	events := make(chan Event, 16)
	done := make(chan error, 1)
	go func() { done <- clientOf(f).Follow(ctx, func(e Event) { events <- e }) }()

	next := func() Event {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-time.After(5 * time.Second):
			t.Fatal("no event within 5s")
			return Event{}
		}
	}
	if e := next(); e.Type != EventInit || e.Hostname != "http://127.0.0.1:8081" {
		t.Fatalf("first event = %+v", e)
	}
	f.Send(`{"type":"tx","db":"shard-0.db","data":{"txID":"0000000000000002","postApplyChecksum":"0000000000000001","pageSize":4096,"commit":2,"timestamp":"2025-04-01T10:00:00Z"}}`)
	if e := next(); e.Type != EventTx || e.TXID != 2 {
		t.Fatalf("tx event = %+v", e)
	}

	// LiteFS drops the stream: Follow reconnects and starts over with init.
	f.DropAll()
	if e := next(); e.Type != EventInit {
		t.Fatalf("after reconnect = %+v", e)
	}
	if n := f.Connections(); n != 2 {
		t.Fatalf("connections = %d, want 2", n)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Follow = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Follow did not return after cancel")
	}
}

func startTracker(t *testing.T, c *Client) *Tracker {
	t.Helper()
	tr := NewTracker(c)
	tr.PollInterval = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = tr.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return tr
}

func waitRole(t *testing.T, tr *Tracker, want Role) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if got, err := tr.Wait(ctx, func(r Role) bool { return r == want }); err != nil {
		t.Fatalf("role = %+v, want %+v: %v", got, want, err)
	}
}

func TestTracker_FollowsEvents(t *testing.T) {
	f := newFakeNode(t, false, "http://127.0.0.1:8081")
	tr := startTracker(t, clientOf(f))
	waitRole(t, tr, Role{PrimaryURL: "http://127.0.0.1:8081", Known: true})

	// The replica loses its primary: unknown, never "I am primary".
	changed := tr.Changed()
	f.SetRole(false, "")
	waitRole(t, tr, Role{})
	select {
	case <-changed:
	default:
		t.Fatal("Changed did not fire")
	}

	// This node becomes primary: the event has no hostname, /info gives it.
	f.SetRole(true, "http://127.0.0.1:8082")
	waitRole(t, tr, Role{IsPrimary: true, PrimaryURL: "http://127.0.0.1:8082", Known: true})
	if !tr.Role().Writable() {
		t.Fatal("primary not writable")
	}

	// Another node takes over.
	f.SetRole(false, "http://127.0.0.1:8083")
	waitRole(t, tr, Role{PrimaryURL: "http://127.0.0.1:8083", Known: true})
}

func TestTracker_PollsWithoutEvents(t *testing.T) {
	f := newFakeNode(t, true, "http://127.0.0.1:8081")
	f.SetEvents(false)
	tr := startTracker(t, clientOf(f))
	waitRole(t, tr, Role{IsPrimary: true, PrimaryURL: "http://127.0.0.1:8081", Known: true})

	f.SetInfo(false, "http://127.0.0.1:8082")
	waitRole(t, tr, Role{PrimaryURL: "http://127.0.0.1:8082", Known: true})
}

func TestTracker_UnknownWhenLiteFSIsDown(t *testing.T) {
	f := newFakeNode(t, true, "http://127.0.0.1:8081")
	tr := startTracker(t, clientOf(f))
	waitRole(t, tr, Role{IsPrimary: true, PrimaryURL: "http://127.0.0.1:8081", Known: true})

	f.SetDown(true)
	f.DropAll()
	waitRole(t, tr, Role{})
}

func TestTracker_WaitHonoursContext(t *testing.T) {
	tr := NewTracker(NewClient("http://127.0.0.1:1"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := tr.Wait(ctx, Role.Writable); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait = %v", err)
	}
}

func TestReadPosition(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "shard-1.db")
	if err := os.WriteFile(db+"-pos", []byte("00000000000000ff/8c1f00000000abcd\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	txid, err := ReadPosition(db)
	if err != nil || txid != 255 {
		t.Fatalf("ReadPosition = %d, %v", txid, err)
	}

	if _, err := ReadPosition(filepath.Join(dir, "plain.db")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing -pos: %v, want fs.ErrNotExist", err)
	}
	for _, bad := range []string{"", "ff/00", "zzzzzzzzzzzzzzzz/0000000000000000\n"} {
		if _, err := parsePosition(bad); err == nil {
			t.Errorf("parsePosition(%q) accepted", bad)
		}
	}
}

func TestReadLag(t *testing.T) {
	for _, tt := range []struct {
		name, content string
		want          time.Duration
		err           error
	}{
		{"primary", "+000000000\n", 0, nil},
		{"replica", "+000000012\n", 12 * time.Millisecond, nil},
		{"not synced", "+2147483647\n", 0, ErrNotReplicating},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, ".lag"), []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadLag(dir)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("ReadLag = %v, %v; want %v, %v", got, err, tt.want, tt.err)
			}
		})
	}
}
