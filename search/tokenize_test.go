package search

import (
	"slices"
	"strings"
	"testing"
)

func TestIndexText(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"스타벅스", "스타 타벅 벅스"},
		{"카페", "카페"},
		{"빵", "빵"},
		{"스타벅스 강남점", "스타 타벅 벅스 스강 강남 남점"},
		{"더 카페", "더 더카 카페"},
		{"강남역에서 만나요", "강남 남역 역에 에서 서만 만나 나요"},
		{"스타벅스, 강남점", "스타 타벅 벅스 강남 남점"}, // no bridge across punctuation
		{"GS25 편의점", "gs25 편의 의점"},
		{"이마트24", "이마 마트 24"},
		{"CU편의점", "cu 편의 의점"},
		{"McDonald's Café", "mcdonald s café"},
		{"ＡＢＣ１２３ 카페", "abc123 카페"},
		{"Hello, World!!", "hello world"},
		{"ㅋㅋㅋ 맛있다", "ㅋㅋㅋ 맛있 있다"},
		{"東京 寿司店", "東京 寿司 司店"},
		{"  \t\n", ""},
		{"!@#$%^&*()\"'", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := IndexText(tt.in); got != tt.want {
			t.Errorf("IndexText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIndexText_DecomposedHangul(t *testing.T) {
	nfd := "\u1109\u1173\u1110\u1161\u1107\u1165\u11A8\u1109\u1173" // 스타벅스 as conjoining jamo
	if got := IndexText(nfd); got != "스타 타벅 벅스" {
		t.Fatalf("IndexText(NFD 스타벅스) = %q", got)
	}
}

func TestIndexText_TokensAreLettersAndDigits(t *testing.T) {
	for _, s := range []string{"a\"b", "x\u0000y", "é\u0301", "\xff\xfe카페", "a*b", "NEAR(a b)", "🍕피자🍕"} {
		for _, tok := range strings.Fields(IndexText(s)) {
			for _, r := range tok {
				if classOf(r) == classSep {
					t.Errorf("IndexText(%q) has token %q with separator %q", s, tok, r)
				}
			}
		}
	}
}

func TestTokens_NoBridges(t *testing.T) {
	got := Tokens("스타벅스 강남점")
	want := []string{"스타", "타벅", "벅스", "강남", "남점"}
	if !slices.Equal(got, want) {
		t.Fatalf("Tokens = %q, want %q", got, want)
	}
}

func TestChoseong(t *testing.T) {
	tests := []struct{ in, want string }{
		{"스타벅스", "ㅅㅌㅂㅅ"},
		{"까치 카페", "ㄲㅊㅋㅍ"},
		{"GS25 편의점", "ㅍㅇㅈ"},
		{"abc", ""},
	}
	for _, tt := range tests {
		if got := Choseong(tt.in); got != tt.want {
			t.Errorf("Choseong(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestChoseongText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"스타벅스", "ㅅㅌㅂㅅ"},
		{"스타벅스 강남점", "ㅅㅌㅂㅅ ㄱㄴㅈ ㅅㅌㅂㅅㄱㄴㅈ"},
		{"GS25 강남점", "ㄱㄴㅈ"},
		{"CU", ""},
	}
	for _, tt := range tests {
		if got := ChoseongText(tt.in); got != tt.want {
			t.Errorf("ChoseongText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsChoseong(t *testing.T) {
	for in, want := range map[string]bool{
		"ㅅㅌㅂㅅ": true, "ㄱ": true, "ㄲㅆ": true, "": false, "ㅅㅏ": false, "스ㅌ": false, "ab": false,
	} {
		if got := IsChoseong(in); got != want {
			t.Errorf("IsChoseong(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestStripParticles(t *testing.T) {
	tests := []struct{ in, want string }{
		{"강남역에서", "강남역"},
		{"강남역에서부터", "강남역"},
		{"카페도", "카페"},
		{"서울로", "서울"},
		{"서울으로", "서울"},
		{"홍대입구역까지", "홍대입구역"},
		{"친구랑", "친구"},
		{"사과", "사과"}, // 1 syllable would remain
		{"나는", "나는"}, // 1 syllable would remain
		{"카페", "카페"}, // nothing to strip
		{"GS25에서", "GS25"},
		{"cu에서", "cu"},
		{"에서", "에서"},
		{"스타벅스", "스타벅스"},
	}
	for _, tt := range tests {
		if got := stripParticles(tt.in); got != tt.want {
			t.Errorf("stripParticles(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func BenchmarkIndexText(b *testing.B) {
	text := "스타벅스 강남역점 조용한 분위기의 카페입니다. 아메리카노와 디저트가 맛있고 " +
		"노트북 작업하기 좋은 Coffee shop, 서울특별시 강남구 테헤란로 123 역삼동"
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		IndexText(text)
	}
}
