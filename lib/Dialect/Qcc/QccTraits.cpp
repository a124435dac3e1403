//===- QccTraits.cpp - qcc op traits --------------------------------------===//

#include "qcc/Dialect/Qcc/QccTraits.h"

#include "Verification.h"

using namespace mlir;
using namespace mlir::qcc::detail;

LogicalResult OpTrait::qcc::impl::verifyBroadcastResultShape(Operation *op) {
  if (op->getNumResults() != 1)
    return op->emitOpError("expects a single result");
  return verifyBroadcastResult(op, op->getOperands(), op->getResult(0));
}

LogicalResult OpTrait::qcc::impl::verifyReductionShape(Operation *op,
                                                       ArrayRef<int64_t> axes,
                                                       bool keepdims) {
  if (op->getNumOperands() < 1 || op->getNumResults() != 1)
    return op->emitOpError("expects an input and a single result");
  int64_t rank = rankedType(op->getOperand(0)).getRank();
  int64_t previous = -1;
  for (int64_t axis : axes) {
    if (failed(verifyAxisInRange(op, axis, rank)))
      return failure();
    if (axis <= previous)
      return op->emitOpError("axes must be sorted and unique");
    previous = axis;
  }
  int64_t expectedRank = keepdims ? rank : rank - (int64_t)axes.size();
  if (rankedType(op->getResult(0)).getRank() != expectedRank)
    return op->emitOpError("result rank must be ") << expectedRank;
  return success();
}
