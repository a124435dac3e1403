/*===- WeightOnly.h - weight-only int4 matmul microkernels ----------------===*\
 *
 * The generated code calls these for the `linalg.generic` ops that
 * qcc-weight-only-data-tiling makes of a float matmul whose weight is a
 * 4-bit blockwise dequantization of constants (tagged `qcc.ukernel`,
 * replaced by a call by qcc-lower-to-ukernels):
 *
 *   C[m][n1][n0] += sum_k A[m][k] * (u(k, n1, n0) - Z[n1][k/G][n0])
 *                                 * S[n1][k/G][n0]
 *   u(k, n1, n0) = (B[n1][k/2][n0] >> 4 * (k % 2)) & 15
 *
 * (Z unsigned bytes). The int8-activation kernels (quk_w4_s8_*) take
 * A = Aq[m][k] * Sa[m][k/G] (i8 activations quantized per row and group
 * by the generated code) and B as [N1][K/8][N0][4]: byte i of column j's
 * dword in block b holds u(8b + i) in its low nibble and u(8b + 4 + i) in
 * its high one, so that one vpdpbusd / vpmaddubsw multiplies 4 k of 16
 * (8) columns; per group the integer sum sum_k aq (u - z) is exact in i32
 * and is scaled once by s * sa.
 *
 * with Z = 8 for symmetric weights (the kernels without `_zp`): the weight
 * is packed at compile time into N0-column panels of nibble pairs (even k
 * in the low nibble, values offset to 0..15), with the group scales and
 * zero points in the same panel order, so a panel streams contiguously.
 * C is a [M, N1, N0] view of the (column-padded) row-major result.
 *
 * Every kernel takes MLIR memref descriptors (_mlir_ciface_<name>(A, B, S,
 * [Z,] C)), checks the shapes and inner strides it needs and otherwise
 * runs the portable strided loop, so a call is never wrong. Work is split
 * over (panels x row tasks) with quk_parallel_for. Per task:
 *   - fewer than 4 rows (decode): `row` streams each panel once per row,
 *     accumulating sum_k a_k u_k per group in f32 and adding
 *     s * (that - z * sum_k a_k) per group: one scale FMA per group;
 *   - else: per K block of the panel, `unpack` dequantizes it once into a
 *     float [KC][N0] tile on the stack, which the f32 register block (the
 *     f32 mmt4d kernel's) multiplies with every row block of the task.
 *
\*===----------------------------------------------------------------------===*/
#ifndef QCC_RUNTIME_UKERNEL_WEIGHTONLY_H
#define QCC_RUNTIME_UKERNEL_WEIGHTONLY_H

#include "Mmt4d.h" /* quk_memref4 */

#include <stdint.h>

typedef struct quk_memref2 {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} quk_memref2;

typedef struct quk_memref3 {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[3];
  int64_t strides[3];
} quk_memref3;

/* One row A[0..K) times one panel (B: [K/2][N0] bytes, S: [K/G][N0], Z:
 * [K/G][N0] bytes, null for z = 8) added to C[0..N0). K and G are even, G
 * divides K. */
typedef void (*quk_w4_row_fn)(const float *A, const uint8_t *B, const float *S,
                              const uint8_t *Z, float *C, int64_t K, int64_t G);
/* The same for the int8 kernels: one row of Aq (K) and Sa (K/G); G a
 * multiple of 8. */
typedef void (*quk_w4s8_row_fn)(const int8_t *Aq, const float *Sa,
                                const uint8_t *B, const float *S,
                                const uint8_t *Z, float *C, int64_t K,
                                int64_t G);
/* Rows [k0, k0 + kc) of a panel dequantized into tile[kc][N0]; k0, kc
 * even (multiples of 8 for the int8 kernels' layout). */
typedef void (*quk_w4_unpack_fn)(const uint8_t *B, const float *S,
                                 const uint8_t *Z, float *tile, int64_t k0,
                                 int64_t kc, int64_t G);
/* The f32 register block: rows (<= `rows`) of A (row stride lda) times a
 * [kc][N0] tile added to C (row stride ldc). */
typedef void (*quk_w4_block_fn)(const float *A, int64_t lda, const float *tile,
                                float *C, int64_t ldc, int64_t rows,
                                int64_t kc);

typedef struct quk_w4_kernel {
  int64_t N0;
  int64_t rows;          /* register block height of `block` */
  int64_t kc;            /* K per cache block (a multiple of 8) */
  quk_w4_row_fn row;     /* f32 kernels */
  quk_w4s8_row_fn rowS8; /* int8 kernels */
  quk_w4_unpack_fn unpack;
  quk_w4_block_fn block;
} quk_w4_kernel;

/* Runs `kernel` (Z null: symmetric); f32 activations A. */
void quk_w4_matmul(const quk_w4_kernel *kernel, const quk_memref2 *A,
                   const quk_memref3 *B, const quk_memref3 *S,
                   const quk_memref3 *Z, const quk_memref3 *C);
/* Runs an int8 kernel: activations Aq (i8) and Sa (f32 per group). */
void quk_w4s8_matmul(const quk_w4_kernel *kernel, const quk_memref2 *Aq,
                     const quk_memref2 *Sa, const quk_memref4 *B,
                     const quk_memref3 *S, const quk_memref3 *Z,
                     const quk_memref3 *C);

/* SYMBOL##_block: calls BLOCK with rows == ROWS as a constant for full
 * blocks, so that the compiler unrolls it. */
#define QUK_W4_BLOCK(SYMBOL, ROWS, BLOCK)                                      \
  static void SYMBOL##_block(const float *A, int64_t lda, const float *tile,   \
                             float *C, int64_t ldc, int64_t rows,              \
                             int64_t kc) {                                     \
    if (rows == (ROWS))                                                        \
      BLOCK(A, lda, tile, C, ldc, (ROWS), kc);                                 \
    else                                                                       \
      BLOCK(A, lda, tile, C, ldc, rows, kc);                                   \
  }

/* Defines _mlir_ciface_SYMBOL (symmetric) and _mlir_ciface_SYMBOL_zp (with
 * zero points) from the typed functions; BLOCK gets rows == ROWS as a
 * constant for full blocks. */
#define QUK_W4_KERNEL(SYMBOL, N0, ROWS, KC, ROW, UNPACK, BLOCK)                \
  QUK_W4_BLOCK(SYMBOL, ROWS, BLOCK)                                            \
  static const quk_w4_kernel SYMBOL##_kernel = {                               \
      N0, ROWS, KC, ROW, 0, UNPACK, SYMBOL##_block};                           \
  __attribute__((visibility("default"))) void _mlir_ciface_##SYMBOL(           \
      quk_memref2 *A, quk_memref3 *B, quk_memref3 *S, quk_memref3 *C) {        \
    quk_w4_matmul(&SYMBOL##_kernel, A, B, S, 0, C);                            \
  }                                                                            \
  __attribute__((visibility("default"))) void _mlir_ciface_##SYMBOL##_zp(      \
      quk_memref2 *A, quk_memref3 *B, quk_memref3 *S, quk_memref3 *Z,          \
      quk_memref3 *C) {                                                        \
    quk_w4_matmul(&SYMBOL##_kernel, A, B, S, Z, C);                            \
  }

/* The int8-activation kernel _mlir_ciface_SYMBOL(Aq, Sa, B, S, C) and
 * _mlir_ciface_SYMBOL_zp(Aq, Sa, B, S, Z, C). */
#define QUK_W4S8_KERNEL(SYMBOL, N0, ROWS, KC, ROW, UNPACK, BLOCK)              \
  QUK_W4_BLOCK(SYMBOL, ROWS, BLOCK)                                            \
  static const quk_w4_kernel SYMBOL##_kernel = {                               \
      N0, ROWS, KC, 0, ROW, UNPACK, SYMBOL##_block};                           \
  __attribute__((visibility("default"))) void _mlir_ciface_##SYMBOL(           \
      quk_memref2 *Aq, quk_memref2 *Sa, quk_memref4 *B, quk_memref3 *S,        \
      quk_memref3 *C) {                                                        \
    quk_w4s8_matmul(&SYMBOL##_kernel, Aq, Sa, B, S, 0, C);                     \
  }                                                                            \
  __attribute__((visibility("default"))) void _mlir_ciface_##SYMBOL##_zp(      \
      quk_memref2 *Aq, quk_memref2 *Sa, quk_memref4 *B, quk_memref3 *S,        \
      quk_memref3 *Z, quk_memref3 *C) {                                        \
    quk_w4s8_matmul(&SYMBOL##_kernel, Aq, Sa, B, S, Z, C);                     \
  }

#endif /* QCC_RUNTIME_UKERNEL_WEIGHTONLY_H */
