package store

import (
	"context"
	"errors"
	"path/filepath"
)

// Shards are the shard files of one data directory: the global shard and
// the district shards.
type Shards struct {
	Global   *DB
	District map[int]*DB
}

// OpenShards opens the global shard and each of districts in dir (named by
// FileName), each with opts(shard); nil opts opens them with zero Options.
// On an error it closes the shards it opened.
func OpenShards(ctx context.Context, dir string, districts []int, opts func(shard int) Options) (*Shards, error) {
	if opts == nil {
		opts = func(int) Options { return Options{} }
	}
	s := &Shards{District: make(map[int]*DB, len(districts))}
	open := func(shard int) (*DB, error) {
		return Open(ctx, filepath.Join(dir, FileName(shard)), shard, opts(shard))
	}
	var err error
	if s.Global, err = open(GlobalShard); err != nil {
		return nil, err
	}
	for _, n := range districts {
		db, err := open(n)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.District[n] = db
	}
	return s, nil
}

// Close closes every shard: the districts first, then the global one.
func (s *Shards) Close() error {
	var errs []error
	for _, db := range s.District {
		errs = append(errs, db.Close())
	}
	if s.Global != nil {
		errs = append(errs, s.Global.Close())
	}
	return errors.Join(errs...)
}
