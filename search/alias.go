package search

import (
	"strings"
	"unicode"
)

// Aliases maps what people type to what stores are called: 스벅 → 스타벅스.
// Keys are compared lower-cased without spaces or punctuation, so build an
// Aliases with NewAliases or With rather than as a map literal. A query word
// that equals a key matches either itself or the value; the value may have
// several words, which must then all match.
type Aliases map[string]string

// NewAliases returns Aliases holding m with its keys normalised. Entries with
// an empty key or value are left out.
func NewAliases(m map[string]string) Aliases {
	return Aliases(nil).With(m)
}

// DefaultAliases returns a fresh copy of the built-in brand nicknames. Pass
// it to With to add or override entries.
func DefaultAliases() Aliases {
	return NewAliases(map[string]string{
		"스벅":        "스타벅스",
		"starbucks": "스타벅스",
		"맥날":        "맥도날드",
		"mcdonalds": "맥도날드",
		"베라":        "배스킨라빈스",
		"배라":        "배스킨라빈스",
		"투썸":        "투썸플레이스",
		"이마트":       "이마트24",
		"파바":        "파리바게뜨",
		"빠바":        "파리바게뜨",
		"뚜쥬":        "뚜레쥬르",
		"롯리":        "롯데리아",
		"맘터":        "맘스터치",
		"버킹":        "버거킹",
		"gs":        "GS25",
		"지에스":       "GS25",
		"씨유":        "CU",
		"세븐":        "세븐일레븐",
		"메가":        "메가커피",
		"컴포즈":       "컴포즈커피",
		"던킨":        "던킨도너츠",
	})
}

// With returns a copy of a with the entries of m added; an entry whose value
// is empty removes that key. a is not modified.
func (a Aliases) With(m map[string]string) Aliases {
	out := make(Aliases, len(a)+len(m))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range m {
		k = aliasKey(k)
		if k == "" {
			continue
		}
		if strings.TrimSpace(v) == "" {
			delete(out, k)
			continue
		}
		out[k] = strings.TrimSpace(v)
	}
	return out
}

// Lookup returns the value for a typed word, or "" and false.
func (a Aliases) Lookup(word string) (string, bool) {
	if len(a) == 0 {
		return "", false
	}
	v, ok := a[aliasKey(word)]
	return v, ok
}

// aliasKey lower-cases s and keeps only its letters and digits.
func aliasKey(s string) string {
	var b strings.Builder
	for _, r := range normalize(s) {
		if classOf(r) != classSep {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
