package client

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"time"
)

// Dashboard is a store's numbers over a time range
// (GET /owner/stores/{storeId}/dashboard).
type Dashboard struct {
	Series []SeriesPoint `json:"series"`
	// Heatmap counts uses by weekday (time.Weekday: 0 Sunday … 6 Saturday) and hour
	// (0–23), Asia/Seoul.
	Heatmap         [7][24]int       `json:"heatmap"`
	DistanceBands   []DistanceBand   `json:"distanceBands"`
	Conversion      Conversion       `json:"conversion"`
	Recommendations []Recommendation `json:"recommendations"`
}

// SeriesPoint is one bucket of the series: its start (an API time) and
// the coupons issued and used in it.
type SeriesPoint struct {
	T      string `json:"t"`
	Issued int    `json:"issued"`
	Used   int    `json:"used"`
}

// DistanceBand counts the claims made within MaxMeters of the store and
// beyond the band before it.
type DistanceBand struct {
	MaxMeters float64 `json:"maxMeters"`
	Issued    int     `json:"issued"`
}

// Conversion is issued → used.
type Conversion struct {
	Issued int     `json:"issued"`
	Used   int     `json:"used"`
	Rate   float64 `json:"rate"` // used/issued, 0–1
}

// Recommendation is advice with the numbers behind it. Evidence is kept
// raw: a string or an object, shown as is.
type Recommendation struct {
	Kind     string          `json:"kind"`
	Message  string          `json:"message"`
	Evidence json.RawMessage `json:"evidence,omitempty"`
}

// EvidenceText is the evidence as one line: a JSON string unquoted,
// anything else as compact JSON.
func (r Recommendation) EvidenceText() string {
	var s string
	if json.Unmarshal(r.Evidence, &s) == nil {
		return s
	}
	if len(r.Evidence) == 0 || string(r.Evidence) == "null" {
		return ""
	}
	return string(r.Evidence)
}

// Dashboard returns a store's dashboard from..to (zero times: the
// server's default, the last 7 days) in buckets of "hour" or "day" ("":
// the server's default).
func (c *Client) Dashboard(ctx context.Context, storeID int64, from, to time.Time, bucket string) (Dashboard, error) {
	q := url.Values{}
	if !from.IsZero() {
		q.Set("from", apiTime(from))
	}
	if !to.IsZero() {
		q.Set("to", apiTime(to))
	}
	if bucket != "" {
		q.Set("bucket", bucket)
	}
	path := storePath(storeID) + "/dashboard"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out Dashboard
	err := c.call(ctx, "GET", path, nil, &out)
	return out, err
}

// seoul is Asia/Seoul, UTC+9 all year.
var seoul = time.FixedZone("Asia/Seoul", 9*3600)

// apiTime writes t as the API does: Seoul local without offset.
func apiTime(t time.Time) string { return t.In(seoul).Format("2006-01-02T15:04:05") }

// itoa is strconv.FormatInt for ids.
func itoa(id int64) string { return strconv.FormatInt(id, 10) }
