package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// runeClass says how a rune takes part in a token.
type runeClass uint8

const (
	classSep    runeClass = iota // separates tokens: spaces, punctuation, symbols
	classHangul                  // precomposed Hangul syllable: bigrams
	classCJK                     // Han ideograph or kana: bigrams
	classJamo                    // Hangul jamo (ㅅ, ㅏ): one token per run
	classWord                    // any other letter or number: one token per run
)

const (
	hangulFirst = 0xAC00 // 가
	hangulLast  = 0xD7A3 // 힣
)

func classOf(r rune) runeClass {
	switch {
	case r < utf8.RuneSelf:
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return classWord
		}
		return classSep
	case hangulFirst <= r && r <= hangulLast:
		return classHangul
	case isJamo(r):
		return classJamo
	case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
		return classCJK
	case unicode.IsLetter(r) || unicode.IsNumber(r):
		return classWord
	default:
		return classSep
	}
}

// isJamo reports whether r is a Hangul compatibility jamo (ㄱ..ㅣ) or a
// conjoining jamo left over after composition.
func isJamo(r rune) bool {
	return 0x3131 <= r && r <= 0x318E || 0x1100 <= r && r <= 0x11FF
}

// IndexText returns the tokens of s separated by single spaces, ready for an
// FTS5 column declared with tokenize='unicode61': every token is made of
// letters and digits only, so unicode61 splits the column exactly where this
// function did.
//
// Besides the bigrams of each Hangul run, IndexText adds one bridging bigram
// between two Hangul runs separated only by whitespace (스타벅스 강남점 also
// yields 스강), so a query typed without the space (스타벅스강남점) still finds
// the spaced text. The reverse needs nothing: a spaced query is two phrases.
func IndexText(s string) string {
	var b strings.Builder
	b.Grow(len(s) * 2)
	tokenize(s, true, func(tok []rune) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		for _, r := range tok {
			b.WriteRune(r)
		}
	})
	return b.String()
}

// Tokens returns the tokens of s the way a query word is tokenised: the
// bigrams of IndexText without the bridges across spaces.
func Tokens(s string) []string {
	var toks []string
	tokenize(s, false, func(tok []rune) { toks = append(toks, string(tok)) })
	return toks
}

// tokenize calls emit for each token of s in order. With bridges set it also
// emits a bigram across whitespace between two Hangul runs. emit must not
// keep the slice.
func tokenize(s string, bridges bool, emit func([]rune)) {
	rs := []rune(normalize(s))
	var pair [2]rune
	var last rune // last syllable of the previous Hangul run while only spaces follow it
	for i := 0; i < len(rs); {
		c := classOf(rs[i])
		if c == classSep {
			if !unicode.IsSpace(rs[i]) {
				last = 0
			}
			i++
			continue
		}
		j := i + 1
		for j < len(rs) && classOf(rs[j]) == c {
			j++
		}
		seg := rs[i:j]
		switch c {
		case classHangul, classCJK:
			if bridges && c == classHangul && last != 0 {
				pair[0], pair[1] = last, seg[0]
				emit(pair[:])
			}
			if len(seg) == 1 {
				emit(seg)
			}
			for k := 0; k+1 < len(seg); k++ {
				emit(seg[k : k+2])
			}
			last = 0
			if c == classHangul {
				last = seg[len(seg)-1]
			}
		default:
			for k, r := range seg {
				seg[k] = unicode.ToLower(r)
			}
			emit(seg)
			last = 0
		}
		i = j
	}
}

// normalize composes conjoining Hangul jamo into syllables (text typed on
// macOS often arrives decomposed) and folds full-width ASCII (ＡＢＣ１２３) to
// ASCII. Other text is returned unchanged.
func normalize(s string) string {
	needs := false
	for _, r := range s {
		if 0x1100 <= r && r <= 0x11FF || 0xFF01 <= r && r <= 0xFF5E {
			needs = true
			break
		}
	}
	if !needs {
		return s
	}
	rs := []rune(s)
	out := rs[:0]
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if 0xFF01 <= r && r <= 0xFF5E {
			out = append(out, r-0xFEE0)
			continue
		}
		// Leading consonant + vowel (+ trailing consonant) → one syllable.
		if 0x1100 <= r && r <= 0x1112 && i+1 < len(rs) && 0x1161 <= rs[i+1] && rs[i+1] <= 0x1175 {
			syl := hangulFirst + ((r-0x1100)*21+(rs[i+1]-0x1161))*28
			i++
			if i+1 < len(rs) && 0x11A8 <= rs[i+1] && rs[i+1] <= 0x11C2 {
				syl += rs[i+1] - 0x11A7
				i++
			}
			out = append(out, syl)
			continue
		}
		out = append(out, r)
	}
	return string(out)
}
