package store

import (
	"context"
	"database/sql"
	"time"
)

// LatestEventStart returns the latest start among the events created at or
// before createdBy, zero when there are none.
func (db *DB) LatestEventStart(ctx context.Context, createdBy time.Time) (time.Time, error) {
	var ms sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT MAX(start_at) FROM coupon_events WHERE created_at <= ?`, millis(createdBy)).Scan(&ms)
	if err != nil || !ms.Valid {
		return time.Time{}, err
	}
	return fromMillis(ms.Int64), nil
}

// ShiftEvents moves the start and end of every event created at or before
// createdBy by d (the demo keeps its seeded events current this way).
func (db *DB) ShiftEvents(ctx context.Context, createdBy time.Time, d time.Duration) (Position, error) {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE coupon_events SET start_at = start_at + ?, end_at = end_at + ?, updated_at = ?
			WHERE created_at <= ?`, d.Milliseconds(), d.Milliseconds(), millis(tx.now), millis(createdBy))
		return err
	})
}
