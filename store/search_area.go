package store

import (
	"strings"

	"github.com/couponpop/couponpop/geo"
	"github.com/couponpop/couponpop/search"
)

// areaRadiusMeters is the least radius of the circle an area named in a
// query lifts stores in: a station's circle in the gazetteer (400–700 m) is its centre, and
// people who say "강남역 카페" accept a walk.
const areaRadiusMeters = 1000

// areaOf reads a gazetteer area named in q.Text (강남역, 홍대에서, 성수)
// when the query has other words and no location of its own. Hybrid search
// lifts the stores in the area's circle by DistanceBoost, nearer ones more,
// and keeps the word as text: as a filter, with the word taken out, the
// first relevance set's area queries lost 0.04 nDCG@10 (stores that name
// the area rank better than stores merely near its centre). It returns q
// with the area's word taken out of the text and the area's circle (at
// least areaRadiusMeters; twice the area's own) as its location, and the
// area's name; or q and "".
func (s *Searcher) areaOf(q SearchQuery) (SearchQuery, string) {
	words := strings.Fields(q.Text)
	if q.RadiusMeters > 0 || len(words) < 2 {
		return q, ""
	}
	g := s.Gazetteer
	if g == nil {
		g = geo.SeoulGazetteer()
	}
	for i, w := range words {
		a, ok := g.Lookup(w)
		if !ok {
			a, ok = g.Lookup(search.StripParticles(w))
		}
		if !ok {
			continue
		}
		rest := append(words[:i:i], words[i+1:]...)
		q.Text = strings.Join(rest, " ")
		q.Latitude, q.Longitude = a.Center.Lat, a.Center.Lng
		q.RadiusMeters = max(areaRadiusMeters, 2*a.RadiusMeters)
		return q, a.Name
	}
	return q, ""
}
