package geo

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed gazetteer.tsv
var seoulGazetteerTSV []byte

// LatLng is a point in WGS84 degrees. Named fields keep latitude and
// longitude from being swapped at call sites.
type LatLng struct {
	Lat, Lng float64
}

// AreaKind says what an Area is.
type AreaKind string

// The kinds of area.
const (
	AreaGu    AreaKind = "gu"    // a district; membership is its polygon
	AreaPlace AreaKind = "place" // a station or neighbourhood; membership is its circle
)

// Area is a named place from the gazetteer.
type Area struct {
	ID           string // stable slug, e.g. "hongik-univ"; the API's area id
	Name         string // e.g. "홍익대입구"
	Kind         AreaKind
	Gu           string // the district it lies in (its own name for a gu)
	Center       LatLng
	RadiusMeters float64 // a place's circle; a gu's rough extent (its polygon decides)
	Aliases      []string
	Source       string // where the entry came from
}

// Gazetteer is an immutable set of areas, safe for concurrent use.
type Gazetteer struct {
	areas     []Area
	byName    map[string]int // normalised name or alias → position
	districts *Districts     // polygons for gu areas; may be nil
}

// seoulGazetteer parses the embedded file once.
var seoulGazetteer = sync.OnceValue(func() *Gazetteer {
	g, err := ParseGazetteer(seoulGazetteerTSV, Seoul())
	if err != nil {
		panic(fmt.Sprintf("geo: embedded gazetteer.tsv: %v", err))
	}
	return g
})

// SeoulGazetteer returns the gazetteer embedded in the package
// (gazetteer.tsv: the 25 gu and busy stations and neighbourhoods), parsed on
// first use. It panics only if the embedded file is broken.
func SeoulGazetteer() *Gazetteer { return seoulGazetteer() }

// gazetteerColumns is the header the file must have.
var gazetteerColumns = []string{"id", "name", "kind", "gu", "lat", "lng", "radius_m", "aliases", "source"}

// ParseGazetteer reads the TSV form (see gazetteer.tsv): '#' lines are
// comments, the first other line is the header. Ids, names and aliases must
// be unique across the file; every gu named must be in districts, and a gu
// entry's polygon is taken from it. Errors name the line.
func ParseGazetteer(tsv []byte, districts *Districts) (*Gazetteer, error) {
	g := &Gazetteer{byName: make(map[string]int), districts: districts}
	ids := make(map[string]bool)
	sc := bufio.NewScanner(bytes.NewReader(tsv))
	header := false
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if !header {
			if !slices.Equal(fields, gazetteerColumns) {
				return nil, fmt.Errorf("geo: gazetteer line %d: header %q, want %q", n, fields, gazetteerColumns)
			}
			header = true
			continue
		}
		a, err := parseArea(fields)
		if err != nil {
			return nil, fmt.Errorf("geo: gazetteer line %d: %w", n, err)
		}
		if ids[a.ID] {
			return nil, fmt.Errorf("geo: gazetteer line %d: id %q used twice", n, a.ID)
		}
		ids[a.ID] = true
		if districts != nil {
			if _, ok := districts.ByName(a.Gu); !ok {
				return nil, fmt.Errorf("geo: gazetteer line %d (%s): no district %q", n, a.Name, a.Gu)
			}
		}
		for _, key := range append([]string{a.Name}, a.Aliases...) {
			k := normalizeArea(key)
			if j, dup := g.byName[k]; dup {
				return nil, fmt.Errorf("geo: gazetteer line %d (%s): name %q already names %s", n, a.Name, key, g.areas[j].Name)
			}
			g.byName[k] = len(g.areas)
		}
		g.areas = append(g.areas, a)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("geo: gazetteer: %w", err)
	}
	return g, nil
}

// parseArea reads one data line.
func parseArea(f []string) (Area, error) {
	if len(f) != len(gazetteerColumns) {
		return Area{}, fmt.Errorf("%d columns, want %d", len(f), len(gazetteerColumns))
	}
	a := Area{ID: f[0], Name: f[1], Kind: AreaKind(f[2]), Gu: f[3], Source: f[8]}
	if a.ID == "" || a.Name == "" || a.Gu == "" || a.Source == "" {
		return Area{}, fmt.Errorf("id, name, gu and source are required")
	}
	if a.Kind != AreaGu && a.Kind != AreaPlace {
		return Area{}, fmt.Errorf("%s: kind %q, want gu or place", a.Name, a.Kind)
	}
	if a.Kind == AreaGu && a.Gu != a.Name {
		return Area{}, fmt.Errorf("%s: a gu's gu column must be its own name, not %q", a.Name, a.Gu)
	}
	var err error
	if a.Center.Lat, err = strconv.ParseFloat(f[4], 64); err != nil {
		return Area{}, fmt.Errorf("%s: lat: %w", a.Name, err)
	}
	if a.Center.Lng, err = strconv.ParseFloat(f[5], 64); err != nil {
		return Area{}, fmt.Errorf("%s: lng: %w", a.Name, err)
	}
	if a.Center.Lat < -90 || a.Center.Lat > 90 || a.Center.Lng < -180 || a.Center.Lng > 180 {
		return Area{}, fmt.Errorf("%s: [%v, %v] is not a lat, lng", a.Name, a.Center.Lat, a.Center.Lng)
	}
	if a.RadiusMeters, err = strconv.ParseFloat(f[6], 64); err != nil || a.RadiusMeters <= 0 {
		return Area{}, fmt.Errorf("%s: radius_m %q must be a positive number", a.Name, f[6])
	}
	for _, alias := range strings.Split(f[7], "|") {
		if alias = strings.TrimSpace(alias); alias != "" {
			a.Aliases = append(a.Aliases, alias)
		}
	}
	return a, nil
}

// normalizeArea folds a name for lookup: no spaces, lower case.
func normalizeArea(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), ""))
}

// All returns every area in file order.
func (g *Gazetteer) All() []Area { return slices.Clone(g.areas) }

// Lookup finds an area by name or alias, ignoring spaces and case; "잠실역"
// also finds "잠실" when no entry is called "잠실역".
func (g *Gazetteer) Lookup(name string) (Area, bool) {
	k := normalizeArea(name)
	if i, ok := g.byName[k]; ok {
		return g.areas[i], true
	}
	if base, ok := strings.CutSuffix(k, "역"); ok && base != "" {
		if i, ok := g.byName[base]; ok {
			return g.areas[i], true
		}
	}
	return Area{}, false
}

// Contains reports whether p is in a: within a place's circle, or inside a
// gu's polygon (as Districts.Locate decides).
func (g *Gazetteer) Contains(a Area, p LatLng) bool {
	if a.Kind == AreaGu && g.districts != nil {
		d, ok := g.districts.Locate(p.Lat, p.Lng)
		return ok && d.Name == a.Gu
	}
	return DistanceMeters(a.Center.Lat, a.Center.Lng, p.Lat, p.Lng) <= a.RadiusMeters
}

// AreasAt returns the areas containing p: places nearest centre first, then
// the gu.
func (g *Gazetteer) AreasAt(p LatLng) []Area {
	type hit struct {
		a      Area
		meters float64
	}
	var places []hit
	var gu []Area
	for _, a := range g.areas {
		if !g.Contains(a, p) {
			continue
		}
		if a.Kind == AreaGu {
			gu = append(gu, a)
			continue
		}
		places = append(places, hit{a, DistanceMeters(a.Center.Lat, a.Center.Lng, p.Lat, p.Lng)})
	}
	slices.SortStableFunc(places, func(x, y hit) int {
		switch {
		case x.meters < y.meters:
			return -1
		case x.meters > y.meters:
			return 1
		}
		return 0
	})
	out := make([]Area, 0, len(places)+len(gu))
	for _, h := range places {
		out = append(out, h.a)
	}
	return append(out, gu...)
}
