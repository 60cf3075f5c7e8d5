package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/couponpop/couponpop"
)

// ClaimRequest is a member's claim on an event's coupon.
type ClaimRequest struct {
	EventID  int64
	MemberID int64
	// HasLocation says Latitude and Longitude were sent.
	HasLocation         bool
	Latitude, Longitude float64
	// IdempotencyKey, when set, makes a replay return the first answer.
	IdempotencyKey string
}

// ClaimResult is a granted claim.
type ClaimResult struct {
	CouponID int64
	Position Position
}

// ClaimOptions tune the claim writer.
type ClaimOptions struct {
	// BatchMax is the most claims one transaction commits; 1 commits each
	// claim on its own (the slow baseline). 0 means 512.
	BatchMax int
	// BatchWait is how long a batch waits for more claims after the first
	// while claims arrive together: the batch before it held more than one,
	// or claims were queued behind it (as PostgreSQL's commit_delay waits
	// only with commit_siblings). A lone claim commits at once. 0 takes
	// only what is already queued.
	BatchWait time.Duration
	// waitAlone makes every batch wait (tests that need claims in one
	// batch: WaitAlone in export_test).
	waitAlone bool
	// Confirm, when set, must return nil before the claims of a committed
	// batch are answered: e.g. until a replica has applied the position
	// (claim-ack=replica). The writer goes on committing meanwhile. An error
	// fails the batch's claims as unavailable: they are committed here, and
	// a retry with the same Idempotency-Key returns the coupon.
	Confirm func(ctx context.Context, pos Position) error
	// Observe, when set, is told of every claim transaction the writer
	// ran, from its own goroutine: how many claims it held, how long it
	// took from BEGIN to the end of COMMIT, and its error (nil when it
	// committed). It must not block.
	Observe func(claims int, took time.Duration, err error)
}

// idempotencyTTL is how long a claim's first answer is replayed.
const idempotencyTTL = 24 * time.Hour

// confirmTimeout bounds how long a committed claim waits for
// ClaimOptions.Confirm before it is answered 503.
const confirmTimeout = 5 * time.Second

// Claim grants one coupon of the event to the member, or says why not. Every
// claim of the shard goes through one writer goroutine that commits claims
// in batches. A claim writes at most one statement, or runs in a savepoint
// of its own, so a refused or failed claim never fails its batch. Oversell
// cannot happen: the batch grants only while its count of the event stays
// under the total, the issued count only grows under "issued + taken <=
// total" (and its CHECK), and (member, event) is unique. Once Close has
// begun, a claim not yet queued is refused with EUNAVAILABLE; one queued is
// still answered.
func (db *DB) Claim(ctx context.Context, req ClaimRequest) (ClaimResult, error) {
	if err := db.claims.closing(); err != nil {
		return ClaimResult{}, err
	}
	if req.IdempotencyKey != "" {
		if res, err, ok := db.replayClaim(ctx, db.read, req); ok {
			if err == nil {
				err = db.confirmReplay(ctx, res.Position)
			}
			return res, err
		}
	}
	if err := db.gates.check(ctx, db, req); err != nil {
		return ClaimResult{}, err
	}
	c := &pendingClaim{req: req, done: make(chan struct{})}
	if err := db.claims.enqueue(ctx, c); err != nil {
		return ClaimResult{}, err
	}
	<-c.done // once queued, the answer always comes: it may already be committed
	return c.res, c.err
}

// location is where the member claims from, or nil when not sent.
func (req ClaimRequest) location() *couponpop.LatLng {
	if !req.HasLocation {
		return nil
	}
	return &couponpop.LatLng{Lat: req.Latitude, Lng: req.Longitude}
}

// ClaimStats returns how many claim transactions this node's writer has
// committed and how many claims they held.
func (db *DB) ClaimStats() (batches, claims int64) {
	return db.claims.batches.Load(), db.claims.claims.Load()
}

// replayClaim returns the stored first answer of an idempotent claim.
func (db *DB) replayClaim(ctx context.Context, q queryRower, req ClaimRequest) (ClaimResult, error, bool) {
	var couponID sql.NullInt64
	var code, msg string
	err := q.QueryRowContext(ctx, `SELECT coupon_id, code, message FROM idempotency_keys
		WHERE member_id = ? AND key = ? AND created_at > ?`, req.MemberID, req.IdempotencyKey,
		millis(db.now().Add(-idempotencyTTL))).Scan(&couponID, &code, &msg)
	if err != nil {
		return ClaimResult{}, nil, false
	}
	if code != "" {
		return ClaimResult{}, couponpop.Errorf(code, "%s", msg), true
	}
	pos, err := db.Position(ctx)
	return ClaimResult{CouponID: couponID.Int64, Position: pos}, err, true
}

// confirmReplay holds a replayed claim to the writer's rule: with
// opts.Confirm set, it is answered only once a replica has the position. A
// retry after "committed but not confirmed" would otherwise be acknowledged
// while still unconfirmed.
func (db *DB) confirmReplay(ctx context.Context, pos Position) error {
	if db.claimOpts.Confirm == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, confirmTimeout)
	defer cancel()
	if err := db.claimOpts.Confirm(ctx, pos); err != nil {
		return notConfirmed(err)
	}
	return nil
}

// notConfirmed is the answer to a claim committed here that no replica
// confirmed.
func notConfirmed(err error) error {
	return couponpop.Errorf(couponpop.EUNAVAILABLE,
		"your claim was committed on the primary but no replica confirmed it in time, so a failover could lose it; retry with the same Idempotency-Key (%v)", err)
}

// alreadyIssued returns COUPON_ALREADY_ISSUED when the member holds a
// coupon of the event: that answer wins over any other refusal.
func alreadyIssued(ctx context.Context, q queryRower, req ClaimRequest) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM coupons WHERE member_id = ? AND event_id = ?`, req.MemberID, req.EventID).Scan(&one)
	switch {
	case err == nil:
		return couponpop.Errorf(couponpop.ECouponAlreadyIssued, "you already have a coupon of event %d", req.EventID)
	case errors.Is(err, sql.ErrNoRows):
		return nil
	default:
		return err
	}
}
