//===- QccInterfaces.h - qcc op interfaces ----------------------*- C++ -*-===//
//
// The C++ side of QccInterfaces.td.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_DIALECT_QCC_QCCINTERFACES_H
#define QCC_DIALECT_QCC_QCCINTERFACES_H

#include "mlir/IR/OpDefinition.h"

#include "qcc/Dialect/Qcc/QccInterfaces.h.inc"

namespace mlir::qcc {

/// Whether the lowering handles the shapes of `op`: they are static, or `op`
/// implements DynamicShapeOpInterface and supports its dynamic dimensions.
bool hasLowerableShapes(Operation *op);

} // namespace mlir::qcc

#endif // QCC_DIALECT_QCC_QCCINTERFACES_H
