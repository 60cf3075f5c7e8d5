package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/store"
)

// BenchmarkNearbyIndex1M measures Nearby from the in-memory index over
// 1,000,000 stores in one shard (benchArea, ~14,000 stores/km² once the
// points of other shards are redrawn), limit 100, random centres, and
// reports the index's Go heap (listings included) and its part without
// the listing text. The stores go in with plain INSERTs on a second
// connection (the search index is left out: it is not what is measured),
// so the first Nearby rebuilds the index from store_changes; its time is
// reported too. Run:
//
//	NEARBY_1M=1 go test -tags sqlite_fts5 -run '^$' -bench BenchmarkNearbyIndex1M -benchtime 20000x ./store/
//
// Each path is timed after 4,096 warm-up queries and a GC.
func BenchmarkNearbyIndex1M(b *testing.B) {
	if os.Getenv("NEARBY_1M") == "" {
		b.Skip("set NEARBY_1M=1: it loads a million stores")
	}
	const n = 1_000_000
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), store.FileName(1))
	db, err := store.Open(ctx, path, 1, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(1, 1_000_000))
	points := pointsInShard(rng, benchArea, 1, n)
	textBytes := bulkInsertStores(b, path, points)

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	stats, err := db.NearbyIndexStats(ctx) // catches up: rebuilds
	if err != nil {
		b.Fatal(err)
	}
	build := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if stats.Stores != n {
		b.Fatalf("index holds %d stores, want %d", stats.Stores, n)
	}
	// A Listing: the couponpop.Store struct and the Encoded pointer, plus
	// its text.
	listingStruct := int64(n) * int64(listingStructBytes)
	b.Logf("1M stores: index built in %v; Go heap %d B (%.0f B/store): entries %d B/store, listing structs %d B/store, listing text %.0f B/store, the rest (id map) %.0f B/store; without listing text %.0f B/store",
		build.Round(time.Millisecond), heap, float64(heap)/n, stats.EntryBytes/n, listingStructBytes, float64(textBytes)/n,
		float64(heap-stats.EntryBytes-listingStruct-textBytes)/n, float64(heap-textBytes)/n)
	b.ReportMetric(float64(heap)/n, "heap-B/store")
	b.ReportMetric(float64(heap-textBytes)/n, "heap-notext-B/store")

	centers := pointsInShard(rng, benchArea, 1, 4096)
	// Nearby returns new Stores (what a Go caller gets); the server's
	// handlers append listings into a reused buffer instead.
	paths := []struct {
		name  string
		query func(q store.NearbyQuery) (int, error)
	}{
		{"Nearby", func(q store.NearbyQuery) (int, error) {
			got, err := db.Nearby(ctx, q)
			return len(got), err
		}},
		{"AppendNearbyListings", func() func(q store.NearbyQuery) (int, error) {
			var buf []store.NearbyListing
			return func(q store.NearbyQuery) (n int, err error) {
				buf, err = db.AppendNearbyListings(ctx, buf[:0], q)
				return len(buf), err
			}
		}()},
	}
	// Serve a while first: the build's garbage is collected and the
	// index's memory touched, as on a node that has been up a minute.
	for i := range 4096 {
		c := centers[i]
		if _, err := paths[0].query(store.NearbyQuery{Latitude: c[0], Longitude: c[1], RadiusMeters: 300, Limit: 100, WithEvents: true}); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	for _, path := range paths {
		for _, radius := range []float64{300, 1000} {
			b.Run(fmt.Sprintf("%s/r=%gm", path.name, radius), func(b *testing.B) {
				timeQueries(b, centers, func(c [2]float64) (int, error) {
					return path.query(store.NearbyQuery{Latitude: c[0], Longitude: c[1], RadiusMeters: radius, Limit: 100, WithEvents: true})
				})
			})
		}
	}
}

// bulkInsertStores inserts one store per point through a plain connection
// of its own and advances the commit position once. It returns the bytes
// of the listing text (the strings a Listing holds).
func bulkInsertStores(tb testing.TB, path string, points [][2]float64) int64 {
	tb.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000&_synchronous=OFF&_txlock=immediate")
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	stmt, err := tx.Prepare(`INSERT INTO stores (member_id, member_username, name, phone, description,
		business_number, address, dong, latitude, longitude, image_url, category, weekday_open_time,
		weekday_close_time, weekend_open_time, weekend_close_time, district, cell, created_at, updated_at)
		VALUES (?, 'owner', ?, '01012345678', '', '1234567890', ?, '서교동', ?, ?, ?, ?, '08:00', '22:00', '10:00', '22:00', '마포구', ?, 0, 0)`)
	if err != nil {
		tb.Fatal(err)
	}
	var text int64
	for i, p := range points {
		name := "가게 " + strconv.Itoa(i)
		address := "서울특별시 마포구 양화로 " + strconv.Itoa(i%500)
		image := "https://img.couponpop.dev/s/" + strconv.Itoa(i) + ".jpg"
		category := categories[i%len(categories)]
		if _, err := stmt.Exec(1+i%97, name, address, p[0], p[1], image, category, geo.CellKey(p[0], p[1])); err != nil {
			tb.Fatal(err)
		}
		text += int64(len(name) + len(address) + len("서교동") + len(image) + len(category) + 4*len("08:00"))
	}
	if _, err := tx.Exec(`UPDATE position SET pos = pos + 1 WHERE id = 1`); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return text
}
