package geo

import (
	"math"
	"slices"

	"github.com/golang/geo/s2"
)

// keySignFlip turns an unsigned S2 cell id into a signed key with the same
// order: flipping the top bit maps [0, 2^64) onto [-2^63, 2^63) monotonically.
const keySignFlip = uint64(1) << 63

// coverMarginMeters widens every circle before it is covered. It absorbs
// rounding in the angle conversions and is larger than the diagonal of a
// leaf cell (about 1.5 cm), so the whole leaf cell of any point within the
// radius lies inside the widened circle and hence inside one covering cell.
const coverMarginMeters = 0.1

// coverMaxCells bounds the number of cells, and so of key ranges, per circle.
// Around Seoul, 16 cells cover about 1.55 times the circle's area in about 7
// merged ranges; 8 cells cover twice the area in 4 ranges.
const coverMaxCells = 16

// CellKey returns the leaf S2 cell of the point (lat, lng) as an int64 key
// whose signed order is the order of the cells along the Hilbert curve.
func CellKey(lat, lng float64) int64 {
	return keyOf(s2.CellIDFromLatLng(s2.LatLngFromDegrees(lat, lng)))
}

// keyOf maps a cell id to its order-preserving signed key.
func keyOf(id s2.CellID) int64 {
	return int64(uint64(id) ^ keySignFlip)
}

// KeyRange is an inclusive range [Min, Max] of cell keys.
type KeyRange struct{ Min, Max int64 }

// Contains reports whether key lies in the range.
func (r KeyRange) Contains(key int64) bool { return r.Min <= key && key <= r.Max }

// CoverCircle returns sorted, non-overlapping, non-adjacent inclusive key
// ranges whose union holds the CellKey of every point within radiusMeters of
// (lat, lng), including points exactly on the radius. The ranges
// over-approximate the circle; callers filter candidates with DistanceMeters.
// A negative or NaN radius is treated as zero.
func CoverCircle(lat, lng, radiusMeters float64) []KeyRange {
	if !(radiusMeters > 0) {
		radiusMeters = 0
	}
	angle := angleOfMeters(radiusMeters + coverMarginMeters)
	c := s2.CapFromCenterAngle(pointOf(lat, lng), angle)
	coverer := s2.RegionCoverer{
		MinLevel: 0,
		MaxLevel: coverMaxLevel(radiusMeters),
		LevelMod: 1,
		MaxCells: coverMaxCells,
	}
	cells := coverer.Covering(c)
	ranges := make([]KeyRange, 0, len(cells))
	for _, id := range cells {
		ranges = append(ranges, KeyRange{Min: keyOf(id.RangeMin()), Max: keyOf(id.RangeMax())})
	}
	return mergeKeyRanges(ranges)
}

// coverMaxLevel returns the finest level worth using for a circle: cells
// narrower than an eighth of the radius trim little area and slow the
// coverer down.
func coverMaxLevel(radiusMeters float64) int {
	level := s2.MinWidthMetric.MaxLevel(angleOfMeters(radiusMeters / 8).Radians())
	return min(max(level, 0), s2.MaxLevel)
}

// mergeKeyRanges sorts ranges and merges those that overlap or are adjacent.
// Leaf cell ids are odd, so consecutive leaf keys differ by 2.
func mergeKeyRanges(ranges []KeyRange) []KeyRange {
	if len(ranges) == 0 {
		return ranges
	}
	slices.SortFunc(ranges, func(a, b KeyRange) int {
		switch {
		case a.Min < b.Min:
			return -1
		case a.Min > b.Min:
			return 1
		}
		return 0
	})
	out := ranges[:1]
	for _, r := range ranges[1:] {
		last := &out[len(out)-1]
		if last.Max >= math.MaxInt64-2 || r.Min <= last.Max+2 {
			last.Max = max(last.Max, r.Max)
			continue
		}
		out = append(out, r)
	}
	return out
}

// CellAround returns the key range of the cell of the given level that
// holds (lat, lng), and the cell's area in square meters.
func CellAround(lat, lng float64, level int) (KeyRange, float64) {
	id := s2.CellIDFromLatLng(s2.LatLngFromDegrees(lat, lng)).Parent(level)
	areaM2 := s2.CellFromCellID(id).ApproxArea() * EarthRadiusMeters * EarthRadiusMeters
	return KeyRange{Min: keyOf(id.RangeMin()), Max: keyOf(id.RangeMax())}, areaM2
}

// BoundCircle returns key ranges whose union holds the CellKey of every
// point within radiusMeters of (lat, lng), like CoverCircle, from the four
// cells around the cell vertex nearest the centre (s2.Cap.CellUnionBound):
// a looser bound (up to about 20 times the circle's area) that costs no
// covering search, for scans of memory where a candidate costs nanoseconds.
func BoundCircle(lat, lng, radiusMeters float64) []KeyRange {
	if !(radiusMeters > 0) {
		radiusMeters = 0
	}
	c := s2.CapFromCenterAngle(pointOf(lat, lng), angleOfMeters(radiusMeters+coverMarginMeters))
	cells := c.CellUnionBound()
	ranges := make([]KeyRange, 0, len(cells))
	for _, id := range cells {
		ranges = append(ranges, KeyRange{Min: keyOf(id.RangeMin()), Max: keyOf(id.RangeMax())})
	}
	return mergeKeyRanges(ranges)
}
