/*===- Mmt4dAvx512.c - mmt4d microkernels for AVX-512 ---------------------===*\
 *
 * Built with -mavx512f -mavx512bw -mavx512vl -mavx512vnni -mfma; called only
 * by models compiled for a target with those features.
 *
 * f32, tile 1x32x1: 32-column panels (two zmm); register block 8 rows x 2
 * (16 accumulators of 32 zmm), K blocks of 256; one row unrolls K by 4.
 *
 * s8 x s8 -> s32 with VNNI, tile 1x32x4: a panel row holds 4 consecutive k
 * per column for 32 columns (128 bytes, two zmm); register block 8 rows x 2
 * (16 accumulators): per K-tile two weight loads serve 16 vpdpbusd. vpdpbusd multiplies unsigned by signed bytes and
 * sums 4 products into i32 without saturation, so the signed weights are
 * turned unsigned on the fly (w ^ 0x80 = w + 128) and the activations stay
 * signed: sum (w + 128) a = sum w a + 128 sum a, and 128 * (the row's
 * activation sum, computed once per row and K block) is subtracted. Exact:
 * the additions wrap modulo 2^32 like the reference's, so the result is the
 * exact one whenever that fits in i32.
 *
\*===----------------------------------------------------------------------===*/
#include "Mmt4d.h"

#include <immintrin.h>

#define KC 256

/*===-- f32 ---------------------------------------------------------------===*/

#define F32_ROWS 8

static inline void f32Block(const float *A, int64_t lda, const float *B,
                            float *C, int64_t ldc, int64_t rows, int64_t kc) {
  __m512 acc[F32_ROWS][2];
  for (int r = 0; r < F32_ROWS; ++r)
    if (r < rows) {
      acc[r][0] = _mm512_loadu_ps(C + r * ldc);
      acc[r][1] = _mm512_loadu_ps(C + r * ldc + 16);
    }
  for (int64_t k = 0; k < kc; ++k) {
    __m512 b0 = _mm512_loadu_ps(B + 32 * k);
    __m512 b1 = _mm512_loadu_ps(B + 32 * k + 16);
#pragma GCC unroll 8
    for (int r = 0; r < F32_ROWS; ++r)
      if (r < rows) {
        __m512 a = _mm512_set1_ps(A[r * lda + k]);
        acc[r][0] = _mm512_fmadd_ps(a, b0, acc[r][0]);
        acc[r][1] = _mm512_fmadd_ps(a, b1, acc[r][1]);
      }
  }
  for (int r = 0; r < F32_ROWS; ++r)
    if (r < rows) {
      _mm512_storeu_ps(C + r * ldc, acc[r][0]);
      _mm512_storeu_ps(C + r * ldc + 16, acc[r][1]);
    }
}

static inline void f32Row(const float *A, const float *B, float *C,
                          int64_t kc) {
  __m512 s[4][2];
  for (int u = 0; u < 4; ++u)
    s[u][0] = s[u][1] = _mm512_setzero_ps();
  int64_t k = 0;
  for (; k + 4 <= kc; k += 4) {
#pragma GCC unroll 4
    for (int u = 0; u < 4; ++u) {
      __m512 a = _mm512_set1_ps(A[k + u]);
      s[u][0] = _mm512_fmadd_ps(a, _mm512_loadu_ps(B + 32 * (k + u)), s[u][0]);
      s[u][1] =
          _mm512_fmadd_ps(a, _mm512_loadu_ps(B + 32 * (k + u) + 16), s[u][1]);
    }
  }
  for (; k < kc; ++k) {
    __m512 a = _mm512_set1_ps(A[k]);
    s[0][0] = _mm512_fmadd_ps(a, _mm512_loadu_ps(B + 32 * k), s[0][0]);
    s[0][1] = _mm512_fmadd_ps(a, _mm512_loadu_ps(B + 32 * k + 16), s[0][1]);
  }
  __m512 lo = _mm512_add_ps(_mm512_add_ps(s[0][0], s[1][0]),
                            _mm512_add_ps(s[2][0], s[3][0]));
  __m512 hi = _mm512_add_ps(_mm512_add_ps(s[0][1], s[1][1]),
                            _mm512_add_ps(s[2][1], s[3][1]));
  _mm512_storeu_ps(C, _mm512_add_ps(_mm512_loadu_ps(C), lo));
  _mm512_storeu_ps(C + 16, _mm512_add_ps(_mm512_loadu_ps(C + 16), hi));
}

QUK_MMT4D_KERNEL(quk_mmt4d_f32_32x1_avx512, 32, 1, float, float, float,
                 F32_ROWS, KC, f32Block, f32Row, quk_mmt4d_f32_strided)

/*===-- s8 x s8 -> s32 (VNNI) ---------------------------------------------===*/

#define S8_ROWS 8

/* 128 * sum of the activations A[0 .. 4*k1s). */
static inline int32_t biasOf(const int8_t *A, int64_t k1s) {
  int32_t s = 0;
  for (int64_t i = 0; i < 4 * k1s; ++i)
    s += A[i];
  return 128 * s;
}

static inline void s8Block(const int8_t *A, int64_t lda, const int8_t *B,
                           int32_t *C, int64_t ldc, int64_t rows, int64_t k1s) {
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  __m512i acc[S8_ROWS][2];
  for (int r = 0; r < S8_ROWS; ++r)
    if (r < rows) {
      __m512i bias = _mm512_set1_epi32(biasOf(A + r * lda, k1s));
      acc[r][0] = _mm512_sub_epi32(_mm512_loadu_si512(C + r * ldc), bias);
      acc[r][1] = _mm512_sub_epi32(_mm512_loadu_si512(C + r * ldc + 16), bias);
    }
  for (int64_t k = 0; k < k1s; ++k) {
    __m512i b0 = _mm512_xor_si512(_mm512_loadu_si512(B + 128 * k), flip);
    __m512i b1 = _mm512_xor_si512(_mm512_loadu_si512(B + 128 * k + 64), flip);
#pragma GCC unroll 8
    for (int r = 0; r < S8_ROWS; ++r)
      if (r < rows) {
        int32_t quad;
        __builtin_memcpy(&quad, A + r * lda + 4 * k, 4);
        __m512i a = _mm512_set1_epi32(quad);
        acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], b0, a);
        acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], b1, a);
      }
  }
  for (int r = 0; r < S8_ROWS; ++r)
    if (r < rows) {
      _mm512_storeu_si512(C + r * ldc, acc[r][0]);
      _mm512_storeu_si512(C + r * ldc + 16, acc[r][1]);
    }
}

static inline void s8Row(const int8_t *A, const int8_t *B, int32_t *C,
                         int64_t k1s) {
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  __m512i s[2][2];
  for (int u = 0; u < 2; ++u)
    s[u][0] = s[u][1] = _mm512_setzero_si512();
  int64_t k = 0;
  for (; k + 2 <= k1s; k += 2) {
#pragma GCC unroll 2
    for (int u = 0; u < 2; ++u) {
      int32_t quad;
      __builtin_memcpy(&quad, A + 4 * (k + u), 4);
      __m512i a = _mm512_set1_epi32(quad);
      const int8_t *b = B + 128 * (k + u);
      s[u][0] = _mm512_dpbusd_epi32(
          s[u][0], _mm512_xor_si512(_mm512_loadu_si512(b), flip), a);
      s[u][1] = _mm512_dpbusd_epi32(
          s[u][1], _mm512_xor_si512(_mm512_loadu_si512(b + 64), flip), a);
    }
  }
  for (; k < k1s; ++k) {
    int32_t quad;
    __builtin_memcpy(&quad, A + 4 * k, 4);
    __m512i a = _mm512_set1_epi32(quad);
    const int8_t *b = B + 128 * k;
    s[0][0] = _mm512_dpbusd_epi32(
        s[0][0], _mm512_xor_si512(_mm512_loadu_si512(b), flip), a);
    s[0][1] = _mm512_dpbusd_epi32(
        s[0][1], _mm512_xor_si512(_mm512_loadu_si512(b + 64), flip), a);
  }
  __m512i bias = _mm512_set1_epi32(biasOf(A, k1s));
  __m512i lo = _mm512_sub_epi32(_mm512_add_epi32(s[0][0], s[1][0]), bias);
  __m512i hi = _mm512_sub_epi32(_mm512_add_epi32(s[0][1], s[1][1]), bias);
  _mm512_storeu_si512(C, _mm512_add_epi32(_mm512_loadu_si512(C), lo));
  _mm512_storeu_si512(C + 16,
                      _mm512_add_epi32(_mm512_loadu_si512(C + 16), hi));
}

QUK_MMT4D_KERNEL(quk_mmt4d_s8s8s32_32x4_avx512vnni, 32, 4, int8_t, int8_t,
                 int32_t, S8_ROWS, KC, s8Block, s8Row,
                 quk_mmt4d_s8s8s32_strided)
