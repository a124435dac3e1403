//===- Ukernels.h - the microkernels a target's runtime has -----*- C++ -*-===//
//
// Which linalg.mmt4d microkernel (Ukernels.def) serves an element-type
// triple on a target: qcc-data-tiling packs operands into its tile,
// qcc-lower-to-ukernels replaces the mmt4d by a call to it.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_TARGET_UKERNELS_H
#define QCC_TARGET_UKERNELS_H

#include "qcc/Target/CpuTarget.h"

#include "mlir/IR/Types.h"

#include <optional>

namespace mlir::qcc {

struct Mmt4dUkernel {
  llvm::StringRef symbol; ///< without the _mlir_ciface_ prefix
  int64_t m0, n0, k0;
};

/// The kernels for lhs x rhs -> out that `target` can run, preferred first.
SmallVector<Mmt4dUkernel> mmt4dUkernelsFor(const CpuTarget &target, Type lhs,
                                           Type rhs, Type out);

/// The kernel for exactly this tile on `target`, if any (the selected one
/// or another the target can run).
std::optional<Mmt4dUkernel> findMmt4dUkernel(const CpuTarget &target, Type lhs,
                                             Type rhs, Type out, int64_t m0,
                                             int64_t n0, int64_t k0);

/// An int4 weight-only matmul microkernel (Ukernels.def QCC_W4_UKERNEL).
struct W4Ukernel {
  llvm::StringRef symbol; ///< the symmetric one; `symbol` + "_zp" has zero
                          ///< points
  int64_t n0;
  bool int8Activations; ///< activations quantized to i8 per row and group
};

/// The int4 weight-only kernels `target` can run for f32 or int8
/// activations, preferred first.
SmallVector<W4Ukernel> w4UkernelsFor(const CpuTarget &target,
                                     bool int8Activations);

/// The kernel whose entry point (without the _mlir_ciface_ prefix) is
/// `name`, if `target` can run it; `hasZeroPoint` says which variant.
std::optional<W4Ukernel> findW4Ukernel(const CpuTarget &target,
                                       llvm::StringRef name,
                                       bool &hasZeroPoint);

/// The attribute qcc-weight-only-data-tiling puts on the linalg.generic
/// that a microkernel computes: the kernel's entry point (a string).
/// qcc-tile-and-vectorize leaves such ops alone and qcc-lower-to-ukernels
/// replaces them by the call.
constexpr llvm::StringLiteral kUkernelAttr = "qcc.ukernel";

/// The discardable attribute on the linalg.generic that a
/// qcc.dequantize_blockwise lowers to: a dictionary of the op's bits,
/// block_shape, packed_dim (an index) and, with a zero point,
/// zero_point_signed.
constexpr llvm::StringLiteral kDequantizeBlockwiseTag =
    "qcc.dequantize_blockwise";

} // namespace mlir::qcc

#endif // QCC_TARGET_UKERNELS_H
