package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/search"
)

// SearchOptions configure a shard's store search.
type SearchOptions struct {
	// Embedder embeds store passages on a primary, and names the model
	// whose vectors every node loads into memory. nil means the offline
	// search.NewHashingEmbedder(0).
	Embedder search.Embedder
	// Logger reports background indexing problems; nil means slog.Default().
	Logger *slog.Logger
	// FollowInterval is how often the in-memory vector index looks for rows
	// of store_vectors written elsewhere (by the primary when this node is a
	// replica, or by `couponpop search reindex`); default 500 ms. Writes of
	// this node wake it at once.
	FollowInterval time.Duration
	// EmbedBatch is the most passages given to the embedder at once;
	// default 64.
	EmbedBatch int
	// KeywordCache is how many keyword answers the shard keeps until its
	// keyword index changes (and eight times as many stores for the rows of
	// search results); 0 means 1024, negative means no caches.
	KeywordCache int
	// FullRanking ranks every keyword match instead of answering from the
	// impact tiers when they suffice (see tieredRows): the exact reference
	// the tier test compares against.
	FullRanking bool
}

// storeMeta is what the vector side filters on.
type storeMeta struct {
	lat, lng float64
	category string
}

// searchState is a shard's vector search: the in-memory index of the
// current model's vectors, the follower that keeps it in step with
// store_vectors, and, on a primary, the indexer that embeds stores.
//
// Data flow: a store write queues the store (indexStore); the indexer reads
// it back through the writer connection (so after that write commits),
// embeds its passage if the stored vector is missing or stale, and upserts
// store_vectors with a new seq; the follower, on every node, reads rows by
// seq and updates the VectorIndex. Vector rows are derived data: their
// writes do not advance the shard's commit position.
type searchState struct {
	db          *DB
	emb         search.Embedder
	log         *slog.Logger
	followEvery time.Duration
	batch       int

	genMu    sync.Mutex // guards genStmt, which reads the keyword index generation
	genStmt  *sql.Stmt
	keywords *genCache[string, []search.Scored] // nil: no cache
	rows     *genCache[int64, couponpop.Store]  // stores by ID for hydrating results; nil: none
	phrases  phraseStats                        // document frequencies of query phrases
	vectors  *search.VectorIndex
	metaMu   sync.RWMutex
	meta     map[int64]storeMeta // of the IDs in vectors

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	followKick  chan struct{}
	followed    atomic.Int64 // highest seq applied
	followStart sync.Once

	indexKick    chan struct{}
	indexerStart sync.Once
	indexing     atomic.Bool // the indexer runs (this node is a primary)

	mu       sync.Mutex // guards the fields below
	pending  map[int64]struct{}
	scanAll  bool // look at every store for missing or stale vectors
	force    bool // with scanAll: embed every store again
	rebuild  bool // rebuild the keyword index first
	busy     bool
	lastErr  error
	embedded int64 // passages embedded since start

	fullRanking bool         // SearchOptions.FullRanking
	tierAnswers atomic.Int64 // keyword queries the impact tiers answered
}

func newSearchState(db *DB, opts SearchOptions) *searchState {
	if opts.Embedder == nil {
		opts.Embedder = search.NewHashingEmbedder(0)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.FollowInterval <= 0 {
		opts.FollowInterval = 500 * time.Millisecond
	}
	if opts.EmbedBatch <= 0 {
		opts.EmbedBatch = 64
	}
	if opts.KeywordCache == 0 {
		opts.KeywordCache = 1024
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &searchState{
		db: db, emb: opts.Embedder, log: opts.Logger.With("shard", db.shard),
		followEvery: opts.FollowInterval, batch: opts.EmbedBatch,
		keywords: newGenCache[string, []search.Scored](opts.KeywordCache),
		rows:     newGenCache[int64, couponpop.Store](8 * opts.KeywordCache),
		vectors:  search.NewVectorIndex(opts.Embedder.Dimensions()), meta: map[int64]storeMeta{},
		ctx: ctx, cancel: cancel,
		followKick: make(chan struct{}, 1), indexKick: make(chan struct{}, 1),
		pending:     map[int64]struct{}{},
		fullRanking: opts.FullRanking,
	}
}

// close stops the background work and waits for it.
func (s *searchState) close() {
	s.cancel()
	s.wg.Wait()
	s.genMu.Lock()
	if s.genStmt != nil {
		s.genStmt.Close()
	}
	s.genMu.Unlock()
}

func kick(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func (s *searchState) wakeFollower() { kick(s.followKick) }

// enqueue asks the indexer to look at a store that was written. It is
// called inside the write transaction; the indexer reads the store through
// the writer connection, so it sees the store only after the commit.
func (s *searchState) enqueue(id int64) {
	if !s.indexing.Load() {
		return
	}
	s.mu.Lock()
	s.pending[id] = struct{}{}
	s.mu.Unlock()
	kick(s.indexKick)
}

// startFollower starts keeping the in-memory index in step with
// store_vectors.
// Shard 0 holds no stores and follows nothing.
func (s *searchState) startFollower() {
	if s.db.shard == GlobalShard {
		return
	}
	s.followStart.Do(func() {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.follow()
		}()
	})
}

// startIndexer starts embedding on this node, which has become the shard's
// writer: first every store whose vector is missing or stale, then each
// store as it is written.
func (s *searchState) startIndexer() {
	s.indexerStart.Do(func() {
		s.mu.Lock()
		s.scanAll = true
		s.mu.Unlock()
		s.indexing.Store(true)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.index()
		}()
		kick(s.indexKick)
	})
}

// prepareSearch readies search on a primary: the keyword index rebuilt when
// its tokenisation changed, and the indexer started. Shard 0 holds no stores.
func (db *DB) prepareSearch(ctx context.Context) error {
	if db.shard == GlobalShard {
		return nil
	}
	if err := db.ensureKeywordIndex(ctx); err != nil {
		return err
	}
	db.search.startIndexer()
	return nil
}

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

// vectorSearch returns the k nearest vectors to query that pass f, with
// their cosine similarity. query must come from an embedder of the same
// model as this shard's. With a radius, the candidates are the stores of the
// cells covering the circle (from the keyword index's tags), so only their
// vectors are scored; otherwise every vector is, past the filter.
func (s *searchState) vectorSearch(ctx context.Context, query []float32, model string, f searchFilter, k int) ([]search.Scored, error) {
	if model != s.emb.Model() {
		return nil, fmt.Errorf("shard %d holds vectors of %s, not %s", s.db.shard, s.emb.Model(), model)
	}
	if f.near {
		cands, err := s.db.taggedStores(ctx, f)
		if err != nil {
			return nil, err
		}
		if len(cands) > s.vectors.Len()/4 {
			return s.scanVectors(query, f, k) // most of the shard: scan it
		}
		s.metaMu.RLock()
		in := cands[:0]
		for _, id := range cands {
			if m, ok := s.meta[id]; ok && f.allows(m) {
				in = append(in, id)
			}
		}
		s.metaMu.RUnlock()
		return s.vectors.SearchAmong(query, in, k)
	}
	return s.scanVectors(query, f, k)
}

// scanVectors scores every vector that passes f.
func (s *searchState) scanVectors(query []float32, f searchFilter, k int) ([]search.Scored, error) {
	s.metaMu.RLock()
	defer s.metaMu.RUnlock()
	var filter func(int64) bool
	if f.active() {
		filter = func(id int64) bool {
			m, ok := s.meta[id]
			return ok && f.allows(m)
		}
	}
	return s.vectors.Search(query, k, filter)
}

// taggedStores returns the stores whose tags pass f's filter expression:
// for a radius, those in the cells covering the circle.
func (db *DB) taggedStores(ctx context.Context, f searchFilter) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT rowid FROM store_fts WHERE store_fts MATCH ?`, filterExpr(f))
	if err != nil {
		return nil, fmt.Errorf("vector search candidates in shard %d: %w", db.shard, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// SearchStats describe a shard's search index.
type SearchStats struct {
	Model    string // the embedder's model
	Vectors  int    // vectors in memory
	Pending  int    // stores waiting to be embedded
	Embedded int64  // passages embedded since the shard opened
	Indexing bool   // this node embeds (it writes the shard)
	LastErr  error  // of the indexer's last attempt
}

// SearchStats reports the state of the shard's search index.
func (db *DB) SearchStats() SearchStats {
	s := db.search
	s.mu.Lock()
	defer s.mu.Unlock()
	return SearchStats{Model: s.emb.Model(), Vectors: s.vectors.Len(), Pending: len(s.pending),
		Embedded: s.embedded, Indexing: s.indexing.Load(), LastErr: s.lastErr}
}

// ErrNotWriter is returned for work only the shard's writer can do.
var ErrNotWriter = errors.New("this node does not write the shard")

// Reindex asks the shard's indexer to rebuild the keyword index from the
// stores table and embed every store again, and returns at once; follow it
// with WaitSearchIndexed. Only the shard's writer can: ErrNotWriter else.
func (db *DB) Reindex() error {
	s := db.search
	if !s.indexing.Load() {
		return fmt.Errorf("reindex shard %d: %w", db.shard, ErrNotWriter)
	}
	s.mu.Lock()
	s.rebuild, s.scanAll, s.force = true, true, true
	s.mu.Unlock()
	kick(s.indexKick)
	return nil
}

// WaitSearchIndexed waits until the shard's indexer has nothing left to do
// and the in-memory vector index holds every row of store_vectors. It
// returns the indexer's error when its last attempt failed (it keeps
// retrying in the background), or ctx's error.
func (db *DB) WaitSearchIndexed(ctx context.Context) error {
	s := db.search
	for {
		s.mu.Lock()
		idle := !s.busy && len(s.pending) == 0 && !s.scanAll && !s.rebuild
		lastErr := s.lastErr
		s.mu.Unlock()
		if lastErr != nil && !s.busy {
			return lastErr
		}
		if idle || !s.indexing.Load() {
			var maxSeq int64
			if err := db.read.QueryRowContext(ctx, `SELECT IFNULL(MAX(seq), 0) FROM store_vectors`).Scan(&maxSeq); err != nil {
				return err
			}
			if s.followed.Load() >= maxSeq {
				return nil
			}
			s.wakeFollower()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}
