package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// LocationReport is a device's last accepted location (shard 0), with the
// start of its stay in each area it is in (area id → time).
type LocationReport struct {
	Latitude, Longitude float64
	At                  time.Time
	Entered             map[string]time.Time
}

// LastLocation returns the device's last report, or ok false (none, or
// older than maxAge: locations are kept at most a day).
func (db *DB) LastLocation(ctx context.Context, memberID int64, device string, maxAge time.Duration) (LocationReport, bool, error) {
	var r LocationReport
	var at int64
	var areas string
	err := db.read.QueryRowContext(ctx, `SELECT latitude, longitude, at, areas FROM location_reports
		WHERE member_id = ? AND device_identifier = ?`, memberID, device).Scan(&r.Latitude, &r.Longitude, &at, &areas)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	} else if err != nil {
		return r, false, err
	}
	r.At = fromMillis(at)
	if db.now().Sub(r.At) > maxAge {
		return LocationReport{}, false, nil
	}
	var ms map[string]int64
	if err := json.Unmarshal([]byte(areas), &ms); err != nil {
		return r, false, err
	}
	r.Entered = make(map[string]time.Time, len(ms))
	for id, t := range ms {
		r.Entered[id] = fromMillis(t)
	}
	return r, true, nil
}

// SaveLocation replaces the device's last report, records the events it
// pushes about (pushedEvents) and queues their pushes in shard 0's outbox,
// in one transaction.
func (db *DB) SaveLocation(ctx context.Context, memberID int64, device string, r LocationReport, pushedEvents []int64, pushes []OutboxPush) (Position, error) {
	ms := make(map[string]int64, len(r.Entered))
	for id, t := range r.Entered {
		ms[id] = millis(t)
	}
	areas, _ := json.Marshal(ms)
	return db.update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO location_reports (member_id, device_identifier, latitude, longitude, at, areas)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (member_id, device_identifier) DO UPDATE SET latitude = excluded.latitude,
			longitude = excluded.longitude, at = excluded.at, areas = excluded.areas`,
			memberID, device, r.Latitude, r.Longitude, millis(r.At), string(areas)); err != nil {
			return err
		}
		for _, id := range pushedEvents {
			if _, err := tx.ExecContext(ctx, `INSERT INTO area_pushes (member_id, event_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
				memberID, id, millis(tx.now)); err != nil {
				return err
			}
		}
		return insertPushes(ctx, tx, pushes)
	})
}

// AreaPushState says how many area pushes the member got in [from, to) and
// which of eventIDs they were ever pushed about.
func (db *DB) AreaPushState(ctx context.Context, memberID int64, from, to time.Time, eventIDs []int64) (int, map[int64]bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM area_pushes WHERE member_id = ? AND at >= ? AND at < ?`,
		memberID, millis(from), millis(to)).Scan(&n); err != nil {
		return 0, nil, err
	}
	pushed := map[int64]bool{}
	for _, id := range eventIDs {
		var one int
		err := db.read.QueryRowContext(ctx, `SELECT 1 FROM area_pushes WHERE member_id = ? AND event_id = ?`, memberID, id).Scan(&one)
		if err == nil {
			pushed[id] = true
		} else if !errors.Is(err, sql.ErrNoRows) {
			return 0, nil, err
		}
	}
	return n, pushed, nil
}

// HasCoupon reports whether the member holds a coupon of the event (any
// status).
func (db *DB) HasCoupon(ctx context.Context, memberID, eventID int64) (bool, error) {
	var one int
	err := db.read.QueryRowContext(ctx, `SELECT 1 FROM coupons WHERE member_id = ? AND event_id = ?`, memberID, eventID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
