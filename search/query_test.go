package search

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestKeywordQuery(t *testing.T) {
	aliases := DefaultAliases()
	tests := []struct {
		in, want string
	}{
		{"카페", `"카페"`},
		{"강남역에서", `"강남 남역"`},
		{"조용한 카페", `"조용 용한" AND "카페"`},
		{"강남역 근처 카페", `"강남 남역" AND "카페"`},
		{"근처", `"근처"`}, // a stopword alone is kept
		{"스타벅스", `"스타 타벅 벅스"`},
		{"스벅", `("스벅" OR "스타 타벅 벅스")`},
		{"스벅에서", `("스벅" OR "스타 타벅 벅스")`},
		{"STARBUCKS", `("starbucks" OR "스타 타벅 벅스")`},
		{"GS", `("gs" OR "gs25")`},
		{"ㅅㅌㅂㅅ", `choseong : "ㅅㅌㅂㅅ" *`},
		{"ㅅㅌㅂㅅ 강남", `choseong : "ㅅㅌㅂㅅ" * AND "강남"`},
		{"피자 피자", `"피자"`},
		{`"카페" OR 1=1; DROP TABLE x --`, `"카페" AND "or" AND "1 1" AND "drop" AND "table" AND "x"`},
		{"NEAR(a b)", `"near a" AND "b"`},
		{"a*", `"a"`},
		{"스타벅스강남점", `"스타 타벅 벅스 스강 강남 남점"`},
		{"ＣＡＦＥ", `"cafe"`},
	}
	for _, tt := range tests {
		got, ok := KeywordQuery(tt.in, aliases)
		if !ok || got != tt.want {
			t.Errorf("KeywordQuery(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestKeywordQuery_Empty(t *testing.T) {
	for _, in := range []string{"", "   ", "!!!", `"`, `""`, "*", "()", "-", "^", ":", "🍕🍕", "\x00", "\xff"} {
		if got, ok := KeywordQuery(in, DefaultAliases()); ok || got != "" {
			t.Errorf("KeywordQuery(%q) = %q, %v; want \"\", false", in, got, ok)
		}
	}
}

func TestKeywordQuery_NilAliases(t *testing.T) {
	got, ok := KeywordQuery("스벅", nil)
	if !ok || got != `"스벅"` {
		t.Fatalf("KeywordQuery(스벅, nil) = %q, %v", got, ok)
	}
}

func TestKeywordQuery_Limits(t *testing.T) {
	got, ok := KeywordQuery(strings.Repeat("카페 ", 100)+strings.Repeat("가", 1000), nil)
	if !ok {
		t.Fatal("not ok")
	}
	long, _ := KeywordQuery(strings.Repeat("가나다라", 500), nil)
	if n := len(Tokens(strings.Trim(long, `"`))); n != maxWordRunes-1 {
		t.Errorf("a %d-rune word gave %d bigrams, want %d", 2000, n, maxWordRunes-1)
	}
	many, _ := KeywordQuery(strings.Repeat("가나 다라 마바 사아 ", 50), nil)
	if n := strings.Count(many, " AND ") + 1; n > maxQueryWords {
		t.Errorf("%d words in %q", n, many)
	}
	_ = got
}

func TestKeywordQueryAny(t *testing.T) {
	got, ok := KeywordQueryAny("조용한 카페 강남역에서", nil)
	want := `"조용 용한" OR "카페" OR "강남 남역"`
	if !ok || got != want {
		t.Fatalf("KeywordQueryAny = %q, %v; want %q", got, ok, want)
	}
}

func TestAliases_With(t *testing.T) {
	base := DefaultAliases()
	a := base.With(map[string]string{"스 벅": "스타벅스 리저브", "맥날": "", "BK": "버거킹"})
	if v, ok := a.Lookup("스벅"); !ok || v != "스타벅스 리저브" {
		t.Errorf("스벅 → %q, %v", v, ok)
	}
	if _, ok := a.Lookup("맥날"); ok {
		t.Error("맥날 not removed")
	}
	if v, _ := a.Lookup("bk"); v != "버거킹" {
		t.Errorf("bk → %q", v)
	}
	if v, _ := base.Lookup("스벅"); v != "스타벅스" {
		t.Errorf("base changed: 스벅 → %q", v)
	}
	got, _ := KeywordQuery("스벅", a)
	if want := `("스벅" OR ("스타 타벅 벅스" AND "리저 저브"))`; got != want {
		t.Errorf("multi-word alias: %q, want %q", got, want)
	}
}

func TestSuggestQuery(t *testing.T) {
	aliases := DefaultAliases()
	tests := []struct{ in, want string }{
		{"스", `{name choseong} : ("스" *)`},
		{"스타벅", `{name choseong} : ("스타 타벅" *)`},
		{"스타벅ㅅ", `{name choseong} : ("스타 타벅" *)`},
		{"star", `{name choseong} : ("star" *)`},
		{"ㅅㅌ", `{name choseong} : (choseong : "ㅅㅌ" *)`},
		{"스타벅스 강", `{name choseong} : ("스타 타벅 벅스" AND "강" *)`},
		{"스벅", `{name choseong} : (("스벅" * OR "스타 타벅 벅스" *))`},
	}
	for _, tt := range tests {
		got, ok := SuggestQuery(tt.in, aliases)
		if !ok || got != tt.want {
			t.Errorf("SuggestQuery(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, in := range []string{"", " ", "***", "\""} {
		if got, ok := SuggestQuery(in, aliases); ok {
			t.Errorf("SuggestQuery(%q) = %q, true", in, got)
		}
	}
}

func TestPrefixRank(t *testing.T) {
	aliases := DefaultAliases()
	tests := []struct {
		name, prefix string
		want         int
	}{
		{"스타벅스 강남점", "스타벅", 0},
		{"스타벅스 강남점", "스타벅ㅅ", 0},
		{"스타벅스 강남점", "스타벅스강", 0},
		{"스타벅스 강남점", "강남", 1},
		{"스타벅스 강남점", "ㅅㅌ", 0},
		{"스타벅스 강남점", "ㄱㄴ", 1},
		{"스타벅스 강남점", "스벅", 0},
		{"강남 스타벅스", "스타", 1},
		{"투썸플레이스", "스타", 2},
		{"Starbucks Reserve", "STAR", 0},
		{"아무거나", "", 2},
	}
	for _, tt := range tests {
		if got := PrefixRank(tt.name, tt.prefix, aliases); got != tt.want {
			t.Errorf("PrefixRank(%q, %q) = %d, want %d", tt.name, tt.prefix, got, tt.want)
		}
	}
}

func TestSortByPrefix(t *testing.T) {
	names := []string{"강남 스타벅스", "커피 스타", "스타벅스 역삼점", "별다방", "스타필드 카페"}
	SortByPrefix(names, "스타", nil, func(s string) string { return s })
	want := []string{"스타벅스 역삼점", "스타필드 카페", "강남 스타벅스", "커피 스타", "별다방"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", names, want)
	}
}

// FuzzKeywordQueryShape checks, without SQLite, that every expression is
// made only of quoted phrases of letters and digits, the operators AND and
// OR, parentheses, column filters and prefix stars. FuzzKeywordQuery (build
// tag sqlite_fts5) runs the expressions against FTS5 itself.
func FuzzKeywordQueryShape(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, build := range []func(string, Aliases) (string, bool){KeywordQuery, KeywordQueryAny, SuggestQuery} {
			q, ok := build(in, DefaultAliases())
			if !ok {
				if q != "" {
					t.Fatalf("%q: not ok but %q", in, q)
				}
				continue
			}
			checkShape(t, in, q)
		}
	})
}

func checkShape(t *testing.T, in, q string) {
	t.Helper()
	if !utf8.ValidString(q) {
		t.Fatalf("%q: invalid UTF-8 in %q", in, q)
	}
	rest := q
	for rest != "" {
		switch {
		case rest[0] == '"':
			end := strings.IndexByte(rest[1:], '"')
			if end < 1 {
				t.Fatalf("%q: empty or unterminated phrase in %q", in, q)
			}
			for _, r := range rest[1 : 1+end] {
				if r != ' ' && classOf(r) == classSep {
					t.Fatalf("%q: phrase holds %q in %q", in, r, q)
				}
			}
			rest = rest[end+2:]
		case strings.HasPrefix(rest, "AND "), strings.HasPrefix(rest, "OR "):
			rest = rest[strings.IndexByte(rest, ' '):]
		case strings.HasPrefix(rest, "{name choseong} : "):
			rest = rest[len("{name choseong} : "):]
		case strings.HasPrefix(rest, "{name category} : "):
			rest = rest[len("{name category} : "):] // a one-syllable word
		case strings.HasPrefix(rest, "choseong : "):
			rest = rest[len("choseong : "):]
		case strings.ContainsRune("()* ", rune(rest[0])):
			rest = rest[1:]
		default:
			t.Fatalf("%q: unexpected %q in %q", in, rest, q)
		}
	}
	if strings.Count(q, "(") != strings.Count(q, ")") {
		t.Fatalf("%q: unbalanced parentheses in %q", in, q)
	}
}

// fuzzSeeds are the seed inputs of both query fuzzers.
var fuzzSeeds = []string{
	"", "카페", "강남역에서 조용한 카페", "ㅅㅌㅂㅅ", "스벅", "맥날에서", "GS25에서", "star*", "\"", "\"\"",
	`"a" OR "b"`, "NEAR(a b, 3)", "a AND b OR c NOT d", "{name}: x", "name : 카페", "^카페", "카페*",
	"-카페", "+카페", "(((", ")))", "a:b:c", "ㅋㅋㅋ", "ㅏㅓ", "東京", "é\u0301", "\x00", "\xff\xfe",
	"🍕 피자", "'; DROP TABLE stores; --", "스타벅ㅅ", "\u1109\u1173\u1110\u1161", "ＡＢＣ",
	strings.Repeat("가", 300), strings.Repeat("a ", 100), "근처 추천", "x OR", "* *", "\"*\"",
	"술", "술집 빵",
}
