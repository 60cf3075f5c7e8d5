package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/search"
)

// ftsVersion names the tokenisation of the rows in store_fts. Bump it when
// search.StoreText.IndexRow changes what it writes: a primary rebuilds the
// keyword index at start when the version it recorded differs.
const ftsVersion = "bigram-4-impact-levels"

// storeText is the searchable text of a store.
func storeText(in *couponpop.StoreInput) search.StoreText {
	return search.StoreText{Name: in.Name, Category: in.StoreCategory, Description: in.Description,
		Address: in.Address, Dong: in.Dong}
}

// SQL of the keyword index's writes; store_fts is contentless, so a row is
// deleted by rowid before it is written again.
const (
	ftsDeleteSQL = `DELETE FROM store_fts WHERE rowid = ?`
	ftsInsertSQL = `INSERT INTO store_fts (rowid, name, category, description, address, choseong, tags) VALUES (?, ?, ?, ?, ?, ?, ?)`
	// bumpGenerationSQL marks a change to store_fts for the keyword caches.
	// The generation must move at least once per store whose keyword row
	// changed: the phrase counts (phraseStats) rely on it.
	bumpGenerationSQL = `UPDATE search_index_state SET fts_generation = fts_generation + 1 WHERE id = 1`
	// touchVectorSQL gives a store's vector row a new seq, so every node's
	// in-memory index reloads it (and drops it when the store is deleted).
	touchVectorSQL = `UPDATE store_vectors SET seq = (SELECT IFNULL(MAX(seq), 0) + 1 FROM store_vectors) WHERE store_id = ?`
)

// indexStore keeps the search index of s in step with its row; called in the
// same transaction that writes the store. The keyword row is written here
// (tokenising costs microseconds); the embedding is left to the shard's
// background indexer, which the store is queued for, so a slow embedder never
// holds up a write.
func (tx *Tx) indexStore(ctx context.Context, s *couponpop.Store) error {
	if err := writeFTSRow(ctx, tx.Tx, s.ID, &s.StoreInput); err != nil {
		return fmt.Errorf("index store %d: %w", s.ID, err)
	}
	if _, err := tx.ExecContext(ctx, bumpGenerationSQL); err != nil {
		return fmt.Errorf("index store %d: %w", s.ID, err)
	}
	tx.db.search.enqueue(s.ID)
	return nil
}

// unindexStore removes a deleted store from the search index: its keyword
// row at once, its vector from every node's memory when they next follow
// store_vectors.
func (tx *Tx) unindexStore(ctx context.Context, id int64) error {
	for _, stmt := range []string{ftsDeleteSQL, bumpGenerationSQL, touchVectorSQL} {
		args := []any{id}
		if stmt == bumpGenerationSQL {
			args = nil
		}
		if _, err := tx.ExecContext(ctx, stmt, args...); err != nil {
			return fmt.Errorf("unindex store %d: %w", id, err)
		}
	}
	tx.db.search.wakeFollower()
	return nil
}

// execer is a transaction or a statement-preparing connection.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func writeFTSRow(ctx context.Context, tx execer, id int64, in *couponpop.StoreInput) error {
	if _, err := tx.ExecContext(ctx, ftsDeleteSQL, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, ftsInsertSQL, ftsArgs(id, storeText(in), in.StoreCategory, in.Latitude, in.Longitude)...)
	return err
}

// ftsArgs are the values of ftsInsertSQL for a store.
func ftsArgs(id int64, text search.StoreText, category string, lat, lng float64) []any {
	row := text.IndexRow()
	row.Tags = strings.Join(append([]string{storeTags(category, lat, lng)}, row.ImpactTokens()...), " ")
	return append([]any{id}, row.Values()...)
}

// keywordGeneration reads the generation of store_fts: it changes with every
// write to the index, here or on the node that wrote the file.
func (db *DB) keywordGeneration(ctx context.Context) (int64, error) {
	s := db.search
	s.genMu.Lock()
	if s.genStmt == nil {
		stmt, err := db.read.PrepareContext(ctx, `SELECT fts_generation FROM search_index_state WHERE id = 1`)
		if err != nil {
			s.genMu.Unlock()
			return 0, err
		}
		s.genStmt = stmt
	}
	stmt := s.genStmt
	s.genMu.Unlock()
	var gen int64
	err := stmt.QueryRowContext(ctx).Scan(&gen)
	return gen, err
}

// ensureKeywordIndex rebuilds store_fts when it was built with another
// tokenisation than ftsVersion (or never built: the first start after the
// search migration). Only a primary calls it.
func (db *DB) ensureKeywordIndex(ctx context.Context) error {
	var version string
	if err := db.write.QueryRowContext(ctx, `SELECT fts_version FROM search_index_state WHERE id = 1`).Scan(&version); err != nil {
		return fmt.Errorf("read search index version: %w", err)
	}
	if version == ftsVersion {
		return nil
	}
	_, err := db.rebuildKeywordIndex(ctx)
	return err
}

// rebuildGenerations is how far a rebuild moves the keyword index
// generation.
const rebuildGenerations = 1 << 32

// rebuildKeywordIndex empties store_fts and indexes every live store again,
// in one transaction, and returns how many stores it indexed.
func (db *DB) rebuildKeywordIndex(ctx context.Context) (int, error) {
	n := 0
	_, err := db.update(ctx, func(tx *Tx) error {
		n = 0
		if _, err := tx.ExecContext(ctx, `INSERT INTO store_fts (store_fts) VALUES ('delete-all')`); err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, ftsInsertSQL)
		if err != nil {
			return err
		}
		defer ins.Close()
		var after int64
		for {
			page, err := storeTextPage(ctx, tx.Tx, after, 1000)
			if err != nil {
				return err
			}
			for _, p := range page {
				if _, err := ins.ExecContext(ctx, ftsArgs(p.id, p.text, p.text.Category, p.lat, p.lng)...); err != nil {
					return fmt.Errorf("index store %d: %w", p.id, err)
				}
			}
			n += len(page)
			if len(page) < 1000 {
				break
			}
			after = page[len(page)-1].id
		}
		// Every row may have changed: move the generation by more than
		// any phrase count taken before could tolerate (phraseStats).
		_, err = tx.ExecContext(ctx, `UPDATE search_index_state SET fts_version = ?, fts_generation = fts_generation + ?
			WHERE id = 1`, ftsVersion, rebuildGenerations)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("rebuild keyword index of shard %d: %w", db.shard, err)
	}
	return n, nil
}

// storeTextRow is a live store's searchable text and location.
type storeTextRow struct {
	id       int64
	text     search.StoreText
	lat, lng float64
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// storeTextPage reads up to limit live stores with IDs above after, in ID
// order.
func storeTextPage(ctx context.Context, q querier, after int64, limit int) ([]storeTextRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, category, description, address, dong, latitude, longitude
		FROM stores WHERE id > ? AND deleted_at IS NULL ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storeTextRow
	for rows.Next() {
		var r storeTextRow
		t := &r.text
		if err := rows.Scan(&r.id, &t.Name, &t.Category, &t.Description, &t.Address, &t.Dong, &r.lat, &r.lng); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
