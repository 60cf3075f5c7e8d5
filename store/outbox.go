package store

// Outbox message kinds of a coupon.
const (
	outboxIssued = "COUPON_ISSUED"
	outboxUsed   = "COUPON_USED"
)

// couponOutboxSQL is the one definition of a coupon's outbox message: an
// INSERT that copies each coupon row matching where (which may bind
// arguments) into the outbox, as kind with trace ID "issued-<id>" or
// "used-<id>" and the JSON payload
//
//	{"type": kind, "couponId", "eventId", "memberId", "storeId", "at": Unix ms}
//
// where at (and the row's created_at) is the coupon's issued_at or used_at.
func couponOutboxSQL(kind, where string) string {
	trace, at := "issued", "issued_at"
	if kind == outboxUsed {
		trace, at = "used", "used_at"
	}
	return `INSERT INTO outbox (kind, trace_id, payload, created_at)
		SELECT '` + kind + `', '` + trace + `-' || id, json_object('type', '` + kind + `', 'couponId', id,
			'eventId', event_id, 'memberId', member_id, 'storeId', store_id, 'at', ` + at + `), ` + at + `
		FROM coupons WHERE ` + where
}
