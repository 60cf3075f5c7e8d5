// Package store keeps CouponPop's data in SQLite: one file per shard, opened
// with a single-connection writer beside a read pool. Shard 0 holds members
// and tokens; district shards hold stores, coupon events and coupons.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// GlobalShard is the shard of members and tokens.
const GlobalShard = 0

// Options tune how a shard file is opened.
type Options struct {
	// Replica opens a file another node writes (a LiteFS replica): WAL mode
	// and migrations are left to the primary. Call Prepare on promotion.
	Replica bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ReadConns is the size of the read pool; 0 means 8.
	ReadConns int
	// Search configures store search (embedder, logger).
	Search SearchOptions
	// BackgroundCheckpoint moves WAL checkpoints off the writer's commits
	// (see checkpointer). For plain files; LiteFS is left to SQLite's own.
	BackgroundCheckpoint bool
	// Claims configures the claim writer, which starts with the shard
	// (a replica's too, idle until promotion) and stops in Close.
	Claims ClaimOptions
}

// DB is one shard's SQLite file.
type DB struct {
	shard int
	path  string
	write *sql.DB
	read  *sql.DB
	now   func() time.Time

	checkpoints *checkpointer // nil unless Options.BackgroundCheckpoint
	commits     commitSignal
	claimOpts   ClaimOptions
	claims      *claimWriter
	gates       eventGates
	index       storeIndex
	seen        seenPosition
	posMu       sync.Mutex               // guards preparing posStmt
	posStmt     atomic.Pointer[sql.Stmt] // reads the position (Position)
	stopFollow  context.CancelFunc       // stops followPosition
	followDone  chan struct{}            // closed when followPosition returned

	search *searchState

	closeOnce sync.Once
	closeErr  error
}

// FileName is the name of a shard's database file inside a data directory.
func FileName(shard int) string { return fmt.Sprintf("shard-%d.db", shard) }

// Open opens (creating if needed) the database of shard at path, checks that
// WAL mode is in effect, and on a writable node runs pending migrations.
func Open(ctx context.Context, path string, shard int, opts Options) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	db := &DB{shard: shard, path: path, now: opts.Now, claimOpts: opts.Claims}
	if db.now == nil {
		db.now = time.Now
	}
	var err error
	if db.write, err = openPool(path, 1, false); err != nil {
		return nil, err
	}
	readConns := opts.ReadConns
	if readConns <= 0 {
		readConns = 8
	}
	if db.read, err = openPool(path, readConns, true); err != nil {
		db.write.Close()
		return nil, err
	}
	db.search = newSearchState(db, opts.Search)
	if !opts.Replica {
		if err := db.Prepare(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("open shard %d at %s: %w", shard, path, err)
		}
		if opts.BackgroundCheckpoint {
			if db.checkpoints, err = startCheckpointer(path, db.write); err != nil {
				db.Close()
				return nil, fmt.Errorf("open shard %d at %s: %w", shard, path, err)
			}
		}
	}
	if opts.Replica {
		// One read before the background readers start: the first reader
		// of a file another node wrote builds the WAL index, and readers
		// racing it are refused without waiting (SQLITE_BUSY).
		if err := db.firstRead(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("open shard %d at %s: %w", shard, path, err)
		}
	}
	if !opts.Replica && shard != GlobalShard {
		// Build the nearby index now rather than in the first query.
		if _, err := db.storeIndex(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("open shard %d at %s: %w", shard, path, err)
		}
	}
	db.search.startFollower()
	if shard != GlobalShard {
		db.startPositionFollower()
	}
	db.claims = startClaimWriter(db, opts.Claims)
	return db, nil
}

// startPositionFollower runs followPosition until Close.
func (db *DB) startPositionFollower() {
	ctx, cancel := context.WithCancel(context.Background())
	db.stopFollow, db.followDone = cancel, make(chan struct{})
	go func() {
		defer close(db.followDone)
		db.followPosition(ctx)
	}()
}

// openPool opens a pool of conns connections with the pragmas every
// connection needs. WAL itself is set once, by init, never switched back.
func openPool(path string, conns int, readOnly bool) (*sql.DB, error) {
	q := "_busy_timeout=5000&_synchronous=NORMAL&_foreign_keys=on&_txlock=immediate&cache=private&_cache_size=-65536"
	if readOnly {
		q = "_busy_timeout=5000&_foreign_keys=on&_query_only=true&cache=private&_cache_size=-32768"
	}
	pool, err := sql.Open("sqlite3", "file:"+path+"?"+q)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	pool.SetConnMaxLifetime(0)
	pool.SetConnMaxIdleTime(0)
	return pool, nil
}

// Prepare makes the file ready for writing: WAL mode (set once, never
// switched back) and pending migrations. Only a primary may call it.
func (db *DB) Prepare(ctx context.Context) error {
	var mode string
	if err := db.write.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("read journal mode: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		if err := db.write.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
			return fmt.Errorf("set WAL mode: %w", err)
		}
		if !strings.EqualFold(mode, "wal") {
			return fmt.Errorf("WAL mode did not take effect (journal_mode=%s)", mode)
		}
	}
	if err := db.migrate(ctx); err != nil {
		return err
	}
	return db.prepareSearch(ctx)
}

// firstRead reads the schema once through the read pool.
func (db *DB) firstRead(ctx context.Context) error {
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		return fmt.Errorf("first read: %w", err)
	}
	return nil
}

// Close stops the claim writer, answering the claims it has queued, and
// closes both pools. Calls after the first return its error.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		if db.claims != nil {
			db.claims.stop()
		}
		if db.stopFollow != nil {
			db.stopFollow()
			<-db.followDone
		}
		if stmt := db.posStmt.Load(); stmt != nil {
			stmt.Close()
		}
		db.search.close()
		db.closeErr = errors.Join(db.checkpoints.stop(), db.read.Close(), db.write.Close())
	})
	return db.closeErr
}

// Shard returns the shard number this file holds.
func (db *DB) Shard() int { return db.shard }

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Now returns the store's clock reading.
func (db *DB) Now() time.Time { return db.now() }

// isConstraint reports whether err is an SQLite constraint violation of the
// given extended kind (e.g. sqlite3.ErrConstraintUnique). It is the one place
// that reads SQLite error codes.
func isConstraint(err error, kind sqlite3.ErrNoExtended) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrConstraint && se.ExtendedCode == kind
}
