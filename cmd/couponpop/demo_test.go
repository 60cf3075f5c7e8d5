package main

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/server"
	"github.com/couponpop/couponpop/store"
)

// The demo's events run relative to now on every start, not only on the
// day they were seeded.
func TestRedateDemo_EventsRunAgain(t *testing.T) {
	seeded := time.Date(2026, 12, 1, 10, 0, 0, 0, couponpop.Seoul)
	clock := seeded.Add(time.Minute)
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), store.FileName(1)), 1, store.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := &couponpop.Store{MemberID: 1, MemberUsername: "o", StoreInput: couponpop.StoreInput{Name: "카페", Phone: "01012345678",
		BusinessNumber: "1234567890", Address: "서울 마포구", Dong: "서교동", Latitude: 37.55, Longitude: 126.92,
		StoreCategory: couponpop.CategoryCafe, WeekdayOpenTime: "08:00", WeekdayCloseTime: "22:00", WeekendOpenTime: "10:00", WeekendCloseTime: "22:00"}}
	if _, err := db.CreateStore(t.Context(), st, "마포구"); err != nil {
		t.Fatal(err)
	}
	running := &couponpop.Event{StoreID: st.ID, MemberID: 1, Name: "아메리카노 1+1", StartAt: seeded, EndAt: seeded.Add(4 * time.Hour), TotalCount: 10}
	scheduled := &couponpop.Event{StoreID: st.ID, MemberID: 1, Name: "라떼", StartAt: seeded.Add(demoScheduledIn), EndAt: seeded.Add(demoScheduledIn + time.Hour), TotalCount: 10}
	for _, e := range []*couponpop.Event{running, scheduled} {
		if _, err := db.CreateEvent(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	clock = seeded.Add(30 * time.Minute) // created through the API after the seed
	mine := &couponpop.Event{StoreID: st.ID, MemberID: 1, Name: "내 이벤트", StartAt: seeded, EndAt: seeded.Add(time.Hour), TotalCount: 1}
	if _, err := db.CreateEvent(t.Context(), mine); err != nil {
		t.Fatal(err)
	}
	shards := &server.Shards{District: map[int]*store.DB{1: db}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := seeded.Add(3*24*time.Hour + 20*time.Minute)
	for range 2 { // a second start the same hour changes nothing
		if err := redateDemo(t.Context(), shards, seeded, now, log); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		id   int64
		want time.Time
	}{{running.ID, now.Truncate(time.Hour)}, {scheduled.ID, now.Truncate(time.Hour).Add(demoScheduledIn)}, {mine.ID, seeded}} {
		e, err := db.EventByID(t.Context(), tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if !e.StartAt.Equal(tc.want) {
			t.Errorf("event %q starts %v, want %v", e.Name, e.StartAt, tc.want)
		}
	}
}
