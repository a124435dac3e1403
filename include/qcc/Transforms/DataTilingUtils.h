//===- DataTilingUtils.h - shared by the data-tiling passes -----*- C++ -*-===//
//
// What qcc-data-tiling (weights packed for linalg.mmt4d) and
// qcc-weight-only-data-tiling (int4 weights packed for the weight-only
// microkernels) both need: reading constant bytes, recognizing a
// contraction against a 2-D weight, and the views of its activation and
// accumulator as [rows, K] and column-padded [rows, N] matrices.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_TRANSFORMS_DATATILINGUTILS_H
#define QCC_TRANSFORMS_DATATILINGUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

#include <optional>
#include <vector>

namespace mlir::qcc {

/// The raw little-endian bytes of a statically shaped constant tensor of
/// `numElements` elements of `elemBytes` each (a splat expanded).
std::optional<std::vector<char>>
constantBytes(arith::ConstantOp cst, int64_t numElements, int64_t elemBytes);

/// The constant `v` is, looking through reshapes (which keep the row-major
/// bytes: a convolution's weight reaches its contraction collapsed).
arith::ConstantOp constantThroughReshapes(Value v);

/// How a contraction reads its operands, if it computes
///   C[m1, .., mr, n] += A[m1, .., mr, k] * W(k, n)
/// (a plain multiply-accumulate, no unsigned casts): matmul, batch_matmul
/// with a broadcast 2-D weight, Gemm's transB maps, generics.
struct ContractionForm {
  unsigned numM;   ///< leading row dimensions of A and C
  bool transposed; ///< W indexed [n, k] (else [k, n])
};
std::optional<ContractionForm> contractionForm(linalg::LinalgOp op);

/// A contraction's activation and accumulator as row-major matrices:
/// A [M, K] and C [M, Np] (the leading row dimensions collapsed, C's
/// columns padded with zeros from N to Np), and the way back.
struct RowMatrices {
  Value a, acc;
  int64_t n, np;
  OpFoldResult rows; ///< M, when dynamic a value
  RankedTensorType origType;
  SmallVector<ReassociationIndices> rowGroups; ///< empty: already 2-D
  SmallVector<OpFoldResult> origSizes;

  /// [M, Np] `result` sliced to N columns and expanded to origType.
  Value restore(OpBuilder &b, Location loc, Value result) const;
};
RowMatrices rowMatrices(OpBuilder &b, Location loc, Value a, Value init,
                        unsigned numM, int64_t np);

/// Erases the producers of `v` that are trivially dead, and theirs in
/// turn: the unpacked weight once its contraction is gone.
void eraseDeadChain(Value v);

} // namespace mlir::qcc

#endif // QCC_TRANSFORMS_DATATILINGUTILS_H
