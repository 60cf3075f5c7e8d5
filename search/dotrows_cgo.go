//go:build cgo && amd64

package search

/*
#cgo CFLAGS: -O3
#include <immintrin.h>
#include <stddef.h>

// Dot products of q with rows of m (row r starts at m + r*dims), with AVX2
// and FMA: eight lanes, four accumulators.
__attribute__((target("avx2,fma")))
static float couponpop_dot_avx2(const float *q, const float *v, size_t dims) {
	__m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
	size_t i = 0;
	for (; i + 32 <= dims; i += 32) {
		a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(v + i), a0);
		a1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), _mm256_loadu_ps(v + i + 8), a1);
		a2 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 16), _mm256_loadu_ps(v + i + 16), a2);
		a3 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 24), _mm256_loadu_ps(v + i + 24), a3);
	}
	for (; i + 8 <= dims; i += 8) {
		a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(v + i), a0);
	}
	__m256 s = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
	__m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
	h = _mm_hadd_ps(h, h);
	h = _mm_hadd_ps(h, h);
	float sum = _mm_cvtss_f32(h);
	for (; i < dims; i++) {
		sum += q[i] * v[i];
	}
	return sum;
}

__attribute__((target("avx2,fma")))
static void couponpop_dot_rows_avx2(const float *q, const float *m, size_t dims, size_t rows, float *out) {
	for (size_t r = 0; r < rows; r++) {
		out[r] = couponpop_dot_avx2(q, m + r * dims, dims);
	}
}

__attribute__((target("avx2,fma")))
static void couponpop_dot_index_avx2(const float *q, const float *m, size_t dims, const long long *idx, size_t n, float *out) {
	for (size_t r = 0; r < n; r++) {
		out[r] = couponpop_dot_avx2(q, m + (size_t)idx[r] * dims, dims);
	}
}

// Dot products of q with rows of int8 codes, each times its row's scale.
__attribute__((target("avx2,fma")))
static void couponpop_dot_rows_i8_avx2(const float *q, const signed char *m, const float *scales, size_t dims, size_t rows, float *out) {
	for (size_t r = 0; r < rows; r++) {
		const signed char *v = m + r * dims;
		__m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
		size_t i = 0;
		for (; i + 32 <= dims; i += 32) {
			__m256i b = _mm256_loadu_si256((const __m256i *)(v + i));
			__m128i lo = _mm256_castsi256_si128(b), hi = _mm256_extracti128_si256(b, 1);
			a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(lo)), a0);
			a1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8))), a1);
			a2 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 16), _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(hi)), a2);
			a3 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 24), _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8))), a3);
		}
		__m256 s = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
		__m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
		h = _mm_hadd_ps(h, h);
		h = _mm_hadd_ps(h, h);
		float sum = _mm_cvtss_f32(h);
		for (; i < dims; i++) {
			sum += q[i] * (float)v[i];
		}
		out[r] = sum * scales[r];
	}
}

static int couponpop_has_avx2_fma(void) {
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
*/
import "C"

import "unsafe"

// hasAVX2 says whether dotRows and dotIndexed run the AVX2 kernels; else
// they run the portable Go loop.
var hasAVX2 = C.couponpop_has_avx2_fma() != 0

// dotRows sets out[r] to the dot product of q with the r-th row of m, a
// matrix of len(out) rows of len(q) floats.
func dotRows(q, m []float32, out []float32) {
	dims := len(q)
	if !hasAVX2 || len(out) == 0 || dims == 0 {
		dotRowsGo(q, m, out)
		return
	}
	_ = m[len(out)*dims-1]
	C.couponpop_dot_rows_avx2((*C.float)(unsafe.Pointer(&q[0])), (*C.float)(unsafe.Pointer(&m[0])),
		C.size_t(dims), C.size_t(len(out)), (*C.float)(unsafe.Pointer(&out[0])))
}

// dotIndexed sets out[j] to the dot product of q with row rows[j] of m.
func dotIndexed(q, m []float32, rows []int64, out []float32) {
	dims := len(q)
	if !hasAVX2 || len(rows) == 0 || dims == 0 {
		dotIndexedGo(q, m, rows, out)
		return
	}
	_ = out[len(rows)-1]
	for _, r := range rows {
		_ = m[(int(r)+1)*dims-1] // every row is in range
	}
	C.couponpop_dot_index_avx2((*C.float)(unsafe.Pointer(&q[0])), (*C.float)(unsafe.Pointer(&m[0])), C.size_t(dims),
		(*C.longlong)(unsafe.Pointer(&rows[0])), C.size_t(len(rows)), (*C.float)(unsafe.Pointer(&out[0])))
}

// dotRowsInt8 sets out[r] to the dot product of q with the r-th row of
// codes, times scales[r].
func dotRowsInt8(q []float32, codes []int8, scales []float32, out []float32) {
	dims := len(q)
	if !hasAVX2 || len(out) == 0 || dims == 0 {
		dotRowsInt8Go(q, codes, scales, out)
		return
	}
	_ = codes[len(out)*dims-1]
	_ = scales[len(out)-1]
	C.couponpop_dot_rows_i8_avx2((*C.float)(unsafe.Pointer(&q[0])), (*C.schar)(unsafe.Pointer(&codes[0])),
		(*C.float)(unsafe.Pointer(&scales[0])), C.size_t(dims), C.size_t(len(out)), (*C.float)(unsafe.Pointer(&out[0])))
}
