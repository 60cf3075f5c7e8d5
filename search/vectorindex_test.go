package search

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

func randomVector(r *rand.Rand, dims int) []float32 {
	v := make([]float32, dims)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	Normalize(v)
	return v
}

// naiveTopK is the reference: score everything, sort, cut.
func naiveTopK(vecs map[int64][]float32, q []float32, k int, filter func(int64) bool) []Scored {
	var all []Scored
	for id, v := range vecs {
		if filter == nil || filter(id) {
			all = append(all, Scored{id, float64(Dot(q, v))})
		}
	}
	slices.SortFunc(all, func(a, b Scored) int {
		if worse(a, b) {
			return 1
		}
		if worse(b, a) {
			return -1
		}
		return 0
	})
	return all[:min(k, len(all))]
}

func TestVectorIndex_MatchesNaive(t *testing.T) {
	for _, n := range []int{0, 1, 7, 300, 10000} { // 10000 × 256 takes the parallel path
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(n)))
			const dims = 256
			x := NewVectorIndex(dims)
			vecs := map[int64][]float32{}
			for i := range n {
				id := int64(i*3 + 1)
				v := randomVector(r, dims)
				vecs[id] = v
				if err := x.Upsert(id, v); err != nil {
					t.Fatal(err)
				}
			}
			q := randomVector(r, dims)
			even := func(id int64) bool { return id%2 == 0 }
			for _, k := range []int{1, 10, 100} {
				for _, filter := range []func(int64) bool{nil, even} {
					got, err := x.Search(q, k, filter)
					if err != nil {
						t.Fatal(err)
					}
					want := naiveTopK(vecs, q, k, filter)
					if len(got) != len(want) {
						t.Fatalf("k=%d: %d results, want %d", k, len(got), len(want))
					}
					for i := range got {
						if got[i].ID != want[i].ID {
							t.Fatalf("k=%d: result %d is %v, want %v", k, i, got[i], want[i])
						}
					}
				}
			}
		})
	}
}

func TestVectorIndex_UpsertDeleteGet(t *testing.T) {
	x := NewVectorIndex(2)
	for id, v := range map[int64][]float32{1: {1, 0}, 2: {0, 1}, 3: {1, 1}} {
		if err := x.Upsert(id, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Upsert(4, []float32{1, 2, 3}); err == nil {
		t.Fatal("wrong length accepted")
	}
	if _, err := x.Search([]float32{1}, 1, nil); err == nil {
		t.Fatal("wrong query length accepted")
	}
	top, _ := x.Search([]float32{2, 0}, 1, nil) // query normalised too
	if top[0].ID != 1 || top[0].Score < 0.999 {
		t.Fatalf("top = %v", top)
	}
	x.Upsert(1, []float32{0, -1}) // replace
	top, _ = x.Search([]float32{1, 0}, 3, nil)
	if top[0].ID != 3 || top[2].ID != 2 && top[2].ID != 1 {
		t.Fatalf("after replace: %v", top)
	}
	x.Delete(3)
	x.Delete(42)
	if x.Len() != 2 {
		t.Fatalf("Len = %d", x.Len())
	}
	if _, ok := x.Get(3); ok {
		t.Fatal("deleted vector found")
	}
	v, ok := x.Get(1)
	if !ok || v[1] != -1 {
		t.Fatalf("Get(1) = %v, %v", v, ok)
	}
	top, _ = x.Search([]float32{0, 1}, 5, nil)
	if len(top) != 2 || top[0].ID != 2 || top[1].ID != 1 {
		t.Fatalf("after delete: %v", top)
	}
	if top, _ := x.Search([]float32{0, 0}, 5, nil); len(top) != 0 {
		t.Fatalf("zero query: %v", top)
	}
	if top, _ := x.Search([]float32{0, 1}, 0, nil); len(top) != 0 {
		t.Fatalf("k=0: %v", top)
	}
}

// TestVectorIndex_Concurrent is for the race detector: searches, upserts and
// deletes at once.
func TestVectorIndex_Concurrent(t *testing.T) {
	const dims = 32
	x := NewVectorIndex(dims)
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 500 {
		x.Upsert(int64(i), randomVector(r, dims))
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range 200 {
				switch i % 3 {
				case 0:
					x.Upsert(int64(r.IntN(1000)), randomVector(r, dims))
				case 1:
					x.Delete(int64(r.IntN(1000)))
				default:
					if _, err := x.Search(randomVector(r, dims), 10, func(id int64) bool { return id%5 != 0 }); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
}

func TestVectorIndex_SearchAmong(t *testing.T) {
	x := NewVectorIndex(8)
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 200 {
		x.Upsert(int64(i), randomVector(r, 8))
	}
	q := randomVector(r, 8)
	ids := []int64{3, 50, 50, 77, 120, 199, 1000}
	keep := map[int64]bool{3: true, 50: true, 77: true, 120: true, 199: true}
	want, _ := x.Search(q, 3, func(id int64) bool { return keep[id] })
	got, err := x.SearchAmong(q, ids, 3)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("SearchAmong = %v, %v; want %v", got, err, want)
	}
	if _, err := x.SearchAmong(q[:4], ids, 3); err == nil {
		t.Error("a query of the wrong length was accepted")
	}
}

// BenchmarkVectorIndexSearch measures a top-50 brute-force search over
// 100k × 384 vectors, the size of a large district shard.
func BenchmarkVectorIndexSearch(b *testing.B) {
	const n, dims = 100_000, 384
	x := NewVectorIndex(dims)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		x.Upsert(int64(i), randomVector(r, dims))
	}
	q := randomVector(r, dims)
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			x.Search(q, 50, nil)
		}
	})
	b.Run("filter-half", func(b *testing.B) {
		for b.Loop() {
			x.Search(q, 50, func(id int64) bool { return id%2 == 0 })
		}
	})
}

func BenchmarkDot384(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	u, v := randomVector(r, 384), randomVector(r, 384)
	for b.Loop() {
		Dot(u, v)
	}
}
