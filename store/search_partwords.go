package store

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/couponpop/couponpop/search"
)

// partWords returns the shard's dictionary of known compounds (see
// search.PartWords), current or being rebuilt.
func (db *DB) partWords(ctx context.Context) (*search.PartWords, error) {
	return db.search.parts.get(ctx, db, db.buildPartWords)
}

// buildPartWords reads the names, category words and descriptions of the
// shard's live stores.
func (db *DB) buildPartWords(ctx context.Context) (*search.PartWords, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT name, category, description FROM stores WHERE deleted_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("part-word dictionary of shard %d: %w", db.shard, err)
	}
	defer rows.Close()
	var texts []search.PartWordText
	for rows.Next() {
		var t search.PartWordText
		if err := rows.Scan(&t.Name, &t.Category, &t.Description); err != nil {
			return nil, err
		}
		t.Category = search.CategoryWords(t.Category)
		texts = append(texts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("part-word dictionary of shard %d: %w", db.shard, err)
	}
	return search.NewPartWords(texts), nil
}

// partWordsOf returns the expansion of a query word by the part-word
// dictionaries of dbs: the known compounds it matches as a part word,
// merged across the shards (search.MergePartWords), at most
// search.MaxPartWords.
func partWordsOf(ctx context.Context, dbs []*DB) (func(word string) []string, error) {
	dicts := make([]*search.PartWords, len(dbs))
	for i, db := range dbs {
		d, err := db.partWords(ctx)
		if err != nil {
			return nil, err
		}
		dicts[i] = d
	}
	return func(w string) []string {
		lists := make([][]search.PartWord, len(dicts))
		for i, d := range dicts {
			if utf8.RuneCountInString(w) > 1 && d.IsName(w) {
				return nil // a name in some shard: a name in all
			}
			lists[i] = d.Expand(w)
		}
		return search.MergePartWords(w, lists...)
	}, nil
}
