package geo

import (
	"github.com/golang/geo/s2"
)

// Rect is a latitude/longitude box, as a map viewport gives it.
type Rect struct {
	MinLat, MinLng, MaxLat, MaxLng float64
}

// Contains reports whether (lat, lng) is inside the box, edges included.
func (r Rect) Contains(lat, lng float64) bool {
	return lat >= r.MinLat && lat <= r.MaxLat && lng >= r.MinLng && lng <= r.MaxLng
}

// Center returns the box's centre and the distance from it to its farthest
// corner, so that the circle holds the whole box.
func (r Rect) Center() (lat, lng, radiusMeters float64) {
	lat, lng = (r.MinLat+r.MaxLat)/2, (r.MinLng+r.MaxLng)/2
	for _, c := range [][2]float64{{r.MinLat, r.MinLng}, {r.MinLat, r.MaxLng}, {r.MaxLat, r.MinLng}, {r.MaxLat, r.MaxLng}} {
		radiusMeters = max(radiusMeters, DistanceMeters(lat, lng, c[0], c[1]))
	}
	return lat, lng, radiusMeters
}

// CoverRect returns sorted, merged key ranges whose union holds the CellKey
// of every point in the box; callers filter candidates with Contains.
func CoverRect(r Rect) []KeyRange {
	rect := s2.RectFromLatLng(s2.LatLngFromDegrees(r.MinLat, r.MinLng)).
		AddPoint(s2.LatLngFromDegrees(r.MaxLat, r.MaxLng))
	coverer := s2.RegionCoverer{MaxLevel: s2.MaxLevel, MaxCells: coverMaxCells}
	cells := coverer.Covering(rect)
	ranges := make([]KeyRange, 0, len(cells))
	for _, id := range cells {
		ranges = append(ranges, KeyRange{Min: keyOf(id.RangeMin()), Max: keyOf(id.RangeMax())})
	}
	return mergeKeyRanges(ranges)
}

// ClusterLevel is the S2 level whose cells group the points of a map at a
// web-map zoom (0 = the world, 21 = a building): cells a few dozen screen
// pixels wide.
func ClusterLevel(zoom int) int {
	return min(max(zoom-2, 0), s2.MaxLevel)
}

// CellToken names the cell of the given level that holds (lat, lng).
func CellToken(lat, lng float64, level int) string {
	return s2.CellIDFromLatLng(s2.LatLngFromDegrees(lat, lng)).Parent(level).ToToken()
}
