package client

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
)

// RunJob runs a batch job by hand (ADMIN): coupon-usage-stats (runDate),
// coupon-usage-stats-fcm-send (runDate, targetHour), expire-coupons or
// prune. runDate is YYYY-MM-DD (Asia/Seoul); hour < 0 sends none. It
// returns the job's answer.
func (c *Client) RunJob(ctx context.Context, name, runDate string, hour int) (json.RawMessage, error) {
	q := url.Values{}
	if runDate != "" {
		q.Set("runDate", runDate)
	}
	if hour >= 0 {
		q.Set("targetHour", strconv.Itoa(hour))
	}
	path := "/api/v1/jobs/" + url.PathEscape(name)
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out json.RawMessage
	return out, c.call(ctx, "POST", path, nil, &out)
}
