/*===- Mmt4dAvx2.c - mmt4d microkernels for AVX2 + FMA --------------------===*\
 *
 * Built with -mavx2 -mfma; called only by models compiled for a target with
 * those features (the runtime's CPU check refuses to run them elsewhere).
 *
 * f32, tile 1x16x1: 16-column panels (two ymm). A register block of 6 rows
 * x 2 vectors (12 accumulators, 2 weight vectors, 1 broadcast: 15 of the 16
 * ymm registers), K in blocks of 256 so the panel slice stays in L1 while
 * the row blocks pass over it. One row (GEMV) unrolls K by 4 into 8
 * accumulators to cover the FMA latency.
 *
 * s8 x s8 -> s32, tile 1x16x2: panel rows hold k-pairs per column. Each pair
 * of weights is sign-extended to i16 (vpmovsxbw) and multiplied with the
 * broadcast activation pair by vpmaddwd, which sums the two products in
 * i32: exact (|a*b| <= 2^14), unlike vpmaddubsw, which saturates i16.
 *
\*===----------------------------------------------------------------------===*/
#include "Mmt4d.h"

#include <immintrin.h>
#include <string.h>

#define KC 256

/*===-- f32 ---------------------------------------------------------------===*/

#define F32_ROWS 6

static inline void f32Block(const float *A, int64_t lda, const float *B,
                            float *C, int64_t ldc, int64_t rows, int64_t kc) {
  __m256 acc[F32_ROWS][2];
  for (int r = 0; r < F32_ROWS; ++r)
    if (r < rows) {
      acc[r][0] = _mm256_loadu_ps(C + r * ldc);
      acc[r][1] = _mm256_loadu_ps(C + r * ldc + 8);
    }
  for (int64_t k = 0; k < kc; ++k) {
    __m256 b0 = _mm256_loadu_ps(B + 16 * k);
    __m256 b1 = _mm256_loadu_ps(B + 16 * k + 8);
#pragma GCC unroll 6
    for (int r = 0; r < F32_ROWS; ++r)
      if (r < rows) {
        __m256 a = _mm256_broadcast_ss(A + r * lda + k);
        acc[r][0] = _mm256_fmadd_ps(a, b0, acc[r][0]);
        acc[r][1] = _mm256_fmadd_ps(a, b1, acc[r][1]);
      }
  }
  for (int r = 0; r < F32_ROWS; ++r)
    if (r < rows) {
      _mm256_storeu_ps(C + r * ldc, acc[r][0]);
      _mm256_storeu_ps(C + r * ldc + 8, acc[r][1]);
    }
}

/* One row: K unrolled by 4 into independent accumulators. */
static inline void f32Row(const float *A, const float *B, float *C,
                          int64_t kc) {
  __m256 s[4][2];
  for (int u = 0; u < 4; ++u)
    s[u][0] = s[u][1] = _mm256_setzero_ps();
  int64_t k = 0;
  for (; k + 4 <= kc; k += 4) {
#pragma GCC unroll 4
    for (int u = 0; u < 4; ++u) {
      __m256 a = _mm256_broadcast_ss(A + k + u);
      s[u][0] = _mm256_fmadd_ps(a, _mm256_loadu_ps(B + 16 * (k + u)), s[u][0]);
      s[u][1] =
          _mm256_fmadd_ps(a, _mm256_loadu_ps(B + 16 * (k + u) + 8), s[u][1]);
    }
  }
  for (; k < kc; ++k) {
    __m256 a = _mm256_broadcast_ss(A + k);
    s[0][0] = _mm256_fmadd_ps(a, _mm256_loadu_ps(B + 16 * k), s[0][0]);
    s[0][1] = _mm256_fmadd_ps(a, _mm256_loadu_ps(B + 16 * k + 8), s[0][1]);
  }
  __m256 lo = _mm256_add_ps(_mm256_add_ps(s[0][0], s[1][0]),
                            _mm256_add_ps(s[2][0], s[3][0]));
  __m256 hi = _mm256_add_ps(_mm256_add_ps(s[0][1], s[1][1]),
                            _mm256_add_ps(s[2][1], s[3][1]));
  _mm256_storeu_ps(C, _mm256_add_ps(_mm256_loadu_ps(C), lo));
  _mm256_storeu_ps(C + 8, _mm256_add_ps(_mm256_loadu_ps(C + 8), hi));
}

QUK_MMT4D_KERNEL(quk_mmt4d_f32_16x1_avx2, 16, 1, float, float, float, F32_ROWS,
                 KC, f32Block, f32Row, quk_mmt4d_f32_strided)

/*===-- s8 x s8 -> s32 ----------------------------------------------------===*/

#define S8_ROWS 4

/* The activation pair at A (two i8) as two i16 in each i32 lane. */
static inline __m256i pairBroadcast(const int8_t *A) {
  int16_t lo = A[0], hi = A[1];
  return _mm256_set1_epi32(
      (int32_t)(((uint32_t)(uint16_t)hi << 16) | (uint16_t)lo));
}

static inline void s8Block(const int8_t *A, int64_t lda, const int8_t *B,
                           int32_t *C, int64_t ldc, int64_t rows, int64_t k1s) {
  __m256i acc[S8_ROWS][2];
  for (int r = 0; r < S8_ROWS; ++r)
    if (r < rows) {
      acc[r][0] = _mm256_loadu_si256((const __m256i *)(C + r * ldc));
      acc[r][1] = _mm256_loadu_si256((const __m256i *)(C + r * ldc + 8));
    }
  for (int64_t k = 0; k < k1s; ++k) {
    /* 16 columns x 2: bytes [c0k0 c0k1 c1k0 c1k1 ...]. */
    __m256i raw = _mm256_loadu_si256((const __m256i *)(B + 32 * k));
    __m256i b0 = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(raw));
    __m256i b1 = _mm256_cvtepi8_epi16(_mm256_extracti128_si256(raw, 1));
#pragma GCC unroll 4
    for (int r = 0; r < S8_ROWS; ++r)
      if (r < rows) {
        __m256i a = pairBroadcast(A + r * lda + 2 * k);
        acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(a, b0));
        acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(a, b1));
      }
  }
  for (int r = 0; r < S8_ROWS; ++r)
    if (r < rows) {
      _mm256_storeu_si256((__m256i *)(C + r * ldc), acc[r][0]);
      _mm256_storeu_si256((__m256i *)(C + r * ldc + 8), acc[r][1]);
    }
}

static inline void s8Row(const int8_t *A, const int8_t *B, int32_t *C,
                         int64_t k1s) {
  __m256i s[2][2];
  for (int u = 0; u < 2; ++u)
    s[u][0] = s[u][1] = _mm256_setzero_si256();
  int64_t k = 0;
  for (; k + 2 <= k1s; k += 2) {
#pragma GCC unroll 2
    for (int u = 0; u < 2; ++u) {
      __m256i raw = _mm256_loadu_si256((const __m256i *)(B + 32 * (k + u)));
      __m256i a = pairBroadcast(A + 2 * (k + u));
      s[u][0] = _mm256_add_epi32(
          s[u][0], _mm256_madd_epi16(
                       a, _mm256_cvtepi8_epi16(_mm256_castsi256_si128(raw))));
      s[u][1] = _mm256_add_epi32(
          s[u][1], _mm256_madd_epi16(a, _mm256_cvtepi8_epi16(
                                            _mm256_extracti128_si256(raw, 1))));
    }
  }
  for (; k < k1s; ++k) {
    __m256i raw = _mm256_loadu_si256((const __m256i *)(B + 32 * k));
    __m256i a = pairBroadcast(A + 2 * k);
    s[0][0] = _mm256_add_epi32(
        s[0][0], _mm256_madd_epi16(
                     a, _mm256_cvtepi8_epi16(_mm256_castsi256_si128(raw))));
    s[0][1] = _mm256_add_epi32(
        s[0][1], _mm256_madd_epi16(a, _mm256_cvtepi8_epi16(
                                          _mm256_extracti128_si256(raw, 1))));
  }
  __m256i lo = _mm256_add_epi32(s[0][0], s[1][0]);
  __m256i hi = _mm256_add_epi32(s[0][1], s[1][1]);
  _mm256_storeu_si256((__m256i *)C,
                      _mm256_add_epi32(_mm256_loadu_si256((__m256i *)C), lo));
  _mm256_storeu_si256(
      (__m256i *)(C + 8),
      _mm256_add_epi32(_mm256_loadu_si256((__m256i *)(C + 8)), hi));
}

QUK_MMT4D_KERNEL(quk_mmt4d_s8s8s32_16x2_avx2, 16, 2, int8_t, int8_t, int32_t,
                 S8_ROWS, KC, s8Block, s8Row, quk_mmt4d_s8s8s32_strided)
