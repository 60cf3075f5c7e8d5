package server

import (
	"fmt"
	"net/http"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/store"
)

// Dashboard limits.
const (
	defaultDashboardDays = 7
	maxDashboardDays     = 366
	maxHourBuckets       = 31 * 24
	// soldOutFast is how soon after its start an event must sell out to
	// count as selling out fast.
	soldOutFast = 20 * time.Minute
	// minEvidence is the fewest uses or claims a recommendation rests on.
	minEvidence = 10
)

// dashboardResponse is GET /owner/stores/{storeId}/dashboard.
type dashboardResponse struct {
	StoreID int64          `json:"storeId"`
	From    couponpop.Time `json:"from"`
	To      couponpop.Time `json:"to"`
	Bucket  string         `json:"bucket"` // hour | day
	Series  []seriesPoint  `json:"series"`
	// Heatmap counts uses by Seoul weekday (0 = Sunday) and hour.
	Heatmap       [7][24]int     `json:"heatmap"`
	DistanceBands []distanceBand `json:"distanceBands"`
	// ClaimsWithoutLocation are the claims that sent no location (in no
	// band).
	ClaimsWithoutLocation int              `json:"claimsWithoutLocation"`
	Conversion            conversion       `json:"conversion"`
	Recommendations       []recommendation `json:"recommendations"`
}

type seriesPoint struct {
	T      couponpop.Time `json:"t"` // the bucket's start, Seoul time
	Issued int            `json:"issued"`
	Used   int            `json:"used"`
}

// distanceBand counts claims from farther than the band before it up to
// MaxMeters from the store; the last band has no MaxMeters (null).
type distanceBand struct {
	MaxMeters *int `json:"maxMeters"`
	Issued    int  `json:"issued"`
}

// conversion is of the coupons claimed in the period: how many were used
// (whenever).
type conversion struct {
	Issued int     `json:"issued"`
	Used   int     `json:"used"`
	Rate   float64 `json:"rate"` // Used / Issued, 0 without claims
}

type recommendation struct {
	Kind     string `json:"kind"` // peakHour | claimRadius | raiseQuantity | lowerQuantity | conversion
	Message  string `json:"message"`
	Evidence string `json:"evidence"`
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	st, db, err := s.ownStoreFromPath(r, couponpop.EStoreAccessPermissionDenied)
	if err != nil {
		s.forwardOrFail(w, r, err)
		return
	}
	now := s.now()
	from, to, bucket, err := dashboardRange(r, now)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	bucketHours := 1
	if bucket == "day" {
		bucketHours = 24
	}
	sum, err := db.StoreSummary(r.Context(), st.ID, from, to, bucketHours)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	events, err := db.RecentEventOutcomes(r.Context(), st.ID, 3, now)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d := buildDashboard(sum, from, to, bucket)
	d.StoreID = st.ID
	d.Recommendations = recommend(d, events)
	writeData(w, http.StatusOK, d)
}

// dashboardRange reads from, to (API times; default the last 7 days) and
// bucket (default hour up to two days, else day).
func dashboardRange(r *http.Request, now time.Time) (from, to time.Time, bucket string, err error) {
	q := query{r: r}
	to, from = now, now.AddDate(0, 0, -defaultDashboardDays)
	if v := q.str("to"); v != "" {
		t, err := couponpop.ParseTime(v)
		q.p.Add(err != nil, "to must be a time like 2025-10-25T12:00:00")
		to = t
	}
	if v := q.str("from"); v != "" {
		t, err := couponpop.ParseTime(v)
		q.p.Add(err != nil, "from must be a time like 2025-10-25T12:00:00")
		from = t
	} else if q.str("to") != "" {
		from = to.AddDate(0, 0, -defaultDashboardDays)
	}
	bucket = q.str("bucket")
	if bucket == "" {
		bucket = "day"
		if to.Sub(from) <= 48*time.Hour {
			bucket = "hour"
		}
	}
	q.p.Add(!to.After(from), "to must be after from")
	q.p.Add(to.Sub(from) > maxDashboardDays*24*time.Hour, "from and to may be at most %d days apart", maxDashboardDays)
	q.p.Add(bucket != "hour" && bucket != "day", "bucket must be hour or day")
	q.p.Add(bucket == "hour" && to.Sub(from) > maxHourBuckets*time.Hour, "bucket=hour covers at most %d days; use bucket=day", maxHourBuckets/24)
	return from, to, bucket, q.err()
}

// bucketStart is the start of t's bucket in Seoul time.
func bucketStart(t time.Time, bucket string) time.Time {
	t = t.In(couponpop.Seoul)
	if bucket == "day" {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, couponpop.Seoul)
	}
	return t.Truncate(time.Hour)
}

func nextBucket(t time.Time, bucket string) time.Time {
	if bucket == "day" {
		return t.AddDate(0, 0, 1)
	}
	return t.Add(time.Hour)
}

// buildDashboard lays out a store's summed counters over [from, to): a
// series with every bucket (zeros too), the heatmap, bands and conversion.
func buildDashboard(sum store.StoreSummary, from, to time.Time, bucket string) dashboardResponse {
	d := dashboardResponse{From: couponpop.Time{Time: from}, To: couponpop.Time{Time: to}, Bucket: bucket,
		Series: []seriesPoint{}, Recommendations: []recommendation{}, Heatmap: sum.Heatmap}
	index := map[int64]int{} // bucket start (Unix s) → series index
	for t := bucketStart(from, bucket); t.Before(to); t = nextBucket(t, bucket) {
		index[t.Unix()] = len(d.Series)
		d.Series = append(d.Series, seriesPoint{T: couponpop.Time{Time: t}})
	}
	for _, b := range sum.Buckets {
		if i, ok := index[b.Start.Unix()]; ok {
			d.Series[i].Issued += b.Issued
			d.Series[i].Used += b.Used
		}
	}
	for i, m := range store.DistanceBandMeters {
		d.DistanceBands = append(d.DistanceBands, distanceBand{MaxMeters: &m, Issued: sum.Bands[i]})
	}
	d.DistanceBands = append(d.DistanceBands, distanceBand{Issued: sum.Bands[store.BandFar]})
	d.ClaimsWithoutLocation = sum.Bands[store.BandNoLocation]
	d.Conversion = conversion{Issued: sum.Issued, Used: sum.Converted}
	if sum.Issued > 0 {
		d.Conversion.Rate = float64(sum.Converted) / float64(sum.Issued)
	}
	return d
}

var weekdayShort = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// recommend draws advice from the dashboard and the store's last events,
// each with the numbers it rests on; none rests on fewer than minEvidence.
func recommend(d dashboardResponse, recent []store.EventOutcome) []recommendation {
	out := []recommendation{}
	period := fmt.Sprintf("%s to %s", couponpop.FormatTime(d.From.Time)[:10], couponpop.FormatTime(d.To.Time)[:10])
	uses, peak, peakDay, peakHour := 0, 0, 0, 0
	for day := range d.Heatmap {
		for hour, n := range d.Heatmap[day] {
			uses += n
			if n > peak {
				peak, peakDay, peakHour = n, day, hour
			}
		}
	}
	if uses >= minEvidence {
		share := percent(peak, uses)
		out = append(out, recommendation{Kind: "peakHour",
			Message: fmt.Sprintf("Your coupons are used most %s %02d–%02d (%d%% of uses): run events that end then, or staff up",
				weekdayShort[peakDay], peakHour, (peakHour+1)%24, share),
			Evidence: fmt.Sprintf("%d of %d uses, %s (Asia/Seoul)", peak, uses, period)})
	}
	located := 0
	for _, b := range d.DistanceBands {
		located += b.Issued
	}
	if located >= minEvidence {
		within := 0
		for _, b := range d.DistanceBands {
			within += b.Issued
			if b.MaxMeters != nil && percent(within, located) >= 80 {
				out = append(out, recommendation{Kind: "claimRadius",
					Message: fmt.Sprintf("%d%% of claims come from within %d m: a claim radius of %d m keeps coupons for people who walk in",
						percent(within, located), *b.MaxMeters, *b.MaxMeters),
					Evidence: fmt.Sprintf("%d of %d claims with a location, %s", within, located, period)})
				break
			}
		}
	}
	out = append(out, recommendQuantity(recent)...)
	if c := d.Conversion; c.Issued >= minEvidence && c.Rate < 0.3 {
		out = append(out, recommendation{Kind: "conversion",
			Message:  fmt.Sprintf("Only %d%% of claimed coupons were used: shorten their validity or make the offer worth the trip", percent(c.Used, c.Issued)),
			Evidence: fmt.Sprintf("%d of %d coupons claimed %s were used", c.Used, c.Issued, period)})
	}
	return out
}

// recommendQuantity looks at the last three events: all sold out fast, or
// all left more than half their coupons.
func recommendQuantity(recent []store.EventOutcome) []recommendation {
	if len(recent) < 3 {
		return nil
	}
	fast, slow := 0, 0
	var slowest time.Duration
	issued, total := 0, 0
	for _, e := range recent {
		if !e.SoldOutAt.IsZero() && e.SoldOutAt.Sub(e.StartAt) < soldOutFast {
			fast++
			slowest = max(slowest, e.SoldOutAt.Sub(e.StartAt))
		}
		if e.Issued*2 < e.Total {
			slow++
		}
		issued, total = issued+e.Issued, total+e.Total
	}
	switch {
	case fast == len(recent):
		return []recommendation{{Kind: "raiseQuantity",
			Message:  fmt.Sprintf("The last %d events sold out in under %d minutes: raise the quantity", len(recent), int(soldOutFast.Minutes())),
			Evidence: fmt.Sprintf("slowest sold out %s after its start; %d coupons in all", slowest.Round(time.Second), total)}}
	case slow == len(recent):
		return []recommendation{{Kind: "lowerQuantity",
			Message:  fmt.Sprintf("The last %d events gave out less than half their coupons: offer fewer, or run them at your peak hour", len(recent)),
			Evidence: fmt.Sprintf("%d of %d coupons claimed", issued, total)}}
	}
	return nil
}

func percent(n, of int) int {
	if of == 0 {
		return 0
	}
	return int(float64(n)*100/float64(of) + 0.5)
}
