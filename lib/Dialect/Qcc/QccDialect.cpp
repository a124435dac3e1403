//===- QccDialect.cpp - the qcc dialect -----------------------------------===//
//
// Registration of the qcc dialect's operations and enum attributes, and its
// constant materializer. The operations' verifiers and folders live with their
// family (ElementwiseOps.cpp, NNOps.cpp, DataMovementOps.cpp, QuantOps.cpp);
// the generated operation classes in QccOps.cpp.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/Qcc/QccDialect.h"
#include "qcc/Dialect/Qcc/QccAttrs.h"
#include "qcc/Dialect/Qcc/QccOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::qcc;

#include "qcc/Dialect/Qcc/QccOpsDialect.cpp.inc"

#include "qcc/Dialect/Qcc/QccEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "qcc/Dialect/Qcc/QccAttrs.cpp.inc"

void QccDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "qcc/Dialect/Qcc/QccOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "qcc/Dialect/Qcc/QccAttrs.cpp.inc"
      >();
}

Operation *QccDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  return arith::ConstantOp::materialize(builder, value, type, loc);
}
