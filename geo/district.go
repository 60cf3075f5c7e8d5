package geo

import (
	"errors"
	"fmt"
	"slices"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
)

// LocateSnapMeters is how far outside every polygon a point may lie and still
// be located to the nearest district. The Seoul data has sliver gaps between
// neighbouring districts whose points lie up to about 15 m from the nearest
// polygon.
const LocateSnapMeters = 25.0

// touchMarginMeters widens Touching's radius so that rounding never drops a
// district whose boundary is exactly at the radius.
const touchMarginMeters = coverMarginMeters

// District is a named area (a gu of Seoul) with its polygon. It is a small
// value, comparable with ==.
type District struct {
	Code string // administrative code, e.g. "11440"; may be empty
	Name string // e.g. "마포구"

	shape *districtShape
}

// districtShape is the geometry behind a District.
type districtShape struct {
	polygon  *s2.Polygon    // the area; vertices are joined by geodesics
	edges    *s2.ShapeIndex // just this polygon, for distance queries
	bound    s2.Rect        // conservative bounding box
	interior s2.LatLng      // a point inside the polygon
}

// InteriorPoint returns a point inside the district (the centre of the
// largest S2 cell within it), handy for labels, demo data and tests.
func (d District) InteriorPoint() (lat, lng float64) {
	if d.shape == nil {
		return 0, 0
	}
	return d.shape.interior.Lat.Degrees(), d.shape.interior.Lng.Degrees()
}

// Districts is an immutable set of districts with a spatial index; it is
// safe for concurrent use.
type Districts struct {
	list   []District
	byName map[string]int
	index  *s2.ShapeIndex // every polygon; shape id == position in list
}

// ParseDistricts reads a GeoJSON FeatureCollection of Polygon and
// MultiPolygon features. Names come from "sig_kor_nm" or "name", codes from
// "sig_cd" or "code"; a "서울시"/"서울특별시" prefix is stripped from names.
// Names must be unique, and so must non-empty codes. Errors name the feature
// by index.
func ParseDistricts(geojson []byte) (*Districts, error) {
	features, err := parseFeatureCollection(geojson)
	if err != nil {
		return nil, err
	}
	d := &Districts{
		list:   make([]District, 0, len(features)),
		byName: make(map[string]int, len(features)),
		index:  s2.NewShapeIndex(),
	}
	byCode := make(map[string]int, len(features))
	for i, f := range features {
		if j, dup := d.byName[f.name]; dup {
			return nil, fmt.Errorf("geo: feature %d: name %q already used by feature %d", i, f.name, j)
		}
		if j, dup := byCode[f.code]; dup && f.code != "" {
			return nil, fmt.Errorf("geo: feature %d (%s): code %q already used by feature %d", i, f.name, f.code, j)
		}
		shape, err := newDistrictShape(f.loops)
		if err != nil {
			return nil, fmt.Errorf("geo: feature %d (%s): %w", i, f.name, err)
		}
		d.byName[f.name] = i
		byCode[f.code] = i
		d.list = append(d.list, District{Code: f.code, Name: f.name, shape: shape})
		d.index.Add(shape.polygon)
	}
	d.index.Build()
	return d, nil
}

// newDistrictShape builds and validates the polygon of one district.
func newDistrictShape(loops []*s2.Loop) (*districtShape, error) {
	p := s2.PolygonFromLoops(loops)
	edges := s2.NewShapeIndex()
	edges.Add(p)
	edges.Build()
	if err := findCrossing(p, edges); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	interior, err := interiorPoint(p)
	if err != nil {
		return nil, err
	}
	return &districtShape{
		polygon:  p,
		edges:    edges,
		bound:    p.RectBound(),
		interior: interior,
	}, nil
}

// findCrossing reports edges of p that cross each other: a self-intersecting
// ring, or two rings that cross. s2's Validate does not check this, and a
// crossing silently breaks containment.
func findCrossing(p *s2.Polygon, edges *s2.ShapeIndex) error {
	q := s2.NewCrossingEdgeQuery(edges)
	for e := range p.NumEdges() {
		edge := p.Edge(e)
		if crossing := q.Crossings(edge.V0, edge.V1, p, s2.CrossingTypeInterior); len(crossing) > 0 {
			a, b := s2.LatLngFromPoint(edge.V0), s2.LatLngFromPoint(p.Edge(crossing[0]).V0)
			return fmt.Errorf("edges from [%.6f, %.6f] and from [%.6f, %.6f] ([lng, lat]) cross",
				a.Lng.Degrees(), a.Lat.Degrees(), b.Lng.Degrees(), b.Lat.Degrees())
		}
	}
	return nil
}

// interiorPoint returns the centre of the largest cell inside p.
func interiorPoint(p *s2.Polygon) (s2.LatLng, error) {
	coverer := s2.RegionCoverer{MaxLevel: s2.MaxLevel, LevelMod: 1, MaxCells: 8}
	cells := coverer.InteriorCovering(p)
	if len(cells) == 0 {
		return s2.LatLng{}, errors.New("polygon has no interior")
	}
	best := cells[0]
	for _, c := range cells[1:] {
		if c.Level() < best.Level() {
			best = c
		}
	}
	return s2.LatLngFromPoint(best.Point()), nil
}

// All returns every district in input order.
func (d *Districts) All() []District {
	return slices.Clone(d.list)
}

// ByName returns the district with the given name; a city prefix such as
// "서울시" is ignored.
func (d *Districts) ByName(name string) (District, bool) {
	i, ok := d.byName[normalizeName(name)]
	if !ok {
		return District{}, false
	}
	return d.list[i], true
}

// Locate returns the district containing (lat, lng). Neighbouring districts
// mostly share boundary edges, and a point on a shared edge belongs to
// exactly one of them (S2's semi-open boundary model); where polygons
// overlap, the earliest district wins. A point in no polygon goes to the
// nearest district within LocateSnapMeters: the source polygons leave thin
// slivers between some neighbours, and a point there still belongs to Seoul.
func (d *Districts) Locate(lat, lng float64) (District, bool) {
	i := d.locate(pointOf(lat, lng))
	if i < 0 {
		return District{}, false
	}
	return d.list[i], true
}

// locate returns the position of the district Locate picks for p, or -1.
func (d *Districts) locate(p s2.Point) int {
	if i := d.containing(p); i >= 0 {
		return i
	}
	return d.nearest(p, LocateSnapMeters)
}

// containing returns the position of the district whose polygon contains p,
// or -1. Should polygons overlap, the earliest district wins.
func (d *Districts) containing(p s2.Point) int {
	q := s2.NewContainsPointQuery(d.index, s2.VertexModelSemiOpen)
	found := -1
	for _, s := range q.ContainingShapes(p) {
		for i := range d.list {
			if d.list[i].shape.polygon == s && (found < 0 || i < found) {
				found = i
			}
		}
	}
	return found
}

// nearest returns the position of the district closest to p within
// withinMeters, or -1; ties go to the earliest district.
func (d *Districts) nearest(p s2.Point, withinMeters float64) int {
	angle := angleOfMeters(withinMeters)
	near := s2.CapFromCenterAngle(p, angle).RectBound()
	target := s2.NewMinDistanceToPointTarget(p)
	best, bestDist := -1, s1.ChordAngleFromAngle(angle).Successor()
	for i, dist := range d.list {
		if !near.Intersects(dist.shape.bound) {
			continue
		}
		opts := s2.NewClosestEdgeQueryOptions().MaxResults(1).DistanceLimit(bestDist)
		res := s2.NewClosestEdgeQuery(dist.shape.edges, opts).FindEdges(target)
		if len(res) > 0 && res[0].Distance() < bestDist {
			best, bestDist = i, res[0].Distance()
		}
	}
	return best
}

// Touching returns, in input order, every district that Locate could return
// for some point within radiusMeters of (lat, lng): every district that
// contains the point or whose boundary comes within radiusMeters +
// LocateSnapMeters of it. It over-approximates by that snap distance and
// never misses a district.
func (d *Districts) Touching(lat, lng, radiusMeters float64) []District {
	var out []District
	for _, i := range d.touching(pointOf(lat, lng), radiusMeters) {
		out = append(out, d.list[i])
	}
	return out
}

// touching returns the positions of the districts Touching returns.
func (d *Districts) touching(p s2.Point, radiusMeters float64) []int {
	angle := angleOfMeters(max(radiusMeters, 0) + LocateSnapMeters + touchMarginMeters)
	near := s2.CapFromCenterAngle(p, angle).RectBound()
	limit := s1.ChordAngleFromAngle(angle)
	target := s2.NewMinDistanceToPointTarget(p)
	var out []int
	for i, dist := range d.list {
		if !near.Intersects(dist.shape.bound) {
			continue
		}
		q := s2.NewClosestEdgeQuery(dist.shape.edges, s2.NewClosestEdgeQueryOptions().IncludeInteriors(true))
		if q.IsConservativeDistanceLessOrEqual(target, limit) {
			out = append(out, i)
		}
	}
	return out
}
