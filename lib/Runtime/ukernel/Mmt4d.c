/*===- Mmt4d.c - mmt4d microkernels: driver and portable kernels ----------===*\
 *
 * quk_mmt4d (the loops and the work split shared by every ISA's kernels),
 * the strided fallbacks, and the portable kernels (N0 = 8, K0 = 1) for
 * targets without a tuned one: plain C the compiler vectorizes for the
 * architecture's baseline.
 *
\*===----------------------------------------------------------------------===*/
#include "Mmt4d.h"

#include "../ThreadPool.h"

#include <string.h>

/* One call's operands: base pointers, sizes and strides in elements. */
typedef struct Problem {
  const quk_mmt4d_kernel *k;
  const char *lhs, *rhs;
  char *out;
  int64_t M1, N1, K1;
  int64_t lhsStride0, rhsStride0, outStride0, outStride1;
  int64_t rowTask, panelTask, numRowTasks;
} Problem;

static int initProblem(Problem *p, const quk_mmt4d_kernel *k,
                       const quk_memref4 *lhs, const quk_memref4 *rhs,
                       const quk_memref4 *out) {
  p->k = k;
  p->lhs = (const char *)lhs->aligned + lhs->offset * k->lhsBytes;
  p->rhs = (const char *)rhs->aligned + rhs->offset * k->rhsBytes;
  p->out = (char *)out->aligned + out->offset * k->outBytes;
  p->M1 = lhs->sizes[0];
  p->K1 = lhs->sizes[1];
  p->N1 = rhs->sizes[0];
  p->lhsStride0 = lhs->strides[0];
  p->rhsStride0 = rhs->strides[0];
  p->outStride0 = out->strides[0];
  p->outStride1 = out->strides[1];
  return lhs->sizes[2] == 1 && lhs->sizes[3] == k->K0 &&
         rhs->sizes[1] == p->K1 && rhs->sizes[2] == k->N0 &&
         rhs->sizes[3] == k->K0 && out->sizes[0] == p->M1 &&
         out->sizes[1] == p->N1 && out->sizes[2] == 1 &&
         out->sizes[3] == k->N0 && lhs->strides[3] == 1 &&
         lhs->strides[1] == k->K0 && rhs->strides[3] == 1 &&
         rhs->strides[2] == k->K0 && rhs->strides[1] == k->N0 * k->K0 &&
         out->strides[3] == 1;
}

/* Rows [m1Begin, m1End) x panels [n1Begin, n1End), all of K. */
static void runTile(const Problem *p, int64_t m1Begin, int64_t m1End,
                    int64_t n1Begin, int64_t n1End) {
  const quk_mmt4d_kernel *k = p->k;
  int64_t lhsTile = k->K0 * k->lhsBytes;           /* one K-tile of a row */
  int64_t panelTile = k->N0 * k->K0 * k->rhsBytes; /* one K-tile of a panel */
  int64_t lda = p->lhsStride0, ldc = p->outStride0;
  char *outBase = p->out + m1Begin * ldc * k->outBytes;
  if (m1End - m1Begin == 1) {
    for (int64_t n1 = n1Begin; n1 < n1End; ++n1)
      k->row(p->lhs + m1Begin * lda * k->lhsBytes,
             p->rhs + n1 * p->rhsStride0 * k->rhsBytes,
             outBase + n1 * p->outStride1 * k->outBytes, p->K1);
    return;
  }
  for (int64_t k0 = 0; k0 < p->K1; k0 += k->kc) {
    int64_t kc = p->K1 - k0 < k->kc ? p->K1 - k0 : k->kc;
    for (int64_t n1 = n1Begin; n1 < n1End; ++n1) {
      const char *panel =
          p->rhs + n1 * p->rhsStride0 * k->rhsBytes + k0 * panelTile;
      for (int64_t m = m1Begin; m < m1End; m += k->rows) {
        int64_t rows = m1End - m < k->rows ? m1End - m : k->rows;
        k->block(p->lhs + m * lda * k->lhsBytes + k0 * lhsTile, lda, panel,
                 p->out + (m * ldc + n1 * p->outStride1) * k->outBytes, ldc,
                 rows, kc);
      }
    }
  }
}

static void runTasks(void *arg, int64_t begin, int64_t end) {
  const Problem *p = (const Problem *)arg;
  for (int64_t t = begin; t < end; ++t) {
    int64_t pg = t / p->numRowTasks, rg = t % p->numRowTasks;
    int64_t m1 = rg * p->rowTask, n1 = pg * p->panelTask;
    int64_t m1End = m1 + p->rowTask < p->M1 ? m1 + p->rowTask : p->M1;
    int64_t n1End = n1 + p->panelTask < p->N1 ? n1 + p->panelTask : p->N1;
    runTile(p, m1, m1End, n1, n1End);
  }
}

void quk_mmt4d(const quk_mmt4d_kernel *kernel, const quk_memref4 *lhs,
               const quk_memref4 *rhs, const quk_memref4 *out) {
  Problem p;
  if (!initProblem(&p, kernel, lhs, rhs, out)) {
    kernel->strided(lhs, rhs, out);
    return;
  }
  if (p.M1 == 0 || p.N1 == 0)
    return;
  // Rows in tasks of up to 64 (a multiple of the register block), panels in
  // groups small enough for every thread to get several tasks.
  int64_t rows = 64 - 64 % kernel->rows;
  p.rowTask = p.M1 < rows ? p.M1 : rows;
  p.numRowTasks = (p.M1 + p.rowTask - 1) / p.rowTask;
  int64_t threads = quk_num_threads();
  int64_t want = threads > 1 ? 8 * threads : 1;
  int64_t panelGroups = want / p.numRowTasks;
  if (panelGroups < 1)
    panelGroups = 1;
  p.panelTask = (p.N1 + panelGroups - 1) / panelGroups;
  if (p.panelTask < 1)
    p.panelTask = 1;
  int64_t numTasks = p.numRowTasks * ((p.N1 + p.panelTask - 1) / p.panelTask);
  quk_parallel_for(numTasks, 1, runTasks, &p);
}

/*===-- Strided fallbacks -------------------------------------------------===*/

#define QUK_STRIDED(NAME, LT, RT, OT)                                          \
  void NAME(const quk_memref4 *lhs, const quk_memref4 *rhs,                    \
            const quk_memref4 *out) {                                          \
    const LT *a = (const LT *)lhs->aligned + lhs->offset;                      \
    const RT *b = (const RT *)rhs->aligned + rhs->offset;                      \
    OT *c = (OT *)out->aligned + out->offset;                                  \
    const int64_t *as = lhs->strides, *bs = rhs->strides, *cs = out->strides;  \
    for (int64_t m1 = 0; m1 < lhs->sizes[0]; ++m1)                             \
      for (int64_t n1 = 0; n1 < rhs->sizes[0]; ++n1)                           \
        for (int64_t m0 = 0; m0 < lhs->sizes[2]; ++m0)                         \
          for (int64_t n0 = 0; n0 < rhs->sizes[2]; ++n0) {                     \
            OT acc = c[m1 * cs[0] + n1 * cs[1] + m0 * cs[2] + n0 * cs[3]];     \
            for (int64_t k1 = 0; k1 < lhs->sizes[1]; ++k1)                     \
              for (int64_t k0 = 0; k0 < lhs->sizes[3]; ++k0)                   \
                acc +=                                                         \
                    (OT)a[m1 * as[0] + k1 * as[1] + m0 * as[2] + k0 * as[3]] * \
                    (OT)b[n1 * bs[0] + k1 * bs[1] + n0 * bs[2] + k0 * bs[3]];  \
            c[m1 * cs[0] + n1 * cs[1] + m0 * cs[2] + n0 * cs[3]] = acc;        \
          }                                                                    \
  }

QUK_STRIDED(quk_mmt4d_f32_strided, float, float, float)
QUK_STRIDED(quk_mmt4d_s8s8s32_strided, int8_t, int8_t, int32_t)

/*===-- Portable kernels: N0 = 8, K0 = 1 ----------------------------------===*/

#define GENERIC_ROWS 4

#define QUK_GENERIC(NAME, LT, OT)                                              \
  static void NAME##Block(const LT *A, int64_t lda, const LT *B, OT *C,        \
                          int64_t ldc, int64_t rows, int64_t k1s) {            \
    OT acc[GENERIC_ROWS][8];                                                   \
    for (int64_t r = 0; r < rows; ++r)                                         \
      memcpy(acc[r], C + r * ldc, sizeof acc[r]);                              \
    for (int64_t k = 0; k < k1s; ++k)                                          \
      for (int64_t r = 0; r < rows; ++r) {                                     \
        OT a = (OT)A[r * lda + k];                                             \
        for (int j = 0; j < 8; ++j)                                            \
          acc[r][j] += a * (OT)B[8 * k + j];                                   \
      }                                                                        \
    for (int64_t r = 0; r < rows; ++r)                                         \
      memcpy(C + r * ldc, acc[r], sizeof acc[r]);                              \
  }                                                                            \
  static void NAME##Row(const LT *A, const LT *B, OT *C, int64_t k1s) {        \
    NAME##Block(A, 0, B, C, 0, 1, k1s);                                        \
  }

QUK_GENERIC(f32Generic, float, float)
QUK_GENERIC(s8Generic, int8_t, int32_t)

QUK_MMT4D_KERNEL(quk_mmt4d_f32_8x1_generic, 8, 1, float, float, float,
                 GENERIC_ROWS, 256, f32GenericBlock, f32GenericRow,
                 quk_mmt4d_f32_strided)
QUK_MMT4D_KERNEL(quk_mmt4d_s8s8s32_8x1_generic, 8, 1, int8_t, int8_t, int32_t,
                 GENERIC_ROWS, 256, s8GenericBlock, s8GenericRow,
                 quk_mmt4d_s8s8s32_strided)
