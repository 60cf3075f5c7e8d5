//go:build integration

package cluster_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/couponpop/couponpop/cluster"
	"github.com/couponpop/couponpop/litefs"
)

// requireFUSE skips when LiteFS cannot mount here, except on CI (CI=true),
// which must provide fuse3 and /dev/fuse and so fails instead.
func requireFUSE(t *testing.T) {
	t.Helper()
	if err := cluster.CheckFUSE(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but LiteFS cannot mount: %v (CI must install fuse3 and provide /dev/fuse)", err)
		}
		t.Skipf("skipping LiteFS test: %v (apt-get install fuse3; needs /dev/fuse)", err)
	}
}

// freeBasePort returns a base port whose ports for nodes and shards are free.
func freeBasePort(t *testing.T, nodes int, shards []int) int {
	t.Helper()
	base, err := cluster.FreeBasePort(21000+os.Getpid()%50*100, nodes, shards)
	if err != nil {
		t.Fatal(err)
	}
	return base
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, nil))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// waitTXID polls the -pos file of path until it reaches txid.
func waitTXID(path string, txid uint64, timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	for {
		got, err := litefs.ReadPosition(path)
		if err == nil && got >= txid {
			return time.Since(start), nil
		}
		if time.Since(start) > timeout {
			return 0, fmt.Errorf("position of %s = %d (%v), want %d within %s", path, got, err, txid, timeout)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

func TestLiteFS_ReplicatesWAL(t *testing.T) {
	requireFUSE(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	dir := t.TempDir()
	shards := []int{1}
	spec := cluster.Spec{
		Dir: dir, Nodes: 2, Shards: shards, BasePort: freeBasePort(t, 2, shards),
		NoApp: true, Timeout: 30 * time.Second, Logger: testLogger(t),
	}
	start := time.Now()
	c, err := cluster.Up(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("2 LiteFS mounts ready in %s", time.Since(start).Round(time.Millisecond))
	t.Cleanup(func() {
		if err := cluster.Down(dir); err != nil {
			t.Error(err)
		}
	})

	primaryNode, pm, ok := c.Primary(1)
	if !ok || primaryNode.Name != "node1" {
		t.Fatalf("primary of shard 1 = %q", primaryNode.Name)
	}
	rm := c.Replicas(1)[0]

	checkRoles(t, ctx, pm, rm, primaryNode.URL)

	// Follow the primary's events to check the tx event shape on real LiteFS.
	txEvents := make(chan litefs.Event, 1024)
	fctx, fcancel := context.WithCancel(ctx)
	defer fcancel()
	go func() {
		_ = litefs.NewClient(pm.URL).Follow(fctx, func(e litefs.Event) {
			if e.Type == litefs.EventTx {
				txEvents <- e
			}
		})
	}()

	pdb := openDB(t, pm.DBPath())
	t.Cleanup(func() { pdb.Close() })
	var mode string
	if err := pdb.QueryRowContext(ctx, `PRAGMA journal_mode=WAL`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v", mode, err)
	}
	if _, err := pdb.ExecContext(ctx, `CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	pos0, err := litefs.ReadPosition(pm.DBPath())
	if err != nil {
		t.Fatal(err)
	}

	// Single-row commits: each must advance the position by one and reach
	// the replica's -pos file.
	const rows = 100
	var lags []time.Duration
	writeStart := time.Now()
	for i := 1; i <= rows; i++ {
		if _, err := pdb.ExecContext(ctx, `INSERT INTO item (name) VALUES (?)`, fmt.Sprintf("item %d", i)); err != nil {
			t.Fatal(err)
		}
		pos, err := litefs.ReadPosition(pm.DBPath())
		if err != nil {
			t.Fatal(err)
		}
		if pos != pos0+uint64(i) {
			t.Fatalf("after commit %d position = %d, want %d", i, pos, pos0+uint64(i))
		}
		lag, err := waitTXID(rm.DBPath(), pos, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		lags = append(lags, lag)
	}
	writeTime := time.Since(writeStart)
	slices.Sort(lags)
	t.Logf("%d single-row commits, each waited for on the replica, in %s; replica lag p50 %s, p90 %s, max %s",
		rows, writeTime.Round(time.Millisecond), lags[rows/2], lags[rows*9/10], lags[rows-1])

	last := pos0 + rows
	seen := waitTxEvent(t, txEvents, last)
	if seen.DB != cluster.DBFile(1) || seen.PageSize == 0 || seen.Timestamp.IsZero() {
		t.Fatalf("tx event = %+v", seen)
	}

	rdb := openDB(t, rm.DBPath())
	t.Cleanup(func() { rdb.Close() })
	var n int
	var lastName string
	if err := rdb.QueryRowContext(ctx, `SELECT count(*), max(name) FROM item`).Scan(&n, &lastName); err != nil {
		t.Fatal(err)
	}
	if n != rows {
		t.Fatalf("replica has %d rows, want %d", n, rows)
	}
	if lag, err := litefs.ReadLag(rm.Dir); err != nil || lag > 5*time.Second {
		t.Fatalf("replica lag = %s, %v", lag, err)
	}

	// A write on the replica fails (LiteFS: "disk I/O error" in WAL mode).
	_, err = rdb.ExecContext(ctx, `INSERT INTO item (name) VALUES ('on replica')`)
	if err == nil {
		t.Fatal("write on the replica succeeded")
	}
	t.Logf("write on replica: %v", err)
	if got, _ := litefs.ReadPosition(rm.DBPath()); got != last {
		t.Fatalf("replica position moved to %d after a failed write", got)
	}

	checkStatus(t, ctx, dir, last)

	// Down stops everything and unmounts; Up in the same dir keeps the data.
	rdb.Close()
	pdb.Close()
	fcancel()
	downStart := time.Now()
	if err := cluster.Down(dir); err != nil {
		t.Fatal(err)
	}
	t.Logf("Down took %s", time.Since(downStart).Round(time.Millisecond))
	if _, sts, err := cluster.Status(ctx, dir); err != nil {
		t.Fatal(err)
	} else {
		for _, st := range sts {
			for _, m := range st.Mounts {
				if m.Running {
					t.Fatalf("%s shard %d still running after Down", st.Node.Name, m.Mount.Shard)
				}
			}
		}
	}
	if _, err := os.Stat(rm.DBPath()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("replica mount still shows the database after Down: %v", err)
	}
	upStart := time.Now()
	if _, err := cluster.Up(ctx, spec); err != nil {
		t.Fatal(err)
	}
	t.Logf("second Up took %s", time.Since(upStart).Round(time.Millisecond))
	if _, err := waitTXID(rm.DBPath(), last, 10*time.Second); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	rdb2 := openDB(t, rm.DBPath())
	defer rdb2.Close()
	if err := rdb2.QueryRowContext(ctx, `SELECT count(*) FROM item`).Scan(&n); err != nil || n != rows {
		t.Fatalf("after restart the replica has %d rows (%v), want %d", n, err, rows)
	}
}

// checkRoles follows both mounts with a Tracker: the primary knows it is
// primary, the replica names the primary's app URL (its lease.hostname).
func checkRoles(t *testing.T, ctx context.Context, pm, rm cluster.Mount, primaryURL string) {
	t.Helper()
	for _, tc := range []struct {
		m    cluster.Mount
		want litefs.Role
	}{
		{pm, litefs.Role{IsPrimary: true, PrimaryURL: primaryURL, Known: true}},
		{rm, litefs.Role{PrimaryURL: primaryURL, Known: true}},
	} {
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		tr := litefs.NewTracker(litefs.NewClient(tc.m.URL))
		go func() { _ = tr.Run(tctx) }()
		got, err := tr.Wait(tctx, func(r litefs.Role) bool { return r == tc.want })
		cancel()
		if err != nil {
			t.Fatalf("%s: role = %+v, want %+v: %v", tc.m.URL, got, tc.want, err)
		}
	}
}

func waitTxEvent(t *testing.T, events <-chan litefs.Event, txid uint64) litefs.Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-events:
			if e.TXID == txid {
				return e
			}
		case <-timeout:
			t.Fatalf("no tx event with TXID %d on /events", txid)
		}
	}
}

func checkStatus(t *testing.T, ctx context.Context, dir string, txid uint64) {
	t.Helper()
	_, sts, err := cluster.Status(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(sts) != 2 {
		t.Fatalf("status of %d nodes", len(sts))
	}
	for _, st := range sts {
		if st.AppRunning {
			t.Fatalf("%s: app running in a NoApp cluster", st.Node.Name)
		}
		for _, m := range st.Mounts {
			if !m.Running || m.InfoErr != "" || m.Info.IsPrimary != m.Mount.Primary || m.TXID != txid {
				t.Fatalf("%s shard %d status = %+v", st.Node.Name, m.Mount.Shard, m)
			}
		}
	}
}
