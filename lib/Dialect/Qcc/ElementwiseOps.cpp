//===- ElementwiseOps.cpp - qcc elementwise op verifiers and folders ------===//

#include "Verification.h"
#include "qcc/Dialect/Qcc/QccOps.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::detail;

LogicalResult CastOp::verify() {
  if (rankedType(getInput()).getShape() != rankedType(getOutput()).getShape())
    return emitOpError("input and result shapes differ");
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getOutput().getType())
    return getInput();
  return {};
}

// The broadcasting binary ops and qcc.where have no hand-written verifier:
// ResultsBroadcastableShape, Qcc_BroadcastResultShape (QccTraits.cpp) and the
// element type traits in QccOps.td check them.
