package search

import (
	"strings"
	"unicode"
)

// choseongJamo lists the 19 initial consonants of Hangul syllables in
// syllable order, as compatibility jamo (the letters a keyboard types).
var choseongJamo = [19]rune{
	'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ',
	'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ', 'ㅌ', 'ㅍ', 'ㅎ',
}

// choseongOf returns the initial consonant of a Hangul syllable, or 0.
func choseongOf(r rune) rune {
	if r < hangulFirst || r > hangulLast {
		return 0
	}
	return choseongJamo[(r-hangulFirst)/(21*28)]
}

// Choseong returns the initial consonants of the Hangul syllables of s,
// dropping every other rune: 스타벅스 → ㅅㅌㅂㅅ, 스타벅스 강남점 → ㅅㅌㅂㅅㄱㄴㅈ.
func Choseong(s string) string {
	var b strings.Builder
	for _, r := range normalize(s) {
		if c := choseongOf(r); c != 0 {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// ChoseongText returns the choseong column of a store name: the initial
// consonants of each word that has Hangul, then, for names of several such
// words, of the whole name run together. 스타벅스 강남점 → "ㅅㅌㅂㅅ ㄱㄴㅈ
// ㅅㅌㅂㅅㄱㄴㅈ". Queries match it by prefix, so ㅅㅌ, ㄱㄴㅈ and ㅅㅌㅂㅅㄱㄴ all
// find that name; a consonant run from the middle of a word (ㅂㅅ) does not.
func ChoseongText(name string) string {
	var toks []string
	for _, w := range strings.FieldsFunc(normalize(name), unicode.IsSpace) {
		if c := Choseong(w); c != "" {
			toks = append(toks, c)
		}
	}
	if len(toks) > 1 {
		toks = append(toks, strings.Join(toks, ""))
	}
	return strings.Join(toks, " ")
}

// IsChoseong reports whether word is made only of Hangul consonant letters
// (ㄱ..ㅎ), the way people type initials to search: ㅅㅌㅂㅅ.
func IsChoseong(word string) bool {
	if word == "" {
		return false
	}
	for _, r := range word {
		if r < 0x3131 || r > 0x314E {
			return false
		}
	}
	return true
}
