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
 * (16 accumulators): per K-tile two weight loads serve 16 vpdpbusd. vpdpbusd
multiplies unsigned by signed bytes and
 * sums 4 products into i32 without saturation, so the signed weights are
 * turned unsigned on the fly (w ^ 0x80 = w + 128) and the activations stay
 * signed: sum (w + 128) a = sum w a + 128 sum a, and 128 * (the row's
 * activation sum, computed once per row and K block) is subtracted. Exact:
 * the additions wrap modulo 2^32 like the reference's, so the result is the
 * exact one whenever that fits in i32.
 *
\*===----------------------------------------------------------------------===*/
#include "Mmt4d.h"
#include "WeightOnly.h"

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
  _mm512_storeu_si512(C + 16, _mm512_add_epi32(_mm512_loadu_si512(C + 16), hi));
}

QUK_MMT4D_KERNEL(quk_mmt4d_s8s8s32_32x4_avx512vnni, 32, 4, int8_t, int8_t,
                 int32_t, S8_ROWS, KC, s8Block, s8Row,
                 quk_mmt4d_s8s8s32_strided)

/*===-- int4 weight-only (WeightOnly.h), 32-column panels -----------------===*/

/* A panel row pair (32 bytes: k = 2p in the low nibbles, 2p + 1 in the
 * high ones) as four vectors of 16 floats: lo0, lo1 (k even), hi0, hi1. */
static inline void w4Pair(const uint8_t *b, __m512 *lo0, __m512 *lo1,
                          __m512 *hi0, __m512 *hi1) {
  const __m512i m15 = _mm512_set1_epi32(15);
  __m512i x0 = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)b));
  __m512i x1 = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)b + 1));
  *lo0 = _mm512_cvtepi32_ps(_mm512_and_si512(x0, m15));
  *lo1 = _mm512_cvtepi32_ps(_mm512_and_si512(x1, m15));
  *hi0 = _mm512_cvtepi32_ps(_mm512_srli_epi32(x0, 4));
  *hi1 = _mm512_cvtepi32_ps(_mm512_srli_epi32(x1, 4));
}

static inline float sumOf(const float *a, int64_t n) {
  int64_t i = 0;
  __m512 v = _mm512_setzero_ps();
  for (; i + 16 <= n; i += 16)
    v = _mm512_add_ps(v, _mm512_loadu_ps(a + i));
  float s = _mm512_reduce_add_ps(v);
  for (; i < n; ++i)
    s += a[i];
  return s;
}

/* One row: per group, sum_k a_k u_k in 8 accumulators (even/odd k x two
 * pairs x two column halves), then C += s * (that - z * sum_k a_k). */
/* 16 zero-point bytes as floats. */
static inline __m512 zeros16(const uint8_t *z) {
  return _mm512_cvtepi32_ps(
      _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)z)));
}

static void w4Row(const float *A, const uint8_t *B, const float *S,
                  const uint8_t *Z, float *C, int64_t K, int64_t G) {
  __m512 out0 = _mm512_loadu_ps(C), out1 = _mm512_loadu_ps(C + 16);
  const __m512 eight = _mm512_set1_ps(8.0f);
  int64_t pairs = G / 2;
  for (int64_t g = 0; g < K / G; ++g) {
    const float *a = A + g * G;
    const uint8_t *b = B + g * pairs * 32;
    __m512 t[2][2][2]; /* [unroll][even/odd][half] */
    for (int u = 0; u < 2; ++u)
      t[u][0][0] = t[u][0][1] = t[u][1][0] = t[u][1][1] = _mm512_setzero_ps();
    int64_t p = 0;
    for (; p + 2 <= pairs; p += 2) {
#pragma GCC unroll 2
      for (int u = 0; u < 2; ++u) {
        __m512 lo0, lo1, hi0, hi1;
        w4Pair(b + 32 * (p + u), &lo0, &lo1, &hi0, &hi1);
        __m512 ae = _mm512_set1_ps(a[2 * (p + u)]);
        __m512 ao = _mm512_set1_ps(a[2 * (p + u) + 1]);
        t[u][0][0] = _mm512_fmadd_ps(ae, lo0, t[u][0][0]);
        t[u][0][1] = _mm512_fmadd_ps(ae, lo1, t[u][0][1]);
        t[u][1][0] = _mm512_fmadd_ps(ao, hi0, t[u][1][0]);
        t[u][1][1] = _mm512_fmadd_ps(ao, hi1, t[u][1][1]);
      }
    }
    for (; p < pairs; ++p) {
      __m512 lo0, lo1, hi0, hi1;
      w4Pair(b + 32 * p, &lo0, &lo1, &hi0, &hi1);
      __m512 ae = _mm512_set1_ps(a[2 * p]), ao = _mm512_set1_ps(a[2 * p + 1]);
      t[0][0][0] = _mm512_fmadd_ps(ae, lo0, t[0][0][0]);
      t[0][0][1] = _mm512_fmadd_ps(ae, lo1, t[0][0][1]);
      t[0][1][0] = _mm512_fmadd_ps(ao, hi0, t[0][1][0]);
      t[0][1][1] = _mm512_fmadd_ps(ao, hi1, t[0][1][1]);
    }
    __m512 t0 = _mm512_add_ps(_mm512_add_ps(t[0][0][0], t[0][1][0]),
                              _mm512_add_ps(t[1][0][0], t[1][1][0]));
    __m512 t1 = _mm512_add_ps(_mm512_add_ps(t[0][0][1], t[0][1][1]),
                              _mm512_add_ps(t[1][0][1], t[1][1][1]));
    __m512 asum = _mm512_set1_ps(sumOf(a, G));
    __m512 z0 = Z ? zeros16(Z + 32 * g) : eight;
    __m512 z1 = Z ? zeros16(Z + 32 * g + 16) : eight;
    out0 = _mm512_fmadd_ps(_mm512_loadu_ps(S + 32 * g),
                           _mm512_fnmadd_ps(z0, asum, t0), out0);
    out1 = _mm512_fmadd_ps(_mm512_loadu_ps(S + 32 * g + 16),
                           _mm512_fnmadd_ps(z1, asum, t1), out1);
  }
  _mm512_storeu_ps(C, out0);
  _mm512_storeu_ps(C + 16, out1);
}

/* tile[k - k0][0..32) = (u - z) * s for k in [k0, k0 + kc). */
static void w4Unpack(const uint8_t *B, const float *S, const uint8_t *Z,
                     float *tile, int64_t k0, int64_t kc, int64_t G) {
  const __m512 eight = _mm512_set1_ps(8.0f);
  for (int64_t k = k0; k < k0 + kc; k += 2) {
    int64_t g = k / G; /* k and k + 1 share the group: G is even */
    __m512 lo0, lo1, hi0, hi1;
    w4Pair(B + 16 * k, &lo0, &lo1, &hi0, &hi1);
    __m512 s0 = _mm512_loadu_ps(S + 32 * g),
           s1 = _mm512_loadu_ps(S + 32 * g + 16);
    __m512 z0 = Z ? zeros16(Z + 32 * g) : eight;
    __m512 z1 = Z ? zeros16(Z + 32 * g + 16) : eight;
    float *t = tile + 32 * (k - k0);
    _mm512_storeu_ps(t, _mm512_mul_ps(_mm512_sub_ps(lo0, z0), s0));
    _mm512_storeu_ps(t + 16, _mm512_mul_ps(_mm512_sub_ps(lo1, z1), s1));
    _mm512_storeu_ps(t + 32, _mm512_mul_ps(_mm512_sub_ps(hi0, z0), s0));
    _mm512_storeu_ps(t + 48, _mm512_mul_ps(_mm512_sub_ps(hi1, z1), s1));
  }
}

QUK_W4_KERNEL(quk_w4_f32_32_avx512, 32, F32_ROWS, KC, w4Row, w4Unpack, f32Block)

/*===-- int4 weight-only, int8 activations (VNNI) -------------------------===*/

/* One row: per group, sum_k aq_k u_k exactly with vpdpbusd (u unsigned
 * 0..15, aq signed), 8 k per step: one 64-byte load holds 4 bytes of 16
 * columns, the low nibbles k 0..3, the high ones k 4..7. Then
 * C += s * sa * (that - z * sum_k aq_k), the correction in i32. */
static void w4s8Row(const int8_t *Aq, const float *Sa, const uint8_t *B,
                    const float *S, const uint8_t *Z, float *C, int64_t K,
                    int64_t G) {
  __m512 out0 = _mm512_loadu_ps(C), out1 = _mm512_loadu_ps(C + 16);
  const __m512i m15 = _mm512_set1_epi8(15);
  int64_t blocks = G / 8;
  for (int64_t g = 0; g < K / G; ++g) {
    const int8_t *a = Aq + g * G;
    const uint8_t *b = B + g * blocks * 128;
    __m512i t[2][2];
    t[0][0] = t[0][1] = t[1][0] = t[1][1] = _mm512_setzero_si512();
    int64_t blk = 0;
    for (; blk + 2 <= blocks; blk += 2) {
#pragma GCC unroll 2
      for (int u = 0; u < 2; ++u) {
        const uint8_t *bb = b + 128 * (blk + u);
        __m512i x0 = _mm512_loadu_si512(bb), x1 = _mm512_loadu_si512(bb + 64);
        int32_t lo, hi;
        __builtin_memcpy(&lo, a + 8 * (blk + u), 4);
        __builtin_memcpy(&hi, a + 8 * (blk + u) + 4, 4);
        __m512i alo = _mm512_set1_epi32(lo), ahi = _mm512_set1_epi32(hi);
        t[u][0] = _mm512_dpbusd_epi32(t[u][0], _mm512_and_si512(x0, m15), alo);
        t[u][0] = _mm512_dpbusd_epi32(
            t[u][0], _mm512_and_si512(_mm512_srli_epi32(x0, 4), m15), ahi);
        t[u][1] = _mm512_dpbusd_epi32(t[u][1], _mm512_and_si512(x1, m15), alo);
        t[u][1] = _mm512_dpbusd_epi32(
            t[u][1], _mm512_and_si512(_mm512_srli_epi32(x1, 4), m15), ahi);
      }
    }
    for (; blk < blocks; ++blk) {
      const uint8_t *bb = b + 128 * blk;
      __m512i x0 = _mm512_loadu_si512(bb), x1 = _mm512_loadu_si512(bb + 64);
      int32_t lo, hi;
      __builtin_memcpy(&lo, a + 8 * blk, 4);
      __builtin_memcpy(&hi, a + 8 * blk + 4, 4);
      __m512i alo = _mm512_set1_epi32(lo), ahi = _mm512_set1_epi32(hi);
      t[0][0] = _mm512_dpbusd_epi32(t[0][0], _mm512_and_si512(x0, m15), alo);
      t[0][0] = _mm512_dpbusd_epi32(
          t[0][0], _mm512_and_si512(_mm512_srli_epi32(x0, 4), m15), ahi);
      t[0][1] = _mm512_dpbusd_epi32(t[0][1], _mm512_and_si512(x1, m15), alo);
      t[0][1] = _mm512_dpbusd_epi32(
          t[0][1], _mm512_and_si512(_mm512_srli_epi32(x1, 4), m15), ahi);
    }
    int32_t asum = 0;
    for (int64_t i = 0; i < G; ++i)
      asum += a[i];
    __m512i sum = _mm512_set1_epi32(asum);
    __m512i z0 =
        Z ? _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(Z + 32 * g)))
          : _mm512_set1_epi32(8);
    __m512i z1 = Z ? _mm512_cvtepu8_epi32(
                         _mm_loadu_si128((const __m128i *)(Z + 32 * g + 16)))
                   : _mm512_set1_epi32(8);
    __m512i d0 = _mm512_sub_epi32(_mm512_add_epi32(t[0][0], t[1][0]),
                                  _mm512_mullo_epi32(z0, sum));
    __m512i d1 = _mm512_sub_epi32(_mm512_add_epi32(t[0][1], t[1][1]),
                                  _mm512_mullo_epi32(z1, sum));
    __m512 sa = _mm512_set1_ps(Sa[g]);
    out0 = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_loadu_ps(S + 32 * g), sa),
                           _mm512_cvtepi32_ps(d0), out0);
    out1 = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_loadu_ps(S + 32 * g + 16), sa),
                           _mm512_cvtepi32_ps(d1), out1);
  }
  _mm512_storeu_ps(C, out0);
  _mm512_storeu_ps(C + 16, out1);
}

/* tile[k - k0][0..32) = (u - z) * s for k in [k0, k0 + kc), layout
 * [K/8][32][4]. */
static void w4s8Unpack(const uint8_t *B, const float *S, const uint8_t *Z,
                       float *tile, int64_t k0, int64_t kc, int64_t G) {
  const __m512i m15 = _mm512_set1_epi32(15);
  const __m512 eight = _mm512_set1_ps(8.0f);
  for (int64_t k = k0; k < k0 + kc; k += 8) {
    int64_t g = k / G; /* G is a multiple of 8 */
    __m512 s[2] = {_mm512_loadu_ps(S + 32 * g),
                   _mm512_loadu_ps(S + 32 * g + 16)};
    __m512 z[2] = {Z ? zeros16(Z + 32 * g) : eight,
                   Z ? zeros16(Z + 32 * g + 16) : eight};
    for (int h = 0; h < 2; ++h) {
      __m512i x = _mm512_loadu_si512(B + 4 * k * 32 / 8 + 64 * h);
#pragma GCC unroll 8
      for (int i = 0; i < 8; ++i) {
        /* k + i: byte i % 4, nibble i / 4 */
        __m512i u = _mm512_and_si512(
            _mm512_srli_epi32(x, 8 * (i % 4) + 4 * (i / 4)), m15);
        _mm512_storeu_ps(
            tile + 32 * (k + i - k0) + 16 * h,
            _mm512_mul_ps(_mm512_sub_ps(_mm512_cvtepi32_ps(u), z[h]), s[h]));
      }
    }
  }
}

QUK_W4S8_KERNEL(quk_w4_s8_32_avx512vnni, 32, F32_ROWS, KC, w4s8Row, w4s8Unpack,
                f32Block)
