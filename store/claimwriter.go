package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/couponpop/couponpop"
	sqlite3 "github.com/mattn/go-sqlite3"
)

type pendingClaim struct {
	req ClaimRequest
	// refusal, when set, is the gate's answer to a claim with an
	// Idempotency-Key: the writer only remembers it (claimOne).
	refusal error
	res     ClaimResult
	err     error
	done    chan struct{}
}

// claimWriter is a shard's single claim-committing goroutine. It starts
// when the shard opens and stops when it closes (stop): a claim is either
// queued before stop, and then answered, or refused as shutting down.
type claimWriter struct {
	batches atomic.Int64 // committed transactions
	claims  atomic.Int64 // claims answered from them
	queued  atomic.Int64 // claims ever queued (for tests: WaitQueued)
	taken   atomic.Int64 // claims ever taken off the queue (WaitTaken)
	db      *DB
	opts    ClaimOptions
	// mu guards closed against enqueue: stop takes it to close, so no
	// claim is queued once the writer has drained its queue.
	mu      sync.RWMutex
	closed  bool
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

// startClaimWriter starts the writer of db's claims (and its confirmer
// when opts.Confirm is set).
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

// enqueue hands c to the writer, or says why it cannot: ctx ended while
// the queue was full, or the shard is closing.
func (w *claimWriter) enqueue(ctx context.Context, c *pendingClaim) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return w.closedErr()
	}
	select {
	case w.queue <- c:
		w.queued.Add(1)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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

// closing returns the closed error once stop has begun, else nil.
func (w *claimWriter) closing() error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return w.closedErr()
	}
	return nil
}

func (w *claimWriter) closedErr() error {
	return couponpop.Errorf(couponpop.EUNAVAILABLE, "shard %d is shutting down", w.db.shard)
}

// stop refuses new claims, lets the writer answer those already queued,
// and returns once it (and its confirmer) have ended. Only the first call
// stops; later ones return at once.
func (w *claimWriter) stop() {
	w.mu.Lock()
	wasClosed := w.closed
	w.closed = true
	w.mu.Unlock()
	if !wasClosed {
		close(w.quit)
	}
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
			w.taken.Add(1)
			batch = w.fill(append(batch[:0], c), together || w.opts.waitAlone)
			w.commit(batch)
			together = len(batch) > 1 || len(w.queue) > 0
		case <-w.quit:
			for {
				select {
				case c := <-w.queue:
					w.taken.Add(1)
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
			w.taken.Add(1)
			batch = append(batch, c)
			continue
		default:
		}
		if deadline == nil {
			return batch
		}
		select {
		case c := <-w.queue:
			w.taken.Add(1)
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
	pos, err := inTx(ctx, sqlTx, w.stmts.position, func() error {
		var first int64 // the batch's first new coupon
		for _, c := range batch {
			var granted bool
			c.res, granted, c.err = w.claimOne(ctx, tx, c.req, c.refusal)
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
		w.db.committed(pos)
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
