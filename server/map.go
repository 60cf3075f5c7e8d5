package server

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/store"
	"github.com/go-chi/chi/v5"
)

// Map limits.
const (
	// mapPointsPerShard bounds the stores one shard reads for a map.
	mapPointsPerShard = 20_000
	// mapDetailZoom is the zoom from which every store is its own marker.
	mapDetailZoom = 17
	// maxMapSpanDegrees bounds a viewport's side (about 55 km).
	maxMapSpanDegrees = 0.5
)

func (s *Server) mapRoutes(r chi.Router) {
	r.With(requireMember(s)).Get("/map", s.handleMap)
}

// mapCluster is the stores of one S2 cell of the viewport (one store from
// mapDetailZoom on), placed at their centroid.
type mapCluster struct {
	Cell       string         `json:"cell"`
	Count      int            `json:"count"`
	StoreID    int64          `json:"storeId,omitempty"` // when Count is 1
	Categories map[string]int `json:"categories"`
	Latitude   float64        `json:"-"`
	Longitude  float64        `json:"-"`
}

// featureCollection is the GeoJSON answer of GET /map.
type featureCollection struct {
	Type      string    `json:"type"`
	Features  []feature `json:"features"`
	Truncated bool      `json:"truncated,omitempty"`
}

type feature struct {
	Type       string     `json:"type"`
	Geometry   point      `json:"geometry"`
	Properties mapCluster `json:"properties"`
}

type point struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"` // [lng, lat], as GeoJSON orders them
}

// handleMap answers GET /map?swLat&swLng&neLat&neLng&zoom [ext]: the stores
// of a viewport as GeoJSON points, clustered by S2 cell below street zoom,
// from every shard the viewport touches.
func (s *Server) handleMap(w http.ResponseWriter, r *http.Request) {
	q := query{r: r}
	box := geo.Rect{MinLat: q.requiredFloat("swLat"), MinLng: q.requiredFloat("swLng"),
		MaxLat: q.requiredFloat("neLat"), MaxLng: q.requiredFloat("neLng")}
	zoom := q.int("zoom", 15, 0, 21)
	q.p.Add(!couponpop.ValidLatLng(box.MinLat, box.MinLng) || !couponpop.ValidLatLng(box.MaxLat, box.MaxLng),
		"swLat, neLat must be in [-90, 90] and swLng, neLng in [-180, 180]")
	q.p.Add(box.MinLat > box.MaxLat || box.MinLng > box.MaxLng, "the south-west corner must be south-west of the north-east one")
	q.p.Add(box.MaxLat-box.MinLat > maxMapSpanDegrees || box.MaxLng-box.MinLng > maxMapSpanDegrees,
		"a map viewport may span at most %g degrees a side", maxMapSpanDegrees)
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	level := geo.ClusterLevel(zoom)
	lat, lng, radius := box.Center()
	detail := zoom >= mapDetailZoom
	var truncated atomic.Bool
	clusters, missing, err := gather(s, r, s.shards.Map.ShardsTouching(lat, lng, radius),
		func(ctx context.Context, db *store.DB) ([]mapCluster, error) {
			points, more, err := db.StoresInRect(ctx, box, mapPointsPerShard)
			if more {
				truncated.Store(true)
			}
			return clusterPoints(points, level, detail), err
		}, unwrapFeatures)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !detail {
		clusters = mergeClusters(clusters)
	}
	slices.SortFunc(clusters, func(a, b mapCluster) int {
		return cmp.Or(strings.Compare(a.Cell, b.Cell), cmp.Compare(a.StoreID, b.StoreID))
	})
	writeGathered(w, newFeatureCollection(clusters, truncated.Load()), missing)
}

// clusterPoints groups points by their cell at level, or keeps each alone.
func clusterPoints(points []store.MapPoint, level int, each bool) []mapCluster {
	byCell := map[string]*mapCluster{}
	var out []mapCluster
	for _, p := range points {
		cell := geo.CellToken(p.Latitude, p.Longitude, level)
		if each {
			out = append(out, mapCluster{Cell: cell, Count: 1, StoreID: p.ID, Categories: map[string]int{p.Category: 1},
				Latitude: p.Latitude, Longitude: p.Longitude})
			continue
		}
		c := byCell[cell]
		if c == nil {
			c = &mapCluster{Cell: cell, Categories: map[string]int{}}
			byCell[cell] = c
		}
		c.add(mapCluster{Count: 1, StoreID: p.ID, Categories: map[string]int{p.Category: 1}, Latitude: p.Latitude, Longitude: p.Longitude})
	}
	for _, c := range byCell {
		out = append(out, *c)
	}
	return out
}

// add merges o into c: counts add up, the centroid is weighted by count.
func (c *mapCluster) add(o mapCluster) {
	n := float64(c.Count + o.Count)
	c.Latitude = (c.Latitude*float64(c.Count) + o.Latitude*float64(o.Count)) / n
	c.Longitude = (c.Longitude*float64(c.Count) + o.Longitude*float64(o.Count)) / n
	c.StoreID = o.StoreID
	if c.Count > 0 {
		c.StoreID = 0
	}
	c.Count += o.Count
	for k, v := range o.Categories {
		c.Categories[k] += v
	}
}

// mergeClusters joins clusters of the same cell from different shards.
func mergeClusters(parts []mapCluster) []mapCluster {
	byCell := map[string]*mapCluster{}
	var out []*mapCluster
	for _, p := range parts {
		c := byCell[p.Cell]
		if c == nil {
			c = &mapCluster{Cell: p.Cell, Categories: map[string]int{}}
			byCell[p.Cell] = c
			out = append(out, c)
		}
		c.add(p)
	}
	merged := make([]mapCluster, len(out))
	for i, c := range out {
		merged[i] = *c
	}
	return merged
}

func newFeatureCollection(clusters []mapCluster, truncated bool) featureCollection {
	fc := featureCollection{Type: "FeatureCollection", Features: make([]feature, len(clusters)), Truncated: truncated}
	for i, c := range clusters {
		fc.Features[i] = feature{Type: "Feature", Geometry: point{"Point", [2]float64{c.Longitude, c.Latitude}}, Properties: c}
	}
	return fc
}

// unwrapFeatures turns another node's GeoJSON back into clusters.
func unwrapFeatures(data json.RawMessage) ([]mapCluster, error) {
	var fc featureCollection
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, err
	}
	out := make([]mapCluster, len(fc.Features))
	for i, f := range fc.Features {
		out[i] = f.Properties
		out[i].Longitude, out[i].Latitude = f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]
	}
	return out, nil
}
