package search

import (
	"slices"
	"testing"
)

func TestPartWords_Expand(t *testing.T) {
	d := NewPartWords([]PartWordText{
		{Name: "을지 냉면", Category: "음식점", Description: "평양냉면과 물냉면이 맛있어요."},
		{Name: "라면 천국", Description: "라면을 끓여요. 주차 가능."},
		{Name: "역전 국밥", Description: "순대국밥과 수육"},
		{Name: "수제맥주 펍", Description: "맥주가 좋아요"},
		{Name: "맥주 창고", Description: "주차 가능"},
	})
	for _, c := range []struct {
		word string
		want []string
	}{
		{"면", []string{"냉면", "라면"}}, // named first; 평양냉면, 물냉면 once in a description: not known
		{"밥", []string{"국밥"}},       // 순대국밥: one description only
		{"평양냉면", []string{"냉면"}},    // ends in a known word
		{"수제맥주가", nil},              // a name: not taken apart
		{"흑맥주", []string{"맥주"}},     // not a name
		{"냉면", nil},                 // two syllables: the index does it
		{"차", nil},                  // 주차: in descriptions only
		{"coffee", nil},
	} {
		var got []string
		for _, p := range d.Expand(c.word) {
			got = append(got, p.Word)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Expand(%q) = %q; want %q", c.word, got, c.want)
		}
	}
	if got := MergePartWords("면", d.Expand("면"), d.Expand("면")); !slices.Equal(got, []string{"냉면", "라면"}) {
		t.Errorf("MergePartWords = %q", got)
	}
}

func TestPartWords_Bounded(t *testing.T) {
	var texts []PartWordText
	for _, w := range []string{"가면", "나면", "다면", "라면", "마면", "바면", "사면", "아면", "자면"} {
		texts = append(texts, PartWordText{Name: w})
	}
	d := NewPartWords(texts)
	if got := d.Expand("면"); len(got) != MaxPartWords {
		t.Errorf("Expand(면) gave %d words; want %d", len(got), MaxPartWords)
	}
	var nilDict *PartWords
	if nilDict.Expand("면") != nil || nilDict.Len() != 0 {
		t.Error("a nil dictionary expands")
	}
}
