/*===- WeightOnly.c - int4 weight-only matmul: driver, portable kernel ----===*\
 *
 * quk_w4_matmul (the checks, the work split and the loops shared by every
 * ISA's kernels), the strided fallback and the portable kernel (N0 = 8):
 * plain C the compiler vectorizes for the architecture's baseline.
 *
\*===----------------------------------------------------------------------===*/
#include "WeightOnly.h"

#include "../ThreadPool.h"

#include <string.h>

/* The nibble of weight row k (0..15) in a panel row of N0 bytes per pair. */
static inline int32_t nibble(const uint8_t *B, int64_t n0, int64_t k,
                             int64_t j) {
  return (B[(k / 2) * n0 + j] >> (4 * (k % 2))) & 15;
}

/*===-- Strided fallbacks -------------------------------------------------===*/

/* Element (i, j, l) of a rank-3 descriptor of `T`. */
#define AT3(T, d, i, j, l)                                                     \
  (((const T *)(d)->aligned)[(d)->offset + (i) * (d)->strides[0] +             \
                             (j) * (d)->strides[1] + (l) * (d)->strides[2]])

/* Any strides, f32 (Aq null) or int8 activations; B rank 3 ([N1][K/2][N0])
 * for f32, rank 4 ([N1][K/8][N0][4]) for int8. */
static void w4Strided(const quk_memref2 *A, const quk_memref2 *Aq,
                      const quk_memref2 *Sa, const quk_memref3 *B3,
                      const quk_memref4 *B4, const quk_memref3 *S,
                      const quk_memref3 *Z, const quk_memref3 *C) {
  const quk_memref2 *act = Aq ? Aq : A;
  int64_t M = act->sizes[0], K = act->sizes[1], N1 = S->sizes[0],
          N0 = S->sizes[2], groups = S->sizes[1];
  if (groups <= 0 || K % groups)
    return; /* not a valid operand set (the op verifier excludes it) */
  int64_t G = K / groups;
  float *c = (float *)C->aligned + C->offset;
  const int64_t *cs = C->strides;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n1 = 0; n1 < N1; ++n1)
      for (int64_t j = 0; j < N0; ++j) {
        float acc = c[m * cs[0] + n1 * cs[1] + j * cs[2]];
        for (int64_t k = 0; k < K; ++k) {
          int32_t u;
          if (B4) {
            const uint8_t *b = (const uint8_t *)B4->aligned + B4->offset;
            const int64_t *bs = B4->strides;
            u = (b[n1 * bs[0] + (k / 8) * bs[1] + j * bs[2] +
                   (k % 4) * bs[3]] >>
                 (4 * ((k % 8) / 4))) &
                15;
          } else {
            u = (AT3(uint8_t, B3, n1, k / 2, j) >> (4 * (k % 2))) & 15;
          }
          int64_t g = k / G;
          float zero = Z ? (float)AT3(uint8_t, Z, n1, g, j) : 8.0f;
          float w = ((float)u - zero) * AT3(float, S, n1, g, j);
          float a;
          if (Aq) {
            const int8_t *q = (const int8_t *)Aq->aligned + Aq->offset;
            const float *sa = (const float *)Sa->aligned + Sa->offset;
            a = (float)q[m * Aq->strides[0] + k * Aq->strides[1]] *
                sa[m * Sa->strides[0] + g * Sa->strides[1]];
          } else {
            const float *x = (const float *)A->aligned + A->offset;
            a = x[m * A->strides[0] + k * A->strides[1]];
          }
          acc += a * w;
        }
        c[m * cs[0] + n1 * cs[1] + j * cs[2]] = acc;
      }
}

/*===-- Driver ------------------------------------------------------------===*/

typedef struct Problem {
  const quk_w4_kernel *k;
  const float *A, *S, *Sa;
  const int8_t *Aq;
  const uint8_t *B, *Z;
  float *C;
  int64_t M, K, G, N1;
  int64_t lda, ldsa, ldc, bPanel, sPanel, zPanel, cPanel;
  int64_t rowTask, panelTask, numRowTasks;
} Problem;

/* The checks shared by both kinds: S, Z, C dense panels of N0. */
static int initCommon(Problem *p, const quk_w4_kernel *k, const quk_memref3 *S,
                      const quk_memref3 *Z, const quk_memref3 *C) {
  int64_t N0 = k->N0, groups = S->sizes[1];
  p->k = k;
  p->S = (const float *)S->aligned + S->offset;
  p->Z = Z ? (const uint8_t *)Z->aligned + Z->offset : 0;
  p->C = (float *)C->aligned + C->offset;
  p->N1 = S->sizes[0];
  if (groups <= 0 || p->K % groups)
    return 0;
  p->G = p->K / groups;
  p->ldc = C->strides[0];
  p->sPanel = S->strides[0];
  p->zPanel = Z ? Z->strides[0] : 0;
  p->cPanel = C->strides[1];
  int ok = p->K % 2 == 0 && p->G % 2 == 0 && S->sizes[2] == N0 &&
           S->strides[1] == N0 && S->strides[2] == 1 && C->sizes[0] == p->M &&
           C->sizes[1] == p->N1 && C->sizes[2] == N0 && C->strides[2] == 1;
  if (Z)
    ok = ok && Z->sizes[0] == p->N1 && Z->sizes[1] == groups &&
         Z->sizes[2] == N0 && Z->strides[1] == N0 && Z->strides[2] == 1;
  return ok;
}

/* The largest dequantized tile (floats) and activation tile (rows x kc)
 * on the stack. */
#define MAX_TILE_FLOATS (256 * 64)
#define MAX_ROWS 64

static void runTile(const Problem *p, int64_t mBegin, int64_t mEnd,
                    int64_t n1Begin, int64_t n1End) {
  const quk_w4_kernel *k = p->k;
  int64_t N0 = k->N0;
  if (mEnd - mBegin < 4) {
    for (int64_t m = mBegin; m < mEnd; ++m)
      for (int64_t n1 = n1Begin; n1 < n1End; ++n1) {
        const uint8_t *b = p->B + n1 * p->bPanel;
        const float *s = p->S + n1 * p->sPanel;
        const uint8_t *z = p->Z ? p->Z + n1 * p->zPanel : 0;
        float *c = p->C + m * p->ldc + n1 * p->cPanel;
        if (p->Aq)
          k->rowS8(p->Aq + m * p->lda, p->Sa + m * p->ldsa, b, s, z, c, p->K,
                   p->G);
        else
          k->row(p->A + m * p->lda, b, s, z, c, p->K, p->G);
      }
    return;
  }
  float tile[MAX_TILE_FLOATS] __attribute__((aligned(64)));
  int64_t kcMax = k->kc * N0 <= MAX_TILE_FLOATS ? k->kc : MAX_TILE_FLOATS / N0;
  kcMax -= kcMax % 8;
  for (int64_t k0 = 0; k0 < p->K; k0 += kcMax) {
    int64_t kc = p->K - k0 < kcMax ? p->K - k0 : kcMax;
    /* int8 activations: the task's rows of this K block as floats
     * aq * sa, the operand the f32 register block reads. */
    float rowsTile[p->Aq ? MAX_ROWS * kcMax : 1];
    const float *a = p->A + k0;
    int64_t lda = p->lda;
    if (p->Aq) {
      for (int64_t m = mBegin; m < mEnd; ++m)
        for (int64_t kk = k0; kk < k0 + kc; ++kk)
          rowsTile[(m - mBegin) * kcMax + (kk - k0)] =
              (float)p->Aq[m * p->lda + kk] * p->Sa[m * p->ldsa + kk / p->G];
      a = rowsTile - mBegin * kcMax;
      lda = kcMax;
    }
    for (int64_t n1 = n1Begin; n1 < n1End; ++n1) {
      k->unpack(p->B + n1 * p->bPanel, p->S + n1 * p->sPanel,
                p->Z ? p->Z + n1 * p->zPanel : 0, tile, k0, kc, p->G);
      for (int64_t m = mBegin; m < mEnd; m += k->rows) {
        int64_t rows = mEnd - m < k->rows ? mEnd - m : k->rows;
        k->block(a + m * lda, lda, tile, p->C + m * p->ldc + n1 * p->cPanel,
                 p->ldc, rows, kc);
      }
    }
  }
}

static void runTasks(void *arg, int64_t begin, int64_t end) {
  const Problem *p = (const Problem *)arg;
  for (int64_t t = begin; t < end; ++t) {
    int64_t pg = t / p->numRowTasks, rg = t % p->numRowTasks;
    int64_t m = rg * p->rowTask, n1 = pg * p->panelTask;
    int64_t mEnd = m + p->rowTask < p->M ? m + p->rowTask : p->M;
    int64_t n1End = n1 + p->panelTask < p->N1 ? n1 + p->panelTask : p->N1;
    runTile(p, m, mEnd, n1, n1End);
  }
}

/* Rows in tasks of up to 64 (a multiple of the register block): the
 * unpacked tile serves all of a task's rows. Panels in groups small
 * enough for every thread to get several tasks. */
static void run(Problem *p) {
  if (p->M == 0 || p->N1 == 0)
    return;
  int64_t rows = MAX_ROWS - MAX_ROWS % p->k->rows;
  p->rowTask = p->M < rows ? p->M : rows;
  p->numRowTasks = (p->M + p->rowTask - 1) / p->rowTask;
  int64_t threads = quk_num_threads();
  int64_t want = threads > 1 ? 8 * threads : 1;
  int64_t panelGroups = want / p->numRowTasks;
  if (panelGroups < 1)
    panelGroups = 1;
  p->panelTask = (p->N1 + panelGroups - 1) / panelGroups;
  int64_t numTasks =
      p->numRowTasks * ((p->N1 + p->panelTask - 1) / p->panelTask);
  quk_parallel_for(numTasks, 1, runTasks, p);
}

void quk_w4_matmul(const quk_w4_kernel *kernel, const quk_memref2 *A,
                   const quk_memref3 *B, const quk_memref3 *S,
                   const quk_memref3 *Z, const quk_memref3 *C) {
  Problem p = {0};
  p.A = (const float *)A->aligned + A->offset;
  p.B = (const uint8_t *)B->aligned + B->offset;
  p.M = A->sizes[0];
  p.K = A->sizes[1];
  p.lda = A->strides[0];
  p.bPanel = B->strides[0];
  int64_t N0 = kernel->N0;
  int ok = initCommon(&p, kernel, S, Z, C) && A->strides[1] == 1 &&
           B->sizes[0] == p.N1 && B->sizes[1] == p.K / 2 && B->sizes[2] == N0 &&
           B->strides[1] == N0 && B->strides[2] == 1;
  if (!ok) {
    w4Strided(A, 0, 0, B, 0, S, Z, C);
    return;
  }
  run(&p);
}

void quk_w4s8_matmul(const quk_w4_kernel *kernel, const quk_memref2 *Aq,
                     const quk_memref2 *Sa, const quk_memref4 *B,
                     const quk_memref3 *S, const quk_memref3 *Z,
                     const quk_memref3 *C) {
  Problem p = {0};
  p.Aq = (const int8_t *)Aq->aligned + Aq->offset;
  p.Sa = (const float *)Sa->aligned + Sa->offset;
  p.B = (const uint8_t *)B->aligned + B->offset;
  p.M = Aq->sizes[0];
  p.K = Aq->sizes[1];
  p.lda = Aq->strides[0];
  p.ldsa = Sa->strides[0];
  p.bPanel = B->strides[0];
  int64_t N0 = kernel->N0;
  int ok = initCommon(&p, kernel, S, Z, C) && p.G % 8 == 0 &&
           Aq->strides[1] == 1 && Sa->sizes[0] == p.M &&
           Sa->sizes[1] == S->sizes[1] && Sa->strides[1] == 1 &&
           B->sizes[0] == p.N1 && B->sizes[1] == p.K / 8 && B->sizes[2] == N0 &&
           B->sizes[3] == 4 && B->strides[1] == 4 * N0 && B->strides[2] == 4 &&
           B->strides[3] == 1;
  if (!ok) {
    w4Strided(0, Aq, Sa, 0, B, S, Z, C);
    return;
  }
  run(&p);
}

/*===-- Portable kernel: N0 = 8 -------------------------------------------===*/

#define GN0 8
#define GENERIC_ROWS 4

static void genericRow(const float *A, const uint8_t *B, const float *S,
                       const uint8_t *Z, float *C, int64_t K, int64_t G) {
  float out[GN0];
  memcpy(out, C, sizeof out);
  for (int64_t g = 0; g < K / G; ++g) {
    float t[GN0] = {0}, asum = 0;
    for (int64_t k = g * G; k < (g + 1) * G; ++k) {
      asum += A[k];
      for (int j = 0; j < GN0; ++j)
        t[j] += A[k] * (float)nibble(B, GN0, k, j);
    }
    for (int j = 0; j < GN0; ++j) {
      float z = Z ? (float)Z[g * GN0 + j] : 8.0f;
      out[j] += S[g * GN0 + j] * (t[j] - z * asum);
    }
  }
  memcpy(C, out, sizeof out);
}

/* Dequantizes rows [k0, k0 + kc) with the layout's nibble accessor. */
static inline void
genericUnpackWith(int32_t (*at)(const uint8_t *, int64_t, int64_t, int64_t),
                  const uint8_t *B, const float *S, const uint8_t *Z,
                  float *tile, int64_t k0, int64_t kc, int64_t G) {
  for (int64_t k = k0; k < k0 + kc; ++k) {
    int64_t g = k / G;
    for (int j = 0; j < GN0; ++j) {
      float z = Z ? (float)Z[g * GN0 + j] : 8.0f;
      tile[(k - k0) * GN0 + j] = ((float)at(B, GN0, k, j) - z) * S[g * GN0 + j];
    }
  }
}

static void genericUnpack(const uint8_t *B, const float *S, const uint8_t *Z,
                          float *tile, int64_t k0, int64_t kc, int64_t G) {
  genericUnpackWith(nibble, B, S, Z, tile, k0, kc, G);
}

static void genericBlock(const float *A, int64_t lda, const float *tile,
                         float *C, int64_t ldc, int64_t rows, int64_t kc) {
  float acc[GENERIC_ROWS][GN0];
  for (int64_t r = 0; r < rows; ++r)
    memcpy(acc[r], C + r * ldc, sizeof acc[r]);
  for (int64_t k = 0; k < kc; ++k)
    for (int64_t r = 0; r < rows; ++r) {
      float a = A[r * lda + k];
      for (int j = 0; j < GN0; ++j)
        acc[r][j] += a * tile[GN0 * k + j];
    }
  for (int64_t r = 0; r < rows; ++r)
    memcpy(C + r * ldc, acc[r], sizeof acc[r]);
}

QUK_W4_KERNEL(quk_w4_f32_8_generic, GN0, GENERIC_ROWS, 256, genericRow,
              genericUnpack, genericBlock)

/* int8 activations, layout [K/8][8][4]. */
static inline int32_t nibble8(const uint8_t *B, int64_t n0, int64_t k,
                              int64_t j) {
  return (B[((k / 8) * n0 + j) * 4 + k % 4] >> (4 * ((k % 8) / 4))) & 15;
}

static void genericRowS8(const int8_t *Aq, const float *Sa, const uint8_t *B,
                         const float *S, const uint8_t *Z, float *C, int64_t K,
                         int64_t G) {
  for (int64_t g = 0; g < K / G; ++g) {
    int32_t t[GN0] = {0}, asum = 0;
    for (int64_t k = g * G; k < (g + 1) * G; ++k) {
      asum += Aq[k];
      for (int j = 0; j < GN0; ++j)
        t[j] += (int32_t)Aq[k] * nibble8(B, GN0, k, j);
    }
    for (int j = 0; j < GN0; ++j) {
      int32_t z = Z ? Z[g * GN0 + j] : 8;
      C[j] += S[g * GN0 + j] * Sa[g] * (float)(t[j] - z * asum);
    }
  }
}

static void genericUnpackS8(const uint8_t *B, const float *S, const uint8_t *Z,
                            float *tile, int64_t k0, int64_t kc, int64_t G) {
  genericUnpackWith(nibble8, B, S, Z, tile, k0, kc, G);
}

QUK_W4S8_KERNEL(quk_w4_s8_8_generic, GN0, GENERIC_ROWS, 256, genericRowS8,
                genericUnpackS8, genericBlock)
