package store

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/couponpop/couponpop/geo"
)

// syntheticIndex is n stores spread uniformly over a sideMeters square
// around (lat, lng), without SQLite.
func syntheticIndex(n int, lat, lng, sideMeters float64) *storeIndex {
	rng := rand.New(rand.NewPCG(7, 7))
	dLat := sideMeters / 2 / 111_195
	dLng := dLat / math.Cos(lat*math.Pi/180)
	return indexOfPoints(n, func() (float64, float64) {
		return lat - dLat + 2*dLat*rng.Float64(), lng - dLng + 2*dLng*rng.Float64()
	})
}

// streetIndex is n stores spread uniformly over a disc of radiusMeters
// around (lat, lng) and nothing around it: a dense street, as
// scripts/bench-nearby.sh seeds it.
func streetIndex(n int, lat, lng, radiusMeters float64) *storeIndex {
	rng := rand.New(rand.NewPCG(5, 5))
	return indexOfPoints(n, func() (float64, float64) {
		r := radiusMeters * math.Sqrt(rng.Float64()) / 111_195
		theta := 2 * math.Pi * rng.Float64()
		return lat + r*math.Sin(theta), lng + r*math.Cos(theta)/math.Cos(lat*math.Pi/180)
	})
}

// indexOfPoints is an index of n stores at the points next returns.
func indexOfPoints(n int, next func() (lat, lng float64)) *storeIndex {
	x := &storeIndex{cellOf: map[int64]int64{}}
	x.entries = make([]storeEntry, n)
	for i := range x.entries {
		la, ln := next()
		l := newListing(int64(i+1), 1, [len(listingText)]string{"name", "address", "dong", "", "CAFE", "08:00", "22:00", "10:00", "22:00"})
		x.entries[i] = storeEntry{cell: geo.CellKey(la, ln), id: int64(i + 1), lat: la, lng: ln, listing: l}
	}
	slices.SortFunc(x.entries, compareEntries)
	return x
}

// BenchmarkNearest: the index alone (no SQLite, no position check) at
// 7,000 and 14,000 stores/km², and on a street of 1,800 stores within
// 285 m (7,000 stores/km² there, none around) asked at its centre.
func BenchmarkNearest(b *testing.B) {
	b.Run("street-1800-in-285m", func(b *testing.B) {
		const lat, lng = 37.5704, 126.9921
		x := streetIndex(1800, lat, lng, 285)
		benchNearest(b, x, func() (float64, float64) { return lat, lng })
	})
	for _, tc := range []struct {
		name string
		n    int
		side float64
	}{{"7k-per-km2", 175_000, 5000}, {"14k-per-km2", 1_000_000, 8450}} {
		x := syntheticIndex(tc.n, 37.555, 126.96, tc.side)
		rng := rand.New(rand.NewPCG(1, 2))
		b.Run(tc.name, func(b *testing.B) {
			benchNearest(b, x, func() (float64, float64) {
				return 37.555 + (rng.Float64()-0.5)*0.02, 126.96 + (rng.Float64()-0.5)*0.02
			})
		})
	}
}

// benchNearest times 300 m queries for 100 stores at the points at gives.
func benchNearest(b *testing.B, x *storeIndex, at func() (lat, lng float64)) {
	var ds []time.Duration
	for b.Loop() {
		lat, lng := at()
		t0 := time.Now()
		got := x.nearest(NearbyQuery{Latitude: lat, Longitude: lng, RadiusMeters: 300, Limit: 100}, new([]candidate))
		ds = append(ds, time.Since(t0))
		if len(got) != 100 {
			b.Fatalf("%d results", len(got))
		}
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(ds[len(ds)*99/100].Nanoseconds())/1e3, "p99-µs")
}
