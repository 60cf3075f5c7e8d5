package server

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

// nearbyRow is one row of GET /stores on its way out, encoded already: a
// local store as its listing's fragment and its events' fragment, which
// the store index keeps between writes, or a remote node's row as it
// came. Writing a local row only adds the two distances.
type nearbyRow struct {
	ID             int64
	DistanceMeters float64
	listing        []byte // `{"id":…,"imageUrl":"…","distance":` (local)
	events         []byte // `,"events":[…]`, or empty (local)
	raw            []byte // the whole row (remote)
}

// nearbyRows returns a shard's rows of a nearby answer.
func nearbyRows(ctx context.Context, db *store.DB, q store.NearbyQuery, now time.Time) ([]nearbyRow, error) {
	found, err := db.AppendNearbyListings(ctx, nil, q)
	if err != nil {
		return nil, err
	}
	rows := make([]nearbyRow, len(found))
	for i, f := range found {
		rows[i] = nearbyRow{ID: f.ID(), DistanceMeters: f.DistanceMeters, listing: listingFragment(f)}
		if q.WithEvents {
			rows[i].events = eventsFragment(f.Events, now)
		}
	}
	return rows, nil
}

// listingHead is the start of a nearbyStore, up to its distance.
type listingHead struct {
	ID            int64   `json:"id"`
	Name          string  `json:"name"`
	Address       string  `json:"address"`
	Dong          string  `json:"dong"`
	StoreCategory string  `json:"storeCategory"`
	Latitude      float64 `json:"latitude"`
	Longitude     float64 `json:"longitude"`
	ImageURL      string  `json:"imageUrl"`
}

// listingFragment returns the listing's encoding up to its distance,
// encoding it the first time it is asked for (a store write makes a new
// Listing).
func listingFragment(f store.NearbyListing) []byte {
	l := f.Listing
	if p := l.Encoded.Load(); p != nil {
		return *p
	}
	b, _ := json.Marshal(listingHead{l.ID(), l.Name(), l.Address(), l.Dong(), l.Category(), f.Latitude, f.Longitude, l.ImageURL()})
	b = append(b[:len(b)-1], `,"distance":`...)
	l.Encoded.Store(&b)
	return b
}

// eventsFragment returns `,"events":[…]` for the store's events running at
// now, or nothing, from the encoding kept for the span around now in which
// the running set stays the same.
func eventsFragment(se *store.StoreEvents, now time.Time) []byte {
	if se == nil {
		return nil
	}
	if p := se.Encoded.Load(); p != nil && !now.Before(p.From) && now.Before(p.Until) {
		return p.Data
	}
	running, from, until := se.Running(now)
	var data []byte
	if len(running) > 0 {
		events := make([]storeEvent, len(running))
		for i, e := range running {
			events[i] = newStoreEvent(e)
		}
		b, _ := json.Marshal(events)
		data = append([]byte(`,"events":`), b...)
	}
	se.Encoded.Store(&store.EncodedEvents{From: from, Until: until, Data: data})
	return data
}

func newStoreEvent(e *couponpop.Event) storeEvent {
	return storeEvent{e.ID, e.Name, couponpop.Time{Time: e.StartAt}, couponpop.Time{Time: e.EndAt}, e.TotalCount, e.Remaining()}
}

// appendRow appends the row's JSON, as encoding/json writes a nearbyStore.
func (r *nearbyRow) appendTo(b []byte) []byte {
	if r.raw != nil {
		return append(b, r.raw...)
	}
	b = append(b, r.listing...)
	b = appendHundredths(b, int64(math.Round(r.DistanceMeters/10))) // km, 2 decimals
	b = append(b, `,"distanceMeters":`...)
	b = appendJSONFloat(b, r.DistanceMeters)
	b = append(b, r.events...)
	return append(b, '}')
}

// appendHundredths appends n/100 (n ≥ 0) as encoding/json encodes the
// float64 n/100: the shortest decimal, which for n below 2^53 is n/100's
// own digits without trailing zeros ("12.3", "0.05", "7").
func appendHundredths(b []byte, n int64) []byte {
	b = strconv.AppendInt(b, n/100, 10)
	frac := n % 100
	switch {
	case frac == 0:
		return b
	case frac%10 == 0:
		return append(b, '.', byte('0'+frac/10))
	default:
		return append(b, '.', byte('0'+frac/10), byte('0'+frac%10))
	}
}

// appendJSONFloat appends f as encoding/json encodes a float64.
func appendJSONFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// unwrapNearbyRows keeps another node's rows as they came, reading only
// what the merge sorts by.
func unwrapNearbyRows(data json.RawMessage) ([]nearbyRow, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, err
	}
	rows := make([]nearbyRow, len(raws))
	for i, raw := range raws {
		var key struct {
			ID             int64   `json:"id"`
			DistanceMeters float64 `json:"distanceMeters"`
		}
		if err := json.Unmarshal(raw, &key); err != nil {
			return nil, err
		}
		rows[i] = nearbyRow{ID: key.ID, DistanceMeters: key.DistanceMeters, raw: raw}
	}
	return rows, nil
}

// writeNearby answers the rows as writeGathered answers a list: the same
// bytes, without encoding anything again.
func writeNearby(w http.ResponseWriter, rows []nearbyRow, missing []int) {
	size := 32
	for i := range rows {
		size += len(rows[i].listing) + len(rows[i].events) + len(rows[i].raw) + 48
	}
	bp := bodyPool.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledBody {
			bodyPool.Put(bp)
		}
	}()
	b := slices.Grow((*bp)[:0], size)
	b = append(b, `{"data":[`...)
	for i := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = rows[i].appendTo(b)
	}
	b = append(b, ']')
	if len(missing) > 0 {
		parts := make([]string, len(missing))
		for i, n := range missing {
			parts[i] = strconv.Itoa(n)
		}
		w.Header().Set(partialHeader, strings.Join(parts, ","))
		b = append(b, `,"partial":true,"missingShards":[`...)
		b = append(b, strings.Join(parts, ",")...)
		b = append(b, ']')
	}
	b = append(b, "}\n"...)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	*bp = b
}

// bodyPool keeps nearby answers' buffers (a 100-store answer is 25–40 KB).
var bodyPool = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBody is the largest buffer bodyPool keeps.
const maxPooledBody = 256 << 10
