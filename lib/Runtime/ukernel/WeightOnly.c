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

/*===-- Strided fallback --------------------------------------------------===*/

static void w4Strided(const quk_memref2 *A, const quk_memref3 *B,
                      const quk_memref3 *S, const quk_memref3 *Z,
                      const quk_memref3 *C) {
  const float *a = (const float *)A->aligned + A->offset;
  const uint8_t *b = (const uint8_t *)B->aligned + B->offset;
  const float *s = (const float *)S->aligned + S->offset;
  const float *z = Z ? (const float *)Z->aligned + Z->offset : 0;
  float *c = (float *)C->aligned + C->offset;
  int64_t M = A->sizes[0], K = A->sizes[1], N1 = B->sizes[0], N0 = B->sizes[2],
          groups = S->sizes[1];
  if (groups <= 0 || K % groups)
    return; /* not a valid operand set (the op verifier excludes it) */
  int64_t G = K / groups;
  const int64_t *as = A->strides, *bs = B->strides, *ss = S->strides,
                *cs = C->strides;
  const int64_t *zs = Z ? Z->strides : ss;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n1 = 0; n1 < N1; ++n1)
      for (int64_t j = 0; j < N0; ++j) {
        float acc = c[m * cs[0] + n1 * cs[1] + j * cs[2]];
        for (int64_t k = 0; k < K; ++k) {
          int32_t byte = b[n1 * bs[0] + (k / 2) * bs[1] + j * bs[2]];
          int32_t u = (byte >> (4 * (k % 2))) & 15;
          int64_t g = k / G;
          float zero = z ? z[n1 * zs[0] + g * zs[1] + j * zs[2]] : 8.0f;
          float w = ((float)u - zero) * s[n1 * ss[0] + g * ss[1] + j * ss[2]];
          acc += a[m * as[0] + k * as[1]] * w;
        }
        c[m * cs[0] + n1 * cs[1] + j * cs[2]] = acc;
      }
}

/*===-- Driver ------------------------------------------------------------===*/

typedef struct Problem {
  const quk_w4_kernel *k;
  const float *A, *S, *Z;
  const uint8_t *B;
  float *C;
  int64_t M, K, G, N1;
  int64_t lda, ldc, bPanel, sPanel, zPanel, cPanel;
  int64_t rowTask, panelTask, numRowTasks;
} Problem;

static int initProblem(Problem *p, const quk_w4_kernel *k, const quk_memref2 *A,
                       const quk_memref3 *B, const quk_memref3 *S,
                       const quk_memref3 *Z, const quk_memref3 *C) {
  int64_t N0 = k->N0;
  p->k = k;
  p->A = (const float *)A->aligned + A->offset;
  p->B = (const uint8_t *)B->aligned + B->offset;
  p->S = (const float *)S->aligned + S->offset;
  p->Z = Z ? (const float *)Z->aligned + Z->offset : 0;
  p->C = (float *)C->aligned + C->offset;
  p->M = A->sizes[0];
  p->K = A->sizes[1];
  p->N1 = B->sizes[0];
  int64_t groups = S->sizes[1];
  if (groups <= 0 || p->K % groups)
    return 0;
  p->G = p->K / groups;
  p->lda = A->strides[0];
  p->ldc = C->strides[0];
  p->bPanel = B->strides[0];
  p->sPanel = S->strides[0];
  p->zPanel = Z ? Z->strides[0] : 0;
  p->cPanel = C->strides[1];
  int ok = p->K % 2 == 0 && p->G % 2 == 0 && A->strides[1] == 1 &&
           B->sizes[1] == p->K / 2 && B->sizes[2] == N0 &&
           B->strides[1] == N0 && B->strides[2] == 1 && S->sizes[0] == p->N1 &&
           S->sizes[2] == N0 && S->strides[1] == N0 && S->strides[2] == 1 &&
           C->sizes[0] == p->M && C->sizes[1] == p->N1 && C->sizes[2] == N0 &&
           C->strides[2] == 1;
  if (Z)
    ok = ok && Z->sizes[0] == p->N1 && Z->sizes[1] == groups &&
         Z->sizes[2] == N0 && Z->strides[1] == N0 && Z->strides[2] == 1;
  return ok;
}

/* The largest K block: the dequantized tile lives on the stack. */
#define MAX_TILE_FLOATS (512 * 64)

static void runTile(const Problem *p, int64_t mBegin, int64_t mEnd,
                    int64_t n1Begin, int64_t n1End) {
  const quk_w4_kernel *k = p->k;
  int64_t N0 = k->N0;
  if (mEnd - mBegin < 4) {
    for (int64_t m = mBegin; m < mEnd; ++m)
      for (int64_t n1 = n1Begin; n1 < n1End; ++n1)
        k->row(p->A + m * p->lda, p->B + n1 * p->bPanel, p->S + n1 * p->sPanel,
               p->Z ? p->Z + n1 * p->zPanel : 0,
               p->C + m * p->ldc + n1 * p->cPanel, p->K, p->G);
    return;
  }
  float tile[MAX_TILE_FLOATS] __attribute__((aligned(64)));
  int64_t kcMax = k->kc * N0 <= MAX_TILE_FLOATS ? k->kc : MAX_TILE_FLOATS / N0;
  kcMax -= kcMax % 2;
  for (int64_t k0 = 0; k0 < p->K; k0 += kcMax) {
    int64_t kc = p->K - k0 < kcMax ? p->K - k0 : kcMax;
    for (int64_t n1 = n1Begin; n1 < n1End; ++n1) {
      k->unpack(p->B + n1 * p->bPanel, p->S + n1 * p->sPanel,
                p->Z ? p->Z + n1 * p->zPanel : 0, tile, k0, kc, p->G);
      for (int64_t m = mBegin; m < mEnd; m += k->rows) {
        int64_t rows = mEnd - m < k->rows ? mEnd - m : k->rows;
        k->block(p->A + m * p->lda + k0, p->lda, tile,
                 p->C + m * p->ldc + n1 * p->cPanel, p->ldc, rows, kc);
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

void quk_w4_matmul(const quk_w4_kernel *kernel, const quk_memref2 *A,
                   const quk_memref3 *B, const quk_memref3 *S,
                   const quk_memref3 *Z, const quk_memref3 *C) {
  Problem p;
  if (!initProblem(&p, kernel, A, B, S, Z, C)) {
    w4Strided(A, B, S, Z, C);
    return;
  }
  if (p.M == 0 || p.N1 == 0)
    return;
  /* Rows in tasks of up to 64 (a multiple of the register block): the
   * unpacked tile serves all of a task's rows. Panels in groups small
   * enough for every thread to get several tasks. */
  int64_t rows = 64 - 64 % kernel->rows;
  p.rowTask = p.M < rows ? p.M : rows;
  p.numRowTasks = (p.M + p.rowTask - 1) / p.rowTask;
  int64_t threads = quk_num_threads();
  int64_t want = threads > 1 ? 8 * threads : 1;
  int64_t panelGroups = want / p.numRowTasks;
  if (panelGroups < 1)
    panelGroups = 1;
  p.panelTask = (p.N1 + panelGroups - 1) / panelGroups;
  int64_t numTasks = p.numRowTasks * ((p.N1 + p.panelTask - 1) / p.panelTask);
  quk_parallel_for(numTasks, 1, runTasks, &p);
}

/*===-- Portable kernel: N0 = 8 -------------------------------------------===*/

#define GN0 8
#define GENERIC_ROWS 4

static void genericRow(const float *A, const uint8_t *B, const float *S,
                       const float *Z, float *C, int64_t K, int64_t G) {
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
      float z = Z ? Z[g * GN0 + j] : 8.0f;
      out[j] += S[g * GN0 + j] * (t[j] - z * asum);
    }
  }
  memcpy(C, out, sizeof out);
}

static void genericUnpack(const uint8_t *B, const float *S, const float *Z,
                          float *tile, int64_t k0, int64_t kc, int64_t G) {
  for (int64_t k = k0; k < k0 + kc; ++k) {
    int64_t g = k / G;
    for (int j = 0; j < GN0; ++j) {
      float z = Z ? Z[g * GN0 + j] : 8.0f;
      tile[(k - k0) * GN0 + j] =
          ((float)nibble(B, GN0, k, j) - z) * S[g * GN0 + j];
    }
  }
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
