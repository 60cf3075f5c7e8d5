package geo

import (
	"math"
	"testing"
)

// haversineMeters is an independent reference for DistanceMeters.
func haversineMeters(lat1, lng1, lat2, lng2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * EarthRadiusMeters * math.Asin(math.Sqrt(h))
}

func TestDistanceMeters(t *testing.T) {
	tests := []struct {
		name                   string
		lat1, lng1, lat2, lng2 float64
		wantMeters, tolMeters  float64
	}{
		{"same point", 37.5, 127, 37.5, 127, 0, 1e-9},
		{"Hongik Univ. station to Gangnam station", 37.5572, 126.9245, 37.4979, 127.0276, 11231.2, 1},
		{"Hongdae to City Hall", 37.5563, 126.9236, 37.5663, 126.9779, 4913.7, 1},
		{"Seoul to Busan", 37.5665, 126.9780, 35.1796, 129.0756, 325111.7, 1},
		{"one degree of longitude on the equator", 0, 0, 0, 1, 111195.08, 0.01},
		{"one degree of latitude", 0, 0, 1, 0, 111195.08, 0.01},
		{"pole to pole", 90, 0, -90, 0, math.Pi * EarthRadiusMeters, 1e-6},
		{"across the antimeridian", 0, 179.5, 0, -179.5, 111195.08, 0.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DistanceMeters(tt.lat1, tt.lng1, tt.lat2, tt.lng2)
			if math.Abs(got-tt.wantMeters) > tt.tolMeters {
				t.Errorf("DistanceMeters = %.3f m, want %.3f ± %v m", got, tt.wantMeters, tt.tolMeters)
			}
			if ref := haversineMeters(tt.lat1, tt.lng1, tt.lat2, tt.lng2); math.Abs(got-ref) > 1e-6 {
				t.Errorf("DistanceMeters = %.9f m, haversine says %.9f m", got, ref)
			}
			if back := DistanceMeters(tt.lat2, tt.lng2, tt.lat1, tt.lng1); back != got {
				t.Errorf("not symmetric: %v vs %v", got, back)
			}
		})
	}
}
