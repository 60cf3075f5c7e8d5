package search

import (
	"context"
	"math"
	"slices"
	"testing"
)

func embedOne(t *testing.T, e Embedder, text string) []float32 {
	t.Helper()
	vs, err := e.Embed(context.Background(), []string{text}, Passage)
	if err != nil {
		t.Fatal(err)
	}
	return vs[0]
}

func TestHashingEmbedder_DeterministicAndNormalised(t *testing.T) {
	e := NewHashingEmbedder(0)
	if e.Dimensions() != 384 || e.Model() != "hashing-ngram-lexicon-v2@384" {
		t.Fatalf("dims %d model %q", e.Dimensions(), e.Model())
	}
	a := embedOne(t, e, "조용한 카페")
	b := embedOne(t, NewHashingEmbedder(384), "조용한 카페")
	if !slices.Equal(a, b) {
		t.Fatal("same text, different vectors")
	}
	if n := norm(a); math.Abs(n-1) > 1e-5 {
		t.Fatalf("norm %v", n)
	}
	if z := embedOne(t, e, "  !! "); norm(z) != 0 {
		t.Fatalf("empty text vector %v", z)
	}
	if NewHashingEmbedder(64).Model() == e.Model() {
		t.Fatal("model name ignores dimensions")
	}
}

// TestHashingEmbedder_Lexicon checks the lexicon pulls synonyms together:
// each query must be closer to its related passage than to the unrelated one.
func TestHashingEmbedder_Lexicon(t *testing.T) {
	e := NewHashingEmbedder(384)
	tests := []struct{ query, related, unrelated string }{
		{"커피", "카페 모카하우스", "치킨 호프"},
		{"coffee", "동네 카페", "분식집 떡볶이"},
		{"조용한 카페", "한적한 커피숍", "시끌벅적한 치킨집"},
		{"술집", "이자카야 하나", "베이커리 카페"},
		{"포차", "강남 와인바", "샐러드 가게"},
		{"디저트", "케이크 전문점", "국밥집"},
		{"빵", "베이커리 모닝", "삼겹살 구이"},
		{"버거", "맥도날드 강남점", "스타벅스 강남점"},
		{"커피 마시고 싶다", "스타벅스 역삼점", "교촌치킨 역삼점"},
		{"편의점", "GS25 역삼점", "파리바게뜨 역삼점"},
		{"술", "연남 이자카야", "연남 베이커리"},
		{"해장", "서초 뼈해장국", "서초 와인바"},
		{"태국음식", "팟타이와 똠얌꿍", "김치찌개와 제육볶음"},
	}
	for _, tt := range tests {
		q := embedOne(t, e, tt.query)
		rel, unrel := Dot(q, embedOne(t, e, tt.related)), Dot(q, embedOne(t, e, tt.unrelated))
		if rel <= unrel {
			t.Errorf("%q: related %q scores %.3f, unrelated %q %.3f", tt.query, tt.related, rel, tt.unrelated, unrel)
		}
	}
}

func TestHashingEmbedder_Cancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewHashingEmbedder(0).Embed(ctx, []string{"a"}, Query); err == nil {
		t.Fatal("no error for a cancelled context")
	}
}

func TestConcepts(t *testing.T) {
	tests := []struct {
		word string
		want []string
	}{
		{"조용한", []string{"quiet"}},
		{"커피숍", []string{"cafe"}},
		{"바", []string{"bar"}},
		{"바다", nil}, // 바 matches whole words only
		{"coffee", []string{"cafe"}},
		{"coffeeshop", nil},
	}
	for _, tt := range tests {
		got := concepts(tt.word)
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("concepts(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func BenchmarkHashingEmbedder(b *testing.B) {
	e := NewHashingEmbedder(384)
	text := StoreText{Name: "스타벅스 강남역점", Category: "CAFE", Description: "조용한 분위기에서 커피와 디저트를 즐기세요", Dong: "역삼동"}.Passage()
	for b.Loop() {
		e.embed(text)
	}
}
