package geo

import (
	"math/rand/v2"
	"testing"
)

func TestCoverRect_HoldsEveryPoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	for i := 0; i < 200; i++ {
		lat, lng := 37.45+rng.Float64()*0.2, 126.8+rng.Float64()*0.3
		r := Rect{lat, lng, lat + rng.Float64()*0.05, lng + rng.Float64()*0.05}
		ranges := CoverRect(r)
		for j := 0; j < 200; j++ {
			plat := r.MinLat + rng.Float64()*(r.MaxLat-r.MinLat)
			plng := r.MinLng + rng.Float64()*(r.MaxLng-r.MinLng)
			if j == 0 {
				plat, plng = r.MaxLat, r.MaxLng // a corner
			}
			key, found := CellKey(plat, plng), false
			for _, kr := range ranges {
				found = found || kr.Contains(key)
			}
			if !found {
				t.Fatalf("point (%f, %f) of %+v is outside its covering", plat, plng, r)
			}
		}
	}
}

func TestRect_Center(t *testing.T) {
	r := Rect{37.55, 126.91, 37.56, 126.93}
	lat, lng, radius := r.Center()
	if lat != 37.555 || lng != 126.92 || radius < DistanceMeters(lat, lng, 37.56, 126.93)-1e-6 {
		t.Fatalf("centre (%f, %f) radius %f", lat, lng, radius)
	}
}
