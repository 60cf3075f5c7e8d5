package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"

	"github.com/couponpop/couponpop"
)

//go:embed migrations
var migrations embed.FS

// idTables are the AUTOINCREMENT tables of a district shard whose ids start
// at the shard's first ID.
var idTables = []string{"stores", "coupon_events", "coupons", "coupon_history", "outbox"}

// migrate applies, in name order and each in its own transaction, the
// embedded migrations this file has not seen. Migrations only move forward.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, migrationDir(db.shard)+"/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	for i, name := range names {
		if err := db.applyMigration(ctx, name, i == 0); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, name string, first bool) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil || n > 0 {
		return err
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if first && db.shard != GlobalShard {
		for _, table := range idTables {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)`, table, couponpop.FirstID(db.shard)); err != nil {
				return err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied_at) VALUES (?, ?)`, name, db.now().UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}

// Migrated reports whether the file of shard at path holds every embedded
// migration: what a replica waits for before it opens a file its primary
// creates.
func Migrated(ctx context.Context, path string, shard int) bool {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=1000")
	if err != nil {
		return false
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations`).Scan(&n); err != nil {
		return false
	}
	names, _ := fs.Glob(migrations, migrationDir(shard)+"/*.sql")
	return n >= len(names)
}

func migrationDir(shard int) string {
	if shard == GlobalShard {
		return "migrations/global"
	}
	return "migrations/district"
}
