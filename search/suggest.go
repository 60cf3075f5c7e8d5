package search

import (
	"slices"
	"strings"
	"unicode"
)

// SuggestQuery turns a typed prefix into an FTS5 MATCH expression for
// autocomplete over store names: every word but the last is matched as in
// KeywordQuery, the last one as a prefix (스타벅 → "스타 타벅" *, star →
// "star" *, ㅅㅌ → choseong prefix), all within the name and choseong columns.
// A trailing jamo still being typed (스타벅ㅅ) is ignored. Order the rows by
// rank, then reorder a page of them with SortByPrefix to put names that start
// with the prefix first.
func SuggestQuery(prefix string, aliases Aliases) (fts string, ok bool) {
	words := queryWords(prefix)
	var groups []string
	for i, w := range words {
		last := i == len(words)-1
		if last && !IsChoseong(w) {
			w = strings.TrimRightFunc(w, isJamo)
		}
		if g := wordExpr(w, aliases, last); g != "" {
			groups = append(groups, g)
		}
	}
	if len(groups) == 0 {
		return "", false
	}
	return "{" + ColName + " " + ColChoseong + "} : (" + strings.Join(groups, " AND ") + ")", true
}

// PrefixRank says how well a store name answers a typed prefix, for
// ordering suggestions: 0 when the name starts with the prefix (compared
// lower-cased without spaces or punctuation, by initial consonants when the
// prefix is ㅅㅌ-style, or through an alias: 스벅 → 스타벅스), 1 when a later
// word of the name does, 2 otherwise.
func PrefixRank(name, prefix string, aliases Aliases) int {
	p := aliasKey(prefix)
	if !IsChoseong(p) {
		p = strings.TrimRightFunc(p, isJamo) // 스타벅ㅅ: the last syllable is being typed
	}
	if p == "" {
		return 2
	}
	cands := []string{p}
	if v, ok := aliases.Lookup(prefix); ok {
		cands = append(cands, aliasKey(v))
	}
	choseong := IsChoseong(p)
	words := strings.FieldsFunc(normalize(name), unicode.IsSpace)
	for i := range words {
		rest := strings.Join(words[i:], " ")
		key := aliasKey(rest)
		if choseong {
			key = Choseong(rest)
		}
		for _, c := range cands {
			if strings.HasPrefix(key, c) {
				return min(i, 1)
			}
		}
	}
	return 2
}

// SortByPrefix stably reorders items by the PrefixRank of their names, so
// within each rank the order they came in (bm25) stays.
func SortByPrefix[T any](items []T, prefix string, aliases Aliases, name func(T) string) {
	type ranked struct {
		item T
		rank int
	}
	rs := make([]ranked, len(items))
	for i, it := range items {
		rs[i] = ranked{it, PrefixRank(name(it), prefix, aliases)}
	}
	slices.SortStableFunc(rs, func(a, b ranked) int { return a.rank - b.rank })
	for i := range rs {
		items[i] = rs[i].item
	}
}
