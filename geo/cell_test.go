package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/golang/geo/s2"
)

// destination returns the point distanceMeters from (lat, lng) along the
// great circle leaving at bearingDegrees (clockwise from north).
func destination(lat, lng, bearingDegrees, distanceMeters float64) (float64, float64) {
	rad := math.Pi / 180
	phi1, lambda1, theta := lat*rad, lng*rad, bearingDegrees*rad
	delta := distanceMeters / EarthRadiusMeters
	phi2 := math.Asin(math.Sin(phi1)*math.Cos(delta) + math.Cos(phi1)*math.Sin(delta)*math.Cos(theta))
	lambda2 := lambda1 + math.Atan2(math.Sin(theta)*math.Sin(delta)*math.Cos(phi1), math.Cos(delta)-math.Sin(phi1)*math.Sin(phi2))
	lng2 := math.Remainder(lambda2/rad, 360)
	return phi2 / rad, lng2
}

// inRanges reports whether key lies in one of the sorted ranges.
func inRanges(ranges []KeyRange, key int64) bool {
	i, _ := slices.BinarySearchFunc(ranges, key, func(r KeyRange, k int64) int {
		switch {
		case r.Max < k:
			return -1
		case r.Min > k:
			return 1
		}
		return 0
	})
	return i < len(ranges) && ranges[i].Contains(key)
}

// checkRangesShape fails unless ranges are sorted, valid, non-overlapping and
// non-adjacent.
func checkRangesShape(t *testing.T, ranges []KeyRange) {
	t.Helper()
	if len(ranges) == 0 {
		t.Fatal("no ranges")
	}
	for i, r := range ranges {
		if r.Min > r.Max {
			t.Fatalf("range %d: Min %d > Max %d", i, r.Min, r.Max)
		}
		if i > 0 && r.Min <= ranges[i-1].Max+2 {
			t.Fatalf("ranges %d and %d overlap or touch: %v %v", i-1, i, ranges[i-1], r)
		}
	}
}

func TestCellKey_Order(t *testing.T) {
	points := [][2]float64{
		{37.5563, 126.9236}, {37.4979, 127.0286}, {-33.86, 151.2}, {0, 0}, {89.9, 0},
		{-89.9, 0}, {51.5, -0.12}, {40.7, -74}, {35.26439, 45}, {0, 180}, {0, -180},
	}
	for i, a := range points {
		for _, b := range points[i:] {
			ida := s2.CellIDFromLatLng(s2.LatLngFromDegrees(a[0], a[1]))
			idb := s2.CellIDFromLatLng(s2.LatLngFromDegrees(b[0], b[1]))
			ka, kb := CellKey(a[0], a[1]), CellKey(b[0], b[1])
			if (ida < idb) != (ka < kb) || (ida == idb) != (ka == kb) {
				t.Errorf("order differs for %v and %v: ids %v %v, keys %d %d", a, b, ida, idb, ka, kb)
			}
			if !ida.IsLeaf() {
				t.Errorf("cell of %v is not a leaf", a)
			}
			if got := s2.CellID(uint64(ka) ^ keySignFlip); got != ida {
				t.Errorf("key %d of %v does not round-trip to %v", ka, a, ida)
			}
		}
	}
}

func TestMergeKeyRanges(t *testing.T) {
	tests := []struct {
		name string
		in   []KeyRange
		want []KeyRange
	}{
		{"empty", nil, nil},
		{"one", []KeyRange{{1, 5}}, []KeyRange{{1, 5}}},
		{"sorted apart", []KeyRange{{9, 11}, {1, 5}}, []KeyRange{{1, 5}, {9, 11}}},
		{"adjacent leaves", []KeyRange{{1, 5}, {7, 9}}, []KeyRange{{1, 9}}},
		{"overlapping", []KeyRange{{1, 9}, {3, 5}, {7, 13}}, []KeyRange{{1, 13}}},
		{"nested", []KeyRange{{1, 99}, {3, 5}}, []KeyRange{{1, 99}}},
		{"negative keys", []KeyRange{{-5, -1}, {-11, -9}}, []KeyRange{{-11, -9}, {-5, -1}}},
		{"negative adjacent", []KeyRange{{-5, -1}, {-11, -7}}, []KeyRange{{-11, -1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mergeKeyRanges(slices.Clone(tt.in)); !slices.Equal(got, tt.want) {
				t.Errorf("mergeKeyRanges(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestCoverCircle_NeverMisses throws random circles around Seoul and checks
// that random points inside each circle, and points exactly on its radius,
// have their cell key inside the covering.
func TestCoverCircle_NeverMisses(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	circles := 3000
	if testing.Short() {
		circles = 300
	}
	var ranges, points int
	for range circles {
		lat := 37.40 + rng.Float64()*0.32
		lng := 126.75 + rng.Float64()*0.45
		radiusMeters := 50 * math.Pow(400, rng.Float64()) // 50 m .. 20 km, log-uniform
		cover := CoverCircle(lat, lng, radiusMeters)
		checkRangesShape(t, cover)
		ranges += len(cover)
		check := func(bearing, dist float64) {
			plat, plng := destination(lat, lng, bearing, dist)
			points++
			if !inRanges(cover, CellKey(plat, plng)) {
				t.Fatalf("circle (%v, %v) r=%.3f m: point (%v, %v) at %.6f m (asked %.6f m), bearing %.2f, not covered",
					lat, lng, radiusMeters, plat, plng, DistanceMeters(lat, lng, plat, plng), dist, bearing)
			}
		}
		for range 40 {
			check(rng.Float64()*360, radiusMeters*math.Sqrt(rng.Float64()))
		}
		for i := range 48 { // exactly on the radius
			bearing := float64(i)*7.5 + rng.Float64()*7.5
			plat, plng := destination(lat, lng, bearing, radiusMeters)
			if d := DistanceMeters(lat, lng, plat, plng); math.Abs(d-radiusMeters) > 1e-6 {
				t.Fatalf("test helper: destination at %v m measures %v m", radiusMeters, d)
			}
			check(bearing, radiusMeters)
		}
		check(0, 0)
	}
	t.Logf("%d circles, %d points, %.1f ranges per circle", circles, points, float64(ranges)/float64(circles))
}

func TestCoverCircle_Edges(t *testing.T) {
	tests := []struct {
		name                   string
		lat, lng, radiusMeters float64
	}{
		{"zero radius", 37.5563, 126.9236, 0},
		{"negative radius", 37.5563, 126.9236, -5},
		{"one meter", 37.5563, 126.9236, 1},
		{"cube corner", 35.26438968, 45, 500},
		{"face edge", 0, 45, 800},
		{"antimeridian", 0, 180, 2000},
		{"north pole", 90, 0, 1000},
		{"south pole", -90, 0, 1000},
		{"half the Earth", 37.5, 127, math.Pi * EarthRadiusMeters / 2},
		{"whole Earth", 37.5, 127, 3 * EarthRadiusMeters},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cover := CoverCircle(tt.lat, tt.lng, tt.radiusMeters)
			checkRangesShape(t, cover)
			r := max(tt.radiusMeters, 0)
			for bearing := 0.0; bearing < 360; bearing += 3 {
				for _, f := range []float64{0, 0.5, 1} {
					plat, plng := destination(tt.lat, tt.lng, bearing, r*f)
					if !inRanges(cover, CellKey(plat, plng)) {
						t.Fatalf("point (%v, %v) at %.3f m not covered", plat, plng, r*f)
					}
				}
			}
		})
	}
}

func BenchmarkCoverCircle(b *testing.B) {
	for _, bm := range []struct {
		name         string
		radiusMeters float64
	}{{"300m", 300}, {"1km", 1000}} {
		b.Run(bm.name, func(b *testing.B) {
			n := 0
			for i := 0; b.Loop(); i++ {
				n += len(CoverCircle(37.5+float64(i%100)*0.001, 126.9+float64(i%37)*0.003, bm.radiusMeters))
			}
			b.ReportMetric(float64(n)/float64(b.N), "ranges/op")
		})
	}
}
