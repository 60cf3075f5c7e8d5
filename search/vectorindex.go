package search

import (
	"container/heap"
	"fmt"
	"runtime"
	"slices"
	"sync"
)

// Scored is an ID with a score; higher is better.
type Scored struct {
	ID    int64
	Score float64
}

// VectorIndex holds one shard's vectors of one model in memory and finds the
// nearest ones by brute force: a dot product with every vector, which beats
// an ANN structure and sqlite-vec up to a few hundred thousand vectors. It
// is safe for concurrent use; searches share a read lock, and Upsert and
// Delete wait for them.
type VectorIndex struct {
	dims int

	mu   sync.RWMutex
	ids  []int64       // ids[i] owns vecs[i*dims : (i+1)*dims]
	vecs []float32     // all vectors back to back
	pos  map[int64]int // id → row
}

// NewVectorIndex returns an empty index of vectors of dims floats.
func NewVectorIndex(dims int) *VectorIndex {
	if dims <= 0 {
		panic(fmt.Sprintf("search: vector index of %d dimensions", dims))
	}
	return &VectorIndex{dims: dims, pos: map[int64]int{}}
}

// Dims returns the length of the index's vectors.
func (x *VectorIndex) Dims() int { return x.dims }

// Len returns the number of vectors held.
func (x *VectorIndex) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.ids)
}

// Upsert stores a copy of v, normalised, under id, replacing any vector the
// id had. A vector of the wrong length is an error; a zero vector is stored
// and scores 0 against everything.
func (x *VectorIndex) Upsert(id int64, v []float32) error {
	if len(v) != x.dims {
		return fmt.Errorf("vector index: vector for %d has %d dimensions, want %d", id, len(v), x.dims)
	}
	v = slices.Clone(v)
	Normalize(v)
	x.mu.Lock()
	defer x.mu.Unlock()
	if i, ok := x.pos[id]; ok {
		copy(x.vecs[i*x.dims:], v)
		return nil
	}
	x.pos[id] = len(x.ids)
	x.ids = append(x.ids, id)
	x.vecs = append(x.vecs, v...)
	return nil
}

// Delete removes id's vector, if any, by moving the last vector into its place.
func (x *VectorIndex) Delete(id int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	i, ok := x.pos[id]
	if !ok {
		return
	}
	last := len(x.ids) - 1
	if i != last {
		x.ids[i] = x.ids[last]
		copy(x.vecs[i*x.dims:(i+1)*x.dims], x.vecs[last*x.dims:])
		x.pos[x.ids[i]] = i
	}
	x.ids = x.ids[:last]
	x.vecs = x.vecs[:last*x.dims]
	delete(x.pos, id)
}

// Get returns a copy of id's vector.
func (x *VectorIndex) Get(id int64) ([]float32, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	i, ok := x.pos[id]
	if !ok {
		return nil, false
	}
	return slices.Clone(x.vecs[i*x.dims : (i+1)*x.dims]), true
}

// parallelMinFloats is the index size, in floats, from which Search splits
// the scan across CPUs: below it the goroutines cost more than they save.
const parallelMinFloats = 1 << 20

// Search returns the k vectors most similar to query (cosine, as query is
// normalised here and stored vectors are normalised), best first, ties by
// ascending ID. filter, when not nil, is asked about each ID and only IDs it
// accepts are returned; it may be called from several goroutines at once, so
// it must only read shared state. A query of the wrong length is an error.
func (x *VectorIndex) Search(query []float32, k int, filter func(id int64) bool) ([]Scored, error) {
	if len(query) != x.dims {
		return nil, fmt.Errorf("vector index: query has %d dimensions, want %d", len(query), x.dims)
	}
	if k <= 0 {
		return nil, nil
	}
	q := slices.Clone(query)
	if !Normalize(q) {
		return nil, nil
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := len(x.ids)
	workers := min(runtime.GOMAXPROCS(0), n*x.dims/parallelMinFloats+1)
	if workers <= 1 {
		return x.scan(q, k, filter, 0, n).sorted(), nil
	}
	parts := make([]topK, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Go(func() { parts[w] = x.scan(q, k, filter, lo, hi) })
	}
	wg.Wait()
	all := parts[0]
	for _, p := range parts[1:] {
		for _, s := range p {
			all.offer(k, s)
		}
	}
	return all.sorted(), nil
}

// SearchAmong is Search over the vectors of ids only (IDs the index does not
// hold are skipped): for a filter that leaves few IDs, which it finds
// without looking at every vector.
func (x *VectorIndex) SearchAmong(query []float32, ids []int64, k int) ([]Scored, error) {
	if len(query) != x.dims {
		return nil, fmt.Errorf("vector index: query has %d dimensions, want %d", len(query), x.dims)
	}
	if k <= 0 {
		return nil, nil
	}
	q := slices.Clone(query)
	if !Normalize(q) {
		return nil, nil
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	top := make(topK, 0, k)
	d := x.dims
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		i, ok := x.pos[id]
		if !ok || seen[id] {
			continue
		}
		seen[id] = true
		top.offer(k, Scored{ID: id, Score: float64(Dot(q, x.vecs[i*d:(i+1)*d]))})
	}
	return top.sorted(), nil
}

// scan scores rows [lo, hi) and keeps the best k. The caller holds the lock.
func (x *VectorIndex) scan(q []float32, k int, filter func(int64) bool, lo, hi int) topK {
	top := make(topK, 0, k)
	d := x.dims
	for i := lo; i < hi; i++ {
		id := x.ids[i]
		if filter != nil && !filter(id) {
			continue
		}
		s := Scored{ID: id, Score: float64(Dot(q, x.vecs[i*d:(i+1)*d]))}
		top.offer(k, s)
	}
	return top
}

// topK is a min-heap of the best scores seen so far: the worst kept is at 0.
type topK []Scored

func (h topK) Len() int { return len(h) }
func (h topK) Less(i, j int) bool {
	return worse(h[i], h[j])
}
func (h topK) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *topK) Push(v any)   { *h = append(*h, v.(Scored)) }
func (h *topK) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}

// worse orders scores: lower score first, then higher ID.
func worse(a, b Scored) bool {
	if a.Score != b.Score {
		return a.Score < b.Score
	}
	return a.ID > b.ID
}

// offer keeps s if it is among the best k.
func (h *topK) offer(k int, s Scored) {
	if len(*h) < k {
		heap.Push(h, s)
		return
	}
	if worse((*h)[0], s) {
		(*h)[0] = s
		heap.Fix(h, 0)
	}
}

// sorted returns the kept scores best first.
func (h topK) sorted() []Scored {
	out := []Scored(h)
	slices.SortFunc(out, func(a, b Scored) int {
		switch {
		case worse(b, a):
			return -1
		case worse(a, b):
			return 1
		}
		return 0
	})
	return out
}
