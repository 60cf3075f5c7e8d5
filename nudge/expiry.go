package nudge

import "time"

// RemindAt is when to remind a holder of an unused coupon: when the smaller
// of 24 h and half the coupon's lifetime remains.
func RemindAt(issuedAt, expireAt time.Time) time.Time {
	lead := min(24*time.Hour, expireAt.Sub(issuedAt)/2)
	return expireAt.Add(-max(lead, 0))
}

// ShouldRemind reports whether a job running at now should send the expiry
// reminder: it is due, the coupon has not expired, none was sent before,
// and it is not quiet hours (the reminder is not advertising, but it still
// waits for morning; a coupon expiring before then goes unreminded).
func (r AreaRules) ShouldRemind(now, issuedAt, expireAt time.Time, reminded bool) bool {
	return !reminded && !now.Before(RemindAt(issuedAt, expireAt)) && now.Before(expireAt) && !r.Quiet(now)
}
