package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/golang/geo/s2"
)

// Property keys read from each feature, in order of preference.
var (
	codeKeys = []string{"sig_cd", "code"}
	nameKeys = []string{"sig_kor_nm", "name"}
)

// namePrefixes are city prefixes some sources put before a district name
// (the Seoul file has "서울시도봉구" and "서울시노원구"); they are stripped.
var namePrefixes = []string{"서울특별시", "서울시"}

type featureCollection struct {
	Type     string    `json:"type"`
	Features []feature `json:"features"`
}

type feature struct {
	Type       string                     `json:"type"`
	Properties map[string]json.RawMessage `json:"properties"`
	Geometry   *geometry                  `json:"geometry"`
}

type geometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// ring is a GeoJSON linear ring: positions of [lng, lat, (alt)].
type ring [][]float64

// districtFeature is one parsed feature before it becomes a District.
type districtFeature struct {
	code, name string
	loops      []*s2.Loop
}

// parseFeatureCollection decodes a GeoJSON FeatureCollection of Polygon and
// MultiPolygon features. Errors name the feature by index (and name, when
// known).
func parseFeatureCollection(data []byte) ([]districtFeature, error) {
	var fc featureCollection
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, fmt.Errorf("geo: decode GeoJSON: %w", err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("geo: GeoJSON type %q, want FeatureCollection", fc.Type)
	}
	if len(fc.Features) == 0 {
		return nil, errors.New("geo: GeoJSON has no features")
	}
	out := make([]districtFeature, 0, len(fc.Features))
	for i, f := range fc.Features {
		df, err := parseFeature(f)
		if err != nil {
			if df.name != "" {
				return nil, fmt.Errorf("geo: feature %d (%s): %w", i, df.name, err)
			}
			return nil, fmt.Errorf("geo: feature %d: %w", i, err)
		}
		out = append(out, df)
	}
	return out, nil
}

// parseFeature reads a feature's code, name and loops. On error the returned
// feature still carries the name when it was read.
func parseFeature(f feature) (districtFeature, error) {
	var df districtFeature
	if f.Type != "Feature" {
		return df, fmt.Errorf("type %q, want Feature", f.Type)
	}
	var err error
	if df.name, err = stringProperty(f.Properties, nameKeys); err != nil {
		return df, err
	}
	df.name = normalizeName(df.name)
	if df.name == "" {
		return df, fmt.Errorf("no name (properties %s)", strings.Join(nameKeys, " or "))
	}
	if df.code, err = stringProperty(f.Properties, codeKeys); err != nil {
		return df, err
	}
	if f.Geometry == nil {
		return df, errors.New("no geometry")
	}
	df.loops, err = parseGeometry(*f.Geometry)
	return df, err
}

// stringProperty returns the first of keys present in props, as a string; a
// JSON number is accepted and kept as written.
func stringProperty(props map[string]json.RawMessage, keys []string) (string, error) {
	for _, k := range keys {
		raw, ok := props[k]
		if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			continue
		}
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			return strings.TrimSpace(s), nil
		}
		var n json.Number
		if err := json.Unmarshal(raw, &n); err == nil {
			return n.String(), nil
		}
		return "", fmt.Errorf("property %q is %s, want a string or number", k, raw)
	}
	return "", nil
}

// normalizeName trims spaces and a leading city prefix from a district name.
func normalizeName(name string) string {
	name = strings.TrimSpace(name)
	for _, p := range namePrefixes {
		if rest, ok := strings.CutPrefix(name, p); ok && strings.TrimSpace(rest) != "" {
			return strings.TrimSpace(rest)
		}
	}
	return name
}

// parseGeometry turns a Polygon or MultiPolygon into normalized S2 loops
// (each loop oriented to enclose less than half the sphere; nesting decides
// which loops are holes).
func parseGeometry(g geometry) ([]*s2.Loop, error) {
	var polygons [][]ring
	switch g.Type {
	case "Polygon":
		var p []ring
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return nil, fmt.Errorf("bad Polygon coordinates: %w", err)
		}
		polygons = [][]ring{p}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polygons); err != nil {
			return nil, fmt.Errorf("bad MultiPolygon coordinates: %w", err)
		}
	default:
		return nil, fmt.Errorf("geometry type %q, want Polygon or MultiPolygon", g.Type)
	}
	var loops []*s2.Loop
	for pi, rings := range polygons {
		if len(rings) == 0 {
			return nil, fmt.Errorf("polygon %d has no rings", pi)
		}
		for ri, r := range rings {
			l, err := loopOf(r)
			if err != nil {
				return nil, fmt.Errorf("polygon %d ring %d: %w", pi, ri, err)
			}
			loops = append(loops, l)
		}
	}
	if len(loops) == 0 {
		return nil, errors.New("no polygons")
	}
	return loops, nil
}

// loopOf converts a ring of [lng, lat] positions into a normalized loop. The
// closing position and repeated consecutive positions are dropped.
func loopOf(r ring) (*s2.Loop, error) {
	pts := make([]s2.Point, 0, len(r))
	var prev s2.LatLng
	for i, pos := range r {
		if len(pos) < 2 {
			return nil, fmt.Errorf("position %d has %d numbers, want [lng, lat]", i, len(pos))
		}
		lng, lat := pos[0], pos[1]
		if math.IsNaN(lat) || math.IsNaN(lng) || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
			return nil, fmt.Errorf("position %d [%v, %v] is not a valid [lng, lat]", i, lng, lat)
		}
		ll := s2.LatLngFromDegrees(lat, lng)
		if i > 0 && ll == prev {
			continue
		}
		prev = ll
		pts = append(pts, s2.PointFromLatLng(ll))
	}
	if len(pts) > 1 && pts[0] == pts[len(pts)-1] {
		pts = pts[:len(pts)-1]
	}
	if len(pts) < 3 {
		return nil, fmt.Errorf("ring has %d distinct positions, want at least 3", len(pts))
	}
	l := s2.LoopFromPoints(pts)
	l.Normalize()
	if err := l.Validate(); err != nil {
		return nil, err
	}
	return l, nil
}
