package couponpop

import (
	"testing"
	"time"
)

func TestEventInput_DurationIsExact(t *testing.T) {
	start := time.Date(2025, 10, 25, 12, 0, 0, 0, Seoul)
	for _, tc := range []struct {
		dur  time.Duration
		code string
	}{
		{48 * time.Hour, ""},
		{48*time.Hour + time.Second, EEventDurationExceeded},
		{48*time.Hour + 59*time.Minute, EEventDurationExceeded},
		{0, EEventEndBeforeStart},
		{-time.Hour, EEventEndBeforeStart},
	} {
		in := EventInput{StoreID: 1, Name: "아메리카노", TotalCount: 10,
			EventStartAt: Time{start}, EventEndAt: Time{start.Add(tc.dur)}}
		if got := ErrorCode(in.Validate()); got != tc.code {
			t.Errorf("duration %v: code %q, want %q", tc.dur, got, tc.code)
		}
	}
}

func TestEvent_CouponExpiry(t *testing.T) {
	issued := time.Date(2025, 10, 25, 12, 0, 0, 0, Seoul)
	e := Event{EndAt: issued.Add(48 * time.Hour)}
	if got := e.CouponExpiry(issued); !got.Equal(e.EndAt) {
		t.Errorf("default expiry %v, want the event's end %v", got, e.EndAt)
	}
	e.CouponValidHours = 2
	if got := e.CouponExpiry(issued); !got.Equal(issued.Add(2 * time.Hour)) {
		t.Errorf("expiry with couponValidHours 2: %v", got)
	}
}

// TestEvent_Claimable checks each claim rule and their order: status,
// then window, then stock, then radius.
func TestEvent_Claimable(t *testing.T) {
	now := time.Date(2025, 10, 25, 12, 0, 0, 0, Seoul)
	storeAt := LatLng{Lat: 37.5572, Lng: 126.9245}
	near := &LatLng{Lat: 37.5575, Lng: 126.9245} // ~33 m north
	far := &LatLng{Lat: 37.5672, Lng: 126.9245}  // ~1.1 km north
	base := Event{ID: 1, Status: EventActive, StartAt: now.Add(-time.Hour), EndAt: now.Add(time.Hour), TotalCount: 10, IssuedCount: 3}
	for _, tc := range []struct {
		name   string
		change func(e *Event)
		member *LatLng
		code   string
	}{
		{"open, no radius, no location", func(*Event) {}, nil, ""},
		{"open, no radius, far away", func(*Event) {}, far, ""},
		{"paused", func(e *Event) { e.Status = EventPaused }, near, EEventNotActive},
		{"canceled", func(e *Event) { e.Status = EventCanceled }, near, EEventNotActive},
		{"not started", func(e *Event) { e.StartAt = now.Add(time.Second) }, near, EEventNotStarted},
		{"starts now", func(e *Event) { e.StartAt = now }, near, ""},
		{"ends now", func(e *Event) { e.EndAt = now }, near, EEventEnded},
		{"ended", func(e *Event) { e.EndAt = now.Add(-time.Second) }, near, EEventEnded},
		{"last coupon", func(e *Event) { e.IssuedCount = 9 }, near, ""},
		{"sold out", func(e *Event) { e.IssuedCount = 10 }, near, EEventCouponSoldOut},
		{"within radius", func(e *Event) { e.ClaimRadiusMeters = 100 }, near, ""},
		{"radius, no location", func(e *Event) { e.ClaimRadiusMeters = 100 }, nil, ELocationRequired},
		{"out of radius", func(e *Event) { e.ClaimRadiusMeters = 100 }, far, ELocationOutOfRange},
		{"paused wins over radius", func(e *Event) { e.Status, e.ClaimRadiusMeters = EventPaused, 100 }, far, EEventNotActive},
		{"ended wins over sold out", func(e *Event) { e.EndAt, e.IssuedCount = now, 10 }, near, EEventEnded},
		{"sold out wins over radius", func(e *Event) { e.IssuedCount, e.ClaimRadiusMeters = 10, 100 }, nil, EEventCouponSoldOut},
	} {
		e := base
		tc.change(&e)
		err := e.Claimable(now, storeAt, tc.member)
		if (err == nil) != (tc.code == "") || (err != nil && ErrorCode(err) != tc.code) {
			t.Errorf("%s: %v, want code %q", tc.name, err, tc.code)
		}
	}
}
