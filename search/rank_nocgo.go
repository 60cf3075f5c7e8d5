//go:build !cgo

package search

// RegisterRankFunction reports false without cgo: there is no SQLite to
// register RankFunction with (github.com/mattn/go-sqlite3 needs cgo too).
func RegisterRankFunction() bool { return false }
