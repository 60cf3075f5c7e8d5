package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Outbox message kinds: a coupon's issue and use (district shards), and a
// push decided whole elsewhere (OutboxPush).
const (
	outboxIssued = "COUPON_ISSUED"
	outboxUsed   = "COUPON_USED"
	OutboxPushed = "PUSH"
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

// OutboxMessage is one row of an outbox: a change announced in the
// transaction that made it (COUPON_ISSUED, COUPON_USED), or a push
// decided in it (PUSH).
type OutboxMessage struct {
	ID        int64
	Kind      string
	TraceID   string
	MemberID  int64        // whom it is for
	Coupon    OutboxCoupon // the payload of the coupon kinds
	Message   string       // kind PUSH: the message, as OutboxPush holds it
	CreatedAt time.Time
}

// OutboxPush is a push decided whole in a transaction (an advertisement,
// an expiry reminder) and written to its shard's outbox as kind PUSH, so
// that the shard's dispatcher sends it as it sends a coupon's: deduplicated
// by TraceID, retried, recorded, and never lost to a crash.
type OutboxPush struct {
	MemberID int64
	TraceID  string // fixed per decision: shard 0's outbox writes a trace id once
	Message  []byte // JSON, as the dispatcher reads it (a push.Message)
}

// insertPushes writes pushes to tx's outbox; one whose trace id shard 0's
// outbox already holds is skipped.
func insertPushes(ctx context.Context, tx *Tx, pushes []OutboxPush) error {
	for _, p := range pushes {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO outbox (kind, trace_id, payload, created_at)
			VALUES ('`+OutboxPushed+`', ?, json_object('type', '`+OutboxPushed+`', 'memberId', ?, 'message', json(?)), ?)`,
			p.TraceID, p.MemberID, string(p.Message), millis(tx.now)); err != nil {
			return fmt.Errorf("outbox push %s: %w", p.TraceID, err)
		}
	}
	return nil
}

// EnqueuePushes writes pushes to the outbox in one transaction.
func (db *DB) EnqueuePushes(ctx context.Context, pushes []OutboxPush) (Position, error) {
	return db.update(ctx, func(tx *Tx) error { return insertPushes(ctx, tx, pushes) })
}

// OutboxCoupon is the payload of a coupon's issue or use, as the claim
// writer and UseCoupon write it.
type OutboxCoupon struct {
	Type     string `json:"type"`
	CouponID int64  `json:"couponId"`
	EventID  int64  `json:"eventId"`
	MemberID int64  `json:"memberId"`
	StoreID  int64  `json:"storeId"`
	At       int64  `json:"at"` // Unix ms
}

// PushCursor returns the outbox id up to which every message is handled.
func (db *DB) PushCursor(ctx context.Context) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT outbox_id FROM push_cursor WHERE id = 1`).Scan(&id)
	return id, err
}

// UnsentOutbox returns up to limit messages after id afterID not yet
// handled, in id order.
func (db *DB) UnsentOutbox(ctx context.Context, afterID int64, limit int) ([]OutboxMessage, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox
		WHERE id > ? AND sent_at IS NULL ORDER BY id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// OutboxByID returns one outbox message, or ok false once pruned.
func (db *DB) OutboxByID(ctx context.Context, id int64) (OutboxMessage, bool, error) {
	m, err := scanOutbox(db.read.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, false, nil
	}
	return m, err == nil, err
}

// outboxColumns are what scanOutbox reads: the coupon payload's fields
// come out of the JSON in SQLite (0 for the other kinds), which under a
// claim burst costs the dispatcher a fraction of decoding it in Go.
const outboxColumns = `id, kind, trace_id, created_at, coalesce(payload->>'memberId', 0), coalesce(payload->>'couponId', 0),
	coalesce(payload->>'eventId', 0), coalesce(payload->>'storeId', 0), coalesce(payload->>'at', 0), coalesce(payload->>'type', ''),
	CASE kind WHEN '` + OutboxPushed + `' THEN payload->'message' ELSE '' END`

func scanOutbox(row scanner) (OutboxMessage, error) {
	var m OutboxMessage
	var created int64
	c := &m.Coupon
	if err := row.Scan(&m.ID, &m.Kind, &m.TraceID, &created, &m.MemberID, &c.CouponID, &c.EventID, &c.StoreID, &c.At, &c.Type, &m.Message); err != nil {
		return m, err
	}
	m.CreatedAt = fromMillis(created)
	if m.Kind != OutboxPushed {
		c.MemberID = m.MemberID
	}
	return m, nil
}

// PushedEndpoints returns the endpoints already attempted for traceID
// (delivered, retrying, gone or failed): the dedup record.
func (db *DB) PushedEndpoints(ctx context.Context, traceID string) (map[string]bool, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT endpoint FROM push_deliveries WHERE trace_id = ?`, traceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out[e] = true
	}
	return out, rows.Err()
}

// Delivery states of push_deliveries.
const (
	PushDelivered = "delivered"
	PushRetry     = "retry"
	PushGone      = "gone"
	PushFailed    = "failed"
)

// PushAttempt is one send to one subscription and what came of it.
type PushAttempt struct {
	OutboxID   int64
	TraceID    string
	Kind       string
	MemberID   int64
	Endpoint   string
	Attempt    int    // 1 for the first
	State      string // PushDelivered, PushRetry, PushGone or PushFailed
	StatusCode int
	Error      string
	DueAt      time.Time // the next attempt, in state PushRetry
}

// PushCommit is what a dispatcher records in one transaction.
type PushCommit struct {
	Attempts []PushAttempt
	// Sent are outbox ids whose every subscription has been tried once:
	// they get sent_at, so that a dispatcher resuming below them skips
	// them.
	Sent []int64
	// Cursor, when above the stored cursor, replaces it: every message up
	// to it is handled (sent, or with nobody to send to).
	Cursor int64
}

// CommitPushes records attempts (history and the dedup/retry record),
// marks messages sent and advances the cursor.
func (db *DB) CommitPushes(ctx context.Context, c PushCommit) error {
	if len(c.Attempts) == 0 && len(c.Sent) == 0 && c.Cursor == 0 {
		return nil
	}
	_, err := db.update(ctx, func(tx *Tx) error {
		now := millis(tx.now)
		for _, a := range c.Attempts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notification_history (trace_id, kind, member_id, endpoint, attempt, outcome, status_code, error, at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.TraceID, a.Kind, a.MemberID, a.Endpoint, a.Attempt, a.State, a.StatusCode, a.Error, now); err != nil {
				return err
			}
			var due any
			if a.State == PushRetry {
				due = millis(a.DueAt)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO push_deliveries (trace_id, endpoint, outbox_id, state, attempts, due_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trace_id, endpoint) DO UPDATE SET state = excluded.state,
				attempts = excluded.attempts, due_at = excluded.due_at, updated_at = excluded.updated_at`,
				a.TraceID, a.Endpoint, a.OutboxID, a.State, a.Attempt, due, now); err != nil {
				return err
			}
		}
		if len(c.Sent) > 0 {
			sent, err := json.Marshal(c.Sent)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET sent_at = ?, attempts = attempts + 1
				WHERE id IN (SELECT value FROM json_each(?))`, now, string(sent)); err != nil {
				return err
			}
		}
		if c.Cursor == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE push_cursor SET outbox_id = ?1 WHERE id = 1 AND outbox_id < ?1`, c.Cursor)
		return err
	})
	return err
}

// DuePush is a send due again.
type DuePush struct {
	OutboxID int64
	TraceID  string
	Endpoint string
	Attempts int // failed so far
}

// DuePushRetries returns up to limit sends in state retry due by now,
// soonest first.
func (db *DB) DuePushRetries(ctx context.Context, now time.Time, limit int) ([]DuePush, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT outbox_id, trace_id, endpoint, attempts FROM push_deliveries
		WHERE state = 'retry' AND due_at <= ? ORDER BY due_at LIMIT ?`, millis(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DuePush
	for rows.Next() {
		var r DuePush
		if err := rows.Scan(&r.OutboxID, &r.TraceID, &r.Endpoint, &r.Attempts); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// NotificationHistory is one recorded attempt.
type NotificationHistory struct {
	TraceID    string
	Kind       string
	MemberID   int64
	Endpoint   string
	Attempt    int
	Outcome    string
	StatusCode int
	At         time.Time
}

// NotificationHistoryOf returns the attempts recorded for a member, oldest
// first.
func (db *DB) NotificationHistoryOf(ctx context.Context, memberID int64) ([]NotificationHistory, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT trace_id, kind, member_id, endpoint, attempt, outcome, status_code, at
		FROM notification_history WHERE member_id = ? ORDER BY id`, memberID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []NotificationHistory
	for rows.Next() {
		var h NotificationHistory
		var at int64
		if err := rows.Scan(&h.TraceID, &h.Kind, &h.MemberID, &h.Endpoint, &h.Attempt, &h.Outcome, &h.StatusCode, &at); err != nil {
			return nil, err
		}
		h.At = fromMillis(at)
		out = append(out, h)
	}
	return out, rows.Err()
}
