package main

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/couponpop/couponpop/client"
	"github.com/couponpop/couponpop/litefs/litefstest"
	"github.com/couponpop/couponpop/store"
	"go.uber.org/goleak"
)

// testNodeConfig is a single node on a free loopback port over dir.
func testNodeConfig(dir string) Config {
	cfg := defaultConfig()
	cfg.Addr, cfg.Data, cfg.JWTSecret, cfg.LogLevel = "127.0.0.1:0", dir, testJWTSecret, "error"
	return cfg
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestNode_StartStopLeaksNothing opens and closes a node 100 times over the
// same data dir, each time answering a claim, and checks that no goroutine
// is left behind.
func TestNode_StartStopLeaksNothing(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	cfg := testNodeConfig(t.TempDir())
	httpc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	var eventID int64
	for i := range 100 {
		n := newNode(cfg, discardLogger())
		if err := n.Open(context.Background()); err != nil {
			n.Close()
			t.Fatalf("start %d: %v", i, err)
		}
		url := "http://" + n.Addr().String()
		if i == 0 {
			_, eventID = ownerEvent(t, url, 1_000)
		}
		c := client.New(url).WithToken(mint(t, int64(5_000+i)))
		c.HTTP = httpc
		if _, err := c.Claim(context.Background(), eventID, ""); err != nil {
			t.Fatalf("claim on start %d: %v", i, err)
		}
		if err := n.Close(); err != nil {
			t.Fatalf("close %d: %v", i, err)
		}
	}
}

// TestNode_SIGTERMAnswersInFlightClaims stops a node with SIGTERM in the
// middle of a claim load: it exits 0 within 15 s, every claim answered 204
// is in the shard, and no claim that was refused or cut off is.
func TestNode_SIGTERMAnswersInFlightClaims(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	n := startNode(t, dir)
	_, eventID := ownerEvent(t, n.URL, 1_000_000)
	load := startClaimLoad(t, n.URL, eventID, 64)
	if k := load.waitAcked(500, 20*time.Second); k < 100 {
		t.Fatalf("only %d claims acknowledged; the load did not run", k)
	}
	began := time.Now()
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code, err := n.waitExit(15 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0", code)
	}
	t.Logf("stopped in %s", time.Since(began).Round(time.Millisecond))
	acked, sent := load.Stop()

	db, err := store.Open(context.Background(), filepath.Join(dir, store.FileName(1)), 1, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e, err := db.EventByID(context.Background(), eventID)
	if err != nil {
		t.Fatal(err)
	}
	if e.IssuedCount != len(acked) {
		t.Fatalf("issued %d coupons, but %d claims were answered 204 (of %d sent): a claim was committed unanswered or answered uncommitted",
			e.IssuedCount, len(acked), sent)
	}
	for _, g := range acked {
		c, err := db.CouponByID(context.Background(), g.coupon)
		if err != nil || c.MemberID != g.member {
			t.Fatalf("acknowledged coupon %d of member %d: %+v, %v", g.coupon, g.member, c, err)
		}
	}
	t.Logf("%d of %d claims answered 204, all committed", len(acked), sent)
}

// waitExit waits for the process to exit and returns its exit code.
func (n *nodeProcess) waitExit(within time.Duration) (int, error) {
	done := make(chan error, 1)
	go func() { done <- n.cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), nil
		}
		return 0, err
	case <-time.After(within):
		return -1, errors.New("the node did not exit within " + within.String())
	}
}

// TestNode_FailedPromotionStopsWrites promotes a replica whose shard file
// cannot be migrated: while the node retries, /readyz answers 503 and the
// shard's writes are refused; then the node stops with an error that names
// the shard. It never writes on the old schema.
func TestNode_FailedPromotionStopsWrites(t *testing.T) {
	dir := t.TempDir()
	cfg := testNodeConfig(dir)
	litefsOf := map[int]*litefstest.Node{}
	for _, id := range []int{0, 1} {
		mount := filepath.Join(dir, "mnt", strconv.Itoa(id))
		db, err := store.Open(context.Background(), filepath.Join(mount, store.FileName(id)), id, store.Options{}) // as its primary made it
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		// This node is shard 0's primary and a replica of shard 1.
		litefsOf[id] = litefstest.New(t, id == 0, "http://127.0.0.1:1")
		cfg.Shards = append(cfg.Shards, ShardConfig{ID: id, Dir: mount, LiteFSURL: litefsOf[id].URL})
	}
	n := newNode(cfg, discardLogger())
	if err := n.Open(context.Background()); err != nil {
		n.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	url := "http://" + n.Addr().String()
	waitStatus(t, url+"/readyz", http.StatusOK)
	stopped := make(chan error, 1)
	go func() { stopped <- n.Wait() }()

	// Shard 1's file loses the record of its first migration, whose tables
	// exist: migrating it again fails on every attempt.
	forgetFirstMigration(t, filepath.Join(dir, "mnt", "1", store.FileName(1)))
	litefsOf[1].SetRole(true, "")
	waitStatus(t, url+"/readyz", http.StatusServiceUnavailable)
	var apiErr *client.Error
	if _, err := ownerClient(t, url).CreateStore(context.Background(), testStore("홍대 카페", 37.5572, 126.9245)); !errors.As(err, &apiErr) || apiErr.Status != http.StatusServiceUnavailable {
		t.Fatalf("a write to the unprepared shard = %v, want 503", err)
	}
	select {
	case err := <-stopped:
		if err == nil || !strings.Contains(err.Error(), "shard 1: prepare after promotion") {
			t.Fatalf("node stopped with %v, want the shard's prepare error", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the node kept running after preparing the promoted shard failed")
	}
}

// forgetFirstMigration deletes the record of the shard file's first
// migration, as a file from an older, broken release might hold.
func forgetFirstMigration(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM migrations WHERE name = (SELECT MIN(name) FROM migrations)`); err != nil {
		t.Fatal(err)
	}
}

// waitStatus polls url until it answers status.
func waitStatus(t *testing.T, url string, status int) {
	t.Helper()
	var got int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(url)
		if err != nil {
			continue
		}
		resp.Body.Close()
		if got = resp.StatusCode; got == status {
			return
		}
	}
	t.Fatalf("GET %s = %d, want %d", url, got, status)
}
