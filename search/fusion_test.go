package search

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

func ids(ss []Scored) []int64 {
	out := make([]int64, len(ss))
	for i, s := range ss {
		out[i] = s.ID
	}
	return out
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRRF(t *testing.T) {
	keyword := []int64{10, 20, 30}
	vector := []int64{30, 40, 10}
	got := RRF(60, keyword, vector)
	// 10: 1/61 + 1/63; 30: 1/63 + 1/61 (a tie, both best rank 1); 20: 1/62; 40: 1/62.
	if want := []int64{10, 30, 20, 40}; !equalIDs(ids(got), want) {
		t.Fatalf("RRF order %v, want %v", ids(got), want)
	}
	if want := 1.0/61 + 1.0/63; math.Abs(got[0].Score-want) > 1e-12 {
		t.Fatalf("score %v, want %v", got[0].Score, want)
	}
	if d := RRF(0, keyword); d[0].Score != 1.0/61 {
		t.Fatalf("k=0 does not default to 60: %v", d[0].Score)
	}
	if got := RRF(60); len(got) != 0 {
		t.Fatalf("no lists: %v", got)
	}
	// A repeat within one list counts once.
	if got := RRF(60, []int64{5, 5, 6}); got[0].Score != 1.0/61 || got[1].Score != 1.0/63 {
		t.Fatalf("repeats: %v", got)
	}
}

func TestRRF_AgreementWins(t *testing.T) {
	// Second in both lists beats first in one list only.
	got := RRF(60, []int64{1, 2, 3}, []int64{4, 2, 5})
	if got[0].ID != 2 {
		t.Fatalf("order %v", ids(got))
	}
}

func TestWeightedMinMax(t *testing.T) {
	bm25 := []Scored{{1, 9}, {2, 5}, {3, 1}} // -bm25: higher is better
	cosine := []Scored{{3, 0.9}, {4, 0.8}, {1, 0.1}}
	got := WeightedMinMax([]float64{0.5, 0.5}, bm25, cosine)
	// 1: 0.5·1 + 0.5·0 = 0.5; 3: 0 + 0.5 = 0.5; 4: 0.5·0.875; 2: 0.5·0.5.
	if want := []int64{1, 3, 4, 2}; !equalIDs(ids(got), want) {
		t.Fatalf("order %v (%v), want %v", ids(got), got, want)
	}
	flat := WeightedMinMax(nil, []Scored{{7, 3}, {8, 3}})
	if flat[0].Score != 1 || flat[1].Score != 1 {
		t.Fatalf("equal scores: %v", flat)
	}
}

func TestHybridRank(t *testing.T) {
	kw := func(context.Context) ([]int64, error) { return []int64{1, 2, 3}, nil }
	vec := func(context.Context) ([]int64, error) { return []int64{3, 4}, nil }
	h, err := HybridRank(context.Background(), time.Second, kw, vec)
	if err != nil || h.KeywordOnly || !equalIDs(ids(h.Results), []int64{3, 1, 2, 4}) { // 2 and 4 tie; 2 is the lower ID
		t.Fatalf("both sides: %+v, %v", h, err)
	}
}

func TestHybridRank_KeywordOnlyFallback(t *testing.T) {
	kw := func(context.Context) ([]int64, error) { return []int64{1, 2}, nil }
	down := errors.New("embedder: connection refused")
	tests := map[string]func(context.Context) ([]int64, error){
		"fails": func(context.Context) ([]int64, error) { return nil, down },
		"slow": func(ctx context.Context) ([]int64, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		},
		"none": nil,
	}
	for name, vec := range tests {
		h, err := HybridRank(context.Background(), 20*time.Millisecond, kw, vec)
		if err != nil || !h.KeywordOnly || h.VectorErr == nil || !equalIDs(ids(h.Results), []int64{1, 2}) {
			t.Errorf("%s: %+v, %v", name, h, err)
		}
	}
}

func TestHybridRank_KeywordError(t *testing.T) {
	kw := func(context.Context) ([]int64, error) { return nil, errors.New("disk I/O error") }
	vec := func(context.Context) ([]int64, error) { return []int64{1}, nil }
	if _, err := HybridRank(context.Background(), 0, kw, vec); err == nil {
		t.Fatal("keyword error swallowed")
	}
}
