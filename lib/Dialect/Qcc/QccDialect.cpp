//===- QccDialect.cpp - the qcc dialect -----------------------------------===//
//
// Registration of the qcc dialect's operations and attributes, and its
// constant materializer. The operations' verifiers and folders live with their
// family (ElementwiseOps.cpp, NNOps.cpp, DataMovementOps.cpp, QuantOps.cpp);
// the generated operation classes in QccOps.cpp; the attributes and the
// check of the discardable quantization attributes in QccAttrs.cpp.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/Qcc/QccDialect.h"
#include "qcc/Dialect/Qcc/QccAttrs.h"
#include "qcc/Dialect/Qcc/QccOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::qcc;

#include "qcc/Dialect/Qcc/QccOpsDialect.cpp.inc"

#include "qcc/Dialect/Qcc/QccEnums.cpp.inc"

void QccDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "qcc/Dialect/Qcc/QccOps.cpp.inc"
      >();
  registerAttributes();
}

Operation *QccDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  return arith::ConstantOp::materialize(builder, value, type, loc);
}
