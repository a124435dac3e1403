//===- DataMovementOps.cpp - qcc reshape, slice, gather, scatter, pad -----===//

#include "Verification.h"
#include "qcc/Dialect/Qcc/QccOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::detail;

LogicalResult ReshapeOp::verify() {
  auto in = rankedType(getInput());
  auto out = rankedType(getOutput());
  if (in.getElementType() != out.getElementType())
    return emitOpError("element types differ");
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError("element count changes from ")
           << in.getNumElements() << " to " << out.getNumElements();
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getOutput().getType())
    return getInput();
  auto type = rankedType(getOutput());
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    if (type.hasStaticShape())
      return dense.reshape(type);
  return {};
}

// DynamicShapeOpInterface: the reshape lowering computes at most one
// dynamic result dimension from the element count.
bool ReshapeOp::supportsDynamicShapes() {
  return rankedType(getOutput()).getNumDynamicDims() <= 1;
}

LogicalResult TransposeOp::verify() {
  auto in = rankedType(getInput());
  auto out = rankedType(getOutput());
  ArrayRef<int64_t> perm = getPerm();
  if ((int64_t)perm.size() != in.getRank() || out.getRank() != in.getRank())
    return emitOpError("perm size must equal the rank");
  llvm::SmallSet<int64_t, 8> seen;
  for (int64_t p : perm)
    if (p < 0 || p >= in.getRank() || !seen.insert(p).second)
      return emitOpError("perm is not a permutation");
  for (auto [i, p] : llvm::enumerate(perm)) {
    if (out.getDimSize(i) != in.getDimSize(p) && !out.isDynamicDim(i) &&
        !in.isDynamicDim(p))
      return emitOpError("result dim ") << i << " must be input dim " << p;
  }
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  auto out = rankedType(getOutput());
  if (failed(verifyAxisInRange(*this, getAxis(), out.getRank())))
    return failure();
  int64_t total = 0;
  for (Value v : getInputs()) {
    auto t = rankedType(v);
    if (t.getRank() != out.getRank())
      return emitOpError("all inputs must have the result rank");
    if (t.isDynamicDim(getAxis()) || total == ShapedType::kDynamic)
      total = ShapedType::kDynamic;
    else
      total += t.getDimSize(getAxis());
  }
  if (!out.isDynamicDim(getAxis()) && total != ShapedType::kDynamic &&
      total != out.getDimSize(getAxis()))
    return emitOpError("result size along axis must be ") << total;
  return success();
}

// DynamicShapeOpInterface: the offsets along the axis must be static.
bool ConcatOp::supportsDynamicShapes() {
  return llvm::none_of(getInputs(), [&](Value v) {
    return rankedType(v).isDynamicDim(getAxis());
  });
}

LogicalResult SliceOp::verify() {
  int64_t rank = rankedType(getInput()).getRank();
  if ((int64_t)getStarts().size() != rank || (int64_t)getSteps().size() != rank)
    return emitOpError("starts and steps need one entry per dim");
  if (llvm::any_of(getSteps(), [](int64_t s) { return s == 0; }))
    return emitOpError("steps must be non-zero");
  return success();
}

LogicalResult GatherOp::verify() {
  int64_t rank = rankedType(getInput()).getRank();
  if (failed(verifyAxisInRange(*this, getAxis(), rank)))
    return failure();
  int64_t expected = rank - 1 + rankedType(getIndices()).getRank();
  if (rankedType(getOutput()).getRank() != expected)
    return emitOpError("result rank must be ") << expected;
  return success();
}

LogicalResult BroadcastToOp::verify() {
  return verifyBroadcastResult(*this, {getInput(), getOutput()}, getOutput());
}

LogicalResult PadOp::verify() {
  auto in = rankedType(getInput());
  if ((int64_t)getPads().size() != 2 * in.getRank())
    return emitOpError("pads need 2 x rank entries");
  return success();
}

//===----------------------------------------------------------------------===//
// Scatter
//===----------------------------------------------------------------------===//

// The reduction is a ScatterReductionAttr, so only none, add and mul parse.

LogicalResult ScatterElementsOp::verify() {
  auto in = rankedType(getInput());
  if (rankedType(getIndices()).getShape() !=
      rankedType(getUpdates()).getShape())
    return emitOpError("indices and updates shapes differ");
  if (rankedType(getIndices()).getRank() != in.getRank())
    return emitOpError("indices rank differs from the input rank");
  if (in != rankedType(getOutput()))
    return emitOpError("result type differs from the input type");
  return verifyAxisInRange(*this, getAxis(), in.getRank());
}

LogicalResult ScatterNDOp::verify() {
  auto in = rankedType(getInput());
  auto idx = rankedType(getIndices());
  if (in != rankedType(getOutput()))
    return emitOpError("result type differs from the input type");
  if (idx.getRank() < 1 || idx.isDynamicDim(idx.getRank() - 1) ||
      idx.getDimSize(idx.getRank() - 1) > in.getRank())
    return emitOpError("last indices dimension must be a static size <= "
                       "the input rank");
  return success();
}
