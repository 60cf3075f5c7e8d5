package search

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Bounds of the part-word dictionary.
const (
	// MaxPartWords is how many compounds a query word expands to at most,
	// most frequent first.
	MaxPartWords = 6
	// partWordMaxRunes is the longest word the dictionary keeps: longer
	// runs of Hangul are phrases typed without spaces, not compounds.
	partWordMaxRunes = 6
	// partWordMinStores is how many stores must hold a word that only
	// descriptions hold for it to be a known compound (a name or a
	// category word counts from one store).
	partWordMinStores = 2
)

// PartWords is a shard's dictionary of known compounds: the Hangul words
// of its stores' names, categories and descriptions (particles stripped),
// each with how many stores hold it and how many name it. A query word
// matches, through it, stores whose indexed word contains it or is contained
// by it (see Expand). It is immutable once built and safe for concurrent
// use.
type PartWords struct {
	words map[string]partWord
	// byLast indexes the words by their last syllable, for one-syllable
	// query words: the bigram index already finds a syllable at the start
	// or inside a word (술 → 술집, 면 → 면옥), not at its end (면 → 냉면).
	byLast map[rune][]string
}

type partWord struct {
	stores, named int // stores holding it anywhere; in their name or category
	names         int // stores holding it in their name
}

// PartWordText is one store's text for NewPartWords.
type PartWordText struct {
	Name, Category, Description string
}

// NewPartWords builds the dictionary of texts (one per store).
func NewPartWords(texts []PartWordText) *PartWords {
	counts := map[string]partWord{}
	for _, t := range texts {
		seen := map[string]int{} // 1: description only, 2: category, 3: name
		for i, s := range []string{t.Name, t.Category, t.Description} {
			for _, w := range partWordsOf(s) {
				seen[w] = max(seen[w], 3-i)
			}
		}
		for w, level := range seen {
			c := counts[w]
			c.stores++
			if level >= 2 {
				c.named++
			}
			if level == 3 {
				c.names++
			}
			counts[w] = c
		}
	}
	d := &PartWords{words: map[string]partWord{}, byLast: map[rune][]string{}}
	for w, c := range counts {
		if c.named == 0 && c.stores < partWordMinStores {
			continue
		}
		d.words[w] = c
		rs := []rune(w)
		d.byLast[rs[len(rs)-1]] = append(d.byLast[rs[len(rs)-1]], w)
	}
	for r, ws := range d.byLast {
		d.sort(ws)
		d.byLast[r] = ws
	}
	return d
}

// sort orders ws best first: named by more stores, then held by more, then
// shorter, then in text order.
func (d *PartWords) sort(ws []string) {
	slices.SortFunc(ws, func(a, b string) int {
		ca, cb := d.words[a], d.words[b]
		return cmp.Or(cmp.Compare(cb.named, ca.named), cmp.Compare(cb.stores, ca.stores),
			cmp.Compare(utf8.RuneCountInString(a), utf8.RuneCountInString(b)), strings.Compare(a, b))
	})
}

// partWordsOf returns the Hangul words of s worth keeping: runs of two to
// partWordMaxRunes syllables after particles are stripped.
func partWordsOf(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(normalize(s), func(r rune) bool { return classOf(r) != classHangul }) {
		f = stripParticles(f)
		if n := utf8.RuneCountInString(f); n >= 2 && n <= partWordMaxRunes {
			out = append(out, f)
		}
	}
	return out
}

// IsName reports whether some store's name holds w (particles stripped)
// as a word.
func (d *PartWords) IsName(w string) bool {
	return d != nil && d.words[stripParticles(strings.ToLower(normalize(w)))].names > 0
}

// Len is the number of known compounds.
func (d *PartWords) Len() int {
	if d == nil {
		return 0
	}
	return len(d.words)
}

// PartWord is a known compound a query word expands to.
type PartWord struct {
	Word          string
	Stores, Named int
}

// Expand returns the known compounds that query word w matches as a part
// word, at most MaxPartWords, best first:
//   - w of one syllable: the compounds ending in it that some store's name
//     or category holds (면 → 냉면, 라면; 밥 → 국밥, 김밥), which the bigram
//     index misses; a bare noun asks for what a shop is, so words only
//     descriptions hold (주차 for 차) are not taken;
//   - w of three or more syllables that no store's name holds: the known
//     words of two or more syllables it starts or ends with (평양냉면 →
//     냉면, 수제맥주 → 맥주, 떡볶이집 → 떡볶이), longest first; a word
//     inside w is not taken (its sense is rarely w's). A word of a name is
//     a name (엽기떡볶이, 교촌치킨), and a name is not taken apart: who asks
//     for a chain wants the chain (see IsName).
//
// A two-syllable word expands to nothing: the index finds its compounds
// already, and its own parts are single syllables. Words that are not all
// Hangul expand to nothing.
func (d *PartWords) Expand(w string) []PartWord {
	if d == nil {
		return nil
	}
	w = stripParticles(strings.ToLower(normalize(w)))
	rs := []rune(w)
	for _, r := range rs {
		if classOf(r) != classHangul {
			return nil
		}
	}
	var ws []string
	switch {
	case len(rs) == 1:
		for _, c := range d.byLast[rs[0]] {
			if len(ws) == MaxPartWords || d.words[c].named == 0 {
				break // sorted: the rest are named by no store either
			}
			ws = append(ws, c)
		}
	case len(rs) >= 3 && d.words[w].names == 0:
		for n := len(rs) - 1; n >= 2 && len(ws) < MaxPartWords; n-- {
			var found []string
			for _, c := range []string{string(rs[:n]), string(rs[len(rs)-n:])} {
				if _, ok := d.words[c]; ok && !slices.Contains(found, c) && !slices.Contains(ws, c) {
					found = append(found, c)
				}
			}
			d.sort(found)
			ws = append(ws, found[:min(len(found), MaxPartWords-len(ws))]...)
		}
	}
	out := make([]PartWord, len(ws))
	for i, c := range ws {
		out[i] = PartWord{Word: c, Stores: d.words[c].stores, Named: d.words[c].named}
	}
	return out
}

// MergePartWords merges the expansions of several shards' dictionaries:
// counts add up, the best MaxPartWords are kept in Expand's order (for a
// one-syllable word: named by more stores first; else longest first).
func MergePartWords(w string, lists ...[]PartWord) []string {
	sum := map[string]PartWord{}
	for _, l := range lists {
		for _, p := range l {
			s := sum[p.Word]
			s.Word, s.Stores, s.Named = p.Word, s.Stores+p.Stores, s.Named+p.Named
			sum[p.Word] = s
		}
	}
	all := make([]PartWord, 0, len(sum))
	for _, p := range sum {
		all = append(all, p)
	}
	one := utf8.RuneCountInString(stripParticles(normalize(w))) == 1
	slices.SortFunc(all, func(a, b PartWord) int {
		byLen := 0
		if !one {
			byLen = cmp.Compare(utf8.RuneCountInString(b.Word), utf8.RuneCountInString(a.Word))
		}
		return cmp.Or(byLen, cmp.Compare(b.Named, a.Named), cmp.Compare(b.Stores, a.Stores), strings.Compare(a.Word, b.Word))
	})
	out := make([]string, 0, min(len(all), MaxPartWords))
	for _, p := range all[:min(len(all), MaxPartWords)] {
		out = append(out, p.Word)
	}
	return out
}
