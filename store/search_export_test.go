package store

import "context"

// TierAnswers returns how many keyword queries db's impact tiers have
// answered.
func TierAnswers(db *DB) int64 { return db.search.tierAnswers.Load() }

// Correct is the typo fallback's correction of text over dbs.
func Correct(ctx context.Context, s *Searcher, dbs []*DB, text string) (string, bool, error) {
	return s.correct(ctx, dbs, text)
}

// PartWordsLen builds (or returns) db's part-word dictionary and says how
// many compounds it knows.
func PartWordsLen(ctx context.Context, db *DB) (int, error) {
	d, err := db.partWords(ctx)
	return d.Len(), err
}

// DictionariesBuilt reports whether the shard's typo and part-word
// dictionaries exist (built at open or by a query).
func DictionariesBuilt(db *DB) bool {
	return db.search.names.built() && db.search.parts.built()
}
