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
	var sum store.StoreSummary
	sum.Heatmap[5][18] = 41
	sum.Heatmap[4][16], sum.Heatmap[4][15], sum.Heatmap[4][14] = 20, 20, 19
	sum.Issued, sum.Converted = 110, 100
	d := buildDashboard(sum, fri18.AddDate(0, 0, -7), fri18.Add(2*time.Hour), "day")
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
