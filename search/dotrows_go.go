//go:build !cgo || !amd64

package search

// hasAVX2 is false where the cgo kernels are not built.
const hasAVX2 = false

// dotRows sets out[r] to the dot product of q with the r-th row of m.
func dotRows(q, m []float32, out []float32) { dotRowsGo(q, m, out) }

// dotIndexed sets out[j] to the dot product of q with row rows[j] of m.
func dotIndexed(q, m []float32, rows []int64, out []float32) { dotIndexedGo(q, m, rows, out) }

// dotRowsInt8 sets out[r] to the dot product of q with the r-th row of
// codes, times scales[r].
func dotRowsInt8(q []float32, codes []int8, scales []float32, out []float32) {
	dotRowsInt8Go(q, codes, scales, out)
}
