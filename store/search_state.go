package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
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
	names    shardDict[*search.NameDict]        // store-name words for typo correction
	parts    shardDict[*search.PartWords]       // known compounds for part-words
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
		s.wg.Go(s.warmDictionaries)
	})
}

// warmDictionaries builds the typo and part-word dictionaries of a shard
// that opens with stores (a second or more at 100k stores), so that no
// query waits for them. An empty shard builds them on first use: a
// dictionary built now would only be stale by then.
func (s *searchState) warmDictionaries() {
	var any bool
	if err := s.db.read.QueryRowContext(s.ctx, `SELECT EXISTS (SELECT 1 FROM stores WHERE deleted_at IS NULL)`).Scan(&any); err != nil || !any {
		return
	}
	_, _ = s.db.nameDict(s.ctx)
	_, _ = s.db.partWords(s.ctx)
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
