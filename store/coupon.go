package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/couponpop/couponpop"
	sqlite3 "github.com/mattn/go-sqlite3"
)

const couponColumns = `id, event_id, member_id, store_id, status, issued_at, expire_at, used_at, event_end_at`

// CouponByID returns a coupon or COUPON_NOT_FOUND.
func (db *DB) CouponByID(ctx context.Context, id int64) (*couponpop.Coupon, error) {
	return couponByID(ctx, db.read, id)
}

func couponByID(ctx context.Context, q queryRower, id int64) (*couponpop.Coupon, error) {
	c, err := scanCoupon(q.QueryRowContext(ctx, `SELECT `+couponColumns+` FROM coupons WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, couponpop.Errorf(couponpop.ECouponNotFound, "coupon %d not found", id)
	}
	return c, err
}

// CouponCursor is the keyset position after the last coupon of a page.
type CouponCursor struct {
	EventEndAt time.Time
	CouponID   int64
}

// CouponsByMember lists a member's coupons of one status in this shard:
// ISSUED ones soonest-ending first, the others newest first.
func (db *DB) CouponsByMember(ctx context.Context, memberID int64, status string, after *CouponCursor, size int) ([]*couponpop.Coupon, error) {
	cmp, order := ">", "ASC"
	if status != couponpop.CouponIssued {
		cmp, order = "<", "DESC"
	}
	q := `SELECT ` + couponColumns + ` FROM coupons WHERE member_id = ? AND status = ?`
	args := []any{memberID, status}
	if after != nil {
		q += ` AND (event_end_at, id) ` + cmp + ` (?, ?)`
		args = append(args, millis(after.EventEndAt), after.CouponID)
	}
	q += ` ORDER BY event_end_at ` + order + `, id ` + order + ` LIMIT ?`
	rows, err := db.read.QueryContext(ctx, q, append(args, size)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*couponpop.Coupon
	for rows.Next() {
		c, err := scanCoupon(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Use is a request to spend a coupon with a checked QR code.
type Use struct {
	CouponID int64
	StoreID  int64
	// HolderID is the member who must hold the coupon; 0 when the store's
	// owner redeems it.
	HolderID int64
	// Nonce identifies the QR code: each code works once.
	Nonce string
}

// UseCoupon marks a coupon used, checking in the API's order: the coupon
// exists, belongs to the store, to the holder, is not used, still issued and
// not expired; the code is spent in the same transaction.
func (db *DB) UseCoupon(ctx context.Context, u Use) (*couponpop.Coupon, Position, error) {
	var c *couponpop.Coupon
	pos, err := db.update(ctx, func(tx *Tx) error {
		var err error
		if c, err = couponByID(ctx, tx, u.CouponID); err != nil {
			return err
		}
		switch {
		case c.StoreID != u.StoreID:
			return couponpop.Errorf(couponpop.EStoreNotMatchedWithCoupon, "coupon %d is not for store %d", c.ID, u.StoreID)
		case u.HolderID != 0 && c.MemberID != u.HolderID:
			return couponpop.Errorf(couponpop.ECouponAccessDenied, "coupon %d is not yours", c.ID)
		case c.Status == couponpop.CouponUsed:
			return couponpop.Errorf(couponpop.ECouponAlreadyUsed, "coupon %d was already used", c.ID)
		case c.Status == couponpop.CouponExpired || (c.Status == couponpop.CouponIssued && !tx.now.Before(c.ExpireAt)):
			return couponpop.Errorf(couponpop.ECouponExpired, "coupon %d expired at %s", c.ID, couponpop.FormatTime(c.ExpireAt))
		case c.Status != couponpop.CouponIssued:
			return couponpop.Errorf(couponpop.ECouponNotAvailable, "coupon %d is %s", c.ID, c.Status)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO used_codes (nonce, used_at) VALUES (?, ?)`, u.Nonce, millis(tx.now))
		if isConstraint(err, sqlite3.ErrConstraintPrimaryKey) || isConstraint(err, sqlite3.ErrConstraintUnique) {
			return couponpop.Errorf(couponpop.ECouponInvalidTempCode, "this code was already used; show a fresh one")
		} else if err != nil {
			return err
		}
		return tx.markUsed(ctx, c)
	})
	if err != nil {
		return nil, 0, err
	}
	return c, pos, nil
}

// markUsed records the use of c: status, the event's used count, history
// and the outbox message.
func (tx *Tx) markUsed(ctx context.Context, c *couponpop.Coupon) error {
	now := millis(tx.now)
	if _, err := tx.ExecContext(ctx, `UPDATE coupons SET status = 'USED', used_at = ? WHERE id = ?`, now, c.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE coupon_events SET used_count = used_count + 1, updated_at = ? WHERE id = ?`, now, c.EventID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO coupon_history (coupon_id, member_id, event_id, store_id, action, at)
		VALUES (?, ?, ?, ?, 'USED', ?)`, c.ID, c.MemberID, c.EventID, c.StoreID, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, couponOutboxSQL(outboxUsed, `id = ?`), c.ID); err != nil {
		return err
	}
	c.Status, c.UsedAt = couponpop.CouponUsed, tx.now
	return nil
}

// ExpireCoupons turns ISSUED coupons past their expiry into EXPIRED ones,
// with history rows, and returns how many it expired. Running it twice
// expires nothing twice.
func (db *DB) ExpireCoupons(ctx context.Context) (int, Position, error) {
	var n int64
	pos, err := db.update(ctx, func(tx *Tx) error {
		now := millis(tx.now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO coupon_history (coupon_id, member_id, event_id, store_id, action, at)
			SELECT id, member_id, event_id, store_id, 'EXPIRED', ? FROM coupons WHERE status = 'ISSUED' AND expire_at <= ?`, now, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE coupons SET status = 'EXPIRED' WHERE status = 'ISSUED' AND expire_at <= ?`, now)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), pos, err
}

// CountCoupons returns the number of coupon rows of an event (for checks
// that issued counts match).
func (db *DB) CountCoupons(ctx context.Context, eventID int64) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM coupons WHERE event_id = ?`, eventID).Scan(&n)
	return n, err
}

// CheckIssuedCounts returns the events whose issued count differs from their
// coupon rows: none, unless something is badly wrong.
func (db *DB) CheckIssuedCounts(ctx context.Context) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT e.id FROM coupon_events e
		WHERE e.issued_count != (SELECT COUNT(*) FROM coupons c WHERE c.event_id = e.id) OR e.issued_count > e.total_count`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var bad []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		bad = append(bad, id)
	}
	return bad, rows.Err()
}

func scanCoupon(row scanner) (*couponpop.Coupon, error) {
	var c couponpop.Coupon
	var issued, expire, end int64
	var used sql.NullInt64
	if err := row.Scan(&c.ID, &c.EventID, &c.MemberID, &c.StoreID, &c.Status, &issued, &expire, &used, &end); err != nil {
		return nil, err
	}
	c.IssuedAt, c.ExpireAt, c.UsedAt, c.EventEndAt = fromMillis(issued), fromMillis(expire), fromNullMillis(used), fromMillis(end)
	return &c, nil
}
