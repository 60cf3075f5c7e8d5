package search

import (
	"strings"
	"unicode"
)

// Limits on what a query turns into; the rest of the input is ignored.
const (
	maxQueryWords = 12 // words per query
	maxWordRunes  = 48 // runes per word
)

// particles are the Korean postpositions stripped from the end of a query
// word, longest first so 으로 wins over 로 and 에서 over 에.
var particles = []string{
	"까지", "부터", "처럼", "에게", "한테", "에서", "으로",
	"에", "의", "은", "는", "이", "가", "을", "를", "로", "와", "과", "랑", "도", "만",
}

// stopwords are query filler words that rarely appear in store text: a query
// drops them unless nothing else is left (강남역 근처 카페 → 강남역 카페,
// 조용한 곳 → 조용한).
var stopwords = map[string]bool{
	"근처": true, "주변": true, "근방": true, "부근": true, "인근": true, "추천": true, "곳": true,
	"있는": true, "되는": true, "갈만한": true, "가볼만한": true, "괜찮은": true,
}

// KeywordQuery turns what a person typed into an FTS5 MATCH expression for a
// table created with FTSTableSQL. Every word becomes a quoted phrase of its
// tokens (so no FTS5 syntax can be injected), Korean particles are stripped
// from the end of words (강남역에서 → 강남역), a word made only of consonants
// (ㅅㅌㅂㅅ) matches the choseong column by prefix, a word that is an alias key
// matches either itself or its value, and the words are joined by AND.
// ok is false, and fts empty, when the input has nothing to search for; then
// the result is empty and no query should run.
//
// Recall fallback: when the AND query returns fewer rows than wanted and
// the input has several words, run KeywordQueryAny and append its rows that
// the AND query did not return (AND rows first). The vector side of a hybrid
// search covers the rest.
func KeywordQuery(userInput string, aliases Aliases) (fts string, ok bool) {
	return keywordQuery(userInput, aliases, " AND ")
}

// KeywordQueryAny is KeywordQuery with the words joined by OR: the recall
// fallback for a multi-word query whose AND form finds too little.
func KeywordQueryAny(userInput string, aliases Aliases) (fts string, ok bool) {
	return keywordQuery(userInput, aliases, " OR ")
}

func keywordQuery(input string, aliases Aliases, join string) (string, bool) {
	words := dropStopwords(queryWords(input))
	var groups []string
	seen := map[string]bool{}
	for _, w := range words {
		g := wordExpr(w, aliases, false)
		if g == "" || seen[g] {
			continue
		}
		seen[g] = true
		groups = append(groups, g)
	}
	if len(groups) == 0 {
		return "", false
	}
	return strings.Join(groups, join), true
}

// queryWords splits input into at most maxQueryWords normalised words, each
// trimmed of separators at both ends and cut to maxWordRunes runes.
func queryWords(input string) []string {
	fields := strings.FieldsFunc(normalize(input), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;|/、", r)
	})
	var words []string
	for _, f := range fields {
		f = strings.TrimFunc(f, func(r rune) bool { return classOf(r) == classSep })
		if f == "" {
			continue
		}
		if rs := []rune(f); len(rs) > maxWordRunes {
			f = string(rs[:maxWordRunes])
		}
		words = append(words, f)
		if len(words) == maxQueryWords {
			break
		}
	}
	return words
}

// OnlyStopwords reports whether every word of text is a filler word (근처,
// 주변, 추천 …), or there is none.
func OnlyStopwords(text string) bool {
	for _, w := range queryWords(text) {
		if !stopwords[stripParticles(w)] && !stopwords[w] {
			return false
		}
	}
	return true
}

// dropStopwords removes filler words unless that would leave nothing.
func dropStopwords(words []string) []string {
	var kept []string
	for _, w := range words {
		if !stopwords[stripParticles(w)] && !stopwords[w] {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return words
	}
	return kept
}

// wordExpr returns the FTS5 expression of one query word, or "" when it has
// no tokens. With prefix set the word's last token matches as a prefix and
// particles are kept (the word may still be being typed).
func wordExpr(w string, aliases Aliases, prefix bool) string {
	if IsChoseong(w) {
		return ColChoseong + " : " + phrase([]string{w}, true)
	}
	core := w
	if !prefix {
		core = stripParticles(w)
	}
	expr := phrase(Tokens(core), prefix || isSyllable(core))
	if expr == "" {
		return ""
	}
	if !prefix && isSyllable(core) {
		// A bare noun of one syllable names what a shop is: it matches
		// as the start of a word of the name or category (술 → 술집),
		// but in descriptions only alone (차 한 잔), since there a
		// syllable begins many unrelated words (차 → 차분한, 차가운).
		// Its compounds ending in it come from the part-word dictionary.
		expr = "({" + ColName + " " + ColCategory + "} : " + expr + " OR " + phrase(Tokens(core), false) + ")"
	}
	if stem, ok := cutShopSuffix(core); ok && !prefix {
		expr = "(" + expr + " OR " + phrase(Tokens(stem), isSyllable(stem)) + ")"
	}
	v, ok := aliases.Lookup(w)
	if !ok && core != w {
		v, ok = aliases.Lookup(core)
	}
	if !ok {
		return expr
	}
	var parts []string
	for _, vw := range queryWords(v) {
		if p := phrase(Tokens(vw), prefix); p != "" {
			parts = append(parts, p)
		}
	}
	switch len(parts) {
	case 0:
		return expr
	case 1:
		return "(" + expr + " OR " + parts[0] + ")"
	default:
		return "(" + expr + " OR (" + strings.Join(parts, " AND ") + "))"
	}
}

// isSyllable reports whether word is one Hangul syllable. Such a word
// matches as the start of a longer word too (술 → 술집, 죽 → 죽집), since the
// index holds a lone syllable only where the text has one.
func isSyllable(word string) bool {
	rs := []rune(word)
	return len(rs) == 1 && classOf(rs[0]) == classHangul
}

// cutShopSuffix returns the dish of a word of three or more syllables that
// ends in 집 ("place", "shop"): 치킨집 → 치킨, 중국집 → 중국, so the word also
// matches stores that name the dish but not the shop. Two-syllable words
// (빵집, 술집, 맛집) are left whole: their one-syllable stems match too much.
func cutShopSuffix(word string) (string, bool) {
	rs := []rune(word)
	if len(rs) < 3 || rs[len(rs)-1] != '집' {
		return "", false
	}
	for _, r := range rs {
		if classOf(r) != classHangul {
			return "", false
		}
	}
	return string(rs[:len(rs)-1]), true
}

// phrase quotes tokens as one FTS5 phrase, with a trailing * when prefix is
// set. Tokens hold only letters and digits; quotes are doubled regardless.
func phrase(toks []string, prefix bool) string {
	if len(toks) == 0 {
		return ""
	}
	s := `"` + strings.ReplaceAll(strings.Join(toks, " "), `"`, `""`) + `"`
	if prefix {
		s += " *"
	}
	return s
}

// stripParticles removes Korean particles from the end of word while what
// stays is at least two Hangul syllables, or ends in a Latin letter or digit
// (GS25에서 → GS25). 강남역에서 → 강남역, 카페도 → 카페, 사과 stays 사과.
func stripParticles(word string) string {
	for range 3 {
		stripped := false
		for _, p := range particles {
			rest, ok := strings.CutSuffix(word, p)
			if ok && particleHost(rest) {
				word, stripped = rest, true
				break
			}
		}
		if !stripped {
			break
		}
	}
	return word
}

// particleHost reports whether rest can carry a particle: it ends in two
// Hangul syllables, or in a letter or digit that is not Hangul.
func particleHost(rest string) bool {
	rs := []rune(rest)
	n := len(rs)
	if n == 0 {
		return false
	}
	switch classOf(rs[n-1]) {
	case classHangul:
		return n >= 2 && classOf(rs[n-2]) == classHangul
	case classWord:
		return true
	default:
		return false
	}
}

// StripParticles removes Korean particles from the end of a word as query
// words are read (강남역에서 → 강남역).
func StripParticles(word string) string { return stripParticles(normalize(word)) }
