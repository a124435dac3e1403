//===- QuantUtils.h - helpers shared by the quantization passes -*- C++ -*-===//
#ifndef QCC_TRANSFORMS_QUANTUTILS_H
#define QCC_TRANSFORMS_QUANTUTILS_H

#include "mlir/IR/Operation.h"

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

} // namespace mlir::qcc

#endif // QCC_TRANSFORMS_QUANTUTILS_H
