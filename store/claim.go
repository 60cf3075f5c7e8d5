package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/couponpop/couponpop"
	sqlite3 "github.com/mattn/go-sqlite3"
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
	// waitAlone makes every batch wait (tests that need claims in one batch).
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

// SetClaimOptions configures the claim writer; call before the first claim.
func (db *DB) SetClaimOptions(opts ClaimOptions) { db.claimOpts = opts }

// Claim grants one coupon of the event to the member, or says why not. Every
// claim of the shard goes through one writer goroutine that commits claims
// in batches. A claim writes at most one statement, or runs in a savepoint
// of its own, so a refused or failed claim never fails its batch. Oversell
// cannot happen: the batch grants only while its count of the event stays
// under the total, the issued count only grows under "issued + taken <=
// total" (and its CHECK), and (member, event) is unique.
func (db *DB) Claim(ctx context.Context, req ClaimRequest) (ClaimResult, error) {
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
	db.claimsOnce.Do(func() { db.claims.Store(startClaimWriter(db, db.claimOpts)) })
	writer := db.claims.Load()
	c := &pendingClaim{req: req, done: make(chan struct{})}
	select {
	case writer.queue <- c:
	case <-ctx.Done():
		return ClaimResult{}, ctx.Err()
	case <-writer.stopped:
		return ClaimResult{}, couponpop.Errorf(couponpop.EUNAVAILABLE, "shard %d is shutting down", db.shard)
	}
	<-c.done // once queued, the answer always comes: it may already be committed
	return c.res, c.err
}

// ClaimStats returns how many claim transactions this node's writer has
// committed and how many claims they held.
func (db *DB) ClaimStats() (batches, claims int64) {
	if w := db.claimWriterIfStarted(); w != nil {
		return w.batches.Load(), w.claims.Load()
	}
	return 0, 0
}

// ClaimCommitTimes returns how long this node's claim transactions took.
func (db *DB) ClaimCommitTimes() CommitTimes {
	if w := db.claimWriterIfStarted(); w != nil {
		return w.times.snapshot()
	}
	return CommitTimes{Counts: make([]int64, len(CommitTimeBounds)+1)}
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

type pendingClaim struct {
	req  ClaimRequest
	res  ClaimResult
	err  error
	done chan struct{}
}

// claimWriter is a shard's single claim-committing goroutine.
type claimWriter struct {
	batches atomic.Int64 // committed transactions
	claims  atomic.Int64 // claims answered from them
	times   commitTimer  // of every transaction, committed or not
	db      *DB
	opts    ClaimOptions
	queue   chan *pendingClaim
	quit    chan struct{}
	stopped chan struct{}
	stmts   claimStmts
	// confirms carries committed batches to the confirmer when
	// opts.Confirm is set.
	confirms  chan committedBatch
	confirmed chan struct{}
}

// committedBatch is a batch whose transaction committed at pos.
type committedBatch struct {
	claims []*pendingClaim
	pos    Position
}

func startClaimWriter(db *DB, opts ClaimOptions) *claimWriter {
	if opts.BatchMax <= 0 {
		opts.BatchMax = 512
	}
	w := &claimWriter{db: db, opts: opts, queue: make(chan *pendingClaim, 4*opts.BatchMax),
		quit: make(chan struct{}), stopped: make(chan struct{})}
	if opts.Confirm != nil {
		w.confirms, w.confirmed = make(chan committedBatch, 1024), make(chan struct{})
		go w.confirm()
	}
	go w.run()
	return w
}

// confirm answers committed batches once opts.Confirm accepts their
// position, confirming everything queued at once with its newest position.
func (w *claimWriter) confirm() {
	defer close(w.confirmed)
	for first := range w.confirms {
		batches := []committedBatch{first}
	more:
		for {
			select {
			case b, ok := <-w.confirms:
				if !ok {
					break more
				}
				batches = append(batches, b)
			default:
				break more
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), confirmTimeout)
		err := w.opts.Confirm(ctx, batches[len(batches)-1].pos)
		cancel()
		for _, b := range batches {
			w.answer(b.claims, b.pos, err)
		}
	}
}

// stop lets the writer finish the claims already queued, then returns.
func (w *claimWriter) stop() {
	close(w.quit)
	<-w.stopped
}

func (w *claimWriter) run() {
	defer close(w.stopped)
	defer w.closeStmts()
	if w.confirms != nil {
		defer func() { close(w.confirms); <-w.confirmed }()
	}
	batch := make([]*pendingClaim, 0, w.opts.BatchMax)
	together := false // claims are arriving together: worth waiting for
	for {
		select {
		case c := <-w.queue:
			batch = w.fill(append(batch[:0], c), together || w.opts.waitAlone)
			w.commit(batch)
			together = len(batch) > 1 || len(w.queue) > 0
		case <-w.quit:
			for {
				select {
				case c := <-w.queue:
					w.commit([]*pendingClaim{c})
				default:
					return
				}
			}
		}
	}
}

// closeStmts closes the writer's statements.
func (w *claimWriter) closeStmts() { w.stmts.close() }

// fill adds queued claims to batch until it is full or nothing more is
// queued; when wait is set, it waits up to BatchWait for more first.
func (w *claimWriter) fill(batch []*pendingClaim, wait bool) []*pendingClaim {
	var deadline <-chan time.Time
	if wait && w.opts.BatchWait > 0 {
		t := time.NewTimer(w.opts.BatchWait)
		defer t.Stop()
		deadline = t.C
	}
	for len(batch) < w.opts.BatchMax {
		select {
		case c := <-w.queue:
			batch = append(batch, c)
			continue
		default:
		}
		if deadline == nil {
			return batch
		}
		select {
		case c := <-w.queue:
			batch = append(batch, c)
		case <-deadline:
			return batch
		}
	}
	return batch
}

// commit writes a batch in one transaction and answers every claim in it.
func (w *claimWriter) commit(batch []*pendingClaim) {
	began := time.Now()
	pos, err := w.commitBatch(batch)
	took := time.Since(began)
	w.times.add(took)
	if w.opts.Observe != nil {
		w.opts.Observe(len(batch), took, err)
	}
	if err != nil {
		w.answer(batch, 0, fmt.Errorf("commit claims: %w", err))
		return
	}
	w.batches.Add(1)
	w.claims.Add(int64(len(batch)))
	if w.confirms != nil {
		w.confirms <- committedBatch{append([]*pendingClaim(nil), batch...), pos}
		return
	}
	w.answer(batch, pos, nil)
}

// answer replies to every claim of a batch committed at pos, or fails them
// all with batchErr.
func (w *claimWriter) answer(batch []*pendingClaim, pos Position, batchErr error) {
	for _, c := range batch {
		switch {
		case batchErr == nil:
			if c.err == nil {
				c.res.Position = pos
			}
		case pos == 0: // the transaction failed: nothing was written
			c.res, c.err = ClaimResult{}, batchErr
		case c.err == nil: // committed here, but not confirmed by a replica
			c.res, c.err = ClaimResult{}, notConfirmed(batchErr)
		}
		close(c.done)
	}
}

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
	taken int // coupons the batch granted
}

// event returns the event as the batch sees it.
func (tx *claimTx) event(ctx context.Context, id int64) (*batchEvent, error) {
	if e := tx.events[id]; e != nil {
		return e, nil
	}
	e, err := eventByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	be := &batchEvent{Event: *e}
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

// commitBatch writes the batch in one transaction on the writer connection,
// held only for the batch.
func (w *claimWriter) commitBatch(batch []*pendingClaim) (Position, error) {
	ctx := context.Background()
	if err := w.stmts.prepare(ctx, w.db.write); err != nil {
		return 0, err
	}
	conn, err := w.db.write.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if w.db.checkpoints.catchUpDue() { // see checkpointer; on failure the backstop remains
		_, _ = conn.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
	}
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	tx := &claimTx{Tx: sqlTx, stmts: &w.stmts, now: w.db.now(), events: map[int64]*batchEvent{}}
	pos, err := inTx(ctx, sqlTx, func() error {
		var first int64 // the batch's first new coupon
		for _, c := range batch {
			var granted bool
			c.res, granted, c.err = w.claimOne(ctx, tx, c.req)
			if granted && first == 0 {
				first = c.res.CouponID
			}
			if c.err != nil && txEnded(conn) { // SQLite ended the transaction (e.g. disk full)
				return fmt.Errorf("the transaction ended at a failed claim: %w", c.err)
			}
		}
		if first == 0 {
			return nil
		}
		if err := tx.takeCoupons(ctx); err != nil {
			return err
		}
		return tx.record(ctx, first)
	})
	if err == nil {
		w.db.checkpoints.committed()
	}
	return pos, err
}

// txEnded reports whether SQLite ended the transaction open on conn, as it
// does on some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM…).
func txEnded(conn *sql.Conn) bool {
	ended := false
	_ = conn.Raw(func(dc any) error {
		if c, ok := dc.(*sqlite3.SQLiteConn); ok {
			ended = c.AutoCommit()
		}
		return nil
	})
	return ended
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
	if err := claimableAt(&e.Event, tx.now); err != nil {
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

// outboxCoupon is the outbox payload of a coupon's issue or use.
type outboxCoupon struct {
	Type     string `json:"type"`
	CouponID int64  `json:"couponId"`
	EventID  int64  `json:"eventId"`
	MemberID int64  `json:"memberId"`
	StoreID  int64  `json:"storeId"`
	At       int64  `json:"at"` // Unix ms
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

// claimableAt says why e cannot be claimed at now, or nil.
func claimableAt(e *couponpop.Event, now time.Time) error {
	switch {
	case e.Status != couponpop.EventActive:
		return couponpop.Errorf(couponpop.EEventNotActive, "event %d is %s", e.ID, e.Status)
	case now.Before(e.StartAt):
		return couponpop.Errorf(couponpop.EEventNotStarted, "event %d starts at %s", e.ID, couponpop.FormatTime(e.StartAt))
	case !now.Before(e.EndAt):
		return couponpop.Errorf(couponpop.EEventEnded, "event %d ended at %s", e.ID, couponpop.FormatTime(e.EndAt))
	case e.IssuedCount >= e.TotalCount:
		return couponpop.Errorf(couponpop.EEventCouponSoldOut, "event %d is sold out", e.ID)
	}
	return nil
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
// single-connection write pool before the first batch.
type claimStmts struct {
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
	s.outbox = prep(`INSERT INTO outbox (kind, trace_id, payload, created_at)
		SELECT 'COUPON_ISSUED', 'issued-' || id, json_object('type', 'COUPON_ISSUED', 'couponId', id,
			'eventId', event_id, 'memberId', member_id, 'storeId', store_id, 'at', issued_at), issued_at
		FROM coupons WHERE id >= ? ORDER BY id`)
	if err != nil {
		s.close()
		return err
	}
	return nil
}

// close closes the statements.
func (s *claimStmts) close() {
	for _, st := range []*sql.Stmt{s.take, s.insert, s.history, s.outbox} {
		if st != nil {
			st.Close()
		}
	}
	*s = claimStmts{}
}
