package nudge

import (
	"testing"
	"time"

	"github.com/couponpop/couponpop/geo"
)

// seongsu is a point in 성수; a fixed clock at 14:00 Seoul time.
var (
	seongsu = geo.LatLng{Lat: 37.5446, Lng: 127.0557}
	at1400  = time.Date(2026, 5, 6, 14, 0, 0, 0, Seoul())
)

// passing is an input every rule lets through; each case breaks one rule.
func passing() AreaInput {
	return AreaInput{
		Last:      &Report{At: at1400.Add(-5 * time.Minute), Point: seongsu},
		Report:    Report{At: at1400, Point: seongsu},
		EnteredAt: at1400.Add(-5 * time.Minute),
		Member:    Member{Marketing: true},
		Event:     Event{ID: 1},
	}
}

func TestDecide_EachRule(t *testing.T) {
	rules := DefaultAreaRules()
	// 1 km north of 성수 in about 0.01° of latitude.
	northKm := func(km float64) geo.LatLng { return geo.LatLng{Lat: seongsu.Lat + km/111.2, Lng: seongsu.Lng} }
	for _, tc := range []struct {
		name   string
		change func(*AreaInput)
		want   Reason
	}{
		{"all rules pass", func(*AreaInput) {}, ReasonSend},
		{"dwell: exactly 5 min apart is enough", func(in *AreaInput) { in.EnteredAt = at1400.Add(-5 * time.Minute) }, ReasonSend},
		{"dwell: 4m59s is not", func(in *AreaInput) { in.EnteredAt = at1400.Add(-4*time.Minute - 59*time.Second) }, ReasonNotDwelled},
		{"dwell: first report inside", func(in *AreaInput) { in.EnteredAt = at1400 }, ReasonNotDwelled},
		{"dwell: outside now", func(in *AreaInput) { in.EnteredAt = time.Time{} }, ReasonNotDwelled},
		{"quiet hours: 21:00", func(in *AreaInput) { shift(in, 7*time.Hour) }, ReasonQuietHours},
		{"quiet hours: 07:59", func(in *AreaInput) { shift(in, 17*time.Hour+59*time.Minute) }, ReasonQuietHours},
		{"quiet hours: 08:00 is day", func(in *AreaInput) { shift(in, 18*time.Hour) }, ReasonSend},
		{"quiet hours: 20:59 is day", func(in *AreaInput) { shift(in, 6*time.Hour+59*time.Minute) }, ReasonSend},
		{"quiet hours: night consent", func(in *AreaInput) { shift(in, 9*time.Hour); in.Member.Night = true }, ReasonSend},
		{"daily cap: 2 today", func(in *AreaInput) { in.Member.PushesToday = 2 }, ReasonSend},
		{"daily cap: 3 today", func(in *AreaInput) { in.Member.PushesToday = 3 }, ReasonDailyCap},
		{"sold out", func(in *AreaInput) { in.Event.SoldOut = true }, ReasonSoldOut},
		{"already claimed", func(in *AreaInput) { in.Event.Claimed = true }, ReasonAlreadyClaimed},
		{"once per event", func(in *AreaInput) { in.Event.Pushed = true }, ReasonAlreadyPushed},
		{"marketing opt-in required", func(in *AreaInput) { in.Member.Marketing = false }, ReasonNoMarketingOptIn},
		{"night consent is not marketing consent", func(in *AreaInput) { in.Member.Marketing, in.Member.Night = false, true }, ReasonNoMarketingOptIn},
		{"speed: 10 km in 5 min (120 km/h)", func(in *AreaInput) { in.Last.Point = northKm(10) }, ReasonSend},
		{"speed: 20 km in 5 min (240 km/h)", func(in *AreaInput) { in.Last.Point = northKm(20) }, ReasonImpossibleSpeed},
		{"speed: 80 m in 1 s is GPS jitter", func(in *AreaInput) { in.Last = &Report{At: at1400.Add(-time.Second), Point: northKm(0.08)} }, ReasonSend},
		{"speed: 1 km at the same instant", func(in *AreaInput) { in.Last = &Report{At: at1400, Point: northKm(1)} }, ReasonImpossibleSpeed},
		{"speed: no previous report", func(in *AreaInput) { in.Last = nil }, ReasonSend},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := passing()
			tc.change(&in)
			d := rules.Decide(in)
			if d.Reason != tc.want || d.Push != (tc.want == ReasonSend) {
				t.Fatalf("Decide = %+v, want %s", d, tc.want)
			}
			if d.IgnoreReport() != (tc.want == ReasonImpossibleSpeed) {
				t.Errorf("IgnoreReport = %v", d.IgnoreReport())
			}
		})
	}
}

// shift moves every time in the input by d.
func shift(in *AreaInput, d time.Duration) {
	in.Report.At = in.Report.At.Add(d)
	in.EnteredAt = in.EnteredAt.Add(d)
	if in.Last != nil {
		in.Last.At = in.Last.At.Add(d)
	}
}

func TestDecide_ConfigurableRules(t *testing.T) {
	r := DefaultAreaRules()
	r.Dwell, r.QuietStart, r.QuietEnd, r.DailyCap = 10*time.Minute, 22, 8, 1
	in := passing()
	if d := r.Decide(in); d.Reason != ReasonNotDwelled {
		t.Errorf("10 min dwell after 5: %s", d.Reason)
	}
	in.EnteredAt = at1400.Add(-10 * time.Minute)
	shift(&in, 7*time.Hour) // 21:00 is not quiet with 22-08
	if d := r.Decide(in); d.Reason != ReasonSend {
		t.Errorf("21:00 with quiet 22-08: %s", d.Reason)
	}
	in.Member.PushesToday = 1
	if d := r.Decide(in); d.Reason != ReasonDailyCap {
		t.Errorf("cap 1: %s", d.Reason)
	}
}

func TestEnteredAt(t *testing.T) {
	t0 := at1400
	e := EnteredAt(time.Time{}, true, t0)
	e = EnteredAt(e, true, t0.Add(time.Minute))
	if !e.Equal(t0) {
		t.Fatalf("stay start moved to %v", e)
	}
	if e = EnteredAt(e, false, t0.Add(2*time.Minute)); !e.IsZero() {
		t.Fatal("leaving should reset the stay")
	}
	if e = EnteredAt(e, true, t0.Add(3*time.Minute)); !e.Equal(t0.Add(3 * time.Minute)) {
		t.Fatal("re-entering starts a new stay")
	}
}

func TestAreaRules_Day(t *testing.T) {
	r := DefaultAreaRules()
	// 23:30 UTC on May 5 is 08:30 on May 6 in Seoul.
	start, end := r.Day(time.Date(2026, 5, 5, 23, 30, 0, 0, time.UTC))
	if want := time.Date(2026, 5, 6, 0, 0, 0, 0, Seoul()); !start.Equal(want) || !end.Equal(want.AddDate(0, 0, 1)) {
		t.Errorf("Day = [%v, %v)", start, end)
	}
}

func TestShouldRemind(t *testing.T) {
	r := DefaultAreaRules()
	day := func(h, m int) time.Time { return time.Date(2026, 5, 6, h, m, 0, 0, Seoul()) }
	for _, tc := range []struct {
		name                string
		now, issued, expire time.Time
		reminded, want      bool
	}{
		{"3-day coupon: 24 h before", day(12, 0), day(12, 0).AddDate(0, 0, -2), day(12, 0).AddDate(0, 0, 1), false, true},
		{"3-day coupon: 25 h before", day(11, 0), day(12, 0).AddDate(0, 0, -2), day(12, 0).AddDate(0, 0, 1), false, false},
		{"6-hour coupon: half left", day(13, 0), day(10, 0), day(16, 0), false, true},
		{"6-hour coupon: more than half left", day(12, 59), day(10, 0), day(16, 0), false, false},
		{"already reminded", day(13, 0), day(10, 0), day(16, 0), true, false},
		{"expired", day(16, 0), day(10, 0), day(16, 0), false, false},
		{"due in quiet hours waits", day(22, 0), day(20, 0), day(9, 0).AddDate(0, 0, 1), false, false},
		{"due in quiet hours, sent at 08:00", day(8, 0).AddDate(0, 0, 1), day(20, 0), day(9, 0).AddDate(0, 0, 1), false, true},
	} {
		if got := r.ShouldRemind(tc.now, tc.issued, tc.expire, tc.reminded); got != tc.want {
			t.Errorf("%s: ShouldRemind = %v, want %v (remind at %v)", tc.name, got, tc.want, RemindAt(tc.issued, tc.expire))
		}
	}
}
