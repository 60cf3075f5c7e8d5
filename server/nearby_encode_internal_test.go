package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

// nearbyStore is one row of GET /stores as main encoded it, with
// encoding/json: the reference the fragments must match byte for byte.
type nearbyStore struct {
	ID            int64   `json:"id"`
	Name          string  `json:"name"`
	Address       string  `json:"address"`
	Dong          string  `json:"dong"`
	StoreCategory string  `json:"storeCategory"`
	Latitude      float64 `json:"latitude"`
	Longitude     float64 `json:"longitude"`
	ImageURL      string  `json:"imageUrl"`
	Distance      float64 `json:"distance"` // km, 2 decimals
	// DistanceMeters [ext] is the exact distance; nodes merge by it.
	DistanceMeters float64      `json:"distanceMeters"`
	Events         []storeEvent `json:"events,omitempty"`
}

// oldNearbyBody is main's answer: rows from the listings, events from
// RunningEvents (SQLite), written by encoding/json.
func oldNearbyBody(t *testing.T, db *store.DB, q store.NearbyQuery, now time.Time, missing []int) []byte {
	t.Helper()
	ctx := context.Background()
	found, err := db.Nearby(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]nearbyStore, len(found))
	ids := make([]int64, len(found))
	index := map[int64]int{}
	for i, f := range found {
		rows[i] = nearbyStore{ID: f.ID, Name: f.Name, Address: f.Address, Dong: f.Dong, StoreCategory: f.StoreCategory,
			Latitude: f.Latitude, Longitude: f.Longitude, ImageURL: f.ImageURL,
			Distance: math.Round(f.DistanceMeters/10) / 100, DistanceMeters: f.DistanceMeters}
		ids[i], index[f.ID] = f.ID, i
	}
	if q.WithEvents {
		events, err := db.RunningEvents(ctx, ids, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			st := &rows[index[e.StoreID]]
			st.Events = append(st.Events, newStoreEvent(e))
		}
	}
	rec := httptest.NewRecorder()
	writeGathered(rec, rows, missing)
	return rec.Body.Bytes()
}

// newNearbyBody is the handler's answer for one shard.
func newNearbyBody(t *testing.T, db *store.DB, q store.NearbyQuery, now time.Time, missing []int) []byte {
	t.Helper()
	rows, err := nearbyRows(context.Background(), db, q, now)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	writeNearby(rec, rows, missing)
	return rec.Body.Bytes()
}

// TestNearbyEncoding_SameBytes: the fragments give the bytes encoding/json
// gave, for stores with awkward text, with and without events (running,
// not started, ended, sold out, paused, partly claimed), before and after
// claims and event changes, complete and partial, and through a remote
// node's unwrap.
func TestNearbyEncoding_SameBytes(t *testing.T) {
	ctx := context.Background()
	var clock time.Time = time.Date(2025, 10, 22, 14, 30, 0, 123_456_789, time.UTC)
	now := func() time.Time { return clock }
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), store.FileName(1)), 1, store.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	names := []string{"카페 <b>&\"따옴표\"</b>", "line\u2028sep\u2029", "tab\tnew\nline\\", "plain", "emoji ☕️ 🍩", "ctl \x01\x1f"}
	lat, lng := 37.5572, 126.9245
	var stores []*couponpop.Store
	for i := 0; i < 30; i++ {
		s := &couponpop.Store{MemberID: 5, MemberUsername: "o", StoreInput: couponpop.StoreInput{
			Name: names[i%len(names)], Phone: "01012345678", BusinessNumber: "1234567890",
			Address: "서울 <마포구> & 양화로", Dong: "서교동", ImageURL: "https://img.example/a?b=1&c=<2>",
			Latitude: lat + float64(i%7)*0.00031 + float64(i)*1e-9, Longitude: lng + float64(i/7)*0.00029,
			StoreCategory:   []string{couponpop.CategoryCafe, couponpop.CategoryFood}[i%2],
			WeekdayOpenTime: "08:00", WeekdayCloseTime: "22:00", WeekendOpenTime: "10:00", WeekendCloseTime: "22:00"}}
		if i == 0 {
			s.Latitude, s.Longitude = lat, lng // distance 0
		}
		if _, err := db.CreateStore(ctx, s, "마포구"); err != nil {
			t.Fatal(err)
		}
		stores = append(stores, s)
	}
	event := func(st *couponpop.Store, name string, start, end time.Duration, total int) *couponpop.Event {
		e := &couponpop.Event{StoreID: st.ID, MemberID: 5, Name: name, StartAt: clock.Add(start).Truncate(time.Millisecond),
			EndAt: clock.Add(end).Truncate(time.Millisecond), TotalCount: total}
		if _, err := db.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	running := event(stores[0], "아메리카노 <무료> & more", -time.Hour, time.Hour, 50)
	event(stores[0], "second, ends later", -time.Hour, 2*time.Hour, 5)
	event(stores[1], "not yet", time.Minute, time.Hour, 10)
	event(stores[2], "ended", -2*time.Hour, -time.Minute, 10)
	soldOut := event(stores[3], "one only", -time.Hour, time.Hour, 1)
	paused := event(stores[4], "paused", -time.Hour, time.Hour, 10)
	for i := 5; i < 20; i++ {
		event(stores[i], fmt.Sprintf("event %d \"q\"", i), -time.Duration(i)*time.Minute, time.Duration(i)*time.Minute, 100+i)
	}
	compare := func(step string) {
		t.Helper()
		for _, q := range []store.NearbyQuery{
			{Latitude: lat, Longitude: lng, RadiusMeters: 1000, Limit: 100},
			{Latitude: lat, Longitude: lng, RadiusMeters: 1000, Limit: 100, WithEvents: true},
			{Latitude: lat + 0.0003, Longitude: lng, RadiusMeters: 300, Limit: 7, WithEvents: true, Category: couponpop.CategoryCafe},
		} {
			for _, missing := range [][]int{nil, {2, 3}} {
				want, got := oldNearbyBody(t, db, q, clock, missing), newNearbyBody(t, db, q, clock, missing)
				if !bytes.Equal(got, want) {
					t.Fatalf("%s, withEvents=%v missing=%v:\n got %s\nwant %s", step, q.WithEvents, missing, got, want)
				}
				if missing != nil {
					continue
				}
				// Through another node: the rows come back unchanged.
				var env struct{ Data json.RawMessage }
				if err := json.Unmarshal(got, &env); err != nil {
					t.Fatal(err)
				}
				rows, err := unwrapNearbyRows(env.Data)
				if err != nil {
					t.Fatal(err)
				}
				rec := httptest.NewRecorder()
				writeNearby(rec, rows, nil)
				if !bytes.Equal(rec.Body.Bytes(), want) {
					t.Fatalf("%s: a remote node's rows changed on the way:\n got %s\nwant %s", step, rec.Body.Bytes(), want)
				}
			}
		}
	}
	compare("first")
	claim := func(e *couponpop.Event, member int64) {
		if _, err := db.Claim(ctx, store.ClaimRequest{EventID: e.ID, MemberID: member}); err != nil {
			t.Fatal(err)
		}
	}
	claim(soldOut, 1)
	claim(running, 1)
	claim(running, 2)
	compare("after claims")
	status := couponpop.EventPaused
	if _, _, err := db.PatchEvent(ctx, paused.ID, couponpop.EventPatch{Status: &status}); err != nil {
		t.Fatal(err)
	}
	add := 7
	if _, _, err := db.PatchEvent(ctx, running.ID, couponpop.EventPatch{AddCount: &add}); err != nil {
		t.Fatal(err)
	}
	compare("after a pause and more stock")
	clock = clock.Add(90 * time.Second) // "not yet" starts, event 5 ends
	compare("later")
	clock = clock.Add(time.Hour) // the first ends, the second still runs
	compare("an hour later")
}

func TestAppendHundredths(t *testing.T) {
	for _, meters := range []float64{0, 4.9, 5, 10, 99.4, 100, 104.99, 995, 1000, 1234.5, 19_999.9, 20_000, 123_456_789} {
		want, _ := json.Marshal(math.Round(meters/10) / 100)
		if got := appendHundredths(nil, int64(math.Round(meters/10))); string(got) != string(want) {
			t.Errorf("%v m: %s, want %s", meters, got, want)
		}
	}
	for n := int64(0); n < 100_000; n++ {
		want, _ := json.Marshal(float64(n) / 100)
		if got := appendHundredths(nil, n); string(got) != string(want) {
			t.Fatalf("%d: %s, want %s", n, got, want)
		}
	}
}

func TestAppendJSONFloat(t *testing.T) {
	for _, f := range []float64{0, 1, 0.01, 123.456, 1e-6, 9.99e-7, 1e-7, 1.5e-10, 1e20, 1e21, 1.234e25, 3141.5926535897, 1.0 / 3} {
		want, _ := json.Marshal(f)
		if got := appendJSONFloat(nil, f); string(got) != string(want) {
			t.Errorf("%v: %s, want %s", f, got, want)
		}
	}
}
