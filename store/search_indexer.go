package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/couponpop/couponpop/search"
)

// follow applies new store_vectors rows until the shard closes.
func (s *searchState) follow() {
	t := time.NewTicker(s.followEvery)
	defer t.Stop()
	failing := false
	for {
		err := s.catchUp(s.ctx)
		switch {
		case err != nil && s.ctx.Err() == nil && !failing:
			s.log.Warn("search: load vectors", "err", err)
			failing = true
		case err == nil && failing:
			s.log.Info("search: loading vectors again")
			failing = false
		}
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		case <-s.followKick:
		}
	}
}

// catchUp applies every row of store_vectors with a seq above the last one
// applied: a live store's vector of the current model goes into the index,
// anything else (another model, a deleted store) leaves it.
func (s *searchState) catchUp(ctx context.Context) error {
	const page = 2048
	model, dims := s.emb.Model(), s.emb.Dimensions()
	for {
		rows, err := s.db.read.QueryContext(ctx, `SELECT v.store_id, v.model, v.vector, v.seq,
			IFNULL(s.latitude, 0), IFNULL(s.longitude, 0), IFNULL(s.category, ''), s.id IS NOT NULL AND s.deleted_at IS NULL
			FROM store_vectors v LEFT JOIN stores s ON s.id = v.store_id
			WHERE v.seq > ? ORDER BY v.seq LIMIT ?`, s.followed.Load(), page)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			var id, seq int64
			var rowModel string
			var blob []byte
			var m storeMeta
			var live bool
			if err := rows.Scan(&id, &rowModel, &blob, &seq, &m.lat, &m.lng, &m.category, &live); err != nil {
				rows.Close()
				return err
			}
			n++
			var vec []float32
			if live && rowModel == model && len(blob) == 4*dims {
				vec, _ = search.DecodeVector(blob)
			}
			if vec != nil {
				s.metaMu.Lock()
				s.meta[id] = m
				s.metaMu.Unlock()
				if err := s.vectors.Upsert(id, vec); err != nil {
					rows.Close()
					return err
				}
			} else {
				s.vectors.Delete(id)
				s.metaMu.Lock()
				delete(s.meta, id)
				s.metaMu.Unlock()
			}
			s.followed.Store(seq)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if n < page {
			return nil
		}
	}
}

// index runs the indexer until the shard closes: it takes what is queued,
// embeds what is stale, and on failure keeps the work and retries with
// backoff (1 s doubling to 1 min), logging once per failure streak.
func (s *searchState) index() {
	backoff := time.Duration(0)
	for {
		s.mu.Lock()
		ids := make([]int64, 0, len(s.pending))
		for id := range s.pending {
			ids = append(ids, id)
		}
		clear(s.pending)
		scanAll, force, rebuild := s.scanAll, s.force, s.rebuild
		s.scanAll, s.force, s.rebuild = false, false, false
		work := len(ids) > 0 || scanAll || rebuild
		s.busy = work
		s.mu.Unlock()
		if !work {
			select {
			case <-s.ctx.Done():
				return
			case <-s.indexKick:
				continue
			}
		}
		err := s.runIndex(s.ctx, ids, scanAll, force, rebuild)
		if s.ctx.Err() != nil {
			return
		}
		s.mu.Lock()
		s.busy = false
		s.lastErr = err
		if err != nil {
			for _, id := range ids {
				s.pending[id] = struct{}{}
			}
			s.scanAll = s.scanAll || scanAll
			s.force = s.force || force
			s.rebuild = s.rebuild || rebuild
		}
		s.mu.Unlock()
		if err == nil {
			if backoff > 0 {
				s.log.Info("search: indexing again")
			}
			backoff = 0
			continue
		}
		if backoff == 0 {
			s.log.Warn("search: indexing failed; retrying", "err", err)
			backoff = time.Second
		} else {
			backoff = min(2*backoff, time.Minute)
		}
		select {
		case <-s.ctx.Done():
			return
		case <-time.After(backoff):
		}
	}
}

func (s *searchState) runIndex(ctx context.Context, ids []int64, scanAll, force, rebuild bool) error {
	if rebuild {
		if _, err := s.db.rebuildKeywordIndex(ctx); err != nil {
			return err
		}
	}
	if scanAll {
		if err := s.embedAll(ctx, force); err != nil {
			return err
		}
	}
	if len(ids) > 0 {
		return s.embedStores(ctx, ids)
	}
	return nil
}

// passage is a store's text to embed.
type passage struct {
	id   int64
	text string
}

// vectorState is what store_vectors holds about a store.
type vectorState struct {
	model, hash string
}

// embedAll embeds every live store whose vector is missing or stale (every
// one when force is set), a page at a time.
func (s *searchState) embedAll(ctx context.Context, force bool) error {
	var after int64
	for {
		rows, err := s.db.read.QueryContext(ctx, `SELECT s.id, s.name, s.category, s.description, s.address, s.dong,
			IFNULL(v.model, ''), IFNULL(v.content_hash, '')
			FROM stores s LEFT JOIN store_vectors v ON v.store_id = s.id
			WHERE s.id > ? AND s.deleted_at IS NULL ORDER BY s.id LIMIT 1024`, after)
		if err != nil {
			return err
		}
		var stale []passage
		n := 0
		for rows.Next() {
			var r storeTextRow
			var v vectorState
			t := &r.text
			if err := rows.Scan(&r.id, &t.Name, &t.Category, &t.Description, &t.Address, &t.Dong, &v.model, &v.hash); err != nil {
				rows.Close()
				return err
			}
			n++
			after = r.id
			p := t.Passage()
			if force || search.Stale(s.emb, v.model, v.hash, p) {
				stale = append(stale, passage{r.id, p})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := s.embedAndStore(ctx, stale); err != nil {
			return err
		}
		if n < 1024 {
			return nil
		}
	}
}

// embedStores looks at stores that were just written: a stale vector is
// embedded again; a fresh one is touched, so every node reloads the store's
// location and category with it.
func (s *searchState) embedStores(ctx context.Context, ids []int64) error {
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for lo := 0; lo < len(ids); lo += 500 {
		chunk := ids[lo:min(lo+500, len(ids))]
		stale, fresh, err := s.readWritten(ctx, chunk)
		if err != nil {
			return err
		}
		if err := s.embedAndStore(ctx, stale); err != nil {
			return err
		}
		if err := s.touch(ctx, fresh); err != nil {
			return err
		}
	}
	return nil
}

// readWritten reads stores through the writer connection, which waits for
// the transaction that queued them to end, and sorts them into those whose
// vector is stale and those whose vector is current. Deleted stores are
// left out: unindexStore has dealt with them.
func (s *searchState) readWritten(ctx context.Context, ids []int64) (stale []passage, fresh []int64, err error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.write.QueryContext(ctx, `SELECT s.id, s.name, s.category, s.description, s.address, s.dong,
		IFNULL(v.model, ''), IFNULL(v.content_hash, '')
		FROM stores s LEFT JOIN store_vectors v ON v.store_id = s.id
		WHERE s.deleted_at IS NULL AND s.id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r storeTextRow
		var v vectorState
		t := &r.text
		if err := rows.Scan(&r.id, &t.Name, &t.Category, &t.Description, &t.Address, &t.Dong, &v.model, &v.hash); err != nil {
			return nil, nil, err
		}
		if p := t.Passage(); search.Stale(s.emb, v.model, v.hash, p) {
			stale = append(stale, passage{r.id, p})
		} else {
			fresh = append(fresh, r.id)
		}
	}
	return stale, fresh, rows.Err()
}

// embedAndStore embeds passages in batches and writes each batch's vectors
// in one transaction.
func (s *searchState) embedAndStore(ctx context.Context, ps []passage) error {
	for lo := 0; lo < len(ps); lo += s.batch {
		b := ps[lo:min(lo+s.batch, len(ps))]
		texts := make([]string, len(b))
		for i, p := range b {
			texts[i] = p.text
		}
		vecs, err := s.emb.Embed(ctx, texts, search.Passage)
		if err != nil {
			return fmt.Errorf("embed %d passages with %s: %w", len(texts), s.emb.Model(), err)
		}
		if len(vecs) != len(texts) {
			return fmt.Errorf("embed %d passages with %s: got %d vectors", len(texts), s.emb.Model(), len(vecs))
		}
		err = s.db.writeDerived(ctx, func(tx execer) error {
			for i, p := range b {
				if len(vecs[i]) != s.emb.Dimensions() {
					return fmt.Errorf("embedder %s gave store %d a vector of %d dimensions, want %d",
						s.emb.Model(), p.id, len(vecs[i]), s.emb.Dimensions())
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO store_vectors (store_id, model, content_hash, vector, seq)
					VALUES (?, ?, ?, ?, (SELECT IFNULL(MAX(seq), 0) + 1 FROM store_vectors))
					ON CONFLICT (store_id) DO UPDATE SET model = excluded.model, content_hash = excluded.content_hash,
					vector = excluded.vector, seq = excluded.seq`,
					p.id, s.emb.Model(), search.ContentHash(p.text), search.EncodeVector(vecs[i]))
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store vectors: %w", err)
		}
		s.mu.Lock()
		s.embedded += int64(len(b))
		s.mu.Unlock()
		s.wakeFollower()
	}
	return nil
}

// touch gives the vector rows of ids a new seq.
func (s *searchState) touch(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.db.writeDerived(ctx, func(tx execer) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, touchVectorSQL, id); err != nil {
				return err
			}
		}
		return nil
	})
	s.wakeFollower()
	return err
}

// writeDerived runs fn in a write transaction that does not advance the
// commit position: for data derived from what is already committed
// (vectors), which no reader waits for.
func (db *DB) writeDerived(ctx context.Context, fn func(tx execer) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
