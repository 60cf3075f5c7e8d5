package search

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hangul syllables decompose into an initial, a medial and an optional final
// jamo (Unicode 3.12): syllable = 0xAC00 + (initial·21 + medial)·28 + final.
const (
	jamoMedials, jamoFinals = 21, 28
)

// Jamo spells s out in jamo: every Hangul syllable becomes its initial,
// medial and final (when it has one) as compatibility-free code points in
// three disjoint ranges, so 쓰 and 스 differ by one rune (ㅆ/ㅅ) and 피 and
// 페 by one (ㅣ/ㅔ). Other runes are lower-cased and kept.
func Jamo(s string) []rune {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r < hangulFirst || r > hangulLast {
			out = append(out, unicode.ToLower(r))
			continue
		}
		i := r - hangulFirst
		out = append(out, 0x1100+i/(jamoMedials*jamoFinals), 0x1161+(i/jamoFinals)%jamoMedials)
		if f := i % jamoFinals; f != 0 {
			out = append(out, 0x11A7+f)
		}
	}
	return out
}

// EditDistance is the Levenshtein distance between a and b, or max+1 when it
// is more than max (it stops early).
func EditDistance(a, b []rune, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c = 1 + min(c, prev[j], cur[j-1])
			}
			cur[j] = c
			best = min(best, c)
		}
		if best > max {
			return max + 1
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], max+1)
}

// maxTypoJamo is how many jamo a word may differ by and still be taken
// for a misspelling: one for a word of up to three syllables (nine jamo),
// two for longer ones.
func maxTypoJamo(jamo int) int {
	if jamo <= 9 {
		return 1
	}
	return 2
}

// NameDict is the words of a shard's store names and of the aliases, each
// with how many stores hold it, for "did you mean": Correct finds the
// nearest known word to a word that matched nothing. Words are kept by
// their jamo length, so a lookup compares only words of about its length.
// It is immutable once built and safe for concurrent use.
type NameDict struct {
	byLen map[int][]dictWord
	known map[string]bool
}

type dictWord struct {
	word   string
	jamo   []rune
	bigram map[string]bool // Hangul bigrams (or the lone syllable) of word
	stores int
}

// NewNameDict builds the dictionary of names (one per store) and the
// nicknames and names of aliases.
func NewNameDict(names []string, aliases Aliases) *NameDict {
	counts := map[string]int{}
	for _, n := range names {
		seen := map[string]bool{}
		for _, w := range dictWords(n) {
			if !seen[w] {
				seen[w] = true
				counts[w]++
			}
		}
	}
	for k, v := range aliases {
		for _, w := range append(dictWords(k), dictWords(v)...) {
			counts[w] += 0 // known, but holds no store by itself
		}
	}
	d := &NameDict{byLen: map[int][]dictWord{}, known: map[string]bool{}}
	for w, n := range counts {
		j := Jamo(w)
		d.known[w] = true
		d.byLen[len(j)] = append(d.byLen[len(j)], dictWord{word: w, jamo: j, bigram: bigramSet(w), stores: n})
	}
	for _, ws := range d.byLen {
		slices.SortFunc(ws, func(a, b dictWord) int { return strings.Compare(a.word, b.word) })
	}
	return d
}

// dictWords are the words of a name worth correcting to: its
// space-separated words of two or more letters, lower-cased, and the
// leading parts of three syllables or more of its longer Hangul words, by
// which people name a chain without its shop word (이디야 for 이디야커피,
// 처갓집 for 처갓집양념치킨).
func dictWords(name string) []string {
	var out []string
	for _, w := range strings.Fields(strings.ToLower(normalize(name))) {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		rs := []rune(w)
		if len(rs) < 2 {
			continue
		}
		out = append(out, w)
		for n := minStemRunes; n < len(rs) && allHangul(rs[:n+1]); n++ {
			out = append(out, string(rs[:n]))
		}
	}
	return out
}

// minStemRunes is the shortest leading part of a name word the name
// dictionary knows: two syllables would make too many near misses.
const minStemRunes = 3

func allHangul(rs []rune) bool {
	for _, r := range rs {
		if classOf(r) != classHangul {
			return false
		}
	}
	return true
}

// bigramSet is the set of adjacent rune pairs of w.
func bigramSet(w string) map[string]bool {
	rs := []rune(w)
	set := make(map[string]bool, len(rs))
	for i := 0; i+1 < len(rs); i++ {
		set[string(rs[i:i+2])] = true
	}
	return set
}

// Len is the number of distinct words.
func (d *NameDict) Len() int {
	if d == nil {
		return 0
	}
	return len(d.known)
}

// Known reports whether word is a word of some name or alias.
func (d *NameDict) Known(word string) bool {
	return d != nil && d.known[strings.ToLower(word)]
}

// Correction is a dictionary word near a typed one.
type Correction struct {
	Word     string
	Distance int // in jamo
	Stores   int // stores whose names hold Word
}

// Correct returns the known word nearest to word in jamo, within
// maxTypoJamo, and false when there is none or word is known. A candidate
// must share at least all but two of word's bigrams (one wrong syllable
// breaks two), or, for a word of two syllables, be of its length. Ties go to
// the word more stores hold, then to the word first in order.
func (d *NameDict) Correct(word string) (Correction, bool) {
	word = strings.ToLower(word)
	if d == nil || d.known[word] || utf8.RuneCountInString(word) < 2 {
		return Correction{}, false
	}
	j := Jamo(word)
	limit := maxTypoJamo(len(j))
	grams := bigramSet(word)
	need := max(0, len(grams)-2)
	var best Correction
	found := false
	for n := len(j) - limit; n <= len(j)+limit; n++ {
		for _, c := range d.byLen[n] {
			if need > 0 {
				shared := 0
				for g := range grams {
					if c.bigram[g] {
						shared++
					}
				}
				if shared < need {
					continue
				}
			}
			dist := EditDistance(j, c.jamo, limit)
			if dist > limit || dist == 0 {
				continue
			}
			cand := Correction{Word: c.word, Distance: dist, Stores: c.stores}
			if !found || betterCorrection(cand, best) {
				best, found = cand, true
			}
		}
	}
	return best, found
}

func betterCorrection(a, b Correction) bool {
	return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(b.Stores, a.Stores), strings.Compare(a.Word, b.Word)) < 0
}

// BetterCorrection reports whether a is a better correction than b, for
// merging the answers of several shards' dictionaries.
func BetterCorrection(a, b Correction) bool { return betterCorrection(a, b) }
