package store_test

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	benchFixture.cleanup()
	os.Exit(code)
}

// box is a lat/lng rectangle in degrees.
type box struct{ minLat, maxLat, minLng, maxLng float64 }

// around returns the box of about sideMeters by sideMeters centred on (lat, lng).
func around(lat, lng, sideMeters float64) box {
	const metersPerDegree = geo.EarthRadiusMeters * math.Pi / 180
	dLat := sideMeters / 2 / metersPerDegree
	dLng := dLat / math.Cos(lat*math.Pi/180)
	return box{lat - dLat, lat + dLat, lng - dLng, lng + dLng}
}

func (b box) random(rng *rand.Rand) (lat, lng float64) {
	return b.minLat + rng.Float64()*(b.maxLat-b.minLat), b.minLng + rng.Float64()*(b.maxLng-b.minLng)
}

// pointsInShard draws n random points of the box that lie in shard.
func pointsInShard(rng *rand.Rand, b box, shard, n int) [][2]float64 {
	m := geo.DefaultShardMap()
	out := make([][2]float64, 0, n)
	for len(out) < n {
		lat, lng := b.random(rng)
		if s, _, ok := m.ShardAt(lat, lng); ok && s == shard {
			out = append(out, [2]float64{lat, lng})
		}
	}
	return out
}

var categories = []string{couponpop.CategoryCafe, couponpop.CategoryFood, couponpop.CategoryConvenience}

// loadStores bulk-inserts one store per point, cycling through categories,
// in transactions of up to 10,000 rows.
func loadStores(tb testing.TB, db *store.DB, points [][2]float64) []*couponpop.Store {
	tb.Helper()
	m := geo.DefaultShardMap()
	all := make([]*couponpop.Store, 0, len(points))
	for start := 0; start < len(points); start += 10_000 {
		chunk := points[start:min(start+10_000, len(points))]
		stores := make([]*couponpop.Store, len(chunk))
		districts := make([]string, len(chunk))
		for i, p := range chunk {
			stores[i] = newStore(int64(1+(start+i)%97), fmt.Sprintf("store %d", start+i), p[0], p[1])
			stores[i].StoreCategory = categories[(start+i)%len(categories)]
			_, d, _ := m.ShardAt(p[0], p[1])
			districts[i] = d.Name
		}
		if _, err := db.CreateStores(context.Background(), stores, districts); err != nil {
			tb.Fatal(err)
		}
		all = append(all, stores...)
	}
	return all
}

// bruteForce is what Nearby must return: every live store of the category
// (any when "") within the radius by geo.DistanceMeters, nearest first, ties
// by ID, at most limit.
func bruteForce(live []*couponpop.Store, q store.NearbyQuery) []store.NearbyStore {
	var out []store.NearbyStore
	for _, s := range live {
		if q.Category != "" && s.StoreCategory != q.Category {
			continue
		}
		if d := geo.DistanceMeters(q.Latitude, q.Longitude, s.Latitude, s.Longitude); d <= q.RadiusMeters {
			out = append(out, store.NearbyStore{Store: s, DistanceMeters: d})
		}
	}
	slices.SortFunc(out, func(a, b store.NearbyStore) int {
		return cmp.Or(cmp.Compare(a.DistanceMeters, b.DistanceMeters), cmp.Compare(a.ID, b.ID))
	})
	return out[:min(len(out), q.Limit)]
}

// TestNearby_MatchesBruteForce checks the cell-index scan of Nearby against
// a full scan: random stores over one shard's districts (some sharing a
// point, some deleted), random circles from 50 m to 5 km, some with a store
// exactly on the radius or at the centre.
func TestNearby_MatchesBruteForce(t *testing.T) {
	const shard, nStores, nCircles = 1, 3000, 400
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(20251025, 1))
	db := openShard(t, shard)
	area := around(37.555, 126.96, 12_000)

	points := pointsInShard(rng, area, shard, nStores)
	// Stores sharing a point exercise the tie order (by ID).
	for i := 0; i < nStores/20; i++ {
		points = append(points, points[rng.IntN(len(points))])
	}
	stores := loadStores(t, db, points)

	// Delete a few: they must never come back.
	deleted := map[int64]bool{}
	for i := 0; i < len(stores)/30; i++ {
		id := stores[rng.IntN(len(stores))].ID
		if deleted[id] {
			continue
		}
		if _, err := db.DeleteStore(ctx, id); err != nil {
			t.Fatal(err)
		}
		deleted[id] = true
	}
	var live []*couponpop.Store
	for _, s := range stores {
		if !deleted[s.ID] {
			live = append(live, s)
		}
	}

	for i := 0; i < nCircles; i++ {
		lat, lng := area.random(rng)
		// Log-uniform radius from 50 m to 5 km.
		radius := 50 * math.Pow(100, rng.Float64())
		var onRadius *couponpop.Store
		switch i % 4 {
		case 1: // a store exactly on the radius
			onRadius = live[rng.IntN(len(live))]
			for geo.DistanceMeters(lat, lng, onRadius.Latitude, onRadius.Longitude) > 5000 {
				lat, lng = area.random(rng)
			}
			radius = geo.DistanceMeters(lat, lng, onRadius.Latitude, onRadius.Longitude)
		case 2: // centred on a store
			s := live[rng.IntN(len(live))]
			lat, lng = s.Latitude, s.Longitude
		}
		q := store.NearbyQuery{Latitude: lat, Longitude: lng, RadiusMeters: radius, Limit: len(stores) + 1}
		switch i % 5 {
		case 3:
			q.Category = categories[rng.IntN(len(categories))]
		case 4:
			q.Limit = 1 + rng.IntN(50)
		}
		got, err := db.Nearby(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want := bruteForce(live, q)
		if msg := diffNearby(got, want); msg != "" {
			t.Fatalf("circle %d (%.6f, %.6f) r=%.3f m category=%q limit=%d: %s", i, lat, lng, radius, q.Category, q.Limit, msg)
		}
		if onRadius != nil && q.Category == "" && q.Limit > len(stores) &&
			!slices.ContainsFunc(got, func(n store.NearbyStore) bool { return n.ID == onRadius.ID }) {
			t.Fatalf("circle %d: store %d exactly on the radius is missing", i, onRadius.ID)
		}
	}
}

// diffNearby describes the first difference between two results, or "".
func diffNearby(got, want []store.NearbyStore) string {
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(got):
			return fmt.Sprintf("%d results, want %d: missing id %d at %.6f m", len(got), len(want), want[i].ID, want[i].DistanceMeters)
		case i >= len(want):
			return fmt.Sprintf("%d results, want %d: extra id %d at %.6f m", len(got), len(want), got[i].ID, got[i].DistanceMeters)
		case got[i].ID != want[i].ID || got[i].DistanceMeters != want[i].DistanceMeters:
			return fmt.Sprintf("result %d is id %d at %.6f m, want id %d at %.6f m", i, got[i].ID, got[i].DistanceMeters, want[i].ID, want[i].DistanceMeters)
		case got[i].Name != want[i].Name || got[i].Latitude != want[i].Latitude || got[i].StoreCategory != want[i].StoreCategory:
			return fmt.Sprintf("result %d (id %d) loaded the wrong row: %+v", i, got[i].ID, got[i].StoreInput)
		}
	}
	return ""
}

func TestNearby_OpenAt(t *testing.T) {
	ctx := context.Background()
	db := openShard(t, 1)
	lat, lng := 37.5572, 126.9245
	hours := []struct{ name, weekdayOpen, weekdayClose, weekendOpen, weekendClose string }{
		{"day", "08:00", "22:00", "10:00", "22:00"},
		{"late", "10:00", "20:00", "10:00", "20:00"},
		{"overnight", "22:00", "02:00", "22:00", "02:00"},
		{"weekend-early", "12:00", "13:00", "08:00", "12:00"},
	}
	for i, h := range hours {
		s := newStore(1, h.name, lat+float64(i)*0.0001, lng)
		s.WeekdayOpenTime, s.WeekdayCloseTime, s.WeekendOpenTime, s.WeekendCloseTime = h.weekdayOpen, h.weekdayClose, h.weekendOpen, h.weekendClose
		if _, err := db.CreateStore(ctx, s, "마포구"); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		at   string
		want []string
	}{
		{"2025-10-22T09:00:00+09:00", []string{"day"}},                          // Wednesday
		{"2025-10-22T23:30:00+09:00", []string{"overnight"}},                    // Wednesday night
		{"2025-10-23T01:00:00+09:00", []string{"overnight"}},                    // after midnight
		{"2025-10-25T09:00:00+09:00", []string{"weekend-early"}},                // Saturday
		{"2025-10-25T11:00:00+09:00", []string{"day", "late", "weekend-early"}}, // Saturday
	} {
		at, _ := time.Parse(time.RFC3339, tc.at)
		got, err := db.Nearby(ctx, store.NearbyQuery{Latitude: lat, Longitude: lng, RadiusMeters: 500, OpenAt: at, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, n := range got {
			names = append(names, n.Name)
		}
		if !slices.Equal(names, tc.want) {
			t.Errorf("open at %s: %v, want %v", tc.at, names, tc.want)
		}
	}
}

// nearbyFixture is the 100k-store shard BenchmarkNearby reads, built once
// per process in a temp dir that TestMain removes.
type nearbyFixture struct {
	once    sync.Once
	dir     string
	db      *store.DB
	centers [][2]float64
	err     error
}

var benchFixture nearbyFixture

const benchStores = 100_000

// benchArea is about 10 × 10 km over Mapo, Seodaemun, Jongno and Jung
// (shard 1); points that fall in other shards are redrawn.
var benchArea = around(37.555, 126.96, 10_000)

func nearbyBenchDB(b *testing.B) (*store.DB, [][2]float64) {
	b.Helper()
	f := &benchFixture
	f.once.Do(func() {
		start := time.Now()
		f.dir, f.err = os.MkdirTemp("", "couponpop-nearby-bench-")
		if f.err != nil {
			return
		}
		f.db, f.err = store.Open(context.Background(), filepath.Join(f.dir, store.FileName(1)), 1, store.Options{})
		if f.err != nil {
			return
		}
		rng := rand.New(rand.NewPCG(1, 2))
		loadStores(b, f.db, pointsInShard(rng, benchArea, 1, benchStores))
		// Let the background search indexer embed them all first, so it
		// does not compete with the queries being measured.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if f.err = f.db.WaitSearchIndexed(ctx); f.err != nil {
			return
		}
		// Query centres: random points of the same area and shard.
		f.centers = pointsInShard(rng, benchArea, 1, 4096)
		b.Logf("fixture: %d stores in %v", benchStores, time.Since(start).Round(time.Millisecond))
	})
	if f.err != nil {
		b.Fatal(f.err)
	}
	return f.db, f.centers
}

func (f *nearbyFixture) cleanup() {
	if f.db != nil {
		f.db.Close()
	}
	if f.dir != "" {
		os.RemoveAll(f.dir)
	}
}

// timeQueries runs query over the centres in turn for b.N iterations and
// reports its p50 and p99 latency and the rows it answered per query.
func timeQueries(b *testing.B, centers [][2]float64, query func(c [2]float64) (int, error)) {
	var durations []time.Duration
	results := 0
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		n, err := query(centers[i%len(centers)])
		durations = append(durations, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		results += n
	}
	slices.Sort(durations)
	pct := func(p float64) float64 {
		return float64(durations[int(p*float64(len(durations)-1))].Nanoseconds()) / 1e3
	}
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(float64(results)/float64(len(durations)), "results/op")
}

// BenchmarkNearby measures Nearby over 100k stores in one shard with the
// API's default limit (100), reporting per-query latency percentiles.
func BenchmarkNearby(b *testing.B) {
	db, centers := nearbyBenchDB(b)
	ctx := context.Background()
	for _, radius := range []float64{300, 1000} {
		name := fmt.Sprintf("r=%gm", radius)
		if radius >= 1000 {
			name = fmt.Sprintf("r=%gkm", radius/1000)
		}
		b.Run(name, func(b *testing.B) {
			// Steady state: one untimed pass fills the listing cache, as a
			// serving node's is between store writes.
			for _, c := range centers {
				if _, err := db.Nearby(ctx, store.NearbyQuery{Latitude: c[0], Longitude: c[1], RadiusMeters: radius, Limit: 100}); err != nil {
					b.Fatal(err)
				}
			}
			timeQueries(b, centers, func(c [2]float64) (int, error) {
				got, err := db.Nearby(ctx, store.NearbyQuery{Latitude: c[0], Longitude: c[1], RadiusMeters: radius, Limit: 100})
				return len(got), err
			})
			// How many stores the circles hold (Nearby measures them all
			// before it keeps the nearest 100), over a sample, untimed.
			within := 0
			const sample = 64
			for _, c := range centers[:sample] {
				all, err := db.Nearby(ctx, store.NearbyQuery{Latitude: c[0], Longitude: c[1], RadiusMeters: radius, Limit: benchStores})
				if err != nil {
					b.Fatal(err)
				}
				within += len(all)
			}
			b.ReportMetric(float64(within)/sample, "in-radius/op")
		})
	}
}

// TestNearby_SeesStoreUpdates: a store changed after a nearby query shows
// its new listing in the next one (the listing cache follows writes).
func TestNearby_SeesStoreUpdates(t *testing.T) {
	ctx := context.Background()
	db := openShard(t, 1)
	st := loadStores(t, db, [][2]float64{{37.5572, 126.9245}})[0]
	q := store.NearbyQuery{Latitude: 37.5572, Longitude: 126.9245, RadiusMeters: 100, Limit: 10}
	if got, err := db.Nearby(ctx, q); err != nil || len(got) != 1 {
		t.Fatalf("nearby: %v, %v", got, err)
	}
	st.Name = "이름 바뀐 카페"
	if _, err := db.UpdateStore(ctx, st, "마포구"); err != nil {
		t.Fatal(err)
	}
	got, err := db.Nearby(ctx, q)
	if err != nil || len(got) != 1 || got[0].Name != "이름 바뀐 카페" {
		t.Fatalf("after the update nearby answered %+v, %v", got, err)
	}
	if _, err := db.DeleteStore(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Nearby(ctx, q); err != nil || len(got) != 0 {
		t.Fatalf("after the delete nearby answered %+v, %v", got, err)
	}
}
