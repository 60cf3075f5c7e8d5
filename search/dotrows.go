package search

// The scoring kernels of VectorIndex. On amd64 with cgo, dotRows,
// dotIndexed and dotRowsInt8 (dotrows_cgo.go) use AVX2 and FMA when the CPU
// has them; elsewhere they are these loops (and the index keeps no int8
// codes, so dotRowsInt8 is not used).

func dotRowsGo(q, m []float32, out []float32) {
	d := len(q)
	for r := range out {
		out[r] = Dot(q, m[r*d:(r+1)*d])
	}
}

func dotIndexedGo(q, m []float32, rows []int64, out []float32) {
	d := len(q)
	for j, r := range rows {
		out[j] = Dot(q, m[int(r)*d:(int(r)+1)*d])
	}
}

func dotRowsInt8Go(q []float32, codes []int8, scales []float32, out []float32) {
	d := len(q)
	for r := range out {
		var sum float32
		for i, c := range codes[r*d : (r+1)*d] {
			sum += q[i] * float32(c)
		}
		out[r] = sum * scales[r]
	}
}
