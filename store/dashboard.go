package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// DistanceBandMeters are the upper bounds of the claim distance bands the
// counters keep (store_hours d100 .. d3200); StoreHour.Bands has two more:
// farther than the last, and claims sent without a location.
var DistanceBandMeters = []int{100, 200, 400, 800, 1600, 3200}

// Indexes into StoreHour.Bands past DistanceBandMeters.
const (
	BandFar        = 6
	BandNoLocation = 7
)

// StoreHour is one store's counters for one hour (UTC-aligned; Seoul keeps
// whole-hour offsets, so it is a Seoul hour too).
type StoreHour struct {
	Hour   time.Time
	Issued int // coupons claimed in the hour
	Used   int // coupons used in the hour
	// Converted is how many of the coupons claimed in the hour were used,
	// whenever.
	Converted int
	// Bands splits Issued by the distance from the store to where each was
	// claimed: DistanceBandMeters, then BandFar and BandNoLocation.
	Bands [8]int
}

const msPerHour = int64(time.Hour / time.Millisecond)

// StoreHours returns the store's counters for the hours that hold any in
// [from, to), oldest first. Triggers keep them as coupons are claimed and
// used (migration 0006), so this reads one row an hour, never coupons.
func (db *DB) StoreHours(ctx context.Context, storeID int64, from, to time.Time) ([]StoreHour, error) {
	fromHour := floorDiv(millis(from), msPerHour)
	toHour := floorDiv(millis(to)+msPerHour-1, msPerHour) // the hour holding to-1ms, inclusive bound below
	rows, err := db.read.QueryContext(ctx, `SELECT hour, issued, used, converted, d100, d200, d400, d800, d1600, d3200, dfar, dnone
		FROM store_hours WHERE store_id = ? AND hour >= ? AND hour < ? ORDER BY hour`, storeID, fromHour, toHour)
	if err != nil {
		return nil, fmt.Errorf("store hours: %w", err)
	}
	defer rows.Close()
	var out []StoreHour
	for rows.Next() {
		var h StoreHour
		var hour int64
		b := &h.Bands
		if err := rows.Scan(&hour, &h.Issued, &h.Used, &h.Converted, &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &b[6], &b[7]); err != nil {
			return nil, err
		}
		h.Hour = fromMillis(hour * msPerHour)
		out = append(out, h)
	}
	return out, rows.Err()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// EventOutcome is how one event of a store went: for recommendations.
type EventOutcome struct {
	EventID int64
	Name    string
	StartAt time.Time
	EndAt   time.Time
	Total   int
	Issued  int
	Used    int
	// SoldOutAt is when its last coupon was claimed; zero while it has
	// coupons left.
	SoldOutAt time.Time
}

// RecentEventOutcomes returns the store's last n events that started
// before now, newest first.
func (db *DB) RecentEventOutcomes(ctx context.Context, storeID int64, n int, now time.Time) ([]EventOutcome, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT e.id, e.name, e.start_at, e.end_at, e.total_count, l.issued, l.used, l.sold_out_at
		FROM coupon_events e JOIN live_events l ON l.event_id = e.id
		WHERE e.store_id = ? AND e.start_at <= ? ORDER BY e.start_at DESC, e.id DESC LIMIT ?`, storeID, millis(now), n)
	if err != nil {
		return nil, fmt.Errorf("recent events: %w", err)
	}
	defer rows.Close()
	var out []EventOutcome
	for rows.Next() {
		var o EventOutcome
		var start, end int64
		var soldOut sql.NullInt64
		if err := rows.Scan(&o.EventID, &o.Name, &start, &end, &o.Total, &o.Issued, &o.Used, &soldOut); err != nil {
			return nil, err
		}
		o.StartAt, o.EndAt, o.SoldOutAt = fromMillis(start), fromMillis(end), fromNullMillis(soldOut)
		out = append(out, o)
	}
	return out, rows.Err()
}

// StoreSummary is a store's counters summed over a period in SQL: what a
// dashboard shows, at a cost that grows with the buckets, not the hours.
type StoreSummary struct {
	// Buckets are the bucket starts (Seoul days or hours) that hold any
	// counts, oldest first.
	Buckets []SummaryBucket
	// Heatmap counts uses by Seoul weekday (0 = Sunday) and hour.
	Heatmap   [7][24]int
	Issued    int
	Converted int
	Bands     [8]int // as StoreHour.Bands
}

// SummaryBucket is one bucket of a StoreSummary.
type SummaryBucket struct {
	Start        time.Time
	Issued, Used int
}

// seoulOffsetHours is Asia/Seoul's offset: no daylight saving since 1988.
const seoulOffsetHours = 9

// StoreSummary sums the store's counters over the hours of [from, to), in
// buckets of bucketHours (1 or 24; days are Seoul days).
func (db *DB) StoreSummary(ctx context.Context, storeID int64, from, to time.Time, bucketHours int) (StoreSummary, error) {
	var s StoreSummary
	fromHour := floorDiv(millis(from), msPerHour)
	toHour := floorDiv(millis(to)+msPerHour-1, msPerHour)
	rows, err := db.read.QueryContext(ctx, `SELECT (hour + ?1) / ?2, SUM(issued), SUM(used) FROM store_hours
		WHERE store_id = ?3 AND hour >= ?4 AND hour < ?5 GROUP BY 1 ORDER BY 1`, seoulOffsetHours, bucketHours, storeID, fromHour, toHour)
	if err != nil {
		return s, fmt.Errorf("store summary: %w", err)
	}
	for rows.Next() {
		var b SummaryBucket
		var n int64
		if err := rows.Scan(&n, &b.Issued, &b.Used); err != nil {
			rows.Close()
			return s, err
		}
		b.Start = fromMillis((n*int64(bucketHours) - seoulOffsetHours) * msPerHour)
		s.Buckets = append(s.Buckets, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, err
	}
	// 1970-01-01 was a Thursday (4).
	rows, err = db.read.QueryContext(ctx, `SELECT ((hour + ?1) / 24 + 4) % 7, (hour + ?1) % 24, SUM(used) FROM store_hours
		WHERE store_id = ?2 AND hour >= ?3 AND hour < ?4 AND used > 0 GROUP BY 1, 2`, seoulOffsetHours, storeID, fromHour, toHour)
	if err != nil {
		return s, fmt.Errorf("store summary: %w", err)
	}
	for rows.Next() {
		var day, hour, n int
		if err := rows.Scan(&day, &hour, &n); err != nil {
			rows.Close()
			return s, err
		}
		s.Heatmap[day][hour] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, err
	}
	b := &s.Bands
	err = db.read.QueryRowContext(ctx, `SELECT IFNULL(SUM(issued), 0), IFNULL(SUM(converted), 0), IFNULL(SUM(d100), 0), IFNULL(SUM(d200), 0),
		IFNULL(SUM(d400), 0), IFNULL(SUM(d800), 0), IFNULL(SUM(d1600), 0), IFNULL(SUM(d3200), 0), IFNULL(SUM(dfar), 0), IFNULL(SUM(dnone), 0)
		FROM store_hours WHERE store_id = ? AND hour >= ? AND hour < ?`, storeID, fromHour, toHour).
		Scan(&s.Issued, &s.Converted, &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &b[6], &b[7])
	if err != nil {
		return s, fmt.Errorf("store summary: %w", err)
	}
	return s, nil
}
