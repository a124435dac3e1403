//===- Verification.cpp - helpers shared by the qcc op verifiers ----------===//

#include "Verification.h"

#include "mlir/Dialect/Traits.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;

LogicalResult qcc::detail::verifyBroadcastResult(Operation *op,
                                                 ValueRange operands,
                                                 Value result) {
  SmallVector<int64_t> shape;
  for (Value v : operands) {
    SmallVector<int64_t> next;
    if (!OpTrait::util::getBroadcastedShape(shape, rankedType(v).getShape(),
                                            next))
      return op->emitOpError("operand shapes are not broadcast-compatible");
    shape = std::move(next);
  }
  ArrayRef<int64_t> resultShape = rankedType(result).getShape();
  if (resultShape.size() != shape.size())
    return op->emitOpError("result rank ")
           << resultShape.size() << " differs from broadcast rank "
           << shape.size();
  for (auto [got, want] : llvm::zip(resultShape, shape))
    if (!ShapedType::isDynamic(got) && !ShapedType::isDynamic(want) &&
        got != want)
      return op->emitOpError("result shape does not match the broadcast "
                             "shape of the operands");
  return success();
}

LogicalResult qcc::detail::verifyAxisInRange(Operation *op, int64_t axis,
                                             int64_t rank) {
  if (axis < 0 || axis >= rank)
    return op->emitOpError("axis ")
           << axis << " out of range for rank " << rank;
  return success();
}
