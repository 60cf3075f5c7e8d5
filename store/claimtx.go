package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/couponpop/couponpop"
)

// claimTx is a claim batch's transaction on the writer connection.
type claimTx struct {
	*sql.Tx
	stmts *claimStmts
	now   time.Time
	// events are the events the batch claims, as its transaction sees them.
	events map[int64]*batchEvent
}

// batchEvent is an event as a claim batch's transaction sees it: read when
// the batch first claims it, its issued count kept here as the batch grants
// coupons, and written back once when the batch ends (takeCoupons). The
// batch's transaction holds the shard's write lock, so the row cannot
// change under it.
type batchEvent struct {
	couponpop.Event
	storeAt couponpop.LatLng // read only for an event with a claim radius
	taken   int              // coupons the batch granted
}

// event returns the event as the batch sees it.
func (tx *claimTx) event(ctx context.Context, id int64) (*batchEvent, error) {
	if e := tx.events[id]; e != nil {
		return e, nil
	}
	e, err := eventFromRow(tx.stmt(ctx, tx.stmts.event).QueryRowContext(ctx, id), id)
	if err != nil {
		return nil, err
	}
	be := &batchEvent{Event: *e}
	if e.ClaimRadiusMeters > 0 {
		if be.storeAt, err = storeLocation(ctx, tx, e.StoreID); err != nil {
			return nil, fmt.Errorf("store of event %d: %w", id, err)
		}
	}
	tx.events[id] = be
	return be, nil
}

// stmt returns one of the writer's prepared statements for use in the
// transaction.
func (tx *claimTx) stmt(ctx context.Context, st *sql.Stmt) *sql.Stmt { return tx.StmtContext(ctx, st) }

// takeCoupons adds the coupons the batch granted to each event's issued
// count: one conditional update an event, which refuses (and so fails the
// batch) if the event could not have given them.
func (tx *claimTx) takeCoupons(ctx context.Context) error {
	for id, e := range tx.events {
		if e.taken == 0 {
			continue
		}
		res, err := tx.stmt(ctx, tx.stmts.take).ExecContext(ctx, e.taken, millis(tx.now), id)
		if err != nil {
			return fmt.Errorf("take coupons of event %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return fmt.Errorf("event %d cannot give the %d coupons its claims were granted", id, e.taken)
		}
	}
	return nil
}

// record writes the ISSUED history row and the outbox message of every
// coupon the batch granted, in its transaction: two INSERTs that copy the
// new coupon rows, rather than two statements a claim. The batch's coupons
// are exactly those from its first one on: AUTOINCREMENT gives every new
// row an ID above any the table ever had, the writer's transaction is the
// only one inserting coupons, and a refused claim leaves no row (one whose
// answer could not be remembered is rolled back with its savepoint).
func (tx *claimTx) record(ctx context.Context, first int64) error {
	if _, err := tx.stmt(ctx, tx.stmts.history).ExecContext(ctx, first); err != nil {
		return fmt.Errorf("coupon history: %w", err)
	}
	if _, err := tx.stmt(ctx, tx.stmts.outbox).ExecContext(ctx, first); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

// claimOne runs one claim and says whether it granted a new coupon (not a
// refusal, nor a replay of an earlier answer). Without an Idempotency-Key a
// claim writes one statement, the coupon's INSERT, which is atomic by
// itself; with one, the coupon and its remembered answer are two, so they
// run in a savepoint of their own.
func (w *claimWriter) claimOne(ctx context.Context, tx *claimTx, req ClaimRequest) (res ClaimResult, granted bool, err error) {
	if req.IdempotencyKey == "" {
		res, _, err = w.grant(ctx, tx, req)
		return res, err == nil, err
	}
	if res, err, ok := w.db.replayClaim(ctx, tx, req); ok {
		return res, false, err
	}
	if _, err := tx.ExecContext(ctx, `SAVEPOINT claim`); err != nil {
		return ClaimResult{}, false, err
	}
	res, e, err := w.grant(ctx, tx, req)
	// The answer is remembered, refusals included; a coupon whose answer
	// cannot be remembered is not granted either.
	if err == nil || couponpop.ErrorCode(err) != couponpop.EINTERNAL {
		if rememberErr := tx.remember(ctx, req, res, err); rememberErr != nil {
			if err == nil { // back to the savepoint: the claim wrote nothing
				if _, rbErr := tx.ExecContext(ctx, `ROLLBACK TO claim`); rbErr != nil {
					rememberErr = errors.Join(rememberErr, rbErr)
				}
				e.IssuedCount--
				e.taken--
			}
			res, err = ClaimResult{}, rememberErr
		}
	}
	if _, relErr := tx.ExecContext(ctx, `RELEASE claim`); relErr != nil {
		return ClaimResult{}, false, errors.Join(err, relErr)
	}
	return res, err == nil, err
}

// grant takes one coupon if the event, as the batch sees it, can give one:
// the coupon row (unique per member and event, with where it was claimed),
// and one more for the event's count, written when the batch ends
// (takeCoupons). It returns the event it took from. Its history row and
// outbox message follow with the batch's others (record).
func (w *claimWriter) grant(ctx context.Context, tx *claimTx, req ClaimRequest) (ClaimResult, *batchEvent, error) {
	e, err := tx.event(ctx, req.EventID)
	if err != nil {
		return ClaimResult{}, nil, err
	}
	if err := e.Claimable(tx.now, e.storeAt, req.location()); err != nil {
		return ClaimResult{}, nil, w.refusal(ctx, tx, req, err)
	}
	var lat, lng any
	if req.HasLocation {
		lat, lng = req.Latitude, req.Longitude
	}
	now := millis(tx.now)
	res, err := tx.stmt(ctx, tx.stmts.insert).ExecContext(ctx, req.EventID, req.MemberID, e.StoreID, now, millis(e.CouponExpiry(tx.now)), millis(e.EndAt), lat, lng)
	if err != nil {
		return ClaimResult{}, nil, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return ClaimResult{}, nil, err
	} else if n == 0 {
		return ClaimResult{}, nil, couponpop.Errorf(couponpop.ECouponAlreadyIssued, "you already have a coupon of event %d", req.EventID)
	}
	couponID, err := res.LastInsertId()
	if err != nil {
		return ClaimResult{}, nil, err
	}
	e.IssuedCount++
	e.taken++
	return ClaimResult{CouponID: couponID}, e, nil
}

// refusal is the answer to a claim the event cannot take (why): a member
// who already holds a coupon of the event is told so first.
func (w *claimWriter) refusal(ctx context.Context, tx *claimTx, req ClaimRequest, why error) error {
	if err := alreadyIssued(ctx, tx, req); err != nil {
		return err
	}
	if couponpop.ErrorCode(why) == couponpop.EEventCouponSoldOut {
		w.db.gates.markSoldOut(req.EventID)
	}
	return why
}

// remember stores the first answer to an idempotent claim.
func (tx *claimTx) remember(ctx context.Context, req ClaimRequest, res ClaimResult, claimErr error) error {
	var couponID any
	if claimErr == nil {
		couponID = res.CouponID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (member_id, key, coupon_id, code, message, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (member_id, key) DO UPDATE SET coupon_id = excluded.coupon_id,
		code = excluded.code, message = excluded.message, created_at = excluded.created_at`,
		req.MemberID, req.IdempotencyKey, couponID, couponpop.ErrorCode(claimErr), errMessage(claimErr), millis(tx.now))
	return err
}

func errMessage(err error) string {
	if err == nil {
		return ""
	}
	return couponpop.ErrorMessage(err)
}

// claimStmts are the writer's prepared statements, prepared on the
// single-connection write pool before the first batch: those every batch
// runs (event, position) and those every claim runs.
type claimStmts struct {
	event, position               *sql.Stmt
	take, insert, history, outbox *sql.Stmt
}

func (s *claimStmts) prepare(ctx context.Context, pool *sql.DB) error {
	if s.take != nil {
		return nil
	}
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = pool.PrepareContext(ctx, q)
		return st
	}
	s.event = prep(eventByIDSQL)
	s.position = prep(advancePositionSQL)
	// No RETURNING on the claim path: it costs several times a plain
	// statement.
	s.take = prep(`UPDATE coupon_events SET issued_count = issued_count + ?1, updated_at = ?2
		WHERE id = ?3 AND issued_count + ?1 <= total_count AND status = 'ACTIVE' AND start_at <= ?2 AND end_at > ?2`)
	s.insert = prep(`INSERT INTO coupons (event_id, member_id, store_id, status, issued_at, expire_at, event_end_at, claim_latitude, claim_longitude)
		VALUES (?, ?, ?, 'ISSUED', ?, ?, ?, ?, ?) ON CONFLICT (member_id, event_id) DO NOTHING`)
	// record's copies of the batch's new coupons (from the ID bound).
	s.history = prep(`INSERT INTO coupon_history (coupon_id, member_id, event_id, store_id, action, at, latitude, longitude)
		SELECT id, member_id, event_id, store_id, 'ISSUED', issued_at, claim_latitude, claim_longitude
		FROM coupons WHERE id >= ? ORDER BY id`)
	s.outbox = prep(couponOutboxSQL(outboxIssued, `id >= ? ORDER BY id`))
	if err != nil {
		s.close()
		return err
	}
	return nil
}

// close closes the statements.
func (s *claimStmts) close() {
	for _, st := range []*sql.Stmt{s.event, s.position, s.take, s.insert, s.history, s.outbox} {
		if st != nil {
			st.Close()
		}
	}
	*s = claimStmts{}
}
