package search

import (
	"container/heap"
	"fmt"
	"math"
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
//
// A scan of 100k × 384 float32s reads 154 MB, which memory bandwidth, not
// arithmetic, limits. Where the AVX2 kernels run (amd64 with cgo), the index
// also keeps each vector as int8 codes with a scale (a quarter of the
// bytes), scans those, and scores the best 4k+16 candidates again exactly
// (an index of no more rows than that is scanned in float32 at once),
// so results are those of the float32 scan but for ties within the int8
// rounding (about 0.01 of cosine similarity).
type VectorIndex struct {
	dims  int
	quant bool // keep and scan int8 codes

	mu     sync.RWMutex
	ids    []int64       // ids[i] owns vecs[i*dims : (i+1)*dims]
	vecs   []float32     // all vectors back to back
	codes  []int8        // with quant: vecs as int8, codes[i] ≈ vecs[i] / scales[row]
	scales []float32     // with quant: one per row
	pos    map[int64]int // id → row
}

// NewVectorIndex returns an empty index of vectors of dims floats.
func NewVectorIndex(dims int) *VectorIndex {
	if dims <= 0 {
		panic(fmt.Sprintf("search: vector index of %d dimensions", dims))
	}
	return &VectorIndex{dims: dims, quant: hasAVX2, pos: map[int64]int{}}
}

// quantize writes v as int8 codes into codes and returns their scale.
func quantize(v []float32, codes []int8) float32 {
	var maxAbs float32
	for _, x := range v {
		maxAbs = max(maxAbs, x, -x)
	}
	if maxAbs == 0 {
		clear(codes)
		return 0
	}
	scale := maxAbs / 127
	for i, x := range v {
		codes[i] = int8(math.Round(float64(x / scale)))
	}
	return scale
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
	var codes []int8
	var scale float32
	if x.quant {
		codes = make([]int8, x.dims)
		scale = quantize(v, codes)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	i, ok := x.pos[id]
	if !ok {
		i = len(x.ids)
		x.pos[id] = i
		x.ids = append(x.ids, id)
		x.vecs = append(x.vecs, v...)
		if x.quant {
			x.codes = append(x.codes, codes...)
			x.scales = append(x.scales, scale)
		}
		return nil
	}
	copy(x.vecs[i*x.dims:], v)
	if x.quant {
		copy(x.codes[i*x.dims:], codes)
		x.scales[i] = scale
	}
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
		if x.quant {
			copy(x.codes[i*x.dims:(i+1)*x.dims], x.codes[last*x.dims:])
			x.scales[i] = x.scales[last]
		}
		x.pos[x.ids[i]] = i
	}
	x.ids = x.ids[:last]
	x.vecs = x.vecs[:last*x.dims]
	if x.quant {
		x.codes = x.codes[:last*x.dims]
		x.scales = x.scales[:last]
	}
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

// normalQuery checks query's length and returns it normalised, or nil
// (with no error) when there is nothing to search for: k <= 0 or a zero
// vector.
func (x *VectorIndex) normalQuery(query []float32, k int) ([]float32, error) {
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
	return q, nil
}

// Search returns the k vectors most similar to query (cosine, as query is
// normalised here and stored vectors are normalised), best first, ties by
// ascending ID. filter, when not nil, is asked about each ID and only IDs it
// accepts are returned; it may be called from several goroutines at once, so
// it must only read shared state. A query of the wrong length is an error.
func (x *VectorIndex) Search(query []float32, k int, filter func(id int64) bool) ([]Scored, error) {
	q, err := x.normalQuery(query, k)
	if q == nil {
		return nil, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := len(x.ids)
	m := k // candidates kept by the scan
	quant := x.quant && n > 4*k+16
	if quant {
		m = 4*k + 16
	}
	workers := min(runtime.GOMAXPROCS(0), n*x.dims/parallelMinFloats+1)
	var all topK
	if workers <= 1 {
		all = x.scan(q, m, filter, 0, n, quant)
	} else {
		parts := make([]topK, workers)
		var wg sync.WaitGroup
		for w := range workers {
			lo, hi := n*w/workers, n*(w+1)/workers
			wg.Go(func() { parts[w] = x.scan(q, m, filter, lo, hi, quant) })
		}
		wg.Wait()
		all = parts[0]
		for _, p := range parts[1:] {
			for _, s := range p {
				all.offer(m, s)
			}
		}
	}
	if quant {
		all = x.rescore(q, all, k)
	}
	return all.sorted(), nil
}

// SearchAmong is Search over the vectors of ids only (IDs the index does not
// hold are skipped, repeated ones count once): for a filter that leaves few
// IDs, which it finds without looking at every vector.
func (x *VectorIndex) SearchAmong(query []float32, ids []int64, k int) ([]Scored, error) {
	q, err := x.normalQuery(query, k)
	if q == nil {
		return nil, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	rows := make([]int64, 0, len(ids))
	for _, id := range ids {
		if i, ok := x.pos[id]; ok {
			rows = append(rows, int64(i))
		}
	}
	slices.Sort(rows)
	rows = slices.Compact(rows)
	top := make(topK, 0, k)
	var buf [scoreBlock]float32
	for b := 0; b < len(rows); b += scoreBlock {
		block := rows[b:min(b+scoreBlock, len(rows))]
		dotIndexed(q, x.vecs, block, buf[:len(block)])
		for j, r := range block {
			top.offer(k, Scored{ID: x.ids[r], Score: float64(buf[j])})
		}
	}
	return top.sorted(), nil
}

// scoreBlock is how many rows scan scores in one call of the kernel.
const scoreBlock = 512

// scan scores rows [lo, hi), by their int8 codes when quant is set, and
// keeps the best k. The caller holds the lock. Rows are scored a block at a
// time; filter is asked only about rows whose score would enter the top k.
func (x *VectorIndex) scan(q []float32, k int, filter func(int64) bool, lo, hi int, quant bool) topK {
	top := make(topK, 0, k)
	d := x.dims
	var buf [scoreBlock]float32
	for b := lo; b < hi; b += scoreBlock {
		n := min(scoreBlock, hi-b)
		if quant {
			dotRowsInt8(q, x.codes[b*d:(b+n)*d], x.scales[b:b+n], buf[:n])
		} else {
			dotRows(q, x.vecs[b*d:(b+n)*d], buf[:n])
		}
		for j, score := range buf[:n] {
			s := Scored{ID: x.ids[b+j], Score: float64(score)}
			if len(top) == k && !worse(top[0], s) {
				continue
			}
			if filter != nil && !filter(s.ID) {
				continue
			}
			top.offer(k, s)
		}
	}
	return top
}

// rescore scores the candidates again with their float32 vectors and keeps
// the best k. The caller holds the lock.
func (x *VectorIndex) rescore(q []float32, cands topK, k int) topK {
	rows := make([]int64, len(cands))
	for i, c := range cands {
		rows[i] = int64(x.pos[c.ID])
	}
	scores := make([]float32, len(rows))
	dotIndexed(q, x.vecs, rows, scores)
	top := make(topK, 0, k)
	for i, c := range cands {
		top.offer(k, Scored{ID: c.ID, Score: float64(scores[i])})
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
