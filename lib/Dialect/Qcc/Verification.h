//===- Verification.h - helpers shared by the qcc op verifiers --*- C++ -*-===//
//
// Internal to lib/Dialect/Qcc: the checks more than one op family uses.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_DIALECT_QCC_VERIFICATION_H
#define QCC_LIB_DIALECT_QCC_VERIFICATION_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"

namespace mlir::qcc::detail {

/// The type of `v`, which the op's ODS constraints made a ranked tensor.
inline RankedTensorType rankedType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Checks that `result` has the numpy broadcast shape of `operands`.
LogicalResult verifyBroadcastResult(Operation *op, ValueRange operands,
                                    Value result);

/// Checks 0 <= axis < rank.
LogicalResult verifyAxisInRange(Operation *op, int64_t axis, int64_t rank);

} // namespace mlir::qcc::detail

#endif // QCC_LIB_DIALECT_QCC_VERIFICATION_H
