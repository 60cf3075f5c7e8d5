package store

import (
	"context"
	"fmt"
	"time"
)

// LiveChange is one row of a shard's change feed (live_changes): a claim, a
// use or a stock change of an event, with the event's counts right after it.
// Triggers write the feed in the transaction that makes the change, so it
// is in commit order on every node, primary or replica.
type LiveChange struct {
	ID      int64 // grows with every change of the shard: the SSE event id
	StoreID int64
	EventID int64
	Kind    string // LiveClaim, LiveUse or LiveStock
	Issued  int
	Used    int
	Total   int
	Status  string // the event's status
	At      time.Time
}

// Kinds of LiveChange.
const (
	LiveClaim = "claim"
	LiveUse   = "use"
	LiveStock = "stock"
)

// Remaining is how many coupons the event can still give.
func (c LiveChange) Remaining() int { return max(c.Total-c.Issued, 0) }

const liveChangeColumns = `id, store_id, event_id, kind, issued, used, total, status, at`

// LiveChangesSince returns up to limit changes of the shard after id, oldest
// first. One follower a node calls it (server's live hub), never one per
// subscriber.
func (db *DB) LiveChangesSince(ctx context.Context, afterID int64, limit int) ([]LiveChange, error) {
	return db.liveChanges(ctx, `SELECT `+liveChangeColumns+` FROM live_changes WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
}

// LiveChangesOfStore returns up to limit changes of one store after id,
// oldest first: a reconnecting stream's catch-up (Last-Event-ID). It scans
// the retained feed after id (no index on the claim path).
func (db *DB) LiveChangesOfStore(ctx context.Context, storeID, afterID int64, limit int) ([]LiveChange, error) {
	return db.liveChanges(ctx, `SELECT `+liveChangeColumns+` FROM live_changes WHERE id > ? AND store_id = ? ORDER BY id LIMIT ?`,
		afterID, storeID, limit)
}

// LastLiveChangeID returns the id of the newest change, 0 if none.
func (db *DB) LastLiveChangeID(ctx context.Context) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT IFNULL(MAX(id), 0) FROM live_changes`).Scan(&id)
	return id, err
}

// FirstLiveChangeID returns the id of the oldest change retained, 0 if none:
// a Last-Event-ID below it has missed changes.
func (db *DB) FirstLiveChangeID(ctx context.Context) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT IFNULL(MIN(id), 0) FROM live_changes`).Scan(&id)
	return id, err
}

func (db *DB) liveChanges(ctx context.Context, query string, args ...any) ([]LiveChange, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("live changes: %w", err)
	}
	defer rows.Close()
	var out []LiveChange
	for rows.Next() {
		var c LiveChange
		var at int64
		if err := rows.Scan(&c.ID, &c.StoreID, &c.EventID, &c.Kind, &c.Issued, &c.Used, &c.Total, &c.Status, &at); err != nil {
			return nil, err
		}
		c.At = fromMillis(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// PruneLiveChanges deletes the change feed's head: every change but the
// newest keep, and changes older than before, yet never the newest one (so
// ids keep growing). It finds the cut on the read pool and holds the write
// lock only for one range DELETE on the rowid. Only a primary may call it.
// It returns how many rows it deleted.
func (db *DB) PruneLiveChanges(ctx context.Context, keep int, before time.Time) (int64, error) {
	var first, last, old int64
	err := db.read.QueryRowContext(ctx, `SELECT IFNULL(MIN(id), 0), IFNULL(MAX(id), 0) FROM live_changes`).Scan(&first, &last)
	if err != nil {
		return 0, fmt.Errorf("prune live changes: %w", err)
	}
	err = db.read.QueryRowContext(ctx, `SELECT IFNULL(MAX(id), 0) FROM live_changes WHERE id < ? AND at < ?`,
		last, millis(before)).Scan(&old)
	if err != nil {
		return 0, fmt.Errorf("prune live changes: %w", err)
	}
	cut := min(max(last-int64(keep), old), last-1) // delete ids <= cut
	if cut < first {
		return 0, nil
	}
	var n int64
	_, err = db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM live_changes WHERE id <= ?`, cut)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune live changes: %w", err)
	}
	return n, nil
}
