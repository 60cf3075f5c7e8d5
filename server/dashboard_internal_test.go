package server

import (
	"strings"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

func TestRecommend_PeakHourAndSellOuts(t *testing.T) {
	// Friday 2026-12-04 18:00 Seoul holds 41 of 100 uses.
	fri18 := time.Date(2026, 12, 4, 18, 0, 0, 0, couponpop.Seoul)
	hours := []store.StoreHour{
		{Hour: fri18.UTC(), Used: 41, Issued: 50, Converted: 41},
		{Hour: fri18.Add(-26 * time.Hour).UTC(), Used: 20, Issued: 20, Converted: 20},
		{Hour: fri18.Add(-27 * time.Hour).UTC(), Used: 20, Issued: 20, Converted: 20},
		{Hour: fri18.Add(-28 * time.Hour).UTC(), Used: 19, Issued: 20, Converted: 19},
	}
	d := buildDashboard(hours, fri18.AddDate(0, 0, -7), fri18.Add(2*time.Hour), "day")
	start := fri18.AddDate(0, 0, -3)
	var recent []store.EventOutcome
	for i := range 3 {
		s := start.AddDate(0, 0, -i)
		recent = append(recent, store.EventOutcome{StartAt: s, Total: 50, Issued: 50, SoldOutAt: s.Add(time.Duration(10+i) * time.Minute)})
	}
	recs := recommend(d, recent)
	got := map[string]recommendation{}
	for _, r := range recs {
		got[r.Kind] = r
	}
	if r := got["peakHour"]; !strings.Contains(r.Message, "Fri 18–19 (41% of uses)") || !strings.Contains(r.Evidence, "41 of 100 uses") {
		t.Errorf("peak hour %+v", r)
	}
	if r := got["raiseQuantity"]; !strings.Contains(r.Message, "sold out in under 20 minutes") || !strings.Contains(r.Evidence, "12m0s") {
		t.Errorf("raise quantity %+v", r)
	}
	if _, ok := got["conversion"]; ok {
		t.Errorf("conversion advice at %.0f%%", d.Conversion.Rate*100)
	}
	recent[1].SoldOutAt = recent[1].StartAt.Add(time.Hour)
	for _, r := range recommend(d, recent) {
		if r.Kind == "raiseQuantity" {
			t.Errorf("raise advice though one event took an hour")
		}
	}
}
