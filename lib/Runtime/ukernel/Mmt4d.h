/*===- Mmt4d.h - linalg.mmt4d microkernels --------------------------------===*\
 *
 * The generated code calls these for `linalg.mmt4d` ops whose operand tiles
 * match a kernel (qcc-lower-to-ukernels; the tile table is
 * include/qcc/Codegen/Ukernels.def):
 *
 *   out[m1][n1][m0][n0] += sum_{k1,k0} lhs[m1][k1][m0][k0] * rhs[n1][k1][n0][k0]
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

/* One call's operands, in elements. */
typedef struct quk_mmt4d {
  const void *lhs, *rhs;
  void *out;
  int64_t M1, N1, K1, M0, N0, K0;
  int64_t lhsStride0, lhsStride1; /* m1, k1 (m0/k0 contiguous) */
  int64_t rhsStride0, rhsStride1; /* n1, k1 (n0, k0 contiguous) */
  int64_t outStride0, outStride1; /* m1, n1 (m0, n0 contiguous) */
} quk_mmt4d;

/* Computes rows [m1Begin, m1End) x panels [n1Begin, n1End), all of K. */
typedef void (*quk_mmt4d_tile_fn)(const quk_mmt4d *p, int64_t m1Begin,
                                  int64_t m1End, int64_t n1Begin,
                                  int64_t n1End);

/* Fills `p` from the descriptors (element size `lhsBytes`/`outBytes`) and
 * returns 1 if the tile is (M0, N0, K0) and the inner dimensions are dense
 * (the kernels' layout); 0 otherwise. */
int quk_mmt4d_init(quk_mmt4d *p, const quk_memref4 *lhs,
                   const quk_memref4 *rhs, const quk_memref4 *out,
                   int64_t lhsBytes, int64_t rhsBytes, int64_t outBytes,
                   int64_t M0, int64_t N0, int64_t K0);

/* Runs `tile` over the whole problem on the thread pool; `rowBlock` is the
 * kernel's register-block height (rows a task takes together). */
void quk_mmt4d_run(const quk_mmt4d *p, quk_mmt4d_tile_fn tile,
                   int64_t rowBlock);

/* The portable kernels: any tile, any strides (the fallbacks). */
void quk_mmt4d_f32_strided(const quk_memref4 *lhs, const quk_memref4 *rhs,
                           const quk_memref4 *out);
void quk_mmt4d_s8s8s32_strided(const quk_memref4 *lhs, const quk_memref4 *rhs,
                               const quk_memref4 *out);

#endif /* QCC_RUNTIME_UKERNEL_MMT4D_H */
