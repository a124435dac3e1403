/*===- Mmt4d.h - linalg.mmt4d microkernels --------------------------------===*\
 *
 * The generated code calls these for `linalg.mmt4d` ops whose operand tiles
 * match a kernel (qcc-lower-to-ukernels; the tile table is
 * include/qcc/Codegen/Ukernels.def):
 *
 *   out[m1][n1][m0][n0] += sum_{k1,k0} lhs[m1][k1][m0][k0] *
rhs[n1][k1][n0][k0]
 *
 * with the products and sums in the output type (i8 operands sign-extended
 * to i32, exactly). qcc-data-tiling produces them with M0 = 1, so lhs and
 * out are views of the row-major activation and result, and rhs is the
 * weight packed at compile time into N0-column panels.
 *
 * Every kernel takes the operands as MLIR memref descriptors
 * (llvm.emit_c_interface: _mlir_ciface_<name>(lhs*, rhs*, out*)), checks
 * the tile it was built for and the inner strides, and falls back to the
 * portable strided loop otherwise, so a call is never wrong. Work is split
 * over (N1 panels x rows) with quk_parallel_for.
 *
\*===----------------------------------------------------------------------===*/
#ifndef QCC_RUNTIME_UKERNEL_MMT4D_H
#define QCC_RUNTIME_UKERNEL_MMT4D_H

#include <stdint.h>

/* An MLIR ranked memref descriptor of rank 4. */
typedef struct quk_memref4 {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[4];
  int64_t strides[4];
} quk_memref4;

/* A kernel for one tile (M0 = 1, N0, K0) and element types: two register
 * block functions and the strided fallback. `block` accumulates `rows` (at
 * most `rows` of the kernel) rows times one panel over `k1s` K-tiles into
 * `out` (row strides `lda` / `ldc` in elements); `row` does one row (the
 * matrix-vector case) over all of K with independent accumulators. */
typedef void (*quk_block_fn)(const void *lhs, int64_t lda, const void *panel,
                             void *out, int64_t ldc, int64_t rows, int64_t k1s);
typedef void (*quk_row_fn)(const void *lhs, const void *panel, void *out,
                           int64_t k1s);
typedef void (*quk_strided_fn)(const quk_memref4 *lhs, const quk_memref4 *rhs,
                               const quk_memref4 *out);
typedef struct quk_mmt4d_kernel {
  int64_t N0, K0;
  int64_t lhsBytes, rhsBytes, outBytes; /* element sizes */
  int64_t rows;                         /* register block height */
  int64_t kc;                           /* K-tiles per cache block */
  quk_block_fn block;
  quk_row_fn row;
  quk_strided_fn strided;
} quk_mmt4d_kernel;

/* Runs `kernel` on the operands: checks that they have its tile with dense
 * inner dimensions and rows of A contiguous along K (else calls its strided
 * fallback), then splits rows x panels into tasks on the thread pool; each
 * task walks K blocks x panels x register blocks (one row: `row` per
 * panel). */
void quk_mmt4d(const quk_mmt4d_kernel *kernel, const quk_memref4 *lhs,
               const quk_memref4 *rhs, const quk_memref4 *out);

/* Defines the kernel _mlir_ciface_SYMBOL (tile 1 x N0 x K0, element types
 * LT x RT -> OT) from typed register-block functions
 *   BLOCK(const LT *A, int64_t lda, const RT *panel, OT *C, int64_t ldc,
 *         int64_t rows, int64_t k1s)   (full blocks get rows == ROWS as a
 *                                       constant to specialize on)
 *   ROW(const LT *A, const RT *panel, OT *C, int64_t k1s)
 * with K blocks of KC K-tiles and the strided fallback STRIDED. */
#define QUK_MMT4D_KERNEL(SYMBOL, N0, K0, LT, RT, OT, ROWS, KC, BLOCK, ROW,     \
                         STRIDED)                                              \
  static void SYMBOL##_block(const void *lhs, int64_t lda, const void *panel,  \
                             void *out, int64_t ldc, int64_t rows,             \
                             int64_t k1s) {                                    \
    if (rows == (ROWS))                                                        \
      BLOCK((const LT *)lhs, lda, (const RT *)panel, (OT *)out, ldc, (ROWS),   \
            k1s);                                                              \
    else                                                                       \
      BLOCK((const LT *)lhs, lda, (const RT *)panel, (OT *)out, ldc, rows,     \
            k1s);                                                              \
  }                                                                            \
  static void SYMBOL##_row(const void *lhs, const void *panel, void *out,      \
                           int64_t k1s) {                                      \
    ROW((const LT *)lhs, (const RT *)panel, (OT *)out, k1s);                   \
  }                                                                            \
  static const quk_mmt4d_kernel SYMBOL##_kernel = {                            \
      N0,   K0, sizeof(LT),     sizeof(RT),   sizeof(OT),                      \
      ROWS, KC, SYMBOL##_block, SYMBOL##_row, STRIDED};                        \
  __attribute__((visibility("default"))) void _mlir_ciface_##SYMBOL(           \
      quk_memref4 *lhs, quk_memref4 *rhs, quk_memref4 *out) {                  \
    quk_mmt4d(&SYMBOL##_kernel, lhs, rhs, out);                                \
  }

/* The portable kernels: any tile, any strides (the fallbacks). */
void quk_mmt4d_f32_strided(const quk_memref4 *lhs, const quk_memref4 *rhs,
                           const quk_memref4 *out);
void quk_mmt4d_s8s8s32_strided(const quk_memref4 *lhs, const quk_memref4 *rhs,
                               const quk_memref4 *out);

#endif /* QCC_RUNTIME_UKERNEL_MMT4D_H */
