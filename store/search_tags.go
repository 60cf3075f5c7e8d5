package store

import (
	"fmt"
	"strings"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
)

// Tags of a store in the keyword index (column tags, weight 0): its
// category code and the S2 cells holding its location at tagLevels. A
// category filter matches the code's tag, a radius filter the cells covering
// the circle at one level, so filtering is done inside FTS5.
//
// Levels and their cell widths around Seoul: 9 ≈ 15 km, 11 ≈ 4 km,
// 13 ≈ 1 km, 15 ≈ 250 m. A token is "g", a letter naming the level (a = 0)
// and the cell's hex token: one unicode61 token that text never produces by
// accident in practice.
var tagLevels = []int{15, 13, 11, 9}

// maxTagCells bounds the cells a radius filter ORs together.
const maxTagCells = 24

func categoryTag(code string) string { return "c" + strings.ToLower(code) }

func cellTag(id s2.CellID) string {
	return fmt.Sprintf("g%c%s", 'a'+id.Level(), id.ToToken())
}

// storeTags returns the tags column of a store.
func storeTags(category string, lat, lng float64) string {
	leaf := s2.CellIDFromLatLng(s2.LatLngFromDegrees(lat, lng))
	tags := []string{categoryTag(category)}
	for _, level := range tagLevels {
		tags = append(tags, cellTag(leaf.Parent(level)))
	}
	return strings.Join(tags, " ")
}

// filterExpr returns the FTS5 expression that keeps the rows passing f
// (only an over-approximation of the circle: check distances after), or ""
// when f filters nothing.
func filterExpr(f searchFilter) string {
	var parts []string
	if f.category != "" {
		parts = append(parts, `tags : "`+categoryTag(f.category)+`"`)
	}
	if f.near {
		cells := circleCells(f.lat, f.lng, f.radius)
		quoted := make([]string, len(cells))
		for i, c := range cells {
			quoted[i] = `"` + cellTag(c) + `"`
		}
		parts = append(parts, "tags : ("+strings.Join(quoted, " OR ")+")")
	}
	if f.text != "" {
		parts = append(parts, "("+f.text+")")
	}
	return strings.Join(parts, " AND ")
}

// circleCells covers the circle with cells of the finest tag level that
// needs at most maxTagCells of them.
func circleCells(lat, lng, radiusMeters float64) []s2.CellID {
	const earthRadiusMeters = 6_371_010.0
	angle := s1.Angle((radiusMeters + 1) / earthRadiusMeters)
	c := s2.CapFromCenterAngle(s2.PointFromLatLng(s2.LatLngFromDegrees(lat, lng)), angle)
	var cells []s2.CellID
	for _, level := range tagLevels {
		rc := s2.RegionCoverer{MinLevel: level, MaxLevel: level, MaxCells: maxTagCells}
		cells = rc.Covering(c)
		if len(cells) <= maxTagCells {
			break
		}
	}
	// At the coarsest level the coverer may stop at its MaxCells with
	// cells of that level only, which still cover the circle.
	return cells
}
