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
#include "WeightOnly.h"

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

/*===-- int4 weight-only (WeightOnly.h), 16-column panels -----------------===*/

/* A panel row pair (16 bytes: k = 2p in the low nibbles, 2p + 1 in the
 * high ones) as four vectors of 8 floats: lo0, lo1 (k even), hi0, hi1. */
static inline void w4Pair(const uint8_t *b, __m256 *lo0, __m256 *lo1,
                          __m256 *hi0, __m256 *hi1) {
  const __m256i m15 = _mm256_set1_epi32(15);
  __m256i x0 = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)b));
  __m256i x1 = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(b + 8)));
  *lo0 = _mm256_cvtepi32_ps(_mm256_and_si256(x0, m15));
  *lo1 = _mm256_cvtepi32_ps(_mm256_and_si256(x1, m15));
  *hi0 = _mm256_cvtepi32_ps(_mm256_srli_epi32(x0, 4));
  *hi1 = _mm256_cvtepi32_ps(_mm256_srli_epi32(x1, 4));
}

static inline float sumOf(const float *a, int64_t n) {
  int64_t i = 0;
  __m256 v = _mm256_setzero_ps();
  for (; i + 8 <= n; i += 8)
    v = _mm256_add_ps(v, _mm256_loadu_ps(a + i));
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_movehdup_ps(h));
  float s = _mm_cvtss_f32(h);
  for (; i < n; ++i)
    s += a[i];
  return s;
}

/* One row: per group, sum_k a_k u_k in 8 accumulators (even/odd k x two
 * pairs x two column halves), then C += s * (that - z * sum_k a_k). */
/* 8 zero-point bytes as floats. */
static inline __m256 zeros8(const uint8_t *z) {
  return _mm256_cvtepi32_ps(
      _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)z)));
}

static void w4Row(const float *A, const uint8_t *B, const float *S,
                  const uint8_t *Z, float *C, int64_t K, int64_t G) {
  __m256 out0 = _mm256_loadu_ps(C), out1 = _mm256_loadu_ps(C + 8);
  const __m256 eight = _mm256_set1_ps(8.0f);
  int64_t pairs = G / 2;
  for (int64_t g = 0; g < K / G; ++g) {
    const float *a = A + g * G;
    const uint8_t *b = B + g * pairs * 16;
    __m256 t[2][2][2]; /* [unroll][even/odd][half] */
    for (int u = 0; u < 2; ++u)
      t[u][0][0] = t[u][0][1] = t[u][1][0] = t[u][1][1] = _mm256_setzero_ps();
    int64_t p = 0;
    for (; p + 2 <= pairs; p += 2) {
#pragma GCC unroll 2
      for (int u = 0; u < 2; ++u) {
        __m256 lo0, lo1, hi0, hi1;
        w4Pair(b + 16 * (p + u), &lo0, &lo1, &hi0, &hi1);
        __m256 ae = _mm256_broadcast_ss(a + 2 * (p + u));
        __m256 ao = _mm256_broadcast_ss(a + 2 * (p + u) + 1);
        t[u][0][0] = _mm256_fmadd_ps(ae, lo0, t[u][0][0]);
        t[u][0][1] = _mm256_fmadd_ps(ae, lo1, t[u][0][1]);
        t[u][1][0] = _mm256_fmadd_ps(ao, hi0, t[u][1][0]);
        t[u][1][1] = _mm256_fmadd_ps(ao, hi1, t[u][1][1]);
      }
    }
    for (; p < pairs; ++p) {
      __m256 lo0, lo1, hi0, hi1;
      w4Pair(b + 16 * p, &lo0, &lo1, &hi0, &hi1);
      __m256 ae = _mm256_broadcast_ss(a + 2 * p);
      __m256 ao = _mm256_broadcast_ss(a + 2 * p + 1);
      t[0][0][0] = _mm256_fmadd_ps(ae, lo0, t[0][0][0]);
      t[0][0][1] = _mm256_fmadd_ps(ae, lo1, t[0][0][1]);
      t[0][1][0] = _mm256_fmadd_ps(ao, hi0, t[0][1][0]);
      t[0][1][1] = _mm256_fmadd_ps(ao, hi1, t[0][1][1]);
    }
    __m256 t0 = _mm256_add_ps(_mm256_add_ps(t[0][0][0], t[0][1][0]),
                              _mm256_add_ps(t[1][0][0], t[1][1][0]));
    __m256 t1 = _mm256_add_ps(_mm256_add_ps(t[0][0][1], t[0][1][1]),
                              _mm256_add_ps(t[1][0][1], t[1][1][1]));
    __m256 asum = _mm256_set1_ps(sumOf(a, G));
    __m256 z0 = Z ? zeros8(Z + 16 * g) : eight;
    __m256 z1 = Z ? zeros8(Z + 16 * g + 8) : eight;
    out0 = _mm256_fmadd_ps(_mm256_loadu_ps(S + 16 * g),
                           _mm256_fnmadd_ps(z0, asum, t0), out0);
    out1 = _mm256_fmadd_ps(_mm256_loadu_ps(S + 16 * g + 8),
                           _mm256_fnmadd_ps(z1, asum, t1), out1);
  }
  _mm256_storeu_ps(C, out0);
  _mm256_storeu_ps(C + 8, out1);
}

/* tile[k - k0][0..16) = (u - z) * s for k in [k0, k0 + kc). */
static void w4Unpack(const uint8_t *B, const float *S, const uint8_t *Z,
                     float *tile, int64_t k0, int64_t kc, int64_t G) {
  const __m256 eight = _mm256_set1_ps(8.0f);
  for (int64_t k = k0; k < k0 + kc; k += 2) {
    int64_t g = k / G; /* k and k + 1 share the group: G is even */
    __m256 lo0, lo1, hi0, hi1;
    w4Pair(B + 8 * k, &lo0, &lo1, &hi0, &hi1);
    __m256 s0 = _mm256_loadu_ps(S + 16 * g),
           s1 = _mm256_loadu_ps(S + 16 * g + 8);
    __m256 z0 = Z ? zeros8(Z + 16 * g) : eight;
    __m256 z1 = Z ? zeros8(Z + 16 * g + 8) : eight;
    float *t = tile + 16 * (k - k0);
    _mm256_storeu_ps(t, _mm256_mul_ps(_mm256_sub_ps(lo0, z0), s0));
    _mm256_storeu_ps(t + 8, _mm256_mul_ps(_mm256_sub_ps(lo1, z1), s1));
    _mm256_storeu_ps(t + 16, _mm256_mul_ps(_mm256_sub_ps(hi0, z0), s0));
    _mm256_storeu_ps(t + 24, _mm256_mul_ps(_mm256_sub_ps(hi1, z1), s1));
  }
}

QUK_W4_KERNEL(quk_w4_f32_16_avx2, 16, F32_ROWS, KC, w4Row, w4Unpack, f32Block)

/*===-- int4 weight-only, int8 activations (AVX2) -------------------------===*/

/* u (0..15) times 4 activations per column dword, summed in i32 exactly:
 * vpmaddubsw pairs (|15 * 127 * 2| < 2^15), the low- and high-nibble pair
 * sums added in i16 (< 2^14 each... 4 * 15 * 127 = 7620), vpmaddwd with
 * ones to i32. */
static inline __m256i dot8(__m256i x, __m256i alo, __m256i ahi) {
  const __m256i m15 = _mm256_set1_epi8(15), ones = _mm256_set1_epi16(1);
  __m256i lo = _mm256_maddubs_epi16(_mm256_and_si256(x, m15), alo);
  __m256i hi =
      _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi32(x, 4), m15), ahi);
  return _mm256_madd_epi16(_mm256_add_epi16(lo, hi), ones);
}

/* One row: per group, sum_k aq_k u_k exactly, 8 k per step (a 32-byte
 * load holds 4 bytes of 8 columns), then C += s * sa * (that - z *
 * sum_k aq_k), the correction in i32. */
static void w4s8Row(const int8_t *Aq, const float *Sa, const uint8_t *B,
                    const float *S, const uint8_t *Z, float *C, int64_t K,
                    int64_t G) {
  __m256 out0 = _mm256_loadu_ps(C), out1 = _mm256_loadu_ps(C + 8);
  int64_t blocks = G / 8;
  for (int64_t g = 0; g < K / G; ++g) {
    const int8_t *a = Aq + g * G;
    const uint8_t *b = B + g * blocks * 64;
    __m256i t[2][2];
    t[0][0] = t[0][1] = t[1][0] = t[1][1] = _mm256_setzero_si256();
    int64_t blk = 0;
    for (; blk + 2 <= blocks; blk += 2) {
#pragma GCC unroll 2
      for (int u = 0; u < 2; ++u) {
        const uint8_t *bb = b + 64 * (blk + u);
        int32_t lo, hi;
        memcpy(&lo, a + 8 * (blk + u), 4);
        memcpy(&hi, a + 8 * (blk + u) + 4, 4);
        __m256i alo = _mm256_set1_epi32(lo), ahi = _mm256_set1_epi32(hi);
        t[u][0] = _mm256_add_epi32(
            t[u][0], dot8(_mm256_loadu_si256((const __m256i *)bb), alo, ahi));
        t[u][1] = _mm256_add_epi32(
            t[u][1],
            dot8(_mm256_loadu_si256((const __m256i *)(bb + 32)), alo, ahi));
      }
    }
    for (; blk < blocks; ++blk) {
      const uint8_t *bb = b + 64 * blk;
      int32_t lo, hi;
      memcpy(&lo, a + 8 * blk, 4);
      memcpy(&hi, a + 8 * blk + 4, 4);
      __m256i alo = _mm256_set1_epi32(lo), ahi = _mm256_set1_epi32(hi);
      t[0][0] = _mm256_add_epi32(
          t[0][0], dot8(_mm256_loadu_si256((const __m256i *)bb), alo, ahi));
      t[0][1] = _mm256_add_epi32(
          t[0][1],
          dot8(_mm256_loadu_si256((const __m256i *)(bb + 32)), alo, ahi));
    }
    int32_t asum = 0;
    for (int64_t i = 0; i < G; ++i)
      asum += a[i];
    __m256i sum = _mm256_set1_epi32(asum);
    __m256i z0 =
        Z ? _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(Z + 16 * g)))
          : _mm256_set1_epi32(8);
    __m256i z1 = Z ? _mm256_cvtepu8_epi32(
                         _mm_loadl_epi64((const __m128i *)(Z + 16 * g + 8)))
                   : _mm256_set1_epi32(8);
    __m256i d0 = _mm256_sub_epi32(_mm256_add_epi32(t[0][0], t[1][0]),
                                  _mm256_mullo_epi32(z0, sum));
    __m256i d1 = _mm256_sub_epi32(_mm256_add_epi32(t[0][1], t[1][1]),
                                  _mm256_mullo_epi32(z1, sum));
    __m256 sa = _mm256_set1_ps(Sa[g]);
    out0 = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_loadu_ps(S + 16 * g), sa),
                           _mm256_cvtepi32_ps(d0), out0);
    out1 = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_loadu_ps(S + 16 * g + 8), sa),
                           _mm256_cvtepi32_ps(d1), out1);
  }
  _mm256_storeu_ps(C, out0);
  _mm256_storeu_ps(C + 8, out1);
}

/* tile[k - k0][0..16) = (u - z) * s for k in [k0, k0 + kc), layout
 * [K/8][16][4]. */
static void w4s8Unpack(const uint8_t *B, const float *S, const uint8_t *Z,
                       float *tile, int64_t k0, int64_t kc, int64_t G) {
  const __m256i m15 = _mm256_set1_epi32(15);
  const __m256 eight = _mm256_set1_ps(8.0f);
  for (int64_t k = k0; k < k0 + kc; k += 8) {
    int64_t g = k / G; /* G is a multiple of 8 */
    __m256 s[2] = {_mm256_loadu_ps(S + 16 * g),
                   _mm256_loadu_ps(S + 16 * g + 8)};
    __m256 z[2] = {Z ? zeros8(Z + 16 * g) : eight,
                   Z ? zeros8(Z + 16 * g + 8) : eight};
    for (int h = 0; h < 2; ++h) {
      __m256i x = _mm256_loadu_si256((const __m256i *)(B + 8 * k + 32 * h));
#pragma GCC unroll 8
      for (int i = 0; i < 8; ++i) {
        __m256i u = _mm256_and_si256(
            _mm256_srli_epi32(x, 8 * (i % 4) + 4 * (i / 4)), m15);
        _mm256_storeu_ps(
            tile + 16 * (k + i - k0) + 8 * h,
            _mm256_mul_ps(_mm256_sub_ps(_mm256_cvtepi32_ps(u), z[h]), s[h]));
      }
    }
  }
}

QUK_W4S8_KERNEL(quk_w4_s8_16_avx2, 16, F32_ROWS, KC, w4s8Row, w4s8Unpack,
                f32Block)
