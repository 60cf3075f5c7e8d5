package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/couponpop/couponpop"
)

const eventColumns = `id, store_id, member_id, name, start_at, end_at, total_count, issued_count, used_count, status,
	claim_radius_meters, coupon_valid_hours, created_at, updated_at`

// CreateEvent inserts e and sets its ID and times.
func (db *DB) CreateEvent(ctx context.Context, e *couponpop.Event) (Position, error) {
	return db.update(ctx, func(tx *Tx) error {
		now := millis(tx.now)
		e.Status = couponpop.EventActive
		err := tx.QueryRowContext(ctx, `INSERT INTO coupon_events (store_id, member_id, name, start_at, end_at, total_count,
			status, claim_radius_meters, coupon_valid_hours, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			e.StoreID, e.MemberID, e.Name, millis(e.StartAt), millis(e.EndAt), e.TotalCount, e.Status,
			nullIfZero(e.ClaimRadiusMeters), nullIfZero(e.CouponValidHours), now, now).Scan(&e.ID)
		e.CreatedAt, e.UpdatedAt = tx.now, tx.now
		return err
	})
}

// EventByID returns an event or EVENT_NOT_FOUND.
func (db *DB) EventByID(ctx context.Context, id int64) (*couponpop.Event, error) {
	return eventByID(ctx, db.read, id)
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// eventByIDSQL reads one event by its ID.
const eventByIDSQL = `SELECT ` + eventColumns + ` FROM coupon_events WHERE id = ?`

func eventByID(ctx context.Context, q queryRower, id int64) (*couponpop.Event, error) {
	return eventFromRow(q.QueryRowContext(ctx, eventByIDSQL, id), id)
}

// eventFromRow scans the row of eventByIDSQL for event id, or returns
// EVENT_NOT_FOUND.
func eventFromRow(row *sql.Row, id int64) (*couponpop.Event, error) {
	e, err := scanEvent(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, couponpop.Errorf(couponpop.EEventNotFound, "event %d not found", id)
	}
	return e, err
}

// EventCursor is the keyset position after the last event of a page.
type EventCursor struct {
	StartAt, EndAt time.Time
	EventID        int64
}

// EventsByStore lists a store's events in the given phase at now (any phase
// when ""), newest start first, size at most, after cursor (nil: first page).
func (db *DB) EventsByStore(ctx context.Context, storeID int64, phase string, now time.Time, after *EventCursor, size int) ([]*couponpop.Event, error) {
	var where []string
	args := []any{storeID}
	n := millis(now)
	switch phase {
	case couponpop.PhaseScheduled:
		where, args = append(where, "start_at > ?"), append(args, n)
	case couponpop.PhaseInProgress:
		where, args = append(where, "start_at <= ? AND end_at > ?"), append(args, n, n)
	case couponpop.PhaseCompleted:
		where, args = append(where, "end_at <= ?"), append(args, n)
	}
	if after != nil {
		where = append(where, "(start_at, end_at, id) < (?, ?, ?)")
		args = append(args, millis(after.StartAt), millis(after.EndAt), after.EventID)
	}
	q := `SELECT ` + eventColumns + ` FROM coupon_events WHERE store_id = ?`
	for _, w := range where {
		q += " AND " + w
	}
	q += ` ORDER BY start_at DESC, end_at DESC, id DESC LIMIT ?`
	return db.queryEvents(ctx, q, append(args, size)...)
}

// RunningEvents returns the active events of the given stores that run at
// now and still have coupons, soonest ending first.
func (db *DB) RunningEvents(ctx context.Context, storeIDs []int64, now time.Time) ([]*couponpop.Event, error) {
	if len(storeIDs) == 0 {
		return nil, nil
	}
	args := []any{millis(now), millis(now)}
	for _, id := range storeIDs {
		args = append(args, id)
	}
	return db.queryEvents(ctx, `SELECT `+eventColumns+` FROM coupon_events
		WHERE start_at <= ? AND end_at > ? AND status = 'ACTIVE' AND issued_count < total_count
		AND store_id IN (?`+strings.Repeat(",?", len(storeIDs)-1)+`) ORDER BY end_at, id`, args...)
}

// PatchEvent applies an owner's change: a status, or more coupons. A
// canceled event stays canceled; canceling releases nothing already issued.
func (db *DB) PatchEvent(ctx context.Context, id int64, p couponpop.EventPatch) (*couponpop.Event, Position, error) {
	var e *couponpop.Event
	pos, err := db.update(ctx, func(tx *Tx) error {
		var err error
		if e, err = eventByID(ctx, tx, id); err != nil {
			return err
		}
		if e.Status == couponpop.EventCanceled {
			return couponpop.Errorf(couponpop.EEventNotActive, "event %d is canceled", id)
		}
		if p.Status != nil {
			e.Status = *p.Status
		}
		if p.AddCount != nil {
			e.TotalCount += *p.AddCount
		}
		e.UpdatedAt = tx.now
		_, err = tx.ExecContext(ctx, `UPDATE coupon_events SET status = ?, total_count = ?, updated_at = ? WHERE id = ?`,
			e.Status, e.TotalCount, millis(tx.now), id)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	db.forgetEvent(id)
	return e, pos, nil
}

// CouponStats are the coupon sums over a store's events.
type CouponStats struct {
	Total, Unclaimed, Issued, Used, Unused int
	LastEventEndAt                         time.Time // zero when the store has no event
}

// StoreStats sums the events of each store, per event (never multiplied by
// coupon rows).
func (db *DB) StoreStats(ctx context.Context, storeIDs []int64) (map[int64]CouponStats, error) {
	out := make(map[int64]CouponStats, len(storeIDs))
	if len(storeIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(storeIDs))
	for i, id := range storeIDs {
		args[i] = id
	}
	rows, err := db.read.QueryContext(ctx, `SELECT store_id, SUM(total_count), SUM(issued_count), SUM(used_count), MAX(end_at)
		FROM coupon_events WHERE store_id IN (?`+strings.Repeat(",?", len(storeIDs)-1)+`) GROUP BY store_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, lastEnd int64
		var st CouponStats
		if err := rows.Scan(&id, &st.Total, &st.Issued, &st.Used, &lastEnd); err != nil {
			return nil, err
		}
		st.Unclaimed, st.Unused, st.LastEventEndAt = st.Total-st.Issued, st.Issued-st.Used, fromMillis(lastEnd)
		out[id] = st
	}
	return out, rows.Err()
}

func (db *DB) queryEvents(ctx context.Context, query string, args ...any) ([]*couponpop.Event, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*couponpop.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func scanEvent(row scanner) (*couponpop.Event, error) {
	var e couponpop.Event
	var start, end, created, updated int64
	var radius sql.NullFloat64
	var validHours sql.NullInt64
	err := row.Scan(&e.ID, &e.StoreID, &e.MemberID, &e.Name, &start, &end, &e.TotalCount, &e.IssuedCount, &e.UsedCount,
		&e.Status, &radius, &validHours, &created, &updated)
	if err != nil {
		return nil, err
	}
	e.StartAt, e.EndAt, e.CreatedAt, e.UpdatedAt = fromMillis(start), fromMillis(end), fromMillis(created), fromMillis(updated)
	e.ClaimRadiusMeters, e.CouponValidHours = radius.Float64, int(validHours.Int64)
	return &e, nil
}

func nullIfZero[T int | float64](v T) any {
	if v == 0 {
		return nil
	}
	return v
}
