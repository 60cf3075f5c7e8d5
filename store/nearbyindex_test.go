package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unsafe"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/store"
	sqlite3 "github.com/mattn/go-sqlite3"
)

// TestNearby_MatchesBruteForceAfterWrites checks the in-memory index
// against a full scan right after each round of store creates, moves
// (location updates, some to the same point as another store) and
// deletes, with small and large batches (patched and merged).
func TestNearby_MatchesBruteForceAfterWrites(t *testing.T) {
	const shard = 1
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(19, 19))
	db := openShard(t, shard)
	area := around(37.555, 126.96, 6_000)
	m := geo.DefaultShardMap()
	live := map[int64]*couponpop.Store{}
	for _, s := range loadStores(t, db, pointsInShard(rng, area, shard, 1500)) {
		live[s.ID] = s
	}
	check := func(round int) {
		t.Helper()
		all := make([]*couponpop.Store, 0, len(live))
		for _, s := range live {
			all = append(all, s)
		}
		for i := 0; i < 40; i++ {
			lat, lng := area.random(rng)
			q := store.NearbyQuery{Latitude: lat, Longitude: lng, RadiusMeters: 50 * math.Pow(60, rng.Float64()), Limit: 1 + rng.IntN(120)}
			if i%3 == 0 {
				q.Category = categories[rng.IntN(len(categories))]
			}
			got, err := db.Nearby(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if msg := diffNearby(got, bruteForce(all, q)); msg != "" {
				t.Fatalf("round %d circle %d r=%.1f m limit %d: %s", round, i, q.RadiusMeters, q.Limit, msg)
			}
		}
	}
	check(0)
	for round := 1; round <= 12; round++ {
		// Round 6 writes enough to be merged rather than patched one by one.
		n := 1 + rng.IntN(5)
		if round == 6 {
			n = 300
		}
		for _, p := range pointsInShard(rng, area, shard, n) {
			s := newStore(7, fmt.Sprintf("new %d", round), p[0], p[1])
			s.StoreCategory = categories[rng.IntN(len(categories))]
			_, d, _ := m.ShardAt(p[0], p[1])
			if _, err := db.CreateStore(ctx, s, d.Name); err != nil {
				t.Fatal(err)
			}
			live[s.ID] = s
		}
		var ids []int64
		for id := range live {
			ids = append(ids, id)
		}
		for i := 0; i < n; i++ {
			s := live[ids[rng.IntN(len(ids))]]
			p := pointsInShard(rng, area, shard, 1)[0]
			if i%2 == 1 { // onto another store's point
				o := live[ids[rng.IntN(len(ids))]]
				p = [2]float64{o.Latitude, o.Longitude}
			}
			s.Latitude, s.Longitude, s.Name = p[0], p[1], fmt.Sprintf("moved %d", round)
			_, d, _ := m.ShardAt(p[0], p[1])
			if _, err := db.UpdateStore(ctx, s, d.Name); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < n; i++ {
			id := ids[rng.IntN(len(ids))]
			if live[id] == nil {
				continue
			}
			if _, err := db.DeleteStore(ctx, id); err != nil {
				t.Fatal(err)
			}
			delete(live, id)
		}
		check(round)
	}
}

// TestNearby_ReplicaFollowsPosition: a store written on the primary shows
// on a replica's nearby (and map) only once the replica has applied the
// write's position, and then at once. Replication is simulated by copying
// the primary's file into the replica's with SQLite's backup API, as LiteFS
// ships whole transactions.
func TestNearby_ReplicaFollowsPosition(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	primary := openShardAt(t, filepath.Join(dir, "primary", store.FileName(1)), 1, store.Options{})
	replicaPath := filepath.Join(dir, "replica", store.FileName(1))
	loadStores(t, primary, [][2]float64{{37.5572, 126.9245}})
	replicate(t, primary.Path(), replicaPath)
	replica := openShardAt(t, replicaPath, 1, store.Options{Replica: true})

	q := store.NearbyQuery{Latitude: 37.5572, Longitude: 126.9245, RadiusMeters: 300, Limit: 10}
	if got, err := replica.Nearby(ctx, q); err != nil || len(got) != 1 {
		t.Fatalf("replica before the write: %d stores, %v", len(got), err)
	}
	s := newStore(2, "새 카페", 37.5573, 126.9246)
	pos, err := primary.CreateStore(ctx, s, "마포구")
	if err != nil {
		t.Fatal(err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	caughtUp := replica.WaitPosition(waitCtx, pos)
	cancel()
	if caughtUp {
		t.Fatal("the replica reached the write's position before it was replicated")
	}
	if got, _ := replica.Nearby(ctx, q); len(got) != 1 {
		t.Fatalf("the replica shows %d stores before it applied the write", len(got))
	}
	replicate(t, primary.Path(), replicaPath)
	if !replica.WaitPosition(ctx, pos) {
		t.Fatal("the replica never reached the position")
	}
	got, err := replica.Nearby(ctx, q)
	if err != nil || len(got) != 2 || (got[0].ID != s.ID && got[1].ID != s.ID) {
		t.Fatalf("after catching up the replica answered %+v, %v", got, err)
	}
	points, _, err := replica.StoresInRect(ctx, geo.Rect{MinLat: 37.55, MinLng: 126.92, MaxLat: 37.56, MaxLng: 126.93}, 10)
	if err != nil || len(points) != 2 {
		t.Fatalf("map on the replica: %+v, %v", points, err)
	}
	// A delete follows the same way.
	pos, err = primary.DeleteStore(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	replicate(t, primary.Path(), replicaPath)
	replica.WaitPosition(ctx, pos)
	if got, _ := replica.Nearby(ctx, q); len(got) != 1 {
		t.Fatalf("after the delete the replica shows %d stores", len(got))
	}
}

// replicate copies the database at src over the one at dst (created if
// missing) with SQLite's online backup: readers of dst see it change in one
// step.
func replicate(tb testing.TB, src, dst string) {
	tb.Helper()
	ctx := context.Background()
	open := func(path string) (*sql.DB, *sql.Conn) {
		db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
		if err != nil {
			tb.Fatal(err)
		}
		c, err := db.Conn(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		return db, c
	}
	if err := mkdirFor(dst); err != nil {
		tb.Fatal(err)
	}
	srcDB, sc := open(src)
	dstDB, dc := open(dst)
	defer func() { sc.Close(); dc.Close(); srcDB.Close(); dstDB.Close() }()
	err := dc.Raw(func(d any) error {
		return sc.Raw(func(s any) error {
			b, err := d.(*sqlite3.SQLiteConn).Backup("main", s.(*sqlite3.SQLiteConn), "main")
			if err != nil {
				return err
			}
			if _, err := b.Step(-1); err != nil {
				b.Finish()
				return err
			}
			return b.Finish()
		})
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func mkdirFor(path string) error { return os.MkdirAll(filepath.Dir(path), 0o755) }

// listingStructBytes is the size of a Listing without its text.
var listingStructBytes = int(unsafe.Sizeof(store.Listing{}))
