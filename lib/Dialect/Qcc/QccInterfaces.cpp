//===- QccInterfaces.cpp - qcc op interfaces ------------------------------===//

#include "qcc/Dialect/Qcc/QccInterfaces.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

#include "qcc/Dialect/Qcc/QccInterfaces.cpp.inc"

static bool isStatic(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return !shaped || shaped.hasStaticShape();
}

bool qcc::hasLowerableShapes(Operation *op) {
  if (llvm::all_of(op->getOperandTypes(), isStatic) &&
      llvm::all_of(op->getResultTypes(), isStatic))
    return true;
  auto dynamicShapeOp = dyn_cast<DynamicShapeOpInterface>(op);
  return dynamicShapeOp && dynamicShapeOp.supportsDynamicShapes();
}
