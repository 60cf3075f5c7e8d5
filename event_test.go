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
