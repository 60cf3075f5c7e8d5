package store

import (
	"context"
	"database/sql"
	"fmt"
)

// The dashboard's counters (store_hours, live_events) and the live change
// feed (live_changes) of new coupons, written set-based: once a claim batch
// (claimTx.record) or a district move's copy, not by a trigger a coupon.
// The triggers did the same work row by row and halved the claim rate
// (migration 0007). Each statement reads the new coupons as the rows from
// the first one's ID on: AUTOINCREMENT gives every new row an ID above any
// the table had, and the writing transaction is the only one inserting.
// Uses, stock changes and events still keep them by trigger (0006).
const (
	// liveClaimChangesSQL appends one claim change a coupon, in ID order,
	// with its event's counts right after it: the counts before the batch
	// (live_events, updated after this) plus the coupons of the event up to
	// this one. A coupon copied in already used (a move) counts its use, as
	// the triggers did; the writer's coupons are all ISSUED.
	liveClaimChangesSQL = `INSERT INTO live_changes (store_id, event_id, kind, issued, used, total, status, at)
		SELECT c.store_id, c.event_id, 'claim', l.issued + ROW_NUMBER() OVER w, l.used + SUM(c.status = 'USED') OVER w,
			e.total_count, e.status, c.issued_at
		FROM coupons c JOIN live_events l ON l.event_id = c.event_id JOIN coupon_events e ON e.id = c.event_id
		WHERE c.id >= ?1
		WINDOW w AS (PARTITION BY c.event_id ORDER BY c.id)
		ORDER BY c.id`

	// liveClaimEventsSQL adds the new coupons to their events' counts. An
	// event they sold out is sold out at its last new coupon's time (the
	// bare issued_at is that of the MAX(id) row).
	liveClaimEventsSQL = `UPDATE live_events SET issued = live_events.issued + b.n, used = live_events.used + b.used,
			sold_out_at = CASE WHEN live_events.issued + b.n >= e.total_count THEN b.last_at ELSE live_events.sold_out_at END
		FROM (SELECT event_id, COUNT(*) AS n, SUM(status = 'USED') AS used, MAX(id) AS last_id, issued_at AS last_at
			FROM coupons WHERE id >= ?1 GROUP BY event_id) b
		JOIN coupon_events e ON e.id = b.event_id
		WHERE live_events.event_id = b.event_id`

	// liveClaimHoursSQL adds the new coupons to their stores' hours of
	// issue, each in its distance band (d2: the squared metres from the
	// store to where it was claimed, as migration 0006 computes it), and
	// those already used to the conversions of that hour. The distances and
	// bands are MATERIALIZED so each is computed once a coupon: inlined, the
	// flattener would repeat the distance in every WHEN of every SUM (64
	// times a row; 185 s instead of 1 s for a million coupons).
	liveClaimHoursSQL = `WITH d AS MATERIALIZED (
			SELECT c.store_id, c.issued_at / 3600000 AS hour, c.status = 'USED' AS used,
				(c.claim_latitude - s.latitude) * 111195.0 AS dy,
				(c.claim_longitude - s.longitude) * 111195.0 * (1 - x * x / 2 + x * x * x * x / 24 - x * x * x * x * x * x / 720) AS dx
			FROM coupons c
			LEFT JOIN (SELECT id, latitude, longitude, latitude * 0.017453292519943295 AS x FROM stores) s ON s.id = c.store_id
			WHERE c.id >= ?1
		), banded AS MATERIALIZED (
			SELECT store_id, hour, used, CASE
					WHEN d2 IS NULL THEN 7
					WHEN d2 <= 10000 THEN 0
					WHEN d2 <= 40000 THEN 1
					WHEN d2 <= 160000 THEN 2
					WHEN d2 <= 640000 THEN 3
					WHEN d2 <= 2560000 THEN 4
					WHEN d2 <= 10240000 THEN 5
					ELSE 6
				END AS b
			FROM (SELECT store_id, hour, used, dy * dy + dx * dx AS d2 FROM d)
		)
		INSERT INTO store_hours (store_id, hour, issued, converted, d100, d200, d400, d800, d1600, d3200, dfar, dnone)
		SELECT store_id, hour, COUNT(*), SUM(used), SUM(b = 0), SUM(b = 1), SUM(b = 2), SUM(b = 3), SUM(b = 4), SUM(b = 5), SUM(b = 6), SUM(b = 7)
		FROM banded
		GROUP BY store_id, hour
		ON CONFLICT (store_id, hour) DO UPDATE SET issued = issued + excluded.issued, converted = converted + excluded.converted,
			d100 = d100 + excluded.d100, d200 = d200 + excluded.d200, d400 = d400 + excluded.d400,
			d800 = d800 + excluded.d800, d1600 = d1600 + excluded.d1600, d3200 = d3200 + excluded.d3200,
			dfar = dfar + excluded.dfar, dnone = dnone + excluded.dnone`

	// liveUsedHoursSQL adds new coupons already used (a move's copies) to
	// the uses of their hour of use. The claim writer has none.
	liveUsedHoursSQL = `INSERT INTO store_hours (store_id, hour, used)
		SELECT store_id, IFNULL(used_at, issued_at) / 3600000, COUNT(*) FROM coupons WHERE id >= ?1 AND status = 'USED' GROUP BY 1, 2
		ON CONFLICT (store_id, hour) DO UPDATE SET used = used + excluded.used`
)

// CountNewCoupons adds the coupons from ID fromID on, inserted in tx by its
// caller, to the dashboard's counters and the live change feed, as the claim
// writer does for its batches. It is for loads that insert coupons
// themselves (a district move, a benchmark's seed): no trigger counts them.
func CountNewCoupons(ctx context.Context, tx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}, fromID int64) error {
	for _, q := range []struct{ what, sql string }{
		{"live changes", liveClaimChangesSQL}, // first: it reads the counts before the coupons
		{"live events", liveClaimEventsSQL},
		{"store hours", liveClaimHoursSQL},
		{"store hours used", liveUsedHoursSQL},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, fromID); err != nil {
			return fmt.Errorf("count new coupons: %s: %w", q.what, err)
		}
	}
	return nil
}
