package couponpop

import (
	"testing"
	"time"
)

func TestParseClock(t *testing.T) {
	for in, want := range map[string]int{"00:00": 0, "08:30": 510, "23:59": 1439, "24:00": 1440} {
		if got, ok := ParseClock(in); !ok || got != want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "8:30", "24:01", "12:60", "ab:cd", "12-30"} {
		if _, ok := ParseClock(in); ok {
			t.Errorf("ParseClock(%q) accepted", in)
		}
	}
}

func TestStore_OpenAtPastMidnight(t *testing.T) {
	bar := Store{StoreInput: StoreInput{WeekdayOpenTime: "17:00", WeekdayCloseTime: "02:00",
		WeekendOpenTime: "17:00", WeekendCloseTime: "02:00"}}
	monday := func(h, m int) time.Time { return time.Date(2025, 10, 27, h, m, 0, 0, Seoul) }
	for _, tc := range []struct {
		at   time.Time
		open bool
	}{{monday(16, 59), false}, {monday(17, 0), true}, {monday(23, 30), true}, {monday(1, 59), true}, {monday(2, 0), false}} {
		if got := bar.OpenAt(tc.at); got != tc.open {
			t.Errorf("OpenAt(%s) = %v, want %v", tc.at.Format("15:04"), got, tc.open)
		}
	}
}
