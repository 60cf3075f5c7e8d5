package store

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/couponpop/couponpop/search"
)

// shardDict is a dictionary built from a shard's live stores (the name
// words for typo correction, the compounds for part-words), rebuilt when the
// keyword index generation moves: at once when there is none, else in the
// background while the old one answers (a dictionary a few writes old
// answers as well).
type shardDict[T any] struct {
	mu       sync.Mutex
	dict     T
	ok       bool
	gen      int64
	building bool
}

// built reports whether the dictionary has been built once.
func (s *shardDict[T]) built() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ok
}

// get returns the shard's dictionary, current or being rebuilt by build.
func (s *shardDict[T]) get(ctx context.Context, db *DB, build func(context.Context) (T, error)) (T, error) {
	var zero T
	gen, err := db.keywordGeneration(ctx)
	if err != nil {
		return zero, err
	}
	s.mu.Lock()
	dict, have, stale := s.dict, s.ok, s.gen != gen
	if have && stale && !s.building {
		s.building = true
		db.search.wg.Go(func() {
			d, err := build(db.search.ctx)
			s.mu.Lock()
			defer s.mu.Unlock()
			s.building = false
			if err == nil {
				s.dict, s.gen = d, gen
			}
		})
	}
	s.mu.Unlock()
	if have {
		return dict, nil
	}
	d, err := build(ctx)
	if err != nil {
		return zero, err
	}
	s.mu.Lock()
	s.dict, s.gen, s.ok = d, gen, true
	s.mu.Unlock()
	return d, nil
}

// nameDict returns the shard's name dictionary, current or being rebuilt.
func (db *DB) nameDict(ctx context.Context) (*search.NameDict, error) {
	return db.search.names.get(ctx, db, db.buildNameDict)
}

// buildNameDict reads the names of the shard's live stores.
func (db *DB) buildNameDict(ctx context.Context) (*search.NameDict, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT name FROM stores WHERE deleted_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("name dictionary of shard %d: %w", db.shard, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("name dictionary of shard %d: %w", db.shard, err)
	}
	return search.NewNameDict(names, nil), nil
}

// correct returns text with each word that matches no store replaced by
// the nearest word of the shards' store names or of the aliases
// (search.NameDict.Correct), and false when no word was replaced. Words
// that are aliases, words of some name, and words that match some store's
// text are kept.
func (s *Searcher) correct(ctx context.Context, dbs []*DB, text string) (string, bool, error) {
	words := strings.Fields(text)
	s.aliasSet()
	dicts := make([]*search.NameDict, len(dbs), len(dbs)+1)
	for i, db := range dbs {
		d, err := db.nameDict(ctx)
		if err != nil {
			return "", false, err
		}
		dicts[i] = d
	}
	dicts = append(dicts, s.aliasDict)
	changed := false
	for i, w := range words {
		if _, ok := s.aliasSet().Lookup(w); ok || search.IsChoseong(w) {
			continue
		}
		var best search.Correction
		found, known := false, false
		for _, d := range dicts {
			if d.Known(w) {
				known = true
				break
			}
			if c, ok := d.Correct(w); ok && (!found || search.BetterCorrection(c, best)) {
				best, found = c, true
			}
		}
		if known || !found {
			continue
		}
		matches, err := s.matchesAny(ctx, dbs, w)
		if err != nil {
			return "", false, err
		}
		if !matches {
			words[i], changed = best.Word, true
		}
	}
	return strings.Join(words, " "), changed, nil
}

// matchesAny reports whether word alone matches some store of dbs.
func (s *Searcher) matchesAny(ctx context.Context, dbs []*DB, word string) (bool, error) {
	fts, ok := search.KeywordQuery(word, s.aliasSet())
	if !ok {
		return false, nil
	}
	for _, db := range dbs {
		hits, err := db.keywordMatch(ctx, fts, searchFilter{}, 1)
		if err != nil || len(hits) > 0 {
			return len(hits) > 0, err
		}
	}
	return false, nil
}
