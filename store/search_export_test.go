package store

// TierAnswers returns how many keyword queries db's impact tiers have
// answered.
func TierAnswers(db *DB) int64 { return db.search.tierAnswers.Load() }
