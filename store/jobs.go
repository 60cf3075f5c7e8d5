package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// CouponUse is one USED history row of a district shard with its store's
// dong: the usage-stats job's input.
type CouponUse struct {
	MemberID int64     `json:"memberId"`
	CouponID int64     `json:"couponId"`
	Dong     string    `json:"dong"`
	At       time.Time `json:"at"`
}

// CouponUses returns the coupon uses in [from, to), oldest first.
func (db *DB) CouponUses(ctx context.Context, from, to time.Time) ([]CouponUse, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT h.member_id, h.coupon_id, COALESCE(s.dong, ''), h.at
		FROM coupon_history h LEFT JOIN stores s ON s.id = h.store_id
		WHERE h.action = 'USED' AND h.at >= ? AND h.at < ? ORDER BY h.at, h.id`, millis(from), millis(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CouponUse
	for rows.Next() {
		var u CouponUse
		var at int64
		if err := rows.Scan(&u.MemberID, &u.CouponID, &u.Dong, &at); err != nil {
			return nil, err
		}
		u.At = fromMillis(at)
		out = append(out, u)
	}
	return out, rows.Err()
}

// DongEvent is a coupon event with its store's dong: the hourly job's input.
type DongEvent struct {
	EventID int64     `json:"eventId"`
	Dong    string    `json:"dong"`
	StartAt time.Time `json:"startAt"`
	EndAt   time.Time `json:"endAt"`
	Total   int       `json:"total"`
	Issued  int       `json:"issued"`
}

// EventsRunningAt returns the events whose [start, end] holds at, with
// their stores' dongs (sold-out ones included: the job decides).
func (db *DB) EventsRunningAt(ctx context.Context, at time.Time) ([]DongEvent, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT e.id, s.dong, e.start_at, e.end_at, e.total_count, e.issued_count
		FROM coupon_events e JOIN stores s ON s.id = e.store_id
		WHERE e.start_at <= ? AND e.end_at >= ? ORDER BY e.id`, millis(at), millis(at))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DongEvent
	for rows.Next() {
		var e DongEvent
		var start, end int64
		if err := rows.Scan(&e.EventID, &e.Dong, &start, &end, &e.Total, &e.Issued); err != nil {
			return nil, err
		}
		e.StartAt, e.EndAt = fromMillis(start), fromMillis(end)
		out = append(out, e)
	}
	return out, rows.Err()
}

// UsageStat is a stored coupon_usage_stats row; AggregatedAt is the run
// date, YYYY-MM-DD.
type UsageStat struct {
	MemberID     int64
	AggregatedAt string
	TopDong      string
	TopHour      int
}

// ReplaceUsageStats stores the rows of the run for date (shard 0),
// replacing whatever an earlier run for that date stored.
func (db *DB) ReplaceUsageStats(ctx context.Context, date string, rows []UsageStat) (Position, error) {
	return db.update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM coupon_usage_stats WHERE aggregated_at = ?`, date); err != nil {
			return err
		}
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO coupon_usage_stats (member_id, aggregated_at, top_dong, top_hour)
				VALUES (?, ?, ?, ?)`, r.MemberID, date, r.TopDong, r.TopHour); err != nil {
				return err
			}
		}
		return nil
	})
}

// UsageStatsBetween returns the stored rows with from <= date <= to
// (YYYY-MM-DD), by member and date.
func (db *DB) UsageStatsBetween(ctx context.Context, from, to string) ([]UsageStat, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT member_id, aggregated_at, top_dong, top_hour FROM coupon_usage_stats
		WHERE aggregated_at BETWEEN ? AND ? ORDER BY member_id, aggregated_at`, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UsageStat
	for rows.Next() {
		var s UsageStat
		if err := rows.Scan(&s.MemberID, &s.AggregatedAt, &s.TopDong, &s.TopHour); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// JobRun is a recorded run of a scheduled job.
type JobRun struct {
	Name, Run  string
	FinishedAt time.Time
	Result     string
}

// JobRunOf returns the recorded run (name, run), if any (shard 0).
func (db *DB) JobRunOf(ctx context.Context, name, run string) (JobRun, bool, error) {
	j := JobRun{Name: name, Run: run}
	var at int64
	err := db.read.QueryRowContext(ctx, `SELECT finished_at, result FROM job_runs WHERE name = ? AND run = ?`, name, run).Scan(&at, &j.Result)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return j, false, nil
		}
		return j, false, err
	}
	j.FinishedAt = fromMillis(at)
	return j, true, nil
}

// RecordJobRun records that run of job name finished with result (a
// manual rerun overwrites it).
func (db *DB) RecordJobRun(ctx context.Context, name, run, result string) (Position, error) {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO job_runs (name, run, finished_at, result) VALUES (?, ?, ?, ?)
			ON CONFLICT (name, run) DO UPDATE SET finished_at = excluded.finished_at, result = excluded.result`,
			name, run, millis(tx.now), result)
		return err
	})
}

// Retention says how long pruned rows are kept.
type Retention struct {
	Dedup        time.Duration // push_deliveries (the 7-day trace-id dedup) and outbox rows behind the push cursor
	History      time.Duration // notification_history
	Idempotency  time.Duration // idempotency_keys
	UsedCodes    time.Duration // used_codes: past the QR code lifetime
	EndedSession time.Duration // ended_sessions: past the access-token lifetime
	Locations    time.Duration // location_reports
}

// Pruned counts the rows a prune deleted, by table.
type Pruned map[string]int64

// Prune deletes what r no longer keeps: on every shard handled outbox rows
// (at or below the push cursor, none still retrying), finished push
// deliveries and notification history; on a district shard idempotency
// keys and used QR codes; on shard 0 expired revoked tokens and refresh
// tokens, old ended sessions and location reports.
func (db *DB) Prune(ctx context.Context, r Retention) (Pruned, Position, error) {
	out := Pruned{}
	pos, err := db.update(ctx, func(tx *Tx) error {
		now := tx.now
		before := func(d time.Duration) int64 { return millis(now.Add(-d)) }
		var stmts []struct {
			table, sql string
			args       []any
		}
		add := func(table, sql string, args ...any) {
			stmts = append(stmts, struct {
				table, sql string
				args       []any
			}{table, sql, args})
		}
		// Both kinds of shard have an outbox, and its dispatcher's records.
		add("outbox", `DELETE FROM outbox WHERE created_at < ?
			AND id <= (SELECT outbox_id FROM push_cursor WHERE id = 1)
			AND id NOT IN (SELECT outbox_id FROM push_deliveries WHERE state = 'retry')`, before(r.Dedup))
		add("push_deliveries", `DELETE FROM push_deliveries WHERE state != 'retry' AND updated_at < ?`, before(r.Dedup))
		add("notification_history", `DELETE FROM notification_history WHERE at < ?`, before(r.History))
		if db.shard == GlobalShard {
			add("revoked_tokens", `DELETE FROM revoked_tokens WHERE expires_at < ?`, millis(now))
			add("refresh_tokens", `DELETE FROM refresh_tokens WHERE expires_at < ?`, millis(now))
			add("ended_sessions", `DELETE FROM ended_sessions WHERE ended_at < ?`, before(r.EndedSession))
			add("location_reports", `DELETE FROM location_reports WHERE at < ?`, before(r.Locations))
		} else {
			add("idempotency_keys", `DELETE FROM idempotency_keys WHERE created_at < ?`, before(r.Idempotency))
			add("used_codes", `DELETE FROM used_codes WHERE used_at < ?`, before(r.UsedCodes))
		}
		for _, s := range stmts {
			res, err := tx.ExecContext(ctx, s.sql, s.args...)
			if err != nil {
				return fmt.Errorf("prune %s: %w", s.table, err)
			}
			n, _ := res.RowsAffected()
			out[s.table] = n
		}
		return nil
	})
	return out, pos, err
}

// Reminder is an unused coupon due an expiry reminder.
type Reminder struct {
	CouponID, MemberID, EventID int64
	EventName, StoreName        string
	IssuedAt, ExpireAt          time.Time
}

// DueReminders returns up to limit unused, unexpired coupons not yet
// reminded whose reminder time (nudge.RemindAt: expiry minus the smaller of
// 24 h and half the lifetime) has come by now.
func (db *DB) DueReminders(ctx context.Context, now time.Time, limit int) ([]Reminder, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.member_id, c.event_id, e.name, s.name, c.issued_at, c.expire_at
		FROM coupons c JOIN coupon_events e ON e.id = c.event_id JOIN stores s ON s.id = c.store_id
		WHERE c.status = 'ISSUED' AND c.expire_at > ?1
			AND c.expire_at - MIN(86400000, (c.expire_at - c.issued_at) / 2) <= ?1
			AND c.id NOT IN (SELECT coupon_id FROM coupon_reminders)
		ORDER BY c.expire_at LIMIT ?2`, millis(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Reminder
	for rows.Next() {
		var r Reminder
		var issued, expire int64
		if err := rows.Scan(&r.CouponID, &r.MemberID, &r.EventID, &r.EventName, &r.StoreName, &issued, &expire); err != nil {
			return nil, err
		}
		r.IssuedAt, r.ExpireAt = fromMillis(issued), fromMillis(expire)
		out = append(out, r)
	}
	return out, rows.Err()
}

// CouponReminder is a coupon's expiry reminder, ready to send.
type CouponReminder struct {
	CouponID int64
	Push     OutboxPush
}

// Remind records each coupon as reminded and queues its reminder in the
// outbox, in one transaction: a coupon is reminded at most once, and a
// reminder recorded is never lost. It returns how many it queued (a coupon
// reminded before is skipped).
func (db *DB) Remind(ctx context.Context, reminders []CouponReminder) (int, Position, error) {
	queued := 0
	pos, err := db.update(ctx, func(tx *Tx) error {
		queued = 0
		for _, r := range reminders {
			res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO coupon_reminders (coupon_id, at) VALUES (?, ?)`, r.CouponID, millis(tx.now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			if err := insertPushes(ctx, tx, []OutboxPush{r.Push}); err != nil {
				return err
			}
			queued++
		}
		return nil
	})
	return queued, pos, err
}
