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

} // namespace mlir::qcc

#endif // QCC_TARGET_UKERNELS_H
