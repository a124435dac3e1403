/*===- Mmt4d.c - mmt4d microkernels: driver and portable kernels ----------===*\
 *
 * quk_mmt4d_init/run (shared by every ISA's kernels), the strided fallbacks,
 * and the portable kernels (N0 = 8, K0 = 1) for targets without a tuned one;
 * plain C the compiler vectorizes for the architecture's baseline.
 *
\*===----------------------------------------------------------------------===*/
#include "Mmt4d.h"

#include "../ThreadPool.h"

#include <string.h>

#define QUK_EXPORT __attribute__((visibility("default")))

int quk_mmt4d_init(quk_mmt4d *p, const quk_memref4 *lhs,
                   const quk_memref4 *rhs, const quk_memref4 *out,
                   int64_t lhsBytes, int64_t rhsBytes, int64_t outBytes,
                   int64_t M0, int64_t N0, int64_t K0) {
  p->lhs = (const char *)lhs->aligned + lhs->offset * lhsBytes;
  p->rhs = (const char *)rhs->aligned + rhs->offset * rhsBytes;
  p->out = (char *)out->aligned + out->offset * outBytes;
  p->M1 = lhs->sizes[0];
  p->K1 = lhs->sizes[1];
  p->M0 = lhs->sizes[2];
  p->K0 = lhs->sizes[3];
  p->N1 = rhs->sizes[0];
  p->N0 = rhs->sizes[2];
  p->lhsStride0 = lhs->strides[0];
  p->lhsStride1 = lhs->strides[1];
  p->rhsStride0 = rhs->strides[0];
  p->rhsStride1 = rhs->strides[1];
  p->outStride0 = out->strides[0];
  p->outStride1 = out->strides[1];
  if (p->M0 != M0 || p->N0 != N0 || p->K0 != K0)
    return 0;
  if (rhs->sizes[1] != p->K1 || rhs->sizes[3] != K0 ||
      out->sizes[0] != p->M1 || out->sizes[1] != p->N1 ||
      out->sizes[2] != M0 || out->sizes[3] != N0)
    return 0;
  if (lhs->strides[3] != 1 || (M0 > 1 && lhs->strides[2] != K0))
    return 0;
  if (rhs->strides[3] != 1 || rhs->strides[2] != K0)
    return 0;
  if (out->strides[3] != 1 || (M0 > 1 && out->strides[2] != N0))
    return 0;
  return 1;
}

typedef struct RunCtx {
  const quk_mmt4d *p;
  quk_mmt4d_tile_fn tile;
  int64_t rowTask, panelTask, numRowTasks;
} RunCtx;

static void runTasks(void *arg, int64_t begin, int64_t end) {
  const RunCtx *c = (const RunCtx *)arg;
  for (int64_t t = begin; t < end; ++t) {
    int64_t pg = t / c->numRowTasks, rg = t % c->numRowTasks;
    int64_t m1 = rg * c->rowTask, n1 = pg * c->panelTask;
    int64_t m1End = m1 + c->rowTask < c->p->M1 ? m1 + c->rowTask : c->p->M1;
    int64_t n1End =
        n1 + c->panelTask < c->p->N1 ? n1 + c->panelTask : c->p->N1;
    c->tile(c->p, m1, m1End, n1, n1End);
  }
}

void quk_mmt4d_run(const quk_mmt4d *p, quk_mmt4d_tile_fn tile,
                   int64_t rowBlock) {
  if (p->M1 == 0 || p->N1 == 0)
    return;
  RunCtx c = {p, tile, 0, 0, 0};
  // Rows in tasks of up to 64 (a multiple of the register block), panels in
  // groups small enough for every thread to get several tasks.
  int64_t rows = 64 - 64 % rowBlock;
  c.rowTask = p->M1 < rows ? p->M1 : rows;
  c.numRowTasks = (p->M1 + c.rowTask - 1) / c.rowTask;
  int64_t threads = quk_num_threads();
  int64_t want = threads > 1 ? 8 * threads : 1;
  int64_t panelGroups = want / c.numRowTasks;
  if (panelGroups < 1)
    panelGroups = 1;
  c.panelTask = (p->N1 + panelGroups - 1) / panelGroups;
  if (c.panelTask < 1)
    c.panelTask = 1;
  int64_t numTasks =
      c.numRowTasks * ((p->N1 + c.panelTask - 1) / c.panelTask);
  quk_parallel_for(numTasks, 1, runTasks, &c);
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
                acc += (OT)a[m1 * as[0] + k1 * as[1] + m0 * as[2] +            \
                             k0 * as[3]] *                                     \
                       (OT)b[n1 * bs[0] + k1 * bs[1] + n0 * bs[2] +            \
                             k0 * bs[3]];                                      \
            c[m1 * cs[0] + n1 * cs[1] + m0 * cs[2] + n0 * cs[3]] = acc;        \
          }                                                                    \
  }

QUK_STRIDED(quk_mmt4d_f32_strided, float, float, float)
QUK_STRIDED(quk_mmt4d_s8s8s32_strided, int8_t, int8_t, int32_t)

/*===-- Portable kernels: N0 = 8, K0 = 1 ----------------------------------===*/

#define GENERIC_ROWS 4

#define QUK_GENERIC_TILE(NAME, LT, OT)                                         \
  static void NAME(const quk_mmt4d *p, int64_t m1Begin, int64_t m1End,         \
                   int64_t n1Begin, int64_t n1End) {                           \
    const LT *A = (const LT *)p->lhs, *B = (const LT *)p->rhs;                 \
    OT *C = (OT *)p->out;                                                      \
    for (int64_t n1 = n1Begin; n1 < n1End; ++n1) {                             \
      const LT *panel = B + n1 * p->rhsStride0;                                \
      for (int64_t m = m1Begin; m < m1End; m += GENERIC_ROWS) {                \
        int64_t rows = m1End - m < GENERIC_ROWS ? m1End - m : GENERIC_ROWS;    \
        OT acc[GENERIC_ROWS][8];                                               \
        for (int64_t r = 0; r < rows; ++r)                                     \
          memcpy(acc[r], C + (m + r) * p->outStride0 + n1 * p->outStride1,     \
                 sizeof acc[r]);                                               \
        for (int64_t k = 0; k < p->K1; ++k) {                                  \
          const LT *b = panel + k * p->rhsStride1;                             \
          for (int64_t r = 0; r < rows; ++r) {                                 \
            OT a = (OT)A[(m + r) * p->lhsStride0 + k * p->lhsStride1];         \
            for (int j = 0; j < 8; ++j)                                        \
              acc[r][j] += a * (OT)b[j];                                       \
          }                                                                    \
        }                                                                      \
        for (int64_t r = 0; r < rows; ++r)                                     \
          memcpy(C + (m + r) * p->outStride0 + n1 * p->outStride1, acc[r],     \
                 sizeof acc[r]);                                               \
      }                                                                        \
    }                                                                          \
  }

QUK_GENERIC_TILE(tileF32Generic, float, float)
QUK_GENERIC_TILE(tileS8Generic, int8_t, int32_t)

QUK_EXPORT void _mlir_ciface_quk_mmt4d_f32_8x1_generic(quk_memref4 *lhs,
                                                       quk_memref4 *rhs,
                                                       quk_memref4 *out) {
  quk_mmt4d p;
  if (!quk_mmt4d_init(&p, lhs, rhs, out, 4, 4, 4, 1, 8, 1)) {
    quk_mmt4d_f32_strided(lhs, rhs, out);
    return;
  }
  quk_mmt4d_run(&p, tileF32Generic, GENERIC_ROWS);
}

QUK_EXPORT void _mlir_ciface_quk_mmt4d_s8s8s32_8x1_generic(quk_memref4 *lhs,
                                                           quk_memref4 *rhs,
                                                           quk_memref4 *out) {
  quk_mmt4d p;
  if (!quk_mmt4d_init(&p, lhs, rhs, out, 1, 1, 4, 1, 8, 1)) {
    quk_mmt4d_s8s8s32_strided(lhs, rhs, out);
    return;
  }
  quk_mmt4d_run(&p, tileS8Generic, GENERIC_ROWS);
}
