package store

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/geo"
)

// NearbyQuery asks for the stores within RadiusMeters of a point.
type NearbyQuery struct {
	Latitude, Longitude float64
	RadiusMeters        float64
	Category            string    // "" for any
	OpenAt              time.Time // zero for any time; else only stores open then
	Limit               int
	// WithEvents asks for each store's events (NearbyStore.Events).
	WithEvents bool
}

// NearbyStore is a store's listing (its listingColumns) and its distance
// from the query point.
type NearbyStore struct {
	*couponpop.Store
	DistanceMeters float64
	Listing        *Listing
	// Events are the store's events that may run (with WithEvents; nil
	// when it has none): StoreEvents.Running picks those running now.
	Events *StoreEvents
}

type candidate struct {
	entry          *storeEntry
	distanceMeters float64
}

// firstRingMeters is the first radius Nearby looks at. A circle whose
// covering holds fewer than Limit stores cannot hold Limit, so small rings
// cost two binary searches a covering range and no distance.
const firstRingMeters = 50

// NearbyListing is a store of a nearby answer as the index keeps it.
type NearbyListing struct {
	*Listing
	Latitude, Longitude float64
	DistanceMeters      float64
	// Events are the store's events that may run (with WithEvents; nil
	// when it has none): StoreEvents.Running picks those running now.
	Events *StoreEvents
}

// Nearby returns the stores within the radius, nearest first (ties by ID),
// at most Limit: the listings of AppendNearbyListings, each as a new Store.
func (db *DB) Nearby(ctx context.Context, q NearbyQuery) ([]NearbyStore, error) {
	found, err := db.AppendNearbyListings(ctx, nil, q)
	if err != nil {
		return nil, err
	}
	stores := make([]couponpop.Store, len(found)) // one allocation for all
	out := make([]NearbyStore, len(found))
	for i, f := range found {
		f.storeInto(&stores[i], f.Latitude, f.Longitude)
		out[i] = NearbyStore{Store: &stores[i], DistanceMeters: f.DistanceMeters, Listing: f.Listing, Events: f.Events}
	}
	return out, nil
}

// AppendNearbyListings appends to dst the stores within the radius,
// nearest first (ties by ID), at most Limit, from the shard's in-memory
// index (brought up to the newest commit position seen first), without
// copying any listing. It widens a circle from one that should hold about
// 1.5 × Limit stores by the density around the point, and stops as soon
// as a circle holds Limit stores of the query (category, open at OpenAt):
// they are then the nearest of the whole radius. Within a circle it
// measures only the stores of the circle's S2 covering.
func (db *DB) AppendNearbyListings(ctx context.Context, dst []NearbyListing, q NearbyQuery) ([]NearbyListing, error) {
	x, err := db.storeIndex(ctx)
	if err != nil {
		return dst, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	buf := candidatePool.Get().(*[]candidate)
	defer candidatePool.Put(buf)
	cands := x.nearest(q, buf)
	dst = slices.Grow(dst, len(cands))
	for _, c := range cands {
		e := c.entry
		l := NearbyListing{Listing: e.listing, Latitude: e.lat, Longitude: e.lng, DistanceMeters: c.distanceMeters}
		if q.WithEvents {
			l.Events = x.events[e.id]
		}
		dst = append(dst, l)
	}
	return dst, nil
}

// nearest returns the Limit nearest stores of the query. mu is read-held.
// It collects candidates in *buf, which it may grow: the answer is a
// part of it.
func (x *storeIndex) nearest(q NearbyQuery, buf *[]candidate) []candidate {
	if q.Limit <= 0 {
		return nil
	}
	cands := *buf
	ring := min(q.RadiusMeters, max(firstRingMeters, x.ringFor(q.Latitude, q.Longitude, q.Limit)))
	var spans [][2]int
	for {
		ranges := geo.BoundCircle(q.Latitude, q.Longitude, ring)
		spans, cands = spans[:0], cands[:0]
		total := 0
		for _, r := range ranges {
			lo, _ := slices.BinarySearchFunc(x.entries, r.Min, entryCellCmp)
			hi, _ := slices.BinarySearchFunc(x.entries[lo:], r.Max+1, entryCellCmp)
			spans = append(spans, [2]int{lo, lo + hi})
			total += hi
		}
		last := ring >= q.RadiusMeters
		if total >= q.Limit || last {
			if cap(cands) < total {
				cands = make([]candidate, 0, total)
				*buf = cands
			}
			// A box around the circle (1% and a metre wider) rejects the
			// covering's corners before the exact distance.
			dLat := (ring*1.01 + 1) / metersPerDegree
			dLng := dLat / max(math.Cos((math.Abs(q.Latitude)+dLat)*math.Pi/180), 1e-9)
			for _, sp := range spans {
				for i := sp[0]; i < sp[1]; i++ {
					e := &x.entries[i]
					if math.Abs(e.lat-q.Latitude) > dLat || (dLng < 180 && math.Abs(e.lng-q.Longitude) > dLng) {
						continue
					}
					d := geo.DistanceMeters(q.Latitude, q.Longitude, e.lat, e.lng)
					if d > ring || !q.matches(e.listing) {
						continue
					}
					cands = append(cands, candidate{e, d})
				}
			}
			if len(cands) >= q.Limit || last {
				break
			}
		}
		ring = min(2*ring, q.RadiusMeters)
	}
	// A circle that holds many more than Limit (the density guess was
	// low) is narrowed before sorting: every store within a smaller radius
	// is among the candidates, so if that radius still holds Limit, they
	// are the nearest.
	if n := len(cands); n > 3*q.Limit {
		inner := ring * math.Sqrt(1.5*float64(q.Limit)/float64(n))
		kept := 0
		for _, c := range cands {
			if c.distanceMeters <= inner {
				kept++
			}
		}
		if kept >= q.Limit {
			// In place: the kept ones move to the front, in order.
			k := 0
			for _, c := range cands {
				if c.distanceMeters <= inner {
					cands[k] = c
					k++
				}
			}
			cands = cands[:k]
		}
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.distanceMeters, b.distanceMeters), cmp.Compare(a.entry.id, b.entry.id))
	})
	return cands[:min(len(cands), q.Limit)]
}

// candidatePool keeps the candidate buffers of nearby queries: a dense
// circle has a thousand, and garbage makes a large index's GC run often.
var candidatePool = sync.Pool{New: func() any { return new([]candidate) }}

// metersPerDegree is the length of a degree of latitude.
const metersPerDegree = geo.EarthRadiusMeters * math.Pi / 180

// densityLevels are the S2 levels whose cells around a query point tell
// the density of stores there: cells of about 1 km and of about 300 m.
// The denser wins, so a dense street inside a quieter square kilometre
// starts with a circle its own size.
var densityLevels = [...]int{13, 15}

// minDensityStores is the fewest stores a finer density cell must hold to
// be believed: fewer say more about chance than about the street.
const minDensityStores = 32

// ringFor returns the radius of a circle around the point that holds about
// 1.5 times limit stores, judging by the density of stores in the point's
// cells of densityLevels (0 when they hold none): the first circle Nearby
// tries, so that it measures distances once in most queries.
func (x *storeIndex) ringFor(lat, lng float64, limit int) float64 {
	perM2 := 0.0
	for i, level := range densityLevels {
		r, areaM2 := geo.CellAround(lat, lng, level)
		n := len(x.inRange(r))
		if n == 0 || (i > 0 && n < minDensityStores) {
			continue
		}
		perM2 = max(perM2, float64(n)/areaM2)
	}
	if perM2 == 0 {
		return 0
	}
	return math.Sqrt(1.5 * float64(limit) / (math.Pi * perM2))
}

func entryCellCmp(e storeEntry, cell int64) int { return cmp.Compare(e.cell, cell) }

// inRange returns the entries whose cells fall in r. mu is read-held.
func (x *storeIndex) inRange(r geo.KeyRange) []storeEntry {
	lo, _ := slices.BinarySearchFunc(x.entries, r.Min, entryCellCmp)
	n, _ := slices.BinarySearchFunc(x.entries[lo:], r.Max+1, entryCellCmp)
	return x.entries[lo : lo+n]
}

// storesInCircle counts the stores in the cells covering the circle, and
// all the stores, in the index as it stands (no catch-up: an estimate for
// keyword search); ok is false when the index has not been built.
func (x *storeIndex) storesInCircle(lat, lng, radiusMeters float64) (in, all int, ok bool) {
	if !x.ready.Load() {
		return 0, 0, false
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	for _, r := range geo.CoverCircle(lat, lng, radiusMeters) {
		in += len(x.inRange(r))
	}
	return in, len(x.entries), true
}

// matches reports whether a store within the circle answers the query.
func (q *NearbyQuery) matches(l *Listing) bool {
	if q.Category != "" && l.Category() != q.Category {
		return false
	}
	if q.OpenAt.IsZero() {
		return true
	}
	hours := l.hours()
	return hours.OpenAt(q.OpenAt)
}

// listingColumns are the columns of a store in a nearby listing: where it
// is, what it is and when it opens (no description, phone or business
// number).
const listingColumns = `id, member_id, name, address, dong, latitude, longitude, image_url, category,
	weekday_open_time, weekday_close_time, weekend_open_time, weekend_close_time`
