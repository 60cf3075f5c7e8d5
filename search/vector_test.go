package search

import (
	"bytes"
	"context"
	"math"
	"slices"
	"testing"
)

func TestNormalize(t *testing.T) {
	v := []float32{3, 4}
	if !Normalize(v) || v[0] != 0.6 || v[1] != 0.8 {
		t.Fatalf("Normalize([3 4]) = %v", v)
	}
	for _, bad := range [][]float32{{0, 0}, {float32(math.NaN()), 1}, {float32(math.Inf(1)), 1}, {}} {
		if Normalize(bad) {
			t.Errorf("Normalize(%v) = true", bad)
		}
		for _, x := range bad {
			if x != 0 {
				t.Errorf("bad vector left as %v", bad)
			}
		}
	}
}

func TestDot(t *testing.T) {
	a := []float32{1, 2, 3, 4, 5, 6, 7}
	b := []float32{7, 6, 5, 4, 3, 2, 1}
	if got := Dot(a, b); got != 84 {
		t.Fatalf("Dot = %v, want 84", got)
	}
}

func TestEncodeVector(t *testing.T) {
	v := []float32{1, -0.5, float32(math.SmallestNonzeroFloat32), 3.25}
	b := EncodeVector(v)
	if len(b) != 16 || !bytes.Equal(b[:4], []byte{0, 0, 0x80, 0x3f}) { // 1.0 little-endian
		t.Fatalf("EncodeVector = % x", b)
	}
	got, err := DecodeVector(b)
	if err != nil || !slices.Equal(got, v) {
		t.Fatalf("DecodeVector = %v, %v", got, err)
	}
	if _, err := DecodeVector([]byte{1, 2, 3}); err == nil {
		t.Fatal("3 bytes decoded")
	}
	if got, err := DecodeVector(nil); err != nil || len(got) != 0 {
		t.Fatalf("DecodeVector(nil) = %v, %v", got, err)
	}
}

func TestContentHashAndStale(t *testing.T) {
	if ContentHash("카페") == ContentHash("카페 ") || len(ContentHash("")) != 64 {
		t.Fatal("ContentHash")
	}
	e := NewHashingEmbedder(0)
	text := "스타벅스\n카페"
	if !Stale(e, "", "", text) {
		t.Error("nothing stored is not stale")
	}
	if Stale(e, e.Model(), ContentHash(text), text) {
		t.Error("same model and text is stale")
	}
	if !Stale(e, "other@384", ContentHash(text), text) {
		t.Error("other model is not stale")
	}
	if !Stale(e, e.Model(), ContentHash(text), text+"!") {
		t.Error("changed text is not stale")
	}
}

func TestStoreText(t *testing.T) {
	s := StoreText{Name: "스타벅스 강남점", Category: "CAFE", Description: "조용한 카페", Address: "서울 강남구", Dong: "역삼동"}
	row := s.IndexRow()
	want := IndexRow{
		Name:        "스타 타벅 벅스 스강 강남 남점",
		Category:    "카페 커피 cafe coffee",
		Description: "조용 용한 한카 카페",
		Address:     "서울 울강 강남 남구 구역 역삼 삼동",
		Choseong:    "ㅅㅌㅂㅅ ㄱㄴㅈ ㅅㅌㅂㅅㄱㄴㅈ",
	}
	if row != want {
		t.Fatalf("IndexRow = %+v\nwant       %+v", row, want)
	}
	if got := len(row.Values()); got != 6 {
		t.Fatalf("%d values", got)
	}
	if p := s.Passage(); p != "스타벅스 강남점\n카페 커피 cafe coffee\n조용한 카페\n역삼동" {
		t.Fatalf("Passage = %q", p)
	}
	if CategoryWords("bakery") != "bakery" {
		t.Fatal("unknown category not kept")
	}
}

func TestEmbedQuery(t *testing.T) {
	v, err := EmbedQuery(context.Background(), NewHashingEmbedder(16), "카페")
	if err != nil || len(v) != 16 {
		t.Fatalf("EmbedQuery = %v, %v", v, err)
	}
}
