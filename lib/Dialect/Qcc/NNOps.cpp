//===- NNOps.cpp - qcc contraction, convolution, pooling, reduction ops ---===//

#include "Verification.h"
#include "qcc/Dialect/Qcc/QccOps.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::detail;

//===----------------------------------------------------------------------===//
// Contractions, convolution, pooling
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::verify() {
  int64_t lhsRank = rankedType(getLhs()).getRank();
  int64_t rhsRank = rankedType(getRhs()).getRank();
  if (lhsRank < 1 || rhsRank < 1)
    return emitOpError("operands must have rank >= 1");
  auto lhsShape = rankedType(getLhs()).getShape();
  auto rhsShape = rankedType(getRhs()).getShape();
  int64_t k1 = lhsShape.back();
  int64_t k2 = rhsRank == 1 ? rhsShape[0] : rhsShape[rhsRank - 2];
  if (!ShapedType::isDynamic(k1) && !ShapedType::isDynamic(k2) && k1 != k2)
    return emitOpError("contraction dimensions differ: ") << k1 << " vs " << k2;
  return success();
}

LogicalResult GemmOp::verify() {
  if (rankedType(getA()).getRank() != 2 || rankedType(getB()).getRank() != 2)
    return emitOpError("A and B must be rank 2");
  if (rankedType(getOutput()).getRank() != 2)
    return emitOpError("result must be rank 2");
  return success();
}

/// Conv and pooling share the NC[D]HW window attributes.
static LogicalResult verifyWindowAttrs(Operation *op, int64_t rank,
                                       ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> pads,
                                       ArrayRef<int64_t> dilations) {
  int64_t spatial = rank - 2;
  if (spatial < 1)
    return op->emitOpError("expects an input of rank >= 3 (N, C, spatial)");
  if ((int64_t)strides.size() != spatial ||
      (int64_t)dilations.size() != spatial ||
      (int64_t)pads.size() != 2 * spatial)
    return op->emitOpError("strides/dilations need ")
           << spatial << " entries and pads " << 2 * spatial;
  if (llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }) ||
      llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return op->emitOpError("strides and dilations must be >= 1, pads >= 0");
  return success();
}

LogicalResult ConvOp::verify() {
  auto inputType = rankedType(getInput());
  auto weightType = rankedType(getWeight());
  if (inputType.getRank() != weightType.getRank())
    return emitOpError("input and weight ranks differ");
  if (failed(verifyWindowAttrs(*this, inputType.getRank(), getStrides(),
                               getPads(), getDilations())))
    return failure();
  int64_t group = getGroup();
  int64_t channels = inputType.getDimSize(1);
  if (group < 1)
    return emitOpError("group must be >= 1");
  if (!ShapedType::isDynamic(channels) &&
      channels != weightType.getDimSize(1) * group)
    return emitOpError("input channels ")
           << channels << " != weight channels " << weightType.getDimSize(1)
           << " x group " << group;
  if (weightType.getDimSize(0) % group != 0)
    return emitOpError("output channels not divisible by group");
  return success();
}

LogicalResult PoolOp::verify() {
  int64_t rank = rankedType(getInput()).getRank();
  if ((int64_t)getKernelShape().size() != rank - 2)
    return emitOpError("kernel_shape needs one entry per spatial dim");
  return verifyWindowAttrs(*this, rank, getStrides(), getPads(),
                           getDilations());
}

/// Whether only the leading `n` dimensions of `v` may be dynamic.
static bool onlyLeadingDynamic(Value v, int64_t n) {
  auto type = rankedType(v);
  for (int64_t d = n; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      return false;
  return true;
}

// DynamicShapeOpInterface: the convolution and pooling lowerings take a
// dynamic batch (and channels for pooling); window sizes are static.
bool ConvOp::supportsDynamicShapes() {
  return onlyLeadingDynamic(getInput(), 1) &&
         onlyLeadingDynamic(getWeight(), 0);
}

bool PoolOp::supportsDynamicShapes() {
  return onlyLeadingDynamic(getInput(), 2);
}

// The reductions are checked by Qcc_ReductionShape (QccTraits.cpp).
