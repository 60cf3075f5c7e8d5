package server_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/couponpop/couponpop"
)

type dashboardView struct {
	Bucket string
	Series []struct {
		T      string
		Issued int
		Used   int
	}
	Heatmap       [][]int
	DistanceBands []struct {
		MaxMeters *int
		Issued    int
	}
	ClaimsWithoutLocation int
	Conversion            struct {
		Issued, Used int
		Rate         float64
	}
	Recommendations []struct{ Kind, Message, Evidence string }
}

func TestDashboard_CountsClaimsAndUses(t *testing.T) {
	ts := newTestServer(t)
	owner, storeID, eventID := ts.ownerWithEvent(100, nil)
	// 12 claims ~300 m north of the store, 1 from 2 km, 1 without location.
	var coupons []int64
	for i := int64(1); i <= 12; i++ {
		r := ts.do("POST", "/api/v1/coupons/issue", mintToken(t, 5_000+i, couponpop.MemberCustomer),
			map[string]any{"eventId": eventID, "latitude": hongdaeLat + 0.0027, "longitude": hongdaeLng})
		ts.expect(r, 204, "")
	}
	ts.expect(ts.do("POST", "/api/v1/coupons/issue", mintToken(t, 5_100, couponpop.MemberCustomer),
		map[string]any{"eventId": eventID, "latitude": hongdaeLat + 0.018, "longitude": hongdaeLng}), 204, "")
	coupons = append(coupons, ts.claimAs(5_200, eventID))
	holder := mintToken(t, 5_200, couponpop.MemberCustomer)
	ts.expect(ts.useCoupon(holder, ts.qrCodeOf(holder, coupons[0]), coupons[0], storeID), 204, "")

	r := ts.do("GET", fmt.Sprintf("/api/v1/owner/stores/%d/dashboard", storeID), owner, nil)
	ts.expect(r, 200, "")
	var d dashboardView
	r.data(t, &d)
	if d.Bucket != "day" || len(d.Series) < 7 || len(d.Series) > 8 {
		t.Errorf("default range: bucket %s, %d points", d.Bucket, len(d.Series))
	}
	issued, used := 0, 0
	for _, p := range d.Series {
		issued, used = issued+p.Issued, used+p.Used
	}
	if issued != 14 || used != 1 {
		t.Errorf("series sums issued %d used %d", issued, used)
	}
	now := time.Now().In(couponpop.Seoul)
	if len(d.Heatmap) != 7 || d.Heatmap[now.Weekday()][now.Hour()] != 1 {
		t.Errorf("heatmap %v: want the use at %s %d h", d.Heatmap, now.Weekday(), now.Hour())
	}
	bands := map[int]int{}
	for _, b := range d.DistanceBands {
		m := -1
		if b.MaxMeters != nil {
			m = *b.MaxMeters
		}
		bands[m] = b.Issued
	}
	if bands[400] != 12 || bands[3200] != 1 || d.ClaimsWithoutLocation != 1 || len(d.DistanceBands) != 7 {
		t.Errorf("bands %+v, without location %d", d.DistanceBands, d.ClaimsWithoutLocation)
	}
	if d.Conversion.Issued != 14 || d.Conversion.Used != 1 {
		t.Errorf("conversion %+v", d.Conversion)
	}
	kinds := map[string]string{}
	for _, rec := range d.Recommendations {
		kinds[rec.Kind] = rec.Message + " / " + rec.Evidence
	}
	if got := kinds["claimRadius"]; got == "" {
		t.Errorf("no claim radius advice in %+v", d.Recommendations)
	} else if want := "92% of claims come from within 400 m"; got[:len(want)] != want {
		t.Errorf("claim radius advice %q", got)
	}
	if kinds["conversion"] == "" {
		t.Errorf("no conversion advice (1 of 14 used) in %+v", d.Recommendations)
	}

	r = ts.do("GET", fmt.Sprintf("/api/v1/owner/stores/%d/dashboard?bucket=hour&from=%s&to=%s", storeID,
		apiTime(time.Now().Add(-3*time.Hour)), apiTime(time.Now().Add(time.Hour))), owner, nil)
	ts.expect(r, 200, "")
	r.data(t, &d)
	if d.Bucket != "hour" || len(d.Series) < 4 || len(d.Series) > 5 {
		t.Errorf("hour buckets: %s %d", d.Bucket, len(d.Series))
	}
	ts.expect(ts.do("GET", fmt.Sprintf("/api/v1/owner/stores/%d/dashboard?bucket=week", storeID), owner, nil), 400, couponpop.EINVALID)
}
