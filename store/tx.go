package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Tx is a write transaction with a fixed clock reading.
type Tx struct {
	*sql.Tx
	db  *DB
	now time.Time
}

// Position is a shard's commit position: it grows by one with every write
// transaction and replicates with the data, so a replica that has applied a
// position has every write up to it.
type Position uint64

// update runs fn in a write transaction on the single writer connection,
// advances the commit position and commits. It returns the new position.
func (db *DB) update(ctx context.Context, fn func(tx *Tx) error) (Position, error) {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{Tx: sqlTx, db: db, now: db.now()}
	pos, err := inTx(ctx, sqlTx, nil, func() error { return fn(tx) })
	if err == nil {
		db.committed(pos)
	}
	return pos, err
}

// committed tells whoever follows this DB's commits that a write
// transaction committed at pos: the checkpointer, the waiters of
// NextCommit, and the position kept in memory.
func (db *DB) committed(pos Position) {
	db.checkpoints.committed()
	db.seen.committed(pos)
	db.commits.fire()
}

// advancePositionSQL advances the shard's commit position by one and
// returns it.
const advancePositionSQL = `UPDATE position SET pos = pos + 1 WHERE id = 1 RETURNING pos`

// inTx runs fn in the begun transaction tx, advances the commit position
// (with advance, advancePositionSQL prepared, when not nil) and commits; on
// any error it rolls back.
func inTx(ctx context.Context, tx *sql.Tx, advance *sql.Stmt, fn func() error) (Position, error) {
	committed := false
	defer func() {
		if !committed {
			tx.Rollback()
		}
	}()
	if err := fn(); err != nil {
		return 0, err
	}
	var row *sql.Row
	if advance != nil {
		row = tx.StmtContext(ctx, advance).QueryRowContext(ctx)
	} else {
		row = tx.QueryRowContext(ctx, advancePositionSQL)
	}
	var pos int64
	if err := row.Scan(&pos); err != nil {
		return 0, fmt.Errorf("advance position: %w", err)
	}
	committed = true // Commit ends the transaction even when it fails
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return Position(pos), nil
}

// Position returns the newest commit position this node has applied, read
// from the file (so on a replica it includes what was replicated), and
// keeps it as the position seen.
func (db *DB) Position(ctx context.Context) (Position, error) {
	stmt, err := db.positionStmt(ctx)
	if err != nil {
		return 0, err
	}
	var pos Position
	if err := stmt.QueryRowContext(ctx).Scan(&pos); err != nil {
		return 0, err
	}
	db.seen.note(pos)
	return pos, nil
}

// positionStmt returns the prepared read of the position, preparing it
// the first time it is asked for (a failed prepare is tried again next
// time: a replica's file may not be ready yet).
func (db *DB) positionStmt(ctx context.Context) (*sql.Stmt, error) {
	if stmt := db.posStmt.Load(); stmt != nil {
		return stmt, nil
	}
	db.posMu.Lock()
	defer db.posMu.Unlock()
	if stmt := db.posStmt.Load(); stmt != nil {
		return stmt, nil
	}
	stmt, err := db.read.PrepareContext(ctx, `SELECT pos FROM position WHERE id = 1`)
	if err != nil {
		return nil, err
	}
	db.posStmt.Store(stmt)
	return stmt, nil
}

// WaitPosition waits until this node has applied pos or ctx ends, polling
// with a short backoff. It reports whether the position was reached.
func (db *DB) WaitPosition(ctx context.Context, pos Position) bool {
	delay := time.Millisecond
	for {
		if cur, err := db.Position(ctx); err == nil && cur >= pos {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(delay):
		}
		delay = min(delay*2, 50*time.Millisecond)
	}
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).In(time.UTC) }

func fromNullMillis(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return fromMillis(ms.Int64)
}
