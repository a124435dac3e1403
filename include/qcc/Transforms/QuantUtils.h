//===- QuantUtils.h - helpers shared by the quantization passes -*- C++ -*-===//
#ifndef QCC_TRANSFORMS_QUANTUTILS_H
#define QCC_TRANSFORMS_QUANTUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

#include <string>

namespace mlir::qcc {

/// The ONNX node name an imported op carries as its NameLoc (possibly
/// inside a FusedLoc), or "".
std::string onnxNodeName(Operation *op);

/// The ONNX op type a quantizable qcc op (matmul, gemm, conv) came from.
StringRef onnxOpType(Operation *op);

/// Whether `exclude` (node names or ONNX op types, the latter matched
/// case-insensitively) keeps `op` in float.
bool isExcludedLayer(Operation *op, ArrayRef<std::string> exclude);

/// The values of `cst` if it is a statically shaped f32 tensor constant
/// (dense elements or a dense resource), else std::nullopt (also for null).
std::optional<SmallVector<float>> f32ConstantValues(arith::ConstantOp cst);

} // namespace mlir::qcc

#endif // QCC_TRANSFORMS_QUANTUTILS_H
